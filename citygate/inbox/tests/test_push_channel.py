"""The Web Push channel over several devices: one device's failure, whatever it raises, does
not lose what the others took; a payload too long is cut to fit; the devices are pushed to
within a budget of time well inside a delivery's lease."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest

from citygate.accounts.models import User
from citygate.inbox import channels, webpush
from citygate.inbox.channels import (
    OutboxWebPushBackend,
    PushAnswer,
    Rendered,
    VapidWebPushBackend,
    WebPushChannel,
)
from citygate.inbox.models import Delivery, Message, PushSubscription
from citygate.inbox.services import notify, push_subscription_add
from citygate.inbox.tests.conftest import device_of
from citygate.inbox.tests.pushservice import Device, LocalPushService

pytestmark = pytest.mark.django_db

CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
RENDERED = Rendered(title="通知", body="正文", link="/messages/", language="zh-hans")


def devices(user: User, *labels: str) -> None:
    for label in labels:
        device = Device()
        push_subscription_add(
            user=user,
            endpoint=f"https://push.example.org/send/{label}",
            p256dh=device.p256dh,
            auth=device.auth,
            label=label,
        )


def a_delivery(user: User) -> Delivery:
    message = notify(recipient=user, template="system.notice", params={"subject": "x"})
    assert isinstance(message, Message)
    return Delivery(message=message)


class BrokenForOne(OutboxWebPushBackend):
    """Takes the push, except on the device labelled "broken", where it raises `error`."""

    error: Exception = ValueError()

    def push(self, **kwargs: Any) -> PushAnswer:
        if kwargs["subscription"].label == "broken":
            raise self.error
        return super().push(**kwargs)


ERRORS = [
    http.client.InvalidURL("nonnumeric port"),
    http.client.BadStatusLine("garbage"),
    http.client.IncompleteRead(b""),
    ValueError("a push payload is at most 3000 bytes"),
    RuntimeError(),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: type(error).__name__)
def test_a_device_that_raises_after_another_took_the_push_leaves_it_sent(
    resident: User, error: Exception
) -> None:
    # given a device that took the push, then one that raises
    devices(resident, "phone", "broken")
    BrokenForOne.error = error

    # when
    outcome = WebPushChannel(BrokenForOne()).send(a_delivery(resident), RENDERED)

    # then
    assert outcome.sent
    assert PushSubscription.objects.filter(label="broken").exists()


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: type(error).__name__)
def test_a_device_that_raises_alone_fails_the_push_with_our_code(
    resident: User, error: Exception
) -> None:
    devices(resident, "broken")
    BrokenForOne.error = error
    outcome = WebPushChannel(BrokenForOne()).send(a_delivery(resident), RENDERED)
    assert (outcome.sent, outcome.retryable, outcome.error_code) == (False, False, "push_error")


@pytest.fixture
def garbage_service() -> Iterator[str]:
    """A server on this machine that answers a push with something that is not HTTP."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def answer() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _address = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.recv(65536)
                connection.sendall(b"nonsense\r\n\r\n")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/push/phone"
    finally:
        stop.set()
        thread.join()
        listener.close()


def test_an_answer_that_is_not_http_is_a_retryable_failure(
    resident: User, garbage_service: str
) -> None:
    # given
    device = Device()
    push_subscription_add(
        user=resident, endpoint=garbage_service, p256dh=device.p256dh, auth=device.auth
    )

    # when
    outcome = WebPushChannel(VapidWebPushBackend()).send(a_delivery(resident), RENDERED)

    # then
    assert (outcome.sent, outcome.retryable, outcome.error_code) == (False, True, "unreachable")


def test_a_message_too_long_for_a_push_is_cut_to_fit_and_still_sent(
    resident: User, push_service: LocalPushService
) -> None:
    # given a body of 5000 Chinese characters (15000 bytes) and a long title
    phone = device_of(resident, push_service)
    long = Rendered(title="标题" * 600, body="正文" * 2500, link="/messages/", language="zh-hans")

    # when
    outcome = WebPushChannel(VapidWebPushBackend()).send(a_delivery(resident), long)

    # then the device reads the start of both, each marked as cut
    assert outcome.sent
    [request] = push_service.received
    plaintext = phone.decrypt(request.body)
    assert len(plaintext) <= webpush.PAYLOAD_MAX_BYTES
    payload = json.loads(plaintext)
    assert payload["body"] == "" or payload["body"].endswith("…")
    assert payload["title"].endswith("…")
    assert payload["title"].startswith("标题标题")
    assert set(payload) == {"title", "body", "link", "lang", "tag", "delivery", "token"}


def test_a_message_that_fits_is_not_cut(resident: User) -> None:
    delivery = a_delivery(resident)
    fitting = "正文" * 400
    rendered = Rendered(title="通知", body=fitting, link="/messages/", language="zh-hans")
    assert WebPushChannel(OutboxWebPushBackend()).payload(delivery, rendered)["body"] == fitting


class SlowFailing(OutboxWebPushBackend):
    """A push service that takes 0.2 s to refuse each push; the timeouts it was given."""

    timeouts: list[float] = []

    def push(self, **kwargs: Any) -> PushAnswer:
        self.timeouts.append(kwargs["timeout"])
        time.sleep(0.2)
        return PushAnswer(status=503)


def test_the_devices_are_pushed_to_within_the_budget_and_the_rest_wait_for_a_retry(
    resident: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given three devices, a slow push service and a budget of 0.3 s
    devices(resident, "one", "two", "three")
    monkeypatch.setattr(channels, "PUSH_SEND_BUDGET_SECONDS", 0.3)
    SlowFailing.timeouts = []

    # when
    started = time.monotonic()
    outcome = WebPushChannel(SlowFailing()).send(a_delivery(resident), RENDERED)

    # then the third is not tried, and none was given more time than was left
    assert time.monotonic() - started < 0.6
    assert len(SlowFailing.timeouts) == 2
    assert SlowFailing.timeouts[0] <= 0.3
    assert SlowFailing.timeouts[1] <= 0.1 + 0.05
    assert (outcome.sent, outcome.retryable) == (False, True)


def test_the_budget_of_all_devices_with_their_own_timeouts_stays_inside_the_lease() -> None:
    from citygate.inbox.delivery import LEASE

    # the last device may start just inside the budget: name service, then the connection's
    # own timeouts for connecting, sending and the answer
    worst = channels.PUSH_SEND_BUDGET_SECONDS + 4 * channels.PUSH_TIMEOUT_SECONDS
    assert worst < LEASE.total_seconds()
