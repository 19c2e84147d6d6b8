"""The messages page (/messages/) lists a signed-in person's inbox, with read and archive."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from citygate.accounts.models import User
from citygate.inbox.models import Message
from citygate.inbox.services import notify

pytestmark = pytest.mark.django_db

PAGE = "/messages/"


def notice(user: User, subject: str = "停水通知") -> Message:
    message = notify(
        recipient=user, template="system.notice", params={"subject": subject}, link="/services/"
    )
    assert message is not None
    return message


def test_messages_page_lists_the_persons_messages_with_unread_marked(
    resident: User, resident_client: Client
) -> None:
    # given
    message = notice(resident)

    # when
    response = resident_client.get(PAGE)

    # then
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "通知：停水通知" in html
    assert "未读" in html
    assert f'action="/messages/{message.pk}/read/"' in html
    assert f'action="/messages/{message.pk}/archive/"' in html
    assert 'href="/services/"' in html
    assert "暂无消息" not in html


def test_messages_page_in_english_renders_the_text_in_english(
    resident: User, resident_client: Client
) -> None:
    # given
    notice(resident, subject="water supply")
    resident_client.cookies["citygate_lang"] = "en"

    # when
    html = resident_client.get(PAGE).content.decode()

    # then
    assert "Notice: water supply" in html
    assert "Unread" in html
    assert "Mark as read" in html


def test_messages_page_does_not_show_other_peoples_messages(
    resident: User, other_resident: User, other_client: Client
) -> None:
    # given
    notice(resident, subject="只给第一个人")

    # when
    html = other_client.get(PAGE).content.decode()

    # then
    assert "只给第一个人" not in html
    assert "暂无消息" in html


def test_messages_page_mark_as_read_form_marks_it_and_returns(
    resident: User, resident_client: Client
) -> None:
    # given
    message = notice(resident)

    # when
    response = resident_client.post(f"/messages/{message.pk}/read/")

    # then
    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert Message.objects.get(pk=message.pk).read_at is not None
    html = resident_client.get(PAGE).content.decode()
    assert "通知：停水通知" in html
    assert f'action="/messages/{message.pk}/read/"' not in html


def test_messages_page_archive_form_takes_it_off_the_page(
    resident: User, resident_client: Client
) -> None:
    # given
    message = notice(resident)

    # when
    response = resident_client.post(f"/messages/{message.pk}/archive/", {"page": "2"})

    # then
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}?page=2"
    html = resident_client.get(PAGE).content.decode()
    assert "通知：停水通知" not in html
    assert "暂无消息" in html


def test_messages_page_actions_on_another_persons_message_change_nothing(
    resident: User, other_client: Client
) -> None:
    # given
    message = notice(resident)

    # when
    read = other_client.post(f"/messages/{message.pk}/read/", follow=True)
    other_client.post(f"/messages/{message.pk}/archive/")
    missing = other_client.post(f"/messages/{uuid.uuid4()}/read/", follow=True)

    # then
    assert "没有这条消息" in read.content.decode()
    assert "没有这条消息" in missing.content.decode()
    stored = Message.objects.get(pk=message.pk)
    assert stored.read_at is None
    assert stored.archived_at is None


def test_messages_page_actions_need_sign_in_and_a_post(
    resident: User, resident_client: Client, client: Client
) -> None:
    # given
    message = notice(resident)

    # when
    signed_out = client.post(f"/messages/{message.pk}/read/")
    by_get = resident_client.get(f"/messages/{message.pk}/read/")

    # then
    assert signed_out.status_code == 302
    assert signed_out["Location"].startswith("/account/login/")
    assert by_get.status_code == 405
    assert Message.objects.get(pk=message.pk).read_at is None


def test_messages_page_pages_twenty_at_a_time(resident: User, resident_client: Client) -> None:
    # given
    for number in range(23):
        notice(resident, subject=f"第{number}号")

    # when
    first = resident_client.get(PAGE).content.decode()
    second = resident_client.get(PAGE, {"page": "2"}).content.decode()
    beyond = resident_client.get(PAGE, {"page": "7"}).content.decode()

    # then
    assert first.count('action="/messages/') == 40  # read and archive, twenty each
    assert second.count('action="/messages/') == 6
    assert 'href="?page=2"' in first
    assert 'href="?page=1"' in second
    assert "返回第一页" in beyond
