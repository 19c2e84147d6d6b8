"""Field encryption and blind indexes for personal data.

Two suites, chosen by ``CITYGATE_CRYPTO``:

- ``aes``: AES-256-GCM for values, HMAC-SHA256 for blind indexes (the default);
- ``sm``: SM4-GCM (GB/T 32907) for values, HMAC-SM3 (GB/T 32905) for blind indexes.

A stored value reads ``cg1:<suite>:<key id>:<base64url(nonce | ciphertext | tag)>``. It names its
own suite and key, so values written under an older key or the other suite still decrypt, and
``manage.py reencrypt_personal_data`` moves them to the newest key. Each value is bound to its
column through the associated data, so a ciphertext copied into another column fails to open.

Master keys are 32 random bytes. The working keys are derived from them with HKDF under the
suite's hash, one for each purpose, so the same master key never keys two algorithms.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import threading
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "cg1"
SUITES = ("aes", "sm")
NONCE_BYTES = 12
TAG_BYTES = 16

# Development keys: fixed so that a developer's database survives restarts. A system check
# refuses them outside DEBUG and tests.
DEVELOPMENT_DATA_KEYS = "dev1:" + base64.b64encode(b"citygate-development-data-key-01").decode()
DEVELOPMENT_INDEX_KEY = base64.b64encode(b"citygate-development-index-key01").decode()


class CryptoError(Exception):
    """A value could not be decrypted: wrong key, wrong column or tampered bytes."""


class KeyConfigurationError(Exception):
    """The key settings are missing or malformed."""


@dataclass(frozen=True)
class KeyRing:
    suite: str
    keys: dict[str, bytes]
    current_id: str
    index_key: bytes

    @property
    def current(self) -> bytes:
        return self.keys[self.current_id]


def _decode_key(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyConfigurationError(f"{what} is not valid base64") from exc
    if len(raw) != 32:
        raise KeyConfigurationError(f"{what} must decode to 32 bytes")
    return raw


def parse_data_keys(text: str) -> tuple[dict[str, bytes], str]:
    """Parse ``id:base64,id:base64``; the last entry is the key new values are written with."""
    keys: dict[str, bytes] = {}
    current = ""
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        key_id, sep, material = entry.partition(":")
        if not sep or not key_id.isalnum() or len(key_id) > 16:
            raise KeyConfigurationError("each data key must read key_id:base64 (id alphanumeric)")
        if key_id in keys:
            raise KeyConfigurationError(f"data key id {key_id} appears twice")
        keys[key_id] = _decode_key(material, f"data key {key_id}")
        current = key_id
    if not keys:
        raise KeyConfigurationError("no data keys configured")
    return keys, current


def development_keys_allowed() -> bool:
    return bool(settings.DEBUG or settings.TESTING)


_ring_lock = threading.Lock()
_ring_cache: dict[tuple[str, str, str], KeyRing] = {}


def keyring() -> KeyRing:
    """The key ring for the current settings (cached; tests may change settings)."""
    suite = settings.CITYGATE_CRYPTO
    if suite not in SUITES:
        raise KeyConfigurationError("CITYGATE_CRYPTO must be 'aes' or 'sm'")
    data_keys = settings.CITYGATE_DATA_KEYS
    index_key = settings.CITYGATE_INDEX_KEY
    if not data_keys or not index_key:
        if not development_keys_allowed():
            raise KeyConfigurationError("CITYGATE_DATA_KEYS and CITYGATE_INDEX_KEY must be set")
        data_keys = data_keys or DEVELOPMENT_DATA_KEYS
        index_key = index_key or DEVELOPMENT_INDEX_KEY
    cache_key = (suite, data_keys, index_key)
    ring = _ring_cache.get(cache_key)
    if ring is None:
        with _ring_lock:
            keys, current = parse_data_keys(data_keys)
            ring = KeyRing(suite, keys, current, _decode_key(index_key, "CITYGATE_INDEX_KEY"))
            _ring_cache[cache_key] = ring
    return ring


def _hash(suite: str) -> hashes.HashAlgorithm:
    return hashes.SM3() if suite == "sm" else hashes.SHA256()


@lru_cache(maxsize=64)
def derive_key(master: bytes, suite: str, purpose: str) -> bytes:
    length = 16 if suite == "sm" and purpose == "data" else 32
    hkdf = HKDF(
        algorithm=_hash(suite), length=length, salt=None, info=f"citygate/{purpose}".encode()
    )
    return hkdf.derive(master)


def _seal(suite: str, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    if suite == "aes":
        return AESGCM(key).encrypt(nonce, plaintext, aad)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return body + encryptor.tag


def _open(suite: str, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    if suite == "aes":
        return AESGCM(key).decrypt(nonce, sealed, aad)
    body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(body) + decryptor.finalize()


def sm4_gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Raw SM4-GCM, ciphertext followed by the 16-byte tag (exposed for the test vectors)."""
    return _seal("sm", key, nonce, plaintext, aad)


def encrypt(plaintext: str, *, context: str, ring: KeyRing | None = None) -> str:
    ring = ring or keyring()
    key = derive_key(ring.current, ring.suite, "data")
    nonce = os.urandom(NONCE_BYTES)
    sealed = _seal(ring.suite, key, nonce, plaintext.encode("utf-8"), context.encode())
    token = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
    return f"{PREFIX}:{ring.suite}:{ring.current_id}:{token}"


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX + ":")


def describe(stored: str) -> tuple[str, str]:
    """The (suite, key id) a stored value was written with."""
    parts = stored.split(":", 3)
    if len(parts) != 4 or parts[0] != PREFIX or parts[1] not in SUITES:
        raise CryptoError("not an encrypted value")
    return parts[1], parts[2]


def decrypt(stored: str, *, context: str, ring: KeyRing | None = None) -> str:
    ring = ring or keyring()
    parts = stored.split(":", 3)
    if len(parts) != 4 or parts[0] != PREFIX or parts[1] not in SUITES:
        raise CryptoError("not an encrypted value")
    _, suite, key_id, token = parts
    master = ring.keys.get(key_id)
    if master is None:
        raise CryptoError(f"unknown data key id {key_id}")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError) as exc:
        raise CryptoError("malformed ciphertext") from exc
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise CryptoError("malformed ciphertext")
    key = derive_key(master, suite, "data")
    try:
        plain = _open(suite, key, raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
    except InvalidTag as exc:
        raise CryptoError("ciphertext failed authentication") from exc
    return plain.decode("utf-8")


def needs_reencryption(stored: str, ring: KeyRing | None = None) -> bool:
    ring = ring or keyring()
    suite, key_id = describe(stored)
    return suite != ring.suite or key_id != ring.current_id


def blind_index(purpose: str, normalised: str, ring: KeyRing | None = None) -> str:
    """A keyed hash for exact lookups of an encrypted value (HMAC-SHA256 or HMAC-SM3).

    The purpose separates indexes, so equal values in two kinds of field do not match.
    """
    ring = ring or keyring()
    key = derive_key(ring.index_key, ring.suite, "index")
    return keyed_hash(key, f"{purpose}\x1f{normalised}".encode(), suite=ring.suite)


def keyed_hash(key: bytes, message: bytes, *, suite: str) -> str:
    """HMAC-SM3 (GM/T 0042) under ``sm``, HMAC-SHA256 under ``aes``, as lower-case hex."""
    digest = "sm3" if suite == "sm" else "sha256"
    return hmac.new(key, message, lambda: hashlib.new(digest)).hexdigest()


def sm3_hex(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


CHAIN_ALGORITHMS = ("sha256", "sm3")


def chain_algorithm() -> str:
    """The digest new links of a tamper-evident chain use, following the configured suite."""
    return "sm3" if settings.CITYGATE_CRYPTO == "sm" else "sha256"


def chain_digest(data: bytes, algorithm: str | None = None) -> str:
    """The hash used for tamper-evident chains.

    Each link records its algorithm, so a chain begun under one suite still verifies after a
    switch to the other: verification passes the link's own algorithm.
    """
    algorithm = algorithm or chain_algorithm()
    if algorithm not in CHAIN_ALGORITHMS:
        raise CryptoError("unknown chain algorithm")
    return hashlib.new(algorithm, data).hexdigest()
