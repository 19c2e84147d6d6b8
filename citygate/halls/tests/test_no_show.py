"""Missed appointments: marked after the slot's end plus the grace period; three in 90 days
pause booking for 30 days."""

from __future__ import annotations

import io
from datetime import date, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from citygate.accounts.models import User
from citygate.core.errors import ApplicationError
from citygate.halls import selectors, services
from citygate.halls.models import Appointment, AppointmentState, HallItem, NoShowBlock, Slot
from citygate.halls.tests.conftest import MONDAY, MONDAY_MORNING, at, slot_on
from citygate.inbox.models import Message

pytestmark = pytest.mark.django_db

TUESDAY, WEDNESDAY = date(2026, 9, 29), date(2026, 9, 30)


def first_slot(hall_item: HallItem, day: date, now: object = MONDAY_MORNING) -> Slot:
    return selectors.slots_for(
        hall=hall_item.hall,
        item=hall_item.item,
        day=day,
        now=now,  # type: ignore[arg-type]
    )[0]


def book_on(user: User, hall_item: HallItem, day: date) -> Appointment:
    return services.appointment_book(
        user=user, slot_id=first_slot(hall_item, day).pk, now=MONDAY_MORNING
    )


def missed(user: User, hall_item: HallItem, day: date) -> Appointment:
    """An appointment of `day` left as booked: the person never came."""
    slot = slot_on(hall_item, day, time(9), booked=1)
    return Appointment.objects.create(
        user=user, slot=slot, hall=hall_item.hall, item=hall_item.item, date=day
    )


def test_mark_no_show_after_the_end_and_grace_marks_the_appointment(
    resident: User, hall_item: HallItem
) -> None:
    # given: 09:00-09:30
    mine = book_on(resident, hall_item, MONDAY)

    # when
    early = services.appointments_mark_no_show(now=at(MONDAY, 9, 44))
    late = services.appointments_mark_no_show(now=at(MONDAY, 9, 46))

    # then
    mine.refresh_from_db()
    assert (early, late) == (0, 1)
    assert mine.state == AppointmentState.NO_SHOW
    assert mine.no_show_at == at(MONDAY, 9, 46)


def test_mark_no_show_leaves_checked_in_and_cancelled_appointments_alone(
    resident: User, other_resident: User, clerk: User, hall_item: HallItem
) -> None:
    # given
    came = book_on(resident, hall_item, MONDAY)
    services.appointment_mark_arrived(appointment_id=came.pk, by=clerk, now=at(MONDAY, 8, 55))
    cancelled = book_on(other_resident, hall_item, MONDAY)
    services.appointment_cancel(
        user=other_resident, appointment_id=cancelled.pk, now=MONDAY_MORNING
    )

    # when
    marked = services.appointments_mark_no_show(now=at(MONDAY, 18))

    # then
    assert marked == 0


def test_third_no_show_within_ninety_days_pauses_booking_with_the_date(
    resident: User, hall_item: HallItem
) -> None:
    # given: three appointments, none kept
    for day in (MONDAY, TUESDAY, WEDNESDAY):
        book_on(resident, hall_item, day)
    services.appointments_mark_no_show(now=at(WEDNESDAY, 12))
    later = date(2026, 10, 8)

    # when
    with pytest.raises(ApplicationError) as raised:
        services.appointment_book(
            user=resident,
            slot_id=first_slot(hall_item, later, at(later, 8)).pk,
            now=at(later, 8),
        )

    # then: 30 days from the third missed day, 2026-09-30
    assert raised.value.code == "booking_paused"
    assert raised.value.status == 403
    block = NoShowBlock.objects.get(user=resident)
    assert (block.no_show_count, block.lifted_on) == (3, date(2026, 10, 30))
    message = str(raised.value.message)
    assert "3" in message
    assert "2026年10月30日" in message
    notice = Message.objects.get(recipient=resident, template="halls.booking_paused")
    assert notice.params == {"count": 3, "date": "2026-10-30"}


def test_paused_booking_is_possible_again_on_the_day_given(
    resident: User, hall_item: HallItem
) -> None:
    # given
    for day in (MONDAY, TUESDAY, WEDNESDAY):
        book_on(resident, hall_item, day)
    services.appointments_mark_no_show(now=at(WEDNESDAY, 12))
    lifted = date(2026, 10, 30)

    # when
    appointment = services.appointment_book(
        user=resident, slot_id=first_slot(hall_item, lifted, at(lifted, 8)).pk, now=at(lifted, 8)
    )

    # then
    assert appointment.state == AppointmentState.BOOKED
    assert services.booking_pause(user=resident, now=at(lifted, 8)) is None
    assert services.booking_pause(user=resident, now=at(lifted - timedelta(days=1), 8))


def test_two_no_shows_do_not_pause_booking(resident: User, hall_item: HallItem) -> None:
    # given
    book_on(resident, hall_item, MONDAY)
    book_on(resident, hall_item, TUESDAY)
    services.appointments_mark_no_show(now=at(TUESDAY, 18))

    # when
    appointment = book_on(resident, hall_item, WEDNESDAY)

    # then
    assert appointment.state == AppointmentState.BOOKED
    assert not NoShowBlock.objects.exists()


def test_no_shows_older_than_ninety_days_do_not_count(resident: User, hall_item: HallItem) -> None:
    # given: one missed in June, two in late September
    missed(resident, hall_item, date(2026, 6, 1))
    missed(resident, hall_item, MONDAY - timedelta(days=7))
    missed(resident, hall_item, MONDAY - timedelta(days=6))

    # when
    marked = services.appointments_mark_no_show(now=MONDAY_MORNING)

    # then
    assert marked == 3
    assert not NoShowBlock.objects.exists()


def test_no_shows_before_a_block_do_not_count_towards_the_next(
    resident: User, hall_item: HallItem
) -> None:
    # given: a block from three no-shows in August, lifted since
    for day in (date(2026, 8, 3), date(2026, 8, 4), date(2026, 8, 5)):
        missed(resident, hall_item, day)
    services.appointments_mark_no_show(now=at(date(2026, 8, 5), 18))
    assert NoShowBlock.objects.get().lifted_on == date(2026, 9, 4)

    # when: one more missed after the block was lifted, within 90 days of the others
    missed(resident, hall_item, date(2026, 9, 21))
    services.appointments_mark_no_show(now=MONDAY_MORNING)

    # then
    assert NoShowBlock.objects.count() == 1
    assert services.booking_pause(user=resident, now=MONDAY_MORNING) is None


def test_booking_marks_the_persons_own_missed_appointments_first(
    resident: User, hall_item: HallItem
) -> None:
    # given: two left as booked and never swept, one more about to be missed
    missed(resident, hall_item, date(2026, 9, 21))
    missed(resident, hall_item, date(2026, 9, 22))
    missed(resident, hall_item, date(2026, 9, 24))

    # when
    with pytest.raises(ApplicationError) as raised:
        book_on(resident, hall_item, MONDAY)

    # then
    assert raised.value.code == "booking_paused"
    assert Appointment.objects.filter(state=AppointmentState.NO_SHOW).count() == 3


def test_sweep_command_marks_missed_appointments(resident: User, hall_item: HallItem) -> None:
    # given: an appointment of yesterday, in real time, never checked in
    yesterday = timezone.localdate() - timedelta(days=1)
    forgotten = missed(resident, hall_item, yesterday)
    out = io.StringIO()

    # when
    call_command("halls_mark_no_shows", stdout=out)

    # then
    forgotten.refresh_from_db()
    assert forgotten.state == AppointmentState.NO_SHOW
    assert "1" in out.getvalue()


def test_sweep_task_marks_missed_appointments(resident: User, hall_item: HallItem) -> None:
    # given
    from citygate.halls.tasks import appointments_sweep_no_shows

    forgotten = missed(resident, hall_item, timezone.localdate() - timedelta(days=2))

    # when
    result = appointments_sweep_no_shows.enqueue()

    # then
    forgotten.refresh_from_db()
    assert result.return_value == 1
    assert forgotten.state == AppointmentState.NO_SHOW


def test_closing_a_day_cancels_its_appointments_tells_the_people_and_counts_no_miss(
    resident: User, hall_item: HallItem
) -> None:
    from citygate.accounts.roles import Role
    from citygate.inbox.models import Message
    from citygate.workdays.services import calendar_day_set
    from citygate.workdays.tests.conftest import staff_member

    # given: an appointment on Wednesday
    wednesday = MONDAY + timedelta(days=2)
    slot = selectors.slots_for(
        hall=hall_item.hall, item=hall_item.item, day=wednesday, now=MONDAY_MORNING
    )[0]
    mine = services.appointment_book(user=resident, slot_id=slot.pk, now=MONDAY_MORNING)

    # when an operator closes Wednesday (a typhoon)
    calendar_day_set(
        day=wednesday, kind="holiday", name="台风停办", by=staff_member("op.x", Role.OPERATOR)
    )

    # then the appointment is cancelled, its place freed, the person told, and nothing missed
    mine.refresh_from_db()
    assert mine.state == AppointmentState.CANCELLED
    assert Slot.objects.get(pk=slot.pk).booked == 0
    assert Message.objects.filter(
        recipient=resident, template="halls.appointment_cancelled_closed"
    ).exists()
    assert services.appointments_mark_no_show(now=at(wednesday + timedelta(days=1), 9)) == 0
