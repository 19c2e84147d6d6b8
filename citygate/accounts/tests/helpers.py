"""Helpers for the accounts tests: ask for a code, read it from the outbox, sign up."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.test.client import Client as DjangoClient

from citygate.accounts import services
from citygate.accounts.models import SmsCode, SmsOutboxMessage, User
from citygate.accounts.validators import id_check_char

# Fictional numbers: the 199 9999 range is used by nothing in these tests but themselves.
PHONE = "19999990101"
OTHER_PHONE = "19999990102"
# 姑苏区, born 1980-05-17, a woman (even 17th digit).
ID_NUMBER = "32050819800517002" + id_check_char("32050819800517002")
OTHER_ID_NUMBER = "32050619750203001" + id_check_char("32050619750203001")
NAME = "林晓梅"

CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def post_json(client: DjangoClient, path: str, body: object, **extra: Any) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json", **extra)


def put_json(client: DjangoClient, path: str, body: object, **extra: Any) -> Any:
    return client.put(path, data=json.dumps(body), content_type="application/json", **extra)


def latest_code() -> str:
    """The code in the newest text message of the development outbox."""
    message = SmsOutboxMessage.objects.order_by("-created_at").first()
    assert message is not None, "no text message was sent"
    found = re.search(r"(?<!\d)(\d{6})(?!\d)", message.text)
    assert found is not None
    return found.group(1)


def allow_resend() -> None:
    """Move every code back past the resend interval, as if a minute had passed."""
    for row in SmsCode.objects.all():
        SmsCode.objects.filter(pk=row.pk).update(
            created_at=row.created_at - services.RESEND_INTERVAL
        )


class Api:
    """The accounts API over HTTP, with tasks run on commit as a worker would."""

    def __init__(self, client: DjangoClient, capture: CaptureOnCommit) -> None:
        self.client = client
        self.capture = capture

    def request_code(self, phone: str = PHONE, **extra: Any) -> Any:
        with self.capture(execute=True):
            return post_json(self.client, "/api/v1/auth/sms-code", {"phone": phone}, **extra)

    def login(self, phone: str = PHONE, *, code: str | None = None, **body: Any) -> Any:
        payload = {"phone": phone, "code": code if code is not None else latest_code(), **body}
        with self.capture(execute=True):
            return post_json(self.client, "/api/v1/auth/login", payload)

    def sign_up(self, phone: str = PHONE, **body: Any) -> User:
        sent = self.request_code(phone)
        assert sent.status_code == 202, sent.content
        response = self.login(phone, agree=True, **body)
        assert response.status_code == 200, response.content
        return User.objects.get(pk=response.json()["user"]["id"])

    def verify_real_name(self, name: str = NAME, id_number: str = ID_NUMBER) -> Any:
        body = {"name": name, "id_number": id_number, "consent": True}
        response = self.post("/api/v1/me/real-name", body)
        assert response.status_code == 200, response.content
        return response

    def delete(self, path: str, **extra: Any) -> Any:
        return self.client.delete(path, **extra)

    def post(self, path: str, body: object, **extra: Any) -> Any:
        with self.capture(execute=True):
            return post_json(self.client, path, body, **extra)

    def put(self, path: str, body: object, **extra: Any) -> Any:
        return put_json(self.client, path, body, **extra)

    def get(self, path: str, **extra: Any) -> Any:
        return self.client.get(path, **extra)


# --- A tiny outside service on 127.0.0.1 ------------------------------------------------------


@dataclass
class FakeService:
    url: str = ""
    # What the handler answers: (status, body bytes, delay in seconds).
    answer: tuple[int, bytes, float] = (200, b'{"message_id": "m-1"}', 0.0)
    received: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def serve(fake: FakeService) -> Iterator[None]:
    """Run a JSON endpoint on 127.0.0.1 that records requests and answers `fake.answer`."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            fake.received.append(
                {
                    "path": self.path,
                    "authorization": self.headers["Authorization"],
                    "content_type": self.headers["Content-Type"],
                    "body": json.loads(self.rfile.read(length)),
                }
            )
            status, body, delay = fake.answer
            time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the client gave up waiting (the timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/send"
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
