"""Web Push messages as the push services take them: RFC 8291 encryption and RFC 8292 VAPID.

A push is one HTTP POST to the device's push service (the subscription's endpoint). Its body
is encrypted to the device (aes128gcm content coding, RFC 8188, with the keys of RFC 8291), so
the push service carries it without reading it; the request is signed by our VAPID key
(RFC 8292), so the push service knows it comes from the server the device subscribed to.

Built on `cryptography` alone: the two RFCs need P-256 ECDH and ECDSA, HKDF-SHA-256 and
AES-128-GCM, about a page of code, where the packaged clients would add an HTTP stack of their
own beside the one `accounts/outside.py` already uses.

Keys: ``CITYGATE_VAPID_PRIVATE_KEY`` is the P-256 private scalar as base64url (32 bytes), the
form `npx web-push generate-vapid-keys` and most tools print. Without it, development and tests
use `DEVELOPMENT_VAPID_PRIVATE_KEY`; the system check citygate.E007 refuses that in production.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import json
import os
import re
import socket
import struct
import time
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from citygate.privacy.crypto import development_keys_allowed

# Fixed so that a developer's subscriptions survive restarts; never valid in production.
DEVELOPMENT_VAPID_PRIVATE_KEY = (
    base64.urlsafe_b64encode(hashlib.sha256(b"citygate-development-vapid-key").digest())
    .rstrip(b"=")
    .decode()
)
# RFC 8188 record size: one record holds our payloads (at most PAYLOAD_MAX_BYTES).
RECORD_SIZE = 4096
# What every push service must accept (RFC 8291 section 4: 4096 octets of body).
PAYLOAD_MAX_BYTES = 3000
# RFC 8292: a token lives at most a day; twelve hours leaves room for clocks that differ.
TOKEN_LIFETIME_SECONDS = 12 * 60 * 60
_KEY_BYTES = 65  # an uncompressed P-256 point
_AUTH_BYTES = 16


# --- Where a push may go ------------------------------------------------------------------------
#
# A subscription's endpoint comes from the browser, that is from whoever calls the API: the
# server must not be made to post to its own network. An endpoint is https on port 443 to a
# name (never an address, in any of the notations the resolver reads: 127.1, 0x7f.1,
# 0177.0.0.1, 2130706433); the backend resolves it when it sends and refuses a name with any
# address that is not public (inbox/channels.py). Plain HTTP and this machine's addresses only
# for development and the tests' own push service.

_TOP_LABEL_RE = re.compile(r"^[a-z][a-z0-9-]*$")


def local_endpoints_allowed() -> bool:
    allowed = getattr(settings, "CITYGATE_WEB_PUSH_ALLOW_LOCAL", settings.DEBUG or settings.TESTING)
    return bool(allowed)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return True
    try:
        socket.inet_aton(host)  # the short, octal and hexadecimal forms of IPv4 too
    except (OSError, ValueError):
        return False
    return True


def _is_public_name(host: str) -> bool:
    name = host.lower()
    labels = name.removesuffix(".").split(".")
    return (
        len(labels) >= 2
        and all(labels)
        and _TOP_LABEL_RE.match(labels[-1]) is not None
        and labels[-1] != "localhost"
        and not _is_address(name)
        and not _is_address(name.removesuffix("."))
    )


def endpoint_acceptable(endpoint: str) -> bool:
    """Whether an endpoint may be a push service's: https, port 443, a public name."""
    try:
        parts = urlsplit(endpoint)
        host, port = parts.hostname or "", parts.port
    except ValueError:  # "https://[::1", "https://push.example.org:99999/"
        return False
    if not host or parts.username or parts.password:
        return False
    if local_endpoints_allowed():
        return parts.scheme in ("https", "http")
    return parts.scheme == "https" and port in (None, 443) and _is_public_name(host)


def address_acceptable(address: str) -> bool:
    """Whether the server may connect to an address a push service's name resolved to."""
    if local_endpoints_allowed():
        return True
    try:
        found = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    if isinstance(found, ipaddress.IPv6Address) and found.ipv4_mapped is not None:
        found = found.ipv4_mapped
    return found.is_global and not found.is_multicast


class WebPushKeyError(ValueError):
    """A subscription's keys are not a P-256 point and a 16-byte secret."""


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    padded = text.strip() + "=" * (-len(text.strip()) % 4)
    try:
        return base64.urlsafe_b64decode(padded.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise WebPushKeyError("not base64url") from exc


def _private_key_text() -> str:
    configured: str = getattr(settings, "CITYGATE_VAPID_PRIVATE_KEY", "")
    if configured:
        return configured
    if not development_keys_allowed():
        raise ImproperlyConfigured("CITYGATE_VAPID_PRIVATE_KEY must be set")
    return DEVELOPMENT_VAPID_PRIVATE_KEY


def vapid_private_key() -> ec.EllipticCurvePrivateKey:
    try:
        raw = b64url_decode(_private_key_text())
        return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except (WebPushKeyError, ValueError) as exc:
        raise ImproperlyConfigured(
            "CITYGATE_VAPID_PRIVATE_KEY is not a P-256 key in base64url"
        ) from exc


def _point(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def public_key_of(key: ec.EllipticCurvePrivateKey) -> str:
    """A private key's public point as base64url (65 bytes, uncompressed)."""
    return b64url_encode(_point(key.public_key()))


def vapid_public_key() -> str:
    """The application server key a browser subscribes with."""
    return public_key_of(vapid_private_key())


def _audience(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


def vapid_authorization(endpoint: str, *, now: float | None = None) -> str:
    """The Authorization header of a push to `endpoint` (RFC 8292 section 3)."""
    key = vapid_private_key()
    issued = int(time.time() if now is None else now)
    claims = {
        "aud": _audience(endpoint),
        "exp": issued + TOKEN_LIFETIME_SECONDS,
        "sub": settings.CITYGATE_VAPID_SUBJECT,
    }
    header = {"typ": "JWT", "alg": "ES256"}
    signing_input = ".".join(
        b64url_encode(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    token = f"{signing_input}.{b64url_encode(signature)}"
    return f"vapid t={token}, k={public_key_of(key)}"


def device_keys(p256dh: str, auth: str) -> tuple[ec.EllipticCurvePublicKey, bytes]:
    """The device's public key and auth secret from a subscription's base64url keys."""
    point, secret = b64url_decode(p256dh), b64url_decode(auth)
    if len(point) != _KEY_BYTES or len(secret) != _AUTH_BYTES:
        raise WebPushKeyError("a subscription has a 65-byte key and a 16-byte secret")
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point), secret
    except ValueError as exc:
        raise WebPushKeyError("the key is not a point of P-256") from exc


def _hmac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def _hkdf(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    # One block of HKDF-SHA-256 (RFC 5869) is all these lengths need.
    return _hmac(_hmac(salt, ikm), info + b"\x01")[:length]


def encrypt(
    plaintext: bytes,
    *,
    p256dh: str,
    auth: str,
    salt: bytes | None = None,
    sender_key: ec.EllipticCurvePrivateKey | None = None,
) -> bytes:
    """The body of a push: `plaintext` encrypted to the device (RFC 8291, aes128gcm).

    `salt` and `sender_key` are fresh for every message; tests may fix them.
    """
    if len(plaintext) > PAYLOAD_MAX_BYTES:
        raise ValueError("a push payload is at most 3000 bytes")
    device_key, secret = device_keys(p256dh, auth)
    sender_key = sender_key or ec.generate_private_key(ec.SECP256R1())
    salt = salt if salt is not None else os.urandom(16)
    device_point, sender_point = _point(device_key), _point(sender_key.public_key())

    shared = sender_key.exchange(ec.ECDH(), device_key)
    ikm = _hkdf(secret, shared, b"WebPush: info\x00" + device_point + sender_point, 32)
    content_key = _hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
    # One record, the last: the payload and its delimiter 0x02, no padding.
    sealed = AESGCM(content_key).encrypt(nonce, plaintext + b"\x02", None)
    header = salt + struct.pack("!IB", RECORD_SIZE, len(sender_point)) + sender_point
    return header + sealed
