"""The inbox API: GET /api/v1/inbox and POST /api/v1/inbox/{id}/read (and /archive)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from citygate.accounts.models import User
from citygate.inbox.models import Message
from citygate.inbox.services import notify

pytestmark = pytest.mark.django_db

INBOX = "/api/v1/inbox"
UNKNOWN_ID = uuid.UUID("00000000-0000-4000-8000-000000000000")


def deliver(user: User, count: int, *, subject: str = "停水通知") -> list[Message]:
    delivered = []
    for _ in range(count):
        message = notify(recipient=user, template="system.notice", params={"subject": subject})
        assert message is not None
        delivered.append(message)
    return delivered


def test_inbox_api_answers_items_total_and_unread(resident: User, resident_client: Client) -> None:
    # given
    (message,) = deliver(resident, 1)
    Message.objects.filter(pk=message.pk).update(link="/services/")

    # when
    response = resident_client.get(INBOX)

    # then
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"items", "total", "unread"}
    assert body["total"] == 1
    assert body["unread"] == 1
    (item,) = body["items"]
    assert set(item) == {"id", "kind", "title", "body", "link", "created_at", "read"}
    assert item["id"] == str(message.pk)
    assert item["kind"] == "official"
    assert item["title"] == "通知：停水通知"
    assert item["link"] == "/services/"
    assert item["read"] is False


def test_inbox_api_speaks_the_readers_language(resident: User, resident_client: Client) -> None:
    # given
    deliver(resident, 1, subject="water supply")

    # when
    response = resident_client.get(INBOX, headers={"accept-language": "en"})

    # then
    assert response.json()["items"][0]["title"] == "Notice: water supply"


def test_inbox_api_pages_twenty_at_a_time(resident: User, resident_client: Client) -> None:
    # given
    messages = deliver(resident, 25)
    now = timezone.now()
    for offset, message in enumerate(messages):
        Message.objects.filter(pk=message.pk).update(created_at=now + timedelta(seconds=offset))

    # when
    first = resident_client.get(INBOX).json()
    second = resident_client.get(INBOX, {"page": 2}).json()
    beyond = resident_client.get(INBOX, {"page": 9}).json()

    # then
    assert len(first["items"]) == 20
    assert len(second["items"]) == 5
    assert beyond["items"] == []
    assert first["total"] == second["total"] == 25
    listed = [item["id"] for item in first["items"] + second["items"]]
    assert listed == [str(m.pk) for m in reversed(messages)]


@pytest.mark.parametrize("page", ["0", "-3", "99999999999"])
def test_inbox_api_page_out_of_range_is_clamped(
    resident: User, resident_client: Client, page: str
) -> None:
    # given
    deliver(resident, 1)

    # when
    response = resident_client.get(INBOX, {"page": page})

    # then
    assert response.status_code == 200


def test_inbox_api_page_that_is_not_a_number_is_invalid(resident_client: Client) -> None:
    # when
    response = resident_client.get(INBOX, {"page": "two"})

    # then
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_inbox_api_shows_only_the_callers_messages(
    resident: User, other_resident: User, other_client: Client
) -> None:
    # given
    deliver(resident, 2)

    # when
    body = other_client.get(INBOX).json()

    # then
    assert body == {"items": [], "total": 0, "unread": 0}


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", INBOX), ("post", f"{INBOX}/{UNKNOWN_ID}/read")],
)
def test_inbox_api_without_sign_in_is_unauthenticated(
    client: Client, method: str, path: str
) -> None:
    # when
    response = getattr(client, method)(path)

    # then
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_inbox_api_read_marks_the_message_read(resident: User, resident_client: Client) -> None:
    # given
    (message,) = deliver(resident, 1)

    # when
    response = resident_client.post(f"{INBOX}/{message.pk}/read")

    # then
    assert response.status_code == 200
    assert response.json()["read"] is True
    assert resident_client.get(INBOX).json()["unread"] == 0


def test_inbox_api_archive_takes_the_message_out(resident: User, resident_client: Client) -> None:
    # given
    (message,) = deliver(resident, 1)

    # when
    response = resident_client.post(f"{INBOX}/{message.pk}/archive")

    # then
    assert response.status_code == 200
    assert resident_client.get(INBOX).json() == {"items": [], "total": 0, "unread": 0}


def test_inbox_api_read_of_another_persons_message_is_not_found(
    resident: User, other_client: Client
) -> None:
    # given
    (message,) = deliver(resident, 1)

    # when
    response = other_client.post(f"{INBOX}/{message.pk}/read")

    # then
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert Message.objects.get(pk=message.pk).read_at is None


def test_inbox_api_read_with_a_malformed_id_is_invalid(resident_client: Client) -> None:
    # when
    response = resident_client.post(f"{INBOX}/not-a-uuid/read")

    # then
    assert response.status_code == 422


def test_inbox_api_takes_the_same_queries_for_three_messages_or_thirty(
    resident: User, resident_client: Client
) -> None:
    # given
    deliver(resident, 3)
    resident_client.get(INBOX)  # sessions and the like settle on the first request
    with CaptureQueriesContext(connection) as few:
        resident_client.get(INBOX)
    deliver(resident, 27)

    # when
    with CaptureQueriesContext(connection) as many:
        response = resident_client.get(INBOX)

    # then
    assert len(response.json()["items"]) == 20
    assert len(many.captured_queries) == len(few.captured_queries)
