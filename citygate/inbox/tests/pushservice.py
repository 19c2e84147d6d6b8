"""A push service on this machine for the tests, and a device's side of Web Push.

`LocalPushService` answers POSTs as a browser vendor's push service would (201 with a
Location, or the status a test asks for) and keeps every request. `Device` holds the keys a
browser makes when it subscribes, and decrypts what it is sent with them, following RFC 8291
with the HKDF of `cryptography`, independently of the code under test.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from citygate.inbox.webpush import b64url_encode


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class LocalPushService:
    received: list[Received] = field(default_factory=list)
    # What to answer next, per path; 201 when nothing is set.
    answers: dict[str, list[int]] = field(default_factory=dict)
    url: str = ""

    def endpoint(self, name: str) -> str:
        return f"{self.url}/push/{name}"

    def answer(self, name: str, *statuses: int) -> None:
        self.answers.setdefault(f"/push/{name}", []).extend(statuses)


def serve(service: LocalPushService) -> Iterator[LocalPushService]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            service.received.append(Received(self.path, headers, body))
            queued = service.answers.get(self.path) or []
            status = queued.pop(0) if queued else 201
            self.send_response(status)
            if status == 201:
                self.send_header("Location", f"{self.path}/messages/{len(service.received)}")
            if 300 <= status < 400:
                self.send_header("Location", "/push/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()


class Device:
    """A browser's push keys: its P-256 key pair and 16-byte auth secret."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.secret = os.urandom(16)

    @property
    def point(self) -> bytes:
        return self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )

    @property
    def p256dh(self) -> str:
        return b64url_encode(self.point)

    @property
    def auth(self) -> str:
        return b64url_encode(self.secret)

    def decrypt(self, body: bytes) -> bytes:
        salt, record_size, id_length = body[:16], body[16:20], body[20]
        sender = body[21 : 21 + id_length]
        assert int.from_bytes(record_size, "big") >= len(body) - 21 - id_length
        sender_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), sender)
        shared = self.key.exchange(ec.ECDH(), sender_key)
        info = b"WebPush: info\x00" + self.point + sender
        ikm = HKDF(hashes.SHA256(), 32, salt=self.secret, info=info).derive(shared)
        key = HKDF(hashes.SHA256(), 16, salt=salt, info=b"Content-Encoding: aes128gcm\x00").derive(
            ikm
        )
        nonce = HKDF(hashes.SHA256(), 12, salt=salt, info=b"Content-Encoding: nonce\x00").derive(
            ikm
        )
        padded = AESGCM(key).decrypt(nonce, body[21 + id_length :], None).rstrip(b"\x00")
        assert padded.endswith(b"\x02"), "the last record ends with the delimiter 2"
        return padded[:-1]
