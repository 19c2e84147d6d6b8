"""How a person wants to be reached: channels per kind, quiet hours, a cap and a digest for
news, and the push decision that follows; the API that reads and changes them."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, time

import pytest
from django.test import Client
from django.utils import timezone

from citygate.accounts.models import User
from citygate.core.errors import InvalidInput
from citygate.inbox import selectors, services
from citygate.inbox.models import Channel, Kind
from citygate.inbox.preferences import (
    DEFAULTS,
    Choices,
    PushDecision,
    in_quiet_hours,
    push_decision,
)

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 9, 28, hour, minute, tzinfo=TZ)


@pytest.fixture
def person(db: None) -> User:
    from citygate.privacy.testing import consent_all_required

    user = User.objects.create_user(phone="19999990701")
    consent_all_required(user)
    return user


def test_a_person_starts_with_the_defaults_without_a_row_written(person: User) -> None:
    choices = selectors.notification_choices(user=person)
    assert choices == DEFAULTS
    assert choices.channels_for(Kind.OFFICIAL) == [Channel.IN_APP, Channel.WEB_PUSH, Channel.SMS]
    assert choices.channels_for(Kind.NEWS) == [Channel.IN_APP, Channel.WEB_PUSH]
    assert (choices.quiet_start, choices.quiet_end, choices.news_daily_cap) == (
        time(22),
        time(8),
        3,
    )


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (at(21, 59), False),
        (at(22, 0), True),
        (at(23, 30), True),
        (at(3), True),
        (at(7, 59), True),
        (at(8), False),
    ],
)
def test_quiet_hours_run_over_midnight(moment: datetime, quiet: bool) -> None:
    assert in_quiet_hours(DEFAULTS, moment) is quiet


def test_quiet_hours_within_a_day_and_none_at_all() -> None:
    afternoon = Choices({}, time(13), time(14), 3, "none")
    assert in_quiet_hours(afternoon, at(13, 30))
    assert not in_quiet_hours(afternoon, at(14, 30))
    never = Choices({}, time(0), time(0), 3, "none")
    assert not in_quiet_hours(never, at(3))


def test_news_waits_for_the_morning_and_stops_at_the_cap_but_official_notices_do_not() -> None:
    assert push_decision(DEFAULTS, Kind.NEWS, at(23), news_pushed_today=0) == PushDecision.QUIET
    assert push_decision(DEFAULTS, Kind.NEWS, at(10), news_pushed_today=0) == PushDecision.PUSH
    assert push_decision(DEFAULTS, Kind.NEWS, at(10), news_pushed_today=3) == PushDecision.CAPPED
    assert push_decision(DEFAULTS, Kind.OFFICIAL, at(23), news_pushed_today=9) == PushDecision.PUSH
    assert (
        push_decision(DEFAULTS, Kind.TRANSACTIONAL, at(3), news_pushed_today=9) == PushDecision.PUSH
    )


def test_a_digest_gathers_news_and_no_channel_means_the_inbox_only() -> None:
    digest = Choices(dict(DEFAULTS.channels), time(22), time(8), 3, "daily")
    assert push_decision(digest, Kind.NEWS, at(10), news_pushed_today=0) == PushDecision.DIGEST
    silent = Choices({Kind.NEWS: []}, time(22), time(8), 3, "none")
    assert push_decision(silent, Kind.NEWS, at(10), news_pushed_today=0) == PushDecision.INBOX_ONLY


def test_changing_one_choice_keeps_the_others(person: User) -> None:
    services.notification_settings_update(user=person, news_daily_cap=1)
    choices = services.notification_settings_update(user=person, channels={Kind.NEWS: []})
    assert choices.news_daily_cap == 1
    assert choices.channels_for(Kind.NEWS) == [Channel.IN_APP]
    assert choices.channels_for(Kind.OFFICIAL) == [Channel.IN_APP, Channel.WEB_PUSH, Channel.SMS]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"quiet_start": "25:00"}, "quiet_start"),
        ({"quiet_end": "noon"}, "quiet_end"),
        ({"quiet_start": "22:00Z"}, "quiet_start"),
        ({"quiet_start": "22:00+08:00"}, "quiet_start"),
        ({"quiet_end": "08:00:30"}, "quiet_end"),
        ({"quiet_end": "2200"}, "quiet_end"),
        ({"quiet_end": "T22:00"}, "quiet_end"),
        ({"quiet_start": time(22, 0, tzinfo=UTC)}, "quiet_start"),
        ({"quiet_start": time(22, 0, 30)}, "quiet_start"),
        ({"news_daily_cap": 21}, "news_daily_cap"),
        ({"news_daily_cap": -1}, "news_daily_cap"),
        ({"news_digest": "hourly"}, "news_digest"),
        ({"channels": {"news": ["pigeon"]}}, "channels.news"),
        ({"channels": {"news": ["in_app"]}}, "channels.news"),
        ({"channels": {"gossip": []}}, "channels.gossip"),
    ],
)
def test_a_wrong_choice_names_its_field_and_nothing_changes(
    person: User, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.notification_settings_update(user=person, **changes)  # type: ignore[arg-type]
    assert field in refused.value.fields
    assert selectors.notification_choices(user=person) == DEFAULTS


def test_the_api_reads_and_changes_the_preferences(person: User) -> None:
    client = Client()
    client.force_login(person)
    assert client.get("/api/v1/me/notification-preferences").json() == {
        "channels": {
            "official": ["web_push", "sms"],
            "transactional": ["web_push"],
            "news": ["web_push"],
        },
        "quiet_start": "22:00",
        "quiet_end": "08:00",
        "news_daily_cap": 3,
        "news_digest": "none",
    }
    changed = client.put(
        "/api/v1/me/notification-preferences",
        json.dumps(
            {"quiet_start": "21:30", "news_digest": "weekly", "channels": {"transactional": []}}
        ),
        content_type="application/json",
    )
    assert changed.status_code == 200
    assert changed.json()["quiet_start"] == "21:30"
    assert changed.json()["news_digest"] == "weekly"
    assert changed.json()["channels"]["transactional"] == []
    wrong = client.put(
        "/api/v1/me/notification-preferences",
        json.dumps({"news_daily_cap": "many"}),
        content_type="application/json",
    )
    assert wrong.status_code == 422
    assert "news_daily_cap" in wrong.json()["fields"]
    assert Client().get("/api/v1/me/notification-preferences").status_code == 401


def test_a_quiet_hour_with_a_time_zone_is_refused_by_the_api_with_the_fields_message(
    person: User,
) -> None:
    # given
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person)

    # when
    answer = client.put(
        "/api/v1/me/notification-preferences",
        json.dumps({"quiet_start": "22:00Z"}),
        content_type="application/json",
    )

    # then
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid"
    assert answer.json()["fields"] == {"quiet_start": "Enter a time such as 22:00."}
    assert selectors.notification_choices(user=person) == DEFAULTS


def test_the_preferences_page_saves_the_choices_and_names_a_wrong_one(person: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(person)
    page = client.get("/messages/preferences/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "消息提醒设置" in html
    assert (
        'name="channels_official" value="sms" checked' in html.replace('" id=', '" checked id=')
        or "checked" in html
    )
    assert 'href="/messages/preferences/"' in client.get("/messages/").content.decode()

    saved = client.post(
        "/messages/preferences/",
        {
            "channels_official": ["web_push", "sms"],
            "channels_transactional": ["web_push"],
            "quiet_start": "21:00",
            "quiet_end": "07:30",
            "news_daily_cap": "2",
            "news_digest": "daily",
        },
    )
    assert saved.status_code == 302
    choices = selectors.notification_choices(user=person)
    assert choices.channels_for(Kind.NEWS) == [Channel.IN_APP]
    assert (
        choices.quiet_start,
        choices.quiet_end,
        choices.news_daily_cap,
        choices.news_digest,
    ) == (
        time(21),
        time(7, 30),
        2,
        "daily",
    )

    wrong = client.post(
        "/messages/preferences/",
        {
            "quiet_start": "late",
            "quiet_end": "07:30",
            "news_daily_cap": "50",
            "news_digest": "daily",
        },
    )
    assert wrong.status_code == 400
    html = wrong.content.decode()
    assert re.search(r'<input[^>]*name="quiet_start"[^>]*aria-invalid="true"', html)
    assert re.search(r'<input[^>]*name="news_daily_cap"[^>]*aria-invalid="true"', html)
    assert selectors.notification_choices(user=person).news_daily_cap == 2
