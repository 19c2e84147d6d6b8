"""The delivery pipeline: the states of each channel, retries with backoff, the fallback from
Web Push to SMS, quiet hours, the news cap and digests, and each event sent once."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from structlog.testing import capture_logs

from citygate.accounts.models import SmsOutboxMessage, User
from citygate.accounts.testing import resident_with
from citygate.accounts.tests.helpers import FakeService, serve
from citygate.inbox import delivery, selectors
from citygate.inbox.channels import OutboxWebPushBackend, PushAnswer, report_token
from citygate.inbox.models import (
    Channel,
    Delivery,
    DeliveryState,
    Kind,
    Message,
    PushSubscription,
    WebPushOutboxMessage,
)
from citygate.inbox.services import message_mark_read, notification_settings_update, notify
from citygate.inbox.tasks import delivery_send
from citygate.inbox.tests.conftest import device_of
from citygate.inbox.tests.pushservice import Device, LocalPushService
from citygate.privacy.testing import consent_all_required

pytestmark = pytest.mark.django_db

CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
TZ = timezone.get_default_timezone()


@pytest.fixture
def send(
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> Callable[..., Message]:
    """notify() as a module calls it, with what follows its commit run too (the tasks run at
    once in the tests)."""

    def sending(**kwargs: Any) -> Message:
        with django_capture_on_commit_callbacks(execute=True):
            message = notify(**kwargs)
        assert message is not None
        return message

    return sending


@pytest.fixture
def attempt(django_capture_on_commit_callbacks: CaptureOnCommit) -> Callable[..., str]:
    """One attempt as the task makes it, with the fallback it may queue run too."""

    def attempting(pk: object, now: datetime) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            return delivery.delivery_attempt(delivery_id=str(pk), now=now)

    return attempting


def official(user: User, subject: str = "居住证续签") -> dict[str, Any]:
    return {"recipient": user, "template": "system.notice", "params": {"subject": subject}}


def progress(user: User, item: str = "居住证办理") -> dict[str, Any]:
    return {
        "recipient": user,
        "template": "inbox_tests.progress",
        "params": {"item": item, "step": 2},
        "link": "/account/",
    }


def news(user: User, **extra: Any) -> dict[str, Any]:
    return {"recipient": user, "template": "inbox_tests.news", **extra}


def on(message: Message, channel: str) -> Delivery:
    return Delivery.objects.get(message=message, channel=channel)


def outbox_pushes() -> list[dict[str, Any]]:
    return [push.payload for push in WebPushOutboxMessage.objects.order_by("created_at")]


@pytest.fixture
def phone_device(resident: User) -> PushSubscription:
    """The resident's phone, turned on for notifications (the development push outbox)."""
    device = Device()
    from citygate.inbox.services import push_subscription_add

    return push_subscription_add(
        user=resident,
        endpoint="https://push.example.org/send/abcdef123456",
        p256dh=device.p256dh,
        auth=device.auth,
    )


# --- In the app -------------------------------------------------------------------------------


def test_a_message_is_delivered_in_the_app_at_once_and_opened_when_read(resident: User) -> None:
    # given
    message = notify(**official(resident))
    assert message is not None

    # when
    in_app = on(message, Channel.IN_APP)
    message_mark_read(user=resident, message_id=message.pk)

    # then
    assert in_app.state == DeliveryState.DELIVERED
    assert in_app.delivered_at == message.created_at
    in_app.refresh_from_db()
    assert in_app.state == DeliveryState.OPENED
    assert in_app.opened_at is not None


def test_nothing_is_pushed_before_the_senders_transaction_commits(resident: User) -> None:
    # when a module notifies inside its transaction (never committed in this test)
    message = notify(**progress(resident))

    # then only the inbox holds it
    assert message is not None
    assert list(message.deliveries.values_list("channel", flat=True)) == [Channel.IN_APP]


# --- Web Push ---------------------------------------------------------------------------------


def test_progress_is_pushed_to_the_device_in_the_persons_language_and_not_by_sms(
    resident: User, phone_device: PushSubscription, send: Callable[..., Message]
) -> None:
    # given a resident who reads English
    resident.preferred_language = "en"
    resident.save(update_fields=["preferred_language"])

    # when
    message = send(**progress(resident, item="Residence permit"))

    # then the push says it in English, with ids and its link, and nothing else
    pushed = on(message, Channel.WEB_PUSH)
    assert pushed.state == DeliveryState.SENT
    assert pushed.attempts == 1
    [payload] = outbox_pushes()
    assert payload == {
        "title": "Progress on Residence permit",
        "body": "Your application moved to step 2.",
        "link": "/account/",
        "lang": "en",
        "tag": str(message.pk),
        "delivery": str(pushed.pk),
        "token": report_token(pushed.pk),
    }
    assert not SmsOutboxMessage.objects.exists()
    phone_device.refresh_from_db()
    assert phone_device.last_success_at is not None


def test_a_push_is_written_in_chinese_for_a_resident_who_reads_chinese(
    resident: User, phone_device: PushSubscription, send: Callable[..., Message]
) -> None:
    # when
    send(**official(resident))

    # then
    [payload] = outbox_pushes()
    assert payload["lang"] == "zh-hans"
    assert payload["title"] == "通知：居住证续签"
    assert "12345" in payload["body"]


def test_progress_for_a_person_without_a_device_fails_on_web_push_and_sends_no_sms(
    resident: User, send: Callable[..., Message]
) -> None:
    # when
    message = send(**progress(resident))

    # then
    pushed = on(message, Channel.WEB_PUSH)
    assert (pushed.state, pushed.error_code) == (DeliveryState.FAILED, "no_device")
    assert pushed.failed_at is not None
    assert not message.deliveries.filter(channel=Channel.SMS).exists()
    assert not SmsOutboxMessage.objects.exists()


def test_an_official_notice_falls_back_to_sms_when_no_device_can_be_reached(
    resident: User, send: Callable[..., Message]
) -> None:
    # given only the device chosen for official notices
    notification_settings_update(user=resident, channels={Kind.OFFICIAL: [Channel.WEB_PUSH]})

    # when
    message = send(**official(resident))

    # then the text message carries the title and a short link, nothing more
    assert on(message, Channel.WEB_PUSH).state == DeliveryState.FAILED
    texted = on(message, Channel.SMS)
    assert texted.state == DeliveryState.SENT
    [sms] = SmsOutboxMessage.objects.all()
    assert sms.phone == "19999990401"
    assert sms.text == f"【城市通】通知：居住证续签 http://127.0.0.1:8000/m/{texted.link_code}/"
    assert texted.provider_ref == str(sms.pk)


def test_an_official_notice_with_no_push_channel_chosen_stays_in_the_inbox(
    resident: User, send: Callable[..., Message]
) -> None:
    # given
    notification_settings_update(user=resident, channels={Kind.OFFICIAL: []})

    # when
    message = send(**official(resident))

    # then
    assert list(message.deliveries.values_list("channel", flat=True)) == [Channel.IN_APP]
    assert not SmsOutboxMessage.objects.exists()


def test_sms_alone_when_only_sms_is_chosen_in_english(
    resident: User, phone_device: PushSubscription, send: Callable[..., Message]
) -> None:
    # given
    resident.preferred_language = "en"
    resident.save(update_fields=["preferred_language"])
    notification_settings_update(user=resident, channels={Kind.TRANSACTIONAL: [Channel.SMS]})

    # when
    message = send(**progress(resident, item="Residence permit"))

    # then
    assert not message.deliveries.filter(channel=Channel.WEB_PUSH).exists()
    assert not outbox_pushes()
    [sms] = SmsOutboxMessage.objects.all()
    assert sms.text.startswith("[CityGate] Progress on Residence permit http://")


# --- Retries, backoff, fallback ---------------------------------------------------------------


def test_a_retryable_failure_is_tried_again_after_1_5_and_30_minutes_then_falls_back_to_sms(
    resident: User,
    push_service: LocalPushService,
    send: Callable[..., Message],
    attempt: Callable[..., str],
) -> None:
    # given a push service that keeps failing, and both channels chosen for progress
    notification_settings_update(
        user=resident, channels={Kind.TRANSACTIONAL: [Channel.WEB_PUSH, Channel.SMS]}
    )
    device_of(resident, push_service)
    push_service.answer("phone", 503, 503, 429, 500)

    # when the first attempt runs on commit
    message = send(**progress(resident))
    pushed = on(message, Channel.WEB_PUSH)
    started = pushed.queued_at

    # then each failure waits its step of the backoff, a fifth longer at most
    for number, minutes in enumerate((1, 5, 30), start=1):
        pushed.refresh_from_db()
        assert (pushed.state, pushed.attempts) == (DeliveryState.QUEUED, number)
        assert pushed.next_attempt_at is not None
        wait = pushed.next_attempt_at - started
        assert timedelta(minutes=minutes) <= wait <= timedelta(minutes=minutes * 1.2)
        assert attempt(pushed.pk, started) == delivery.SKIPPED
        started = pushed.next_attempt_at
        result = attempt(pushed.pk, started)
        assert result == (delivery.RETRY if number < 3 else DeliveryState.FAILED)

    # and the fourth failure fails it and sends the text message instead
    pushed.refresh_from_db()
    assert (pushed.state, pushed.attempts, pushed.error_code) == (
        DeliveryState.FAILED,
        4,
        "http_500",
    )
    assert len(push_service.received) == 4
    texted = on(message, Channel.SMS)
    assert texted.state == DeliveryState.SENT
    assert SmsOutboxMessage.objects.count() == 1


def test_the_retry_delays_grow_and_spread_within_a_fifth(db: None) -> None:
    rng = random.Random(5)
    for attempts, minutes in ((1, 1), (2, 5), (3, 30)):
        delays = [delivery.retry_delay(attempts, rng=rng) for _ in range(50)]
        assert min(delays) >= timedelta(minutes=minutes)
        assert max(delays) <= timedelta(minutes=minutes) * 1.2
        assert len(set(delays)) > 1


def test_a_gone_subscription_is_removed_and_an_official_notice_goes_by_sms(
    resident: User, push_service: LocalPushService, send: Callable[..., Message]
) -> None:
    # given
    device_of(resident, push_service)
    push_service.answer("phone", 410)

    # when
    message = send(**official(resident))

    # then: no retry of a subscription that is gone
    pushed = on(message, Channel.WEB_PUSH)
    assert (pushed.state, pushed.attempts, pushed.error_code) == (
        DeliveryState.FAILED,
        1,
        "http_410",
    )
    assert not PushSubscription.objects.filter(user=resident).exists()
    assert on(message, Channel.SMS).state == DeliveryState.SENT


def test_one_device_that_takes_the_push_is_enough_and_a_gone_one_is_removed(
    resident: User, push_service: LocalPushService, send: Callable[..., Message]
) -> None:
    # given
    device_of(resident, push_service, "phone")
    device_of(resident, push_service, "old-tablet")
    push_service.answer("old-tablet", 404)

    # when
    message = send(**official(resident))

    # then
    assert on(message, Channel.WEB_PUSH).state == DeliveryState.SENT
    assert not message.deliveries.filter(channel=Channel.SMS).exists()
    assert [s.endpoint for s in PushSubscription.objects.all()] == [push_service.endpoint("phone")]


def test_an_unreachable_sms_gateway_is_retried(
    resident: User, send: Callable[..., Message]
) -> None:
    # given a gateway nobody answers at
    notification_settings_update(user=resident, channels={Kind.TRANSACTIONAL: [Channel.SMS]})
    gateway = {
        "CITYGATE_SMS_BACKEND": "citygate.accounts.sms.HttpSmsGateway",
        "CITYGATE_SMS_URL": "http://127.0.0.1:9/sms",
    }

    # when
    with override_settings(**gateway):
        message = send(**progress(resident))

    # then
    texted = on(message, Channel.SMS)
    assert (texted.state, texted.attempts, texted.error_code) == (
        DeliveryState.QUEUED,
        1,
        "gateway_error",
    )

    # and the next attempt, through the working gateway, sends it
    assert texted.next_attempt_at is not None
    result = delivery.delivery_attempt(delivery_id=texted.pk, now=texted.next_attempt_at)
    assert result == DeliveryState.SENT
    assert SmsOutboxMessage.objects.count() == 1


@pytest.fixture
def sms_gateway() -> Iterator[FakeService]:
    """The production SMS gateway, posting to a stand-in on this machine."""
    fake = FakeService()
    with serve(fake):
        gateway = {
            "CITYGATE_SMS_BACKEND": "citygate.accounts.sms.HttpSmsGateway",
            "CITYGATE_SMS_URL": fake.url,
        }
        with override_settings(**gateway):
            yield fake


def test_a_text_message_the_gateway_took_without_an_id_is_sent_and_not_tried_again(
    resident: User, send: Callable[..., Message], sms_gateway: FakeService
) -> None:
    # given a gateway that takes the message but says no id
    notification_settings_update(user=resident, channels={Kind.TRANSACTIONAL: [Channel.SMS]})
    sms_gateway.answer = (200, b'{"ok": true}', 0.0)

    # when
    message = send(**progress(resident))

    # then
    texted = on(message, Channel.SMS)
    assert (texted.state, texted.attempts, texted.provider_ref) == (DeliveryState.SENT, 1, "")
    [request] = sms_gateway.received
    assert request["body"]["client_ref"] == str(texted.pk)


def test_every_try_of_a_text_message_names_it_by_the_same_reference(
    resident: User, send: Callable[..., Message], sms_gateway: FakeService
) -> None:
    # given a gateway that fails once, then answers
    notification_settings_update(user=resident, channels={Kind.TRANSACTIONAL: [Channel.SMS]})
    sms_gateway.answer = (503, b"{}", 0.0)
    message = send(**progress(resident))
    texted = on(message, Channel.SMS)
    assert texted.state == DeliveryState.QUEUED

    # when it is tried again
    sms_gateway.answer = (200, b'{"message_id": "m-7"}', 0.0)
    assert texted.next_attempt_at is not None
    result = delivery.delivery_attempt(delivery_id=texted.pk, now=texted.next_attempt_at)

    # then the gateway can tell the second try from a second message
    assert result == DeliveryState.SENT
    references = [request["body"]["client_ref"] for request in sms_gateway.received]
    assert references == [str(texted.pk)] * 2
    texted.refresh_from_db()
    assert texted.provider_ref == "m-7"


# --- Once -------------------------------------------------------------------------------------


def test_a_send_task_run_twice_sends_once(
    resident: User, phone_device: PushSubscription, send: Callable[..., Message]
) -> None:
    # given a delivered push
    message = send(**official(resident))
    pushed = on(message, Channel.WEB_PUSH)

    # when its task runs again, twice
    delivery_send.enqueue(delivery_id=str(pushed.pk))
    delivery_send.enqueue(delivery_id=str(pushed.pk))

    # then
    assert len(outbox_pushes()) == 1
    pushed.refresh_from_db()
    assert pushed.attempts == 1


class SteppingClock:
    """A clock that moves on by `step` each time it is read: a sweep's sends are slow."""

    def __init__(self, start: datetime, step: timedelta) -> None:
        self.current, self.step = start, step
        self.readings: list[datetime] = []

    def __call__(self) -> datetime:
        self.current += self.step
        self.readings.append(self.current)
        return self.current


class SecondWorkerBackend(OutboxWebPushBackend):
    """A slow push service (each push moves the clock on), during which a second worker tries
    the same delivery."""

    clock: SteppingClock | None = None
    second_tries: list[str] = []

    def push(self, **kwargs: Any) -> PushAnswer:
        answer = super().push(**kwargs)
        clock, self.__class__.clock = self.__class__.clock, None
        if clock is not None:
            clock()
            result = delivery.delivery_attempt(
                delivery_id=kwargs["payload"]["delivery"], now=clock.current
            )
            self.second_tries.append(result)
            self.__class__.clock = clock
        return answer


def test_the_sweep_holds_each_delivery_from_its_own_attempt_so_a_slow_sweep_sends_once(
    resident: User, phone_device: PushSubscription, database_queue: None
) -> None:
    # given three notices whose tasks were lost, and sends that each take more than half a
    # lease, so that the sweep takes longer than one
    messages = [notify(**official(resident, subject)) for subject in ("甲", "乙", "丙")]
    for message in messages:
        assert message is not None
        delivery.deliveries_plan(message_id=message.pk)
    clock = SteppingClock(timezone.now(), delivery.LEASE / 2 + timedelta(seconds=1))
    SecondWorkerBackend.clock, SecondWorkerBackend.second_tries = clock, []
    backend = f"{__name__}.{SecondWorkerBackend.__name__}"

    # when
    with override_settings(CITYGATE_WEB_PUSH_BACKEND=backend):
        attempted = delivery.deliveries_resume(clock=clock)

    # then no second worker could take a delivery being sent, and each was sent once, its
    # time read after its own send
    assert attempted == 3
    assert SecondWorkerBackend.second_tries == [delivery.SKIPPED] * 3
    assert len(outbox_pushes()) == 3
    pushed = Delivery.objects.filter(channel=Channel.WEB_PUSH).order_by("sent_at")
    assert [d.state for d in pushed] == [DeliveryState.SENT] * 3
    assert [d.attempts for d in pushed] == [1, 1, 1]
    sent_times = [d.sent_at for d in pushed]
    assert all(sent in clock.readings for sent in sent_times)
    assert len(set(sent_times)) == 3


def test_a_delivery_held_by_another_worker_is_not_sent_again(
    resident: User, phone_device: PushSubscription, send: Callable[..., Message]
) -> None:
    # given a push held by a worker that has not answered yet
    notification_settings_update(user=resident, channels={Kind.TRANSACTIONAL: []})
    message = send(**official(resident))
    pushed = on(message, Channel.WEB_PUSH)
    Delivery.objects.filter(pk=pushed.pk).update(
        state=DeliveryState.QUEUED, locked_until=timezone.now() + delivery.LEASE
    )

    # when
    result = delivery.delivery_attempt(delivery_id=pushed.pk)

    # then
    assert result == delivery.SKIPPED
    assert len(outbox_pushes()) == 1


def test_the_same_event_from_two_modules_is_delivered_once(
    resident: User,
    phone_device: PushSubscription,
    send: Callable[..., Message],
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    # given
    event = {**progress(resident), "dedupe_key": "halls.booked:3f2a"}
    first = send(**event)

    # when a background task reports the same event
    with django_capture_on_commit_callbacks(execute=True):
        repeated = notify(**event)

    # then
    assert repeated is None
    assert Message.objects.filter(recipient=resident).count() == 1
    assert first.deliveries.count() == 2
    assert len(outbox_pushes()) == 1


def test_planning_a_message_twice_queues_each_channel_once(
    resident: User, phone_device: PushSubscription, send: Callable[..., Message]
) -> None:
    # given
    message = send(**official(resident))

    # when
    delivery.deliveries_plan(message_id=message.pk)

    # then
    assert message.deliveries.filter(channel=Channel.WEB_PUSH).count() == 1
    assert len(outbox_pushes()) == 1


# --- Quiet hours, cap, digest -----------------------------------------------------------------


def at(hour: int, minute: int = 0, days: int = 0) -> datetime:
    today = timezone.localdate()
    return datetime(today.year, today.month, today.day, hour, minute, tzinfo=TZ) + timedelta(
        days=days
    )


@pytest.fixture
def database_queue() -> Iterator[None]:
    """The production task backend: tasks wait in the database for their time."""
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        yield


def test_news_in_the_quiet_hours_waits_for_their_end(
    resident: User, phone_device: PushSubscription, database_queue: None
) -> None:
    # given a story that came at 23:00
    message = notify(**news(resident))
    assert message is not None

    # when its pushes are planned then
    decision = delivery.deliveries_plan(message_id=message.pk, now=at(23))

    # then the push waits for 08:00, in the queue as in the table
    assert decision == "quiet"
    pushed = on(message, Channel.WEB_PUSH)
    assert pushed.next_attempt_at == at(8, days=1)
    assert delivery.delivery_attempt(delivery_id=pushed.pk, now=at(23, 30)) == delivery.SKIPPED
    assert not outbox_pushes()
    assert delivery.delivery_attempt(delivery_id=pushed.pk, now=at(8, days=1)) == "sent"
    assert len(outbox_pushes()) == 1


def test_a_deferred_delivery_is_enqueued_to_run_after_the_quiet_hours(
    resident: User,
    phone_device: PushSubscription,
    database_queue: None,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    # given
    message = notify(**news(resident))
    assert message is not None

    # when
    with django_capture_on_commit_callbacks(execute=True):
        delivery.deliveries_plan(message_id=message.pk, now=at(23))

    # then
    [task] = DBTaskResult.objects.filter(task_path=delivery_send.module_path)
    assert task.run_after == at(8, days=1)
    assert task.args_kwargs["kwargs"] == {"delivery_id": str(on(message, Channel.WEB_PUSH).pk)}


def queued_news(resident: User, when: datetime) -> Delivery:
    """A story whose push was queued at `when`, its task waiting."""
    message = notify(**news(resident))
    assert message is not None
    assert delivery.deliveries_plan(message_id=message.pk, now=when) == "push"
    return on(message, Channel.WEB_PUSH)


def test_news_that_comes_due_in_the_quiet_hours_waits_for_their_end_without_a_try_counted(
    resident: User,
    phone_device: PushSubscription,
    database_queue: None,
    attempt: Callable[..., str],
) -> None:
    # given a story queued just before the quiet hours, its task run late
    pushed = queued_news(resident, at(21, 59))

    # when it runs at 22:30
    result = attempt(pushed.pk, at(22, 30))

    # then it waits for 08:00, nothing is pushed, and the try is not counted
    assert result == delivery.DEFERRED
    pushed.refresh_from_db()
    assert (pushed.state, pushed.attempts, pushed.locked_until) == (DeliveryState.QUEUED, 0, None)
    assert pushed.next_attempt_at == at(8, days=1)
    assert not outbox_pushes()
    [task] = DBTaskResult.objects.filter(task_path=delivery_send.module_path).order_by(
        "-enqueued_at"
    )[:1]
    assert task.run_after == at(8, days=1)
    assert delivery.delivery_attempt(delivery_id=pushed.pk, now=at(8, days=1)) == "sent"
    assert len(outbox_pushes()) == 1


def test_a_text_message_falling_back_from_news_waits_for_the_end_of_the_quiet_hours(
    resident: User,
    database_queue: None,
    attempt: Callable[..., str],
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    # given news by device and text, no device, and the push queued before the quiet hours
    notification_settings_update(
        user=resident, channels={Kind.NEWS: [Channel.WEB_PUSH, Channel.SMS]}
    )
    pushed = queued_news(resident, at(21, 59))

    # when the device push, started a minute before them, fails in the quiet hours
    moments = iter([at(21, 59), at(22, 0)])
    with django_capture_on_commit_callbacks(execute=True):
        failed = delivery.delivery_attempt(delivery_id=pushed.pk, clock=lambda: next(moments))
    assert failed == DeliveryState.FAILED

    # then the text message waits for 08:00
    texted = on(pushed.message, Channel.SMS)
    assert texted.next_attempt_at == at(8, days=1)
    assert attempt(texted.pk, at(22, 1)) == delivery.SKIPPED
    assert not SmsOutboxMessage.objects.exists()
    assert attempt(texted.pk, at(8, days=1)) == DeliveryState.SENT
    assert SmsOutboxMessage.objects.count() == 1


def test_a_channel_turned_off_after_queueing_is_not_used(
    resident: User, phone_device: PushSubscription, database_queue: None
) -> None:
    # given a push queued for progress, then device notifications turned off for it
    message = notify(**progress(resident))
    assert message is not None
    delivery.deliveries_plan(message_id=message.pk)
    notification_settings_update(user=resident, channels={Kind.TRANSACTIONAL: []})

    # when
    result = delivery.delivery_attempt(delivery_id=on(message, Channel.WEB_PUSH).pk)

    # then
    assert result == DeliveryState.FAILED
    assert on(message, Channel.WEB_PUSH).error_code == "not_chosen"
    assert not outbox_pushes()
    assert not message.deliveries.filter(channel=Channel.SMS).exists()


@pytest.mark.parametrize(
    ("now_chosen", "texted"),
    [([Channel.SMS], True), ([], False)],
)
def test_an_official_notice_whose_device_was_turned_off_goes_by_what_is_chosen_now(
    resident: User,
    phone_device: PushSubscription,
    database_queue: None,
    attempt: Callable[..., str],
    now_chosen: list[str],
    texted: bool,
) -> None:
    # given a notice queued for the device, then the person's channels changed
    message = notify(**official(resident))
    assert message is not None
    delivery.deliveries_plan(message_id=message.pk)
    notification_settings_update(user=resident, channels={Kind.OFFICIAL: now_chosen})

    # when
    result = attempt(on(message, Channel.WEB_PUSH).pk, timezone.now())

    # then
    assert result == DeliveryState.FAILED
    assert not outbox_pushes()
    assert message.deliveries.filter(channel=Channel.SMS).exists() is texted
    if texted:
        sms = on(message, Channel.SMS)
        assert attempt(sms.pk, timezone.now()) == DeliveryState.SENT


def test_news_beyond_the_daily_cap_stays_in_the_inbox(
    resident: User, phone_device: PushSubscription
) -> None:
    # given a cap of two news pushes a day
    notification_settings_update(user=resident, news_daily_cap=2)
    stories = [notify(**news(resident)) for _ in range(3)]

    # when
    decisions = [delivery.deliveries_plan(message_id=s.pk, now=at(12)) for s in stories if s]

    # then
    assert decisions == ["push", "push", "capped"]
    assert Delivery.objects.filter(channel=Channel.WEB_PUSH).count() == 2


def _mixed_city(number: int) -> list[Message]:
    """People of every kind of choice, each with earlier pushes and new messages at 23:00.

    Returns the new messages, re-read from the database as a campaign's batch is. `number`
    keeps two copies of the same city apart.
    """
    from datetime import time

    def person(n: int, **choices: Any) -> User:
        user = resident_with(f"1999999{number}{n:03d}")
        if choices:
            notification_settings_update(user=user, **choices)
        return user

    quiet = person(1)  # the defaults: quiet 22:00 to 08:00, three news a day
    awake = person(2, quiet_start=time(1), quiet_end=time(6), news_daily_cap=1)
    digest = person(3, news_digest="daily")
    full_morning = person(4, news_daily_cap=1)
    room_left = person(5, quiet_start=time(0), quiet_end=time(0), news_daily_cap=3)
    planned = [notify(**news(user)) for user in (awake, room_left)]
    planned.append(notify(**news(full_morning)))
    for message, when in zip(planned, (at(12), at(12), at(9, days=1)), strict=True):
        assert message is not None
        delivery.deliveries_plan(message_id=message.pk, now=when)
    new = [
        notify(**news(quiet)),
        notify(**news(quiet)),
        notify(**news(awake)),
        notify(**news(digest)),
        notify(**news(full_morning)),
        notify(**official(full_morning)),
        planned[1],  # already queued, planned again (its task run twice)
        notify(**news(room_left)),
        notify(**news(room_left)),
    ]
    ids = [m.pk for m in new if m is not None]
    by_id = Message.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids]


def _outcome(messages: list[Message]) -> list[tuple[str, list[tuple[str, datetime | None]]]]:
    rows = []
    for message in messages:
        pushes = message.deliveries.exclude(channel=Channel.IN_APP).order_by("channel")
        rows.append(
            (message.kind, [(d.channel, d.next_attempt_at) for d in pushes]),
        )
    return rows


def test_a_batch_decides_as_one_message_at_a_time_would() -> None:
    # given the same city twice
    one_by_one, together = _mixed_city(1), _mixed_city(2)

    # when one copy is planned message by message, the other as one batch, at 23:00
    singly = [delivery.deliveries_plan(message_id=m.pk, now=at(23)) for m in one_by_one]
    batch = delivery.deliveries_plan_many(messages=together, now=at(23))

    # then every decision and every delivery is the same
    assert [batch[m.pk] for m in together] == singly
    assert _outcome(together) == _outcome(one_by_one)
    # and they are the ones the rules give: the evening's news waits for the morning, the
    # awake person is at today's cap, the digest waits, a full morning is capped while its
    # official notice goes now, and a message planned again is queued once, taking no more
    # of the cap than it did
    assert singly == [
        "quiet",
        "quiet",
        "capped",
        "digest",
        "capped",
        "push",
        "push",
        "push",
        "push",
    ]
    assert Delivery.objects.filter(message__in=together, channel=Channel.WEB_PUSH).count() == 6


def test_a_batch_takes_the_same_queries_however_many_people_it_plans_for() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(count: int, start: int) -> int:
        people = [resident_with(f"199999907{start + n:02d}") for n in range(count)]
        for person in people[::2]:
            notification_settings_update(user=person, news_daily_cap=2)
        for person in people[1::3]:
            earlier = notify(**news(person))
            assert earlier is not None
            delivery.deliveries_plan(message_id=earlier.pk, now=at(11))
        made = [m for m in (notify(**news(p)) for p in people) if m is not None]
        batch = list(Message.objects.filter(pk__in=[m.pk for m in made]))
        with CaptureQueriesContext(connection) as captured:
            decisions = delivery.deliveries_plan_many(messages=batch, now=at(12))
        assert len(decisions) == count
        assert Delivery.objects.filter(message__in=batch, channel=Channel.WEB_PUSH).count() == count
        return len(captured)

    assert queries_for(3, 0) == queries_for(30, 10)


def test_news_held_over_the_night_counts_for_the_morning_it_is_pushed(
    resident: User, phone_device: PushSubscription
) -> None:
    # given a cap of one news push a day, used at noon
    notification_settings_update(user=resident, news_daily_cap=1)
    stories = [notify(**news(resident)) for _ in range(3)]
    assert all(stories)

    # when a story comes at noon, one at 23:00 and one the next morning
    plans = [(stories[0], at(12)), (stories[1], at(23)), (stories[2], at(9, days=1))]
    decisions = [delivery.deliveries_plan(message_id=s.pk, now=when) for s, when in plans if s]

    # then the evening's story waits for the morning, which it uses up
    assert decisions == ["push", "quiet", "capped"]
    assert delivery.news_pushes_on_day_of(user_id=resident.pk, moment=at(12)) == 1
    assert delivery.news_pushes_on_day_of(user_id=resident.pk, moment=at(9, days=1)) == 1


def test_official_notices_ignore_the_news_cap_and_the_quiet_hours(
    resident: User, phone_device: PushSubscription
) -> None:
    # given no news pushes at all
    notification_settings_update(user=resident, news_daily_cap=0)
    message = notify(**official(resident))
    assert message is not None

    # when
    decision = delivery.deliveries_plan(message_id=message.pk, now=at(23))

    # then
    assert decision == "push"
    assert on(message, Channel.WEB_PUSH).next_attempt_at is None


def test_news_is_gathered_into_a_daily_digest_that_is_pushed_once(
    resident: User,
    phone_device: PushSubscription,
    send: Callable[..., Message],
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    # given two stories for a resident who chose a daily digest
    notification_settings_update(user=resident, news_digest="daily", quiet_start="00:00")
    notification_settings_update(user=resident, quiet_end="00:00")
    stories = [send(**news(resident)) for _ in range(2)]
    assert all(s.deliveries.count() == 1 for s in stories)

    # when the day's digests are sent, twice
    with django_capture_on_commit_callbacks(execute=True):
        first = delivery.news_digests_send(now=timezone.now() + timedelta(seconds=1))
    sent = Message.objects.get(template="inbox.news_digest_daily")
    again = delivery.news_digests_send(now=timezone.now() + timedelta(seconds=2))

    # then one digest counts both, and it is pushed though news is gathered
    assert (first, again) == (1, 0)
    assert sent.params == {"count": 2}
    assert sent.kind == Kind.NEWS
    [payload] = outbox_pushes()
    assert payload["title"] == "今日新闻：2 条新消息"


def test_a_weekly_digest_waits_for_monday(resident: User) -> None:
    # given
    notification_settings_update(user=resident, news_digest="weekly")
    notify(**news(resident))
    now = timezone.localtime() + timedelta(seconds=1)
    monday = now + timedelta(days=(7 - now.weekday()) % 7)
    tuesday = monday + timedelta(days=1)

    # when
    on_tuesday = delivery.news_digests_send(now=tuesday)
    on_monday = delivery.news_digests_send(now=monday)

    # then
    assert (on_tuesday, on_monday) == (0, 1)


def test_no_digest_when_there_is_no_news(resident: User) -> None:
    notification_settings_update(user=resident, news_digest="daily")
    assert delivery.news_digests_send() == 0


# --- Reports: delivered, opened ---------------------------------------------------------------


def test_a_push_is_reported_delivered_then_opened_and_never_back(
    resident: User, phone_device: PushSubscription, send: Callable[..., Message]
) -> None:
    # given
    pushed = on(send(**official(resident)), Channel.WEB_PUSH)
    token = report_token(pushed.pk)

    # when
    delivered = delivery.delivery_report(delivery_id=pushed.pk, token=token, event="delivered")
    opened = delivery.delivery_report(delivery_id=pushed.pk, token=token, event="opened")
    again = delivery.delivery_report(delivery_id=pushed.pk, token=token, event="delivered")

    # then
    assert (delivered, opened, again) == (True, True, False)
    pushed.refresh_from_db()
    assert pushed.state == DeliveryState.OPENED
    assert pushed.sent_at is not None
    assert pushed.delivered_at is not None
    assert pushed.opened_at is not None
    assert pushed.sent_at <= pushed.delivered_at <= pushed.opened_at


class ReportingAtOnceBackend(OutboxWebPushBackend):
    """A push service whose device reports the push before the sending worker records it;
    `status` is what the push service answers (500: it took the push, then failed to say so)."""

    reports: tuple[str, ...] = ()
    status = 201

    def push(self, **kwargs: Any) -> PushAnswer:
        answer = super().push(**kwargs)
        payload = kwargs["payload"]
        for event in self.reports:
            assert delivery.delivery_report(
                delivery_id=payload["delivery"], token=payload["token"], event=event
            )
        return PushAnswer(status=self.status, reference=answer.reference)


@pytest.mark.parametrize(
    ("reports", "status", "state"),
    [
        (("delivered",), 201, DeliveryState.DELIVERED),
        (("delivered", "opened"), 201, DeliveryState.OPENED),
        (("opened",), 201, DeliveryState.OPENED),
        (("delivered",), 500, DeliveryState.DELIVERED),
    ],
)
def test_a_report_that_comes_before_the_push_is_recorded_sent_is_kept(
    resident: User,
    phone_device: PushSubscription,
    send: Callable[..., Message],
    reports: tuple[str, ...],
    status: int,
    state: str,
) -> None:
    # given a device that answers at once
    backend = f"{__name__}.{ReportingAtOnceBackend.__name__}"
    ReportingAtOnceBackend.reports, ReportingAtOnceBackend.status = reports, status

    # when a notice is pushed to it
    with override_settings(CITYGATE_WEB_PUSH_BACKEND=backend):
        pushed = on(send(**official(resident)), Channel.WEB_PUSH)

    # then the report stands, the push counts as sent no later than it arrived, once
    assert pushed.state == state
    assert (pushed.attempts, pushed.locked_until, pushed.next_attempt_at) == (1, None, None)
    assert pushed.sent_at is not None
    assert pushed.delivered_at is not None
    assert pushed.sent_at <= pushed.delivered_at
    assert len(outbox_pushes()) == 1
    assert not pushed.message.deliveries.filter(channel=Channel.SMS).exists()


def test_a_click_on_a_push_not_reported_delivered_counts_as_delivered_too(
    resident: User, phone_device: PushSubscription, send: Callable[..., Message]
) -> None:
    pushed = on(send(**official(resident)), Channel.WEB_PUSH)
    delivery.delivery_report(delivery_id=pushed.pk, token=report_token(pushed.pk), event="opened")
    pushed.refresh_from_db()
    assert pushed.state == DeliveryState.OPENED
    assert pushed.delivered_at == pushed.opened_at


def test_a_failed_delivery_is_never_reported_opened(
    resident: User, send: Callable[..., Message]
) -> None:
    failed = on(send(**progress(resident)), Channel.WEB_PUSH)
    token = report_token(failed.pk)
    assert not delivery.delivery_report(delivery_id=failed.pk, token=token, event="opened")
    failed.refresh_from_db()
    assert failed.state == DeliveryState.FAILED


def test_a_text_messages_link_opens_the_message_for_its_recipient_only(
    resident: User,
    resident_client: Client,
    other_client: Client,
    send: Callable[..., Message],
) -> None:
    # given a text message with its short link
    notification_settings_update(user=resident, channels={Kind.TRANSACTIONAL: [Channel.SMS]})
    texted = on(send(**progress(resident)), Channel.SMS)
    link = f"/m/{texted.link_code}/"

    # when someone else follows it, then its recipient
    other = other_client.get(link)
    own = resident_client.get(link)

    # then only the recipient's visit opens it, and each lands on a page of their own
    assert (other.status_code, other["Location"]) == (302, "/messages/")
    assert (own.status_code, own["Location"]) == (302, "/account/")
    texted.refresh_from_db()
    assert texted.state == DeliveryState.OPENED


# --- Counts and personal data -----------------------------------------------------------------


def test_delivery_counts_sum_a_set_of_messages_by_channel_and_state_in_one_query(
    resident: User,
    other_resident: User,
    phone_device: PushSubscription,
    send: Callable[..., Message],
    django_assert_num_queries: Callable[[int], AbstractContextManager[Any]],
) -> None:
    # given three notices, one of them read; the resident has a device, the other does not
    notification_settings_update(user=other_resident, channels={Kind.OFFICIAL: [Channel.WEB_PUSH]})
    first = send(**official(resident, "甲"))
    send(**official(resident, "乙"))
    send(**official(other_resident, "丙"))
    message_mark_read(user=resident, message_id=first.pk)

    # when
    with django_assert_num_queries(1):
        counts = selectors.delivery_counts(Message.objects.filter(template="system.notice"))

    # then
    assert counts == {
        "in_app": {"delivered": 2, "opened": 1},
        "web_push": {"sent": 2, "failed": 1},
        "sms": {"sent": 1},
    }


def test_no_personal_data_is_logged_or_pushed_on_the_way(
    resident: User, push_service: LocalPushService, send: Callable[..., Message]
) -> None:
    # given a device that is gone, so the notice goes on by text message too
    device = device_of(resident, push_service)
    push_service.answer("phone", 410)
    endpoint = push_service.endpoint("phone")

    # when
    with capture_logs() as events:
        send(**official(resident))

    # then neither the logs nor the push hold the number or the device's endpoint
    logged = json.dumps(events, default=str, ensure_ascii=False)
    assert "inbox.delivery_fell_back" in logged
    for value in ("19999990401", "9999990401", endpoint, device.auth):
        assert value not in logged
    [request] = push_service.received
    pushed = json.loads(device.decrypt(request.body))
    assert set(pushed) == {"title", "body", "link", "lang", "tag", "delivery", "token"}
    assert "19999990401" not in json.dumps(pushed, ensure_ascii=False)


def test_a_person_without_a_phone_number_fails_on_sms(db: None) -> None:
    # given an account without a number (made by a module that does not need one)
    user = User.objects.create_user(phone=None)
    consent_all_required(user)
    notification_settings_update(user=user, channels={Kind.TRANSACTIONAL: [Channel.SMS]})
    message = notify(**progress(user))
    assert message is not None
    delivery.deliveries_plan(message_id=message.pk)
    texted = on(message, Channel.SMS)

    # when
    result = delivery.delivery_attempt(delivery_id=texted.pk)

    # then
    assert result == DeliveryState.FAILED
    texted.refresh_from_db()
    assert texted.error_code == "no_phone"
