import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client, override_settings
from django_tasks.signals import task_enqueued

from citygate.accounts.models import SmsOutboxMessage
from citygate.accounts.sms import (
    HttpSmsGateway,
    OutboxSmsGateway,
    SmsDeliveryError,
    get_sms_gateway,
)
from citygate.accounts.tasks import seal, sms_deliver
from citygate.accounts.tests.helpers import PHONE, Api, FakeService, latest_code


def test_http_gateway_send_posts_json_with_bearer_token(gateway: FakeService) -> None:
    # given
    sms = HttpSmsGateway(url=gateway.url, token="secret-token")

    # when
    message_id = sms.send(phone=PHONE, text="code 123456", template="sign_in_code")

    # then
    assert message_id == "m-1"
    (request,) = gateway.received
    assert request["path"] == "/send"
    assert request["authorization"] == "Bearer secret-token"
    assert request["content_type"].startswith("application/json")
    assert request["body"] == {"phone": PHONE, "text": "code 123456", "template": "sign_in_code"}


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ((500, b'{"error": "down"}', 0.0), "HTTP 500"),
        ((401, b"", 0.0), "HTTP 401"),
        ((200, b"not json", 0.0), "not JSON"),
        ((200, b"[1, 2]", 0.0), "not a JSON object"),
        ((200, b'{"ok": true}', 0.0), "no message_id"),
        ((200, b'{"message_id": "m-1"}', 1.0), "unreachable"),
    ],
)
def test_http_gateway_send_with_failing_gateway_raises_clear_error_without_personal_data(
    gateway: FakeService, answer: tuple[int, bytes, float], reason: str
) -> None:
    # given
    gateway.answer = answer
    sms = HttpSmsGateway(url=gateway.url, token="t", timeout=0.2)

    # when
    with pytest.raises(SmsDeliveryError) as caught:
        sms.send(phone=PHONE, text="code 123456", template="sign_in_code")

    # then
    text = str(caught.value)
    assert reason in text
    assert PHONE not in text
    assert "123456" not in text
    assert caught.value.__cause__ is None


def test_http_gateway_send_with_nothing_listening_raises_unreachable() -> None:
    # given: a port that was free a moment ago
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_address[1]
    server.server_close()
    sms = HttpSmsGateway(url=f"http://127.0.0.1:{port}/", token="t", timeout=0.5)

    # when
    with pytest.raises(SmsDeliveryError) as caught:
        sms.send(phone=PHONE, text="hello", template="t")

    # then
    assert "unreachable" in str(caught.value)


def test_http_gateway_without_url_is_improperly_configured() -> None:
    # given
    sms = HttpSmsGateway(url="", token="t")

    # when / then
    with pytest.raises(ImproperlyConfigured):
        sms.send(phone=PHONE, text="hello", template="t")


@override_settings(DEBUG=False, TESTING=False)
def test_http_gateway_in_production_refuses_plain_http(gateway: FakeService) -> None:
    # given
    sms = HttpSmsGateway(url=gateway.url, token="t")

    # when / then
    with pytest.raises(ImproperlyConfigured):
        sms.send(phone=PHONE, text="hello", template="t")
    assert gateway.received == []


@override_settings(CITYGATE_SMS_BACKEND="citygate.accounts.sms.HttpSmsGateway")
def test_get_sms_gateway_follows_the_setting() -> None:
    # when / then
    assert isinstance(get_sms_gateway(), HttpSmsGateway)


def test_get_sms_gateway_by_default_is_the_outbox() -> None:
    # when / then
    assert isinstance(get_sms_gateway(), OutboxSmsGateway)


# --- The development outbox -------------------------------------------------------------------


@pytest.mark.django_db
def test_outbox_gateway_send_stores_phone_and_text_encrypted() -> None:
    # when
    message_id = OutboxSmsGateway().send(phone=PHONE, text="code 654321", template="t")

    # then
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, text FROM accounts_smsoutboxmessage")
        raw_phone, raw_text = cursor.fetchone()
    assert PHONE not in raw_phone
    assert "654321" not in raw_text
    message = SmsOutboxMessage.objects.get(pk=message_id)
    assert (message.phone, message.text) == (PHONE, "code 654321")


@pytest.mark.django_db
def test_dev_outbox_without_debug_answers_404(client: Client) -> None:
    # given
    OutboxSmsGateway().send(phone=PHONE, text="code 654321", template="t")

    # when
    response = client.get("/dev/outbox.json")

    # then
    assert response.status_code == 404
    assert PHONE.encode() not in response.content


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_dev_outbox_with_debug_lists_messages_newest_first(client: Client) -> None:
    # given
    OutboxSmsGateway().send(phone=PHONE, text="first", template="t")
    OutboxSmsGateway().send(phone="19999990102", text="second", template="t")

    # when
    response = client.get("/dev/outbox.json")

    # then
    assert response.status_code == 200
    messages = response.json()["messages"]
    assert [m["text"] for m in messages] == ["second", "first"]
    assert messages[1]["phone"] == PHONE
    assert set(messages[0]) == {"phone", "text", "sent_at"}


# --- The delivery task ------------------------------------------------------------------------


@pytest.mark.django_db
def test_sms_deliver_task_sends_through_the_configured_gateway() -> None:
    # when
    result = sms_deliver.enqueue(
        sealed_phone=seal(PHONE), sealed_text=seal("hello"), template="sign_in_code"
    )

    # then
    assert result.return_value == str(SmsOutboxMessage.objects.get().pk)


@pytest.mark.django_db
def test_sms_code_enqueues_a_task_whose_arguments_hold_no_clear_phone_or_code(api: Api) -> None:
    # given
    enqueued: list[dict[str, Any]] = []

    def remember(sender: object, task_result: Any, **kwargs: Any) -> None:
        enqueued.append(task_result.kwargs)

    task_enqueued.connect(remember)
    try:
        # when
        api.request_code()
    finally:
        task_enqueued.disconnect(remember)

    # then
    (arguments,) = enqueued
    stored = json.dumps(arguments)
    assert PHONE not in stored
    assert latest_code() not in stored
