"""notify, read and archive: one call to tell a person something, delivered once."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import lazystr
from django.utils.translation import gettext_lazy as _

from citygate.accounts.models import User
from citygate.core.errors import NotFound
from citygate.inbox.models import Kind, Message
from citygate.inbox.selectors import inbox_for, unread_count
from citygate.inbox.services import message_archive, message_mark_read, notify
from citygate.inbox.templates import MessageTemplate, get, register

pytestmark = pytest.mark.django_db


def template_with_blank(key: str) -> MessageTemplate:
    name = f"inbox_tests.blank_{key}"
    try:
        return get(name)
    except KeyError:
        body = lazystr("%(" + key + ")s")
        return register(MessageTemplate(name=name, kind=Kind.NEWS, title=body, body=body))


def notice(user: User, subject: str = "停水通知", **kwargs: Any) -> Message:
    message = notify(
        recipient=user, template="system.notice", params={"subject": subject}, **kwargs
    )
    assert message is not None
    return message


def test_notify_delivers_an_unread_message_of_the_templates_kind(resident: User) -> None:
    # when
    message = notify(
        recipient=resident,
        template="system.notice",
        params={"subject": "停水通知"},
        link="/services/",
    )

    # then
    assert message is not None
    stored = Message.objects.get(pk=message.pk)
    assert stored.recipient == resident
    assert stored.kind == Kind.OFFICIAL
    assert stored.template == "system.notice"
    assert stored.params == {"subject": "停水通知"}
    assert stored.link == "/services/"
    assert stored.read_at is None
    assert unread_count(user=resident) == 1


def test_message_text_is_rendered_in_the_readers_current_language(resident: User) -> None:
    # given
    message = notice(resident, subject="water supply")

    # when
    with translation.override("en"):
        english = (message.title_text, message.body_text)
    with translation.override("zh-hans"):
        chinese = (message.title_text, message.body_text)

    # then
    assert english[0] == "Notice: water supply"
    assert "hotline 12345" in english[1]
    assert chinese[0] == "通知：water supply"
    assert "12345" in chinese[1]
    assert "政务服务便民热线" in chinese[1]


def test_notify_same_dedupe_key_twice_delivers_once(resident: User) -> None:
    # given
    first = notice(resident, dedupe_key="outage:2026-12-01")

    # when
    second = notify(
        recipient=resident,
        template="system.notice",
        params={"subject": "停水通知"},
        dedupe_key="outage:2026-12-01",
    )

    # then
    assert first is not None
    assert second is None
    assert Message.objects.filter(recipient=resident).count() == 1


def test_notify_same_dedupe_key_for_two_people_reaches_both(
    resident: User, other_resident: User
) -> None:
    # when
    notice(resident, dedupe_key="outage:2026-12-01")
    notice(other_resident, dedupe_key="outage:2026-12-01")

    # then
    assert Message.objects.count() == 2


def test_notify_without_dedupe_key_delivers_every_time(resident: User) -> None:
    # when
    notice(resident)
    notice(resident)

    # then
    assert Message.objects.filter(recipient=resident).count() == 2


def test_notify_repeated_inside_a_callers_transaction_leaves_it_usable(resident: User) -> None:
    # when: another service's transaction reports the same event twice, then goes on
    with transaction.atomic():
        notice(resident, dedupe_key="appointment:1:booked")
        repeated = notify(
            recipient=resident,
            template="system.notice",
            params={"subject": "预约成功"},
            dedupe_key="appointment:1:booked",
        )
        after = notice(resident, subject="下一件事")

    # then
    assert repeated is None
    assert Message.objects.filter(recipient=resident).count() == 2
    assert Message.objects.filter(pk=after.pk).exists()


def test_notify_rolled_back_with_the_callers_transaction_delivers_nothing(
    resident: User,
) -> None:
    # when
    def the_callers_service() -> None:
        with transaction.atomic():
            notice(resident)
            raise RuntimeError("the caller's change failed")

    with pytest.raises(RuntimeError):
        the_callers_service()

    # then
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "key",
    [
        "name",
        "phone",
        "id_number",
        "address",
        "full_name",
        "applicant_name",
        "mobile",
        "phone_number",
        "home_address",
        "hall_address",
        "birth_date",
        "email",
    ],
)
def test_notify_refuses_a_parameter_named_like_personal_data(resident: User, key: str) -> None:
    # given: a template with a blank of that name
    template = template_with_blank(key)

    # then
    with pytest.raises(ValueError, match="personal data"):
        notify(recipient=resident, template=template.name, params={key: "x"})
    assert not Message.objects.exists()


@pytest.mark.parametrize("value", ["13800138000", "138 0013 8000", "320508198005170025"])
def test_notify_refuses_a_value_that_looks_like_a_phone_or_id_number(
    resident: User, value: str
) -> None:
    # then
    with pytest.raises(ValueError, match="phone or ID number"):
        notify(recipient=resident, template="system.notice", params={"subject": value})


def test_notify_item_name_date_and_queue_number_are_fine(resident: User) -> None:
    # when
    message = notify(
        recipient=resident,
        template="inbox_tests.progress",
        params={"item": "居民身份证换领", "step": 3},
    )

    # then
    assert message is not None
    with translation.override("en"):
        assert message.title_text == "Progress on 居民身份证换领"
        assert message.body_text == "Your application moved to step 3."


def test_notify_unknown_template_raises(resident: User) -> None:
    # then
    with pytest.raises(KeyError):
        notify(recipient=resident, template="nobody.knows_this")


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({}, "missing"),
        ({"subject": "x", "extra": "y"}, "no blank"),
        ({"subject": True}, "text or a whole number"),
        ({"subject": ["a"]}, "text or a whole number"),
        ({"subject": "x" * 201}, "too long"),
        ({"Subject": "x"}, "lower_case"),
    ],
)
def test_notify_params_that_do_not_fit_the_template_are_refused(
    resident: User, params: dict[str, object], problem: str
) -> None:
    # then
    with pytest.raises(ValueError, match=problem):
        notify(recipient=resident, template="system.notice", params=params)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "link",
    [
        "https://example.com/",
        "//example.com/",
        "javascript:alert(1)",
        "services/",
        "/\\example.com",
        "/a b",
        "/people/13800138000/",
        "/" + "a" * 200,
    ],
)
def test_notify_link_outside_this_site_is_refused(resident: User, link: str) -> None:
    # then
    with pytest.raises(ValueError, match="link"):
        notify(recipient=resident, template="system.notice", params={"subject": "x"}, link=link)


def test_register_a_second_template_of_the_same_name_raises() -> None:
    # given
    existing = get("system.notice")

    # then
    with pytest.raises(ValueError, match="already registered"):
        register(
            MessageTemplate(name="system.notice", kind=Kind.NEWS, title=_("Other"), body=_("Other"))
        )
    assert get("system.notice") is existing


@pytest.mark.parametrize("name", ["notice", "System.Notice", "system..notice", "system.notice!"])
def test_message_template_with_a_malformed_name_is_refused(name: str) -> None:
    # then
    with pytest.raises(ValueError, match="template name"):
        MessageTemplate(name=name, kind=Kind.NEWS, title=_("A"), body=_("B"))


def test_get_unknown_template_raises_key_error() -> None:
    # then
    with pytest.raises(KeyError):
        get("nobody.knows_this")


def test_message_mark_read_marks_it_once(resident: User) -> None:
    # given
    message = notice(resident)

    # when
    first = message_mark_read(user=resident, message_id=message.pk)
    read_at = first.read_at
    again = message_mark_read(user=resident, message_id=message.pk)

    # then
    assert read_at is not None
    assert again.read_at == read_at
    assert unread_count(user=resident) == 0


def test_message_archive_takes_it_out_of_the_inbox_and_counts_as_read(resident: User) -> None:
    # given
    message = notice(resident)

    # when
    message_archive(user=resident, message_id=message.pk)

    # then
    assert list(inbox_for(user=resident)) == []
    archived = list(inbox_for(user=resident, include_archived=True))
    assert archived == [message]
    assert archived[0].archived_at is not None
    assert archived[0].read_at is not None
    assert unread_count(user=resident) == 0


@pytest.mark.parametrize("action", [message_mark_read, message_archive])
def test_another_persons_message_is_not_found(
    resident: User, other_resident: User, action: object
) -> None:
    # given
    message = notice(resident)

    # then
    with pytest.raises(NotFound):
        action(user=other_resident, message_id=message.pk)  # type: ignore[operator]
    with pytest.raises(NotFound):
        action(user=resident, message_id=uuid.uuid4())  # type: ignore[operator]
    with pytest.raises(NotFound):
        action(user=resident, message_id="not-a-uuid")  # type: ignore[operator]
    stored = Message.objects.get(pk=message.pk)
    assert stored.read_at is None
    assert stored.archived_at is None


def test_inbox_for_lists_official_then_progress_then_news_newest_first(resident: User) -> None:
    # given
    now = timezone.now()
    news = notify(recipient=resident, template="inbox_tests.news")
    old_notice = notice(resident, subject="旧通知")
    progress = notify(
        recipient=resident, template="inbox_tests.progress", params={"item": "a", "step": 1}
    )
    new_notice = notice(resident, subject="新通知")
    for offset, message in enumerate([news, old_notice, progress, new_notice]):
        assert message is not None
        Message.objects.filter(pk=message.pk).update(created_at=now + timedelta(minutes=offset))

    # when
    listed = list(inbox_for(user=resident))

    # then
    assert listed == [new_notice, old_notice, progress, news]


def test_inbox_for_shows_only_the_persons_own_messages(
    resident: User, other_resident: User
) -> None:
    # given
    mine = notice(resident)
    notice(other_resident)

    # then
    assert list(inbox_for(user=resident)) == [mine]
    assert unread_count(user=resident) == 1


def test_message_whose_template_is_gone_still_reads(resident: User) -> None:
    # given: a message stored under a template no app declares any more
    message = Message.objects.create(
        recipient=resident, kind=Kind.NEWS, template="retired.template", params={}
    )

    # then
    with translation.override("en"):
        assert message.title_text == "Message"
        assert message.body_text == ""


# An id whose digits, read across its hyphens, look like a mobile number (1390 4123 845).
PHONE_LIKE_ID = "3f2a1c7e-1390-4123-845a-0b1c2d3e4f50"


def test_notify_ids_in_link_and_dedupe_key_are_not_taken_for_phone_numbers(
    resident: User,
) -> None:
    # when
    message = notify(
        recipient=resident,
        template="system.notice",
        params={"subject": "预约"},
        link=f"/halls/appointments/{PHONE_LIKE_ID}/",
        dedupe_key=f"halls.booked:{PHONE_LIKE_ID}",
    )

    # then
    assert message is not None
    assert message.dedupe_key == f"halls.booked:{PHONE_LIKE_ID}"


def test_notify_phone_number_in_a_dedupe_key_is_refused(resident: User) -> None:
    # then
    with pytest.raises(ValueError, match="dedupe key"):
        notify(
            recipient=resident,
            template="system.notice",
            params={"subject": "x"},
            dedupe_key="sms:13800138000",
        )
