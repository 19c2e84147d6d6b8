"""The day-before reminder: enqueued on booking for 09:00 the day before, sent once, and not
sent for an appointment cancelled or moved to another day since."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from citygate.accounts.models import User
from citygate.halls import selectors, services
from citygate.halls.models import Appointment, HallItem, Slot
from citygate.halls.tasks import appointment_reminder_send
from citygate.halls.tests.conftest import MONDAY, MONDAY_MORNING, TZ, at
from citygate.inbox.models import Message
from citygate.workdays.selectors import next_working_day

pytestmark = pytest.mark.django_db

WEDNESDAY, THURSDAY_AFTER = date(2026, 9, 30), date(2026, 10, 8)
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queue() -> Iterator[None]:
    """The production task backend: tasks wait in the database for their time."""
    with override_settings(TASKS=DATABASE_QUEUE):
        yield


def first_slot(hall_item: HallItem, day: date) -> Slot:
    return selectors.slots_for(
        hall=hall_item.hall, item=hall_item.item, day=day, now=MONDAY_MORNING
    )[0]


def reminder_tasks() -> list[DBTaskResult[Any, Any]]:
    return list(
        DBTaskResult.objects.filter(task_path=appointment_reminder_send.module_path).order_by(
            "enqueued_at"
        )
    )


def run_as_worker(task: DBTaskResult[Any, Any], now: datetime) -> bool:
    """What the worker does with the task at `now`: the task's own arguments, the service."""
    kwargs = task.args_kwargs["kwargs"]
    return services.appointment_remind(
        appointment_id=kwargs["appointment_id"], day=date.fromisoformat(kwargs["day"]), now=now
    )


def reminders(user: User) -> list[Message]:
    return list(Message.objects.filter(recipient=user, template="halls.appointment_reminder"))


def test_booking_enqueues_the_reminder_for_nine_the_day_before(
    queue: None, resident: User, hall_item: HallItem, django_capture_on_commit_callbacks: Any
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=True):
        appointment = services.appointment_book(
            user=resident, slot_id=first_slot(hall_item, WEDNESDAY).pk, now=MONDAY_MORNING
        )

    # then
    (task,) = reminder_tasks()
    assert task.run_after == datetime(2026, 9, 29, 9, 0, tzinfo=TZ)
    assert task.args_kwargs["kwargs"] == {
        "appointment_id": str(appointment.pk),
        "day": "2026-09-30",
    }
    assert reminders(resident) == []


def test_booking_for_tomorrow_after_nine_sends_no_separate_reminder(
    queue: None, resident: User, hall_item: HallItem, django_capture_on_commit_callbacks: Any
) -> None:
    # when: Monday 10:00, for Tuesday, past the hour the reminder would have gone out
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_book(
            user=resident,
            slot_id=first_slot(hall_item, date(2026, 9, 29)).pk,
            now=at(MONDAY, 10),
        )

    # then: the booking's own confirmation is the only message; no reminder follows it
    assert reminder_tasks() == []


def test_reminder_task_at_its_time_sends_the_reminder_once(
    queue: None, resident: User, hall_item: HallItem, django_capture_on_commit_callbacks: Any
) -> None:
    # given
    with django_capture_on_commit_callbacks(execute=True):
        appointment = services.appointment_book(
            user=resident, slot_id=first_slot(hall_item, WEDNESDAY).pk, now=MONDAY_MORNING
        )
    (task,) = reminder_tasks()

    # when
    sent = run_as_worker(task, at(date(2026, 9, 29), 9))
    again = run_as_worker(task, at(date(2026, 9, 29), 9, 1))

    # then
    assert (sent, again) == (True, False)
    (message,) = reminders(resident)
    assert message.params == {
        "item": "居住证签注",
        "hall": "测试大厅test-gusu",
        "date": "2026-09-30",
        "time": "09:00-09:30",
    }
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at == at(date(2026, 9, 29), 9)


def test_reminder_after_a_cancellation_is_not_sent(
    queue: None, resident: User, hall_item: HallItem, django_capture_on_commit_callbacks: Any
) -> None:
    # given
    with django_capture_on_commit_callbacks(execute=True):
        appointment = services.appointment_book(
            user=resident, slot_id=first_slot(hall_item, WEDNESDAY).pk, now=MONDAY_MORNING
        )
    services.appointment_cancel(user=resident, appointment_id=appointment.pk, now=MONDAY_MORNING)
    (task,) = reminder_tasks()

    # when
    sent = run_as_worker(task, at(date(2026, 9, 29), 9))

    # then
    assert sent is False
    assert reminders(resident) == []


def test_reminder_after_a_move_to_another_day_is_sent_for_the_new_day_only(
    queue: None, resident: User, hall_item: HallItem, django_capture_on_commit_callbacks: Any
) -> None:
    # given
    with django_capture_on_commit_callbacks(execute=True):
        appointment = services.appointment_book(
            user=resident, slot_id=first_slot(hall_item, WEDNESDAY).pk, now=MONDAY_MORNING
        )
        services.appointment_reschedule(
            user=resident,
            appointment_id=appointment.pk,
            slot_id=first_slot(hall_item, THURSDAY_AFTER).pk,
            now=MONDAY_MORNING,
        )
    old, new = reminder_tasks()

    # when
    old_sent = run_as_worker(old, at(date(2026, 9, 29), 9))
    new_sent = run_as_worker(new, at(date(2026, 10, 7), 9))

    # then
    assert new.run_after == datetime(2026, 10, 7, 9, 0, tzinfo=TZ)
    assert (old_sent, new_sent) == (False, True)
    (message,) = reminders(resident)
    assert message.params["date"] == "2026-10-08"


def test_reminder_of_an_appointment_already_started_is_not_sent(
    queue: None, resident: User, hall_item: HallItem, django_capture_on_commit_callbacks: Any
) -> None:
    # given
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_book(
            user=resident, slot_id=first_slot(hall_item, WEDNESDAY).pk, now=MONDAY_MORNING
        )
    (task,) = reminder_tasks()

    # when: the worker was down and gets to it too late
    sent = run_as_worker(task, at(WEDNESDAY, 9, 5))

    # then
    assert sent is False


def test_reminder_with_the_immediate_backend_is_sent_on_booking(
    resident: User, hall_item: HallItem, django_capture_on_commit_callbacks: Any
) -> None:
    # given: a working day at least two days ahead, in real time, so its reminder is due
    day = next_working_day(timezone.localdate() + timedelta(days=2))
    slot = selectors.slots_for(hall=hall_item.hall, item=hall_item.item, day=day)[0]

    # when
    with django_capture_on_commit_callbacks(execute=True):
        appointment = services.appointment_book(user=resident, slot_id=slot.pk)

    # then
    (message,) = reminders(resident)
    assert message.params["date"] == day.isoformat()
    assert Appointment.objects.get(pk=appointment.pk).reminder_sent_at is not None
