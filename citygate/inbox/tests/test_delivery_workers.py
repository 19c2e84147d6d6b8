"""Deliveries with real workers: many at once on one delivery send it once; the sweep picks
up what a lost task left; the cron commands."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from citygate.accounts.testing import resident_with
from citygate.core.tests.threads import run_at_once
from citygate.inbox import delivery, webpush
from citygate.inbox.models import (
    Channel,
    Delivery,
    DeliveryState,
    Message,
    WebPushOutboxMessage,
)
from citygate.inbox.services import (
    notification_settings_update,
    notify,
    push_subscription_add,
)
from citygate.inbox.tests.pushservice import Device

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def database_queue() -> Iterator[None]:
    """The production task backend: tasks wait in the database for a worker."""
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        yield


def queued_push(phone: str) -> Delivery:
    """A notice queued for the resident's device, its task waiting (or lost)."""
    resident = resident_with(phone)
    device = Device()
    push_subscription_add(
        user=resident,
        endpoint=f"https://push.example.org/send/{phone}",
        p256dh=device.p256dh,
        auth=device.auth,
    )
    message = notify(recipient=resident, template="system.notice", params={"subject": "x"})
    assert message is not None
    assert delivery.deliveries_plan(message_id=message.pk) == "push"
    return message.deliveries.get(channel=Channel.WEB_PUSH)


def test_eight_workers_attempting_one_delivery_at_once_send_it_once() -> None:
    # given
    pushed = queued_push("19999990411")

    # when
    results, errors = run_at_once(8, lambda _i: delivery.delivery_attempt(delivery_id=pushed.pk))

    # then
    assert not errors, errors
    assert sorted(results) == ["sent"] + ["skipped"] * 7
    assert WebPushOutboxMessage.objects.count() == 1
    pushed.refresh_from_db()
    assert (pushed.state, pushed.attempts) == (DeliveryState.SENT, 1)


def test_stories_planned_at_once_for_one_person_keep_to_the_daily_cap() -> None:
    # given a resident with a device and a cap of two news pushes a day, and eight stories
    resident = resident_with("19999990415")
    device = Device()
    push_subscription_add(
        user=resident,
        endpoint="https://push.example.org/send/19999990415",
        p256dh=device.p256dh,
        auth=device.auth,
    )
    notification_settings_update(
        user=resident, news_daily_cap=2, quiet_start="00:00", quiet_end="00:00"
    )
    stories = [notify(recipient=resident, template="inbox_tests.news") for _ in range(8)]

    # when their pushes are planned by eight workers at once
    results, errors = run_at_once(
        8,
        lambda i: delivery.deliveries_plan(message_id=stories[i].pk),  # type: ignore[union-attr]
    )

    # then
    assert not errors, errors
    assert sorted(results) == ["capped"] * 6 + ["push"] * 2
    assert Delivery.objects.filter(channel=Channel.WEB_PUSH).count() == 2


def test_the_sweep_sends_what_a_lost_task_left_and_fails_what_ran_out_of_attempts() -> None:
    # given one delivery whose task was lost, one held by a worker that died on its last try
    lost = queued_push("19999990412")
    stuck = queued_push("19999990413")
    Delivery.objects.filter(pk=stuck.pk).update(
        attempts=delivery.MAX_ATTEMPTS, locked_until=timezone.now() - timedelta(seconds=1)
    )

    # when the sweep runs, and the workers run what it queued
    out = io.StringIO()
    call_command("inbox_deliveries_sweep", stdout=out)
    call_command("inbox_deliveries_sweep", stdout=io.StringIO())

    # then
    lost.refresh_from_db()
    stuck.refresh_from_db()
    assert lost.state == DeliveryState.SENT
    assert (stuck.state, stuck.error_code) == (DeliveryState.FAILED, "interrupted")
    assert stuck.message.deliveries.get(channel=Channel.SMS).state == DeliveryState.SENT
    assert out.getvalue().strip() == "Attempted 1 delivery(ies)."


def test_the_digest_command_sends_each_digest_once_a_day_and_news_after_it_goes_in_the_next() -> (
    None
):
    # given
    resident = resident_with("19999990414")
    notification_settings_update(user=resident, news_digest="daily")
    notify(recipient=resident, template="inbox_tests.news")

    # when the command runs twice on one day, with a story coming in between
    first, second = io.StringIO(), io.StringIO()
    call_command("inbox_send_digests", stdout=first)
    story = notify(recipient=resident, template="inbox_tests.news")
    assert story is not None
    call_command("inbox_send_digests", stdout=second)

    # then the day has one digest, of the story before it
    assert (first.getvalue().strip(), second.getvalue().strip()) == (
        "Sent 1 digest(s).",
        "Sent 0 digest(s).",
    )
    digest = Message.objects.get(template="inbox.news_digest_daily")
    assert digest.params == {"count": 1}

    # and the story after it is in the next day's digest (a day after it, to the microsecond)
    next_day = story.created_at + timedelta(days=1) - timedelta(microseconds=1)
    assert delivery.news_digests_send(now=next_day) == 1
    latest = Message.objects.filter(template="inbox.news_digest_daily").latest("created_at")
    assert latest.params == {"count": 1}


def test_the_vapid_keys_command_prints_a_usable_private_key() -> None:
    out = io.StringIO()
    call_command("inbox_vapid_keys", stdout=out)
    private_line, public_line = out.getvalue().splitlines()
    private = private_line.removeprefix("CITYGATE_VAPID_PRIVATE_KEY=")
    with override_settings(CITYGATE_VAPID_PRIVATE_KEY=private):
        assert public_line == f"public key: {webpush.vapid_public_key()}"
