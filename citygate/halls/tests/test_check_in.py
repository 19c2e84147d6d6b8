"""Checking in: who may, when, and the queue numbers it hands out."""

from __future__ import annotations

from datetime import date

import pytest

from citygate.accounts.models import User
from citygate.core.errors import ApplicationError, InvalidInput, NotFound
from citygate.halls import selectors, services
from citygate.halls.models import Appointment, AppointmentState, HallItem, HallStaff, Slot
from citygate.halls.tests.conftest import MONDAY, MONDAY_MORNING, at, make_resident
from citygate.inbox.models import Message

pytestmark = pytest.mark.django_db


def first_slot(hall_item: HallItem) -> Slot:
    return selectors.slots_for(
        hall=hall_item.hall, item=hall_item.item, day=MONDAY, now=MONDAY_MORNING
    )[0]


def booked(user: User, hall_item: HallItem) -> Appointment:
    return services.appointment_book(
        user=user, slot_id=first_slot(hall_item).pk, now=MONDAY_MORNING
    )


def test_check_in_by_the_resident_in_the_window_gives_the_first_number(
    resident: User, hall_item: HallItem
) -> None:
    # given: a 09:00 appointment
    mine = booked(resident, hall_item)

    # when: at 08:35
    done = services.appointment_check_in(appointment_id=mine.pk, by=resident, now=at(MONDAY, 8, 35))

    # then
    assert done.state == AppointmentState.CHECKED_IN
    assert done.queue_number == "A001"
    assert done.checked_in_by == resident
    assert done.checked_in_at == at(MONDAY, 8, 35)


def test_check_in_numbers_count_up_per_hall_and_day(
    resident: User, other_resident: User, clerk: User, hall_item: HallItem
) -> None:
    # given
    first, second = booked(resident, hall_item), booked(other_resident, hall_item)

    # when
    one = services.appointment_check_in(appointment_id=second.pk, by=clerk, now=at(MONDAY, 8, 50))
    two = services.appointment_check_in(appointment_id=first.pk, by=clerk, now=at(MONDAY, 8, 51))

    # then
    assert (one.queue_number, two.queue_number) == ("A001", "A002")


def test_check_in_tapped_twice_keeps_the_same_number(resident: User, hall_item: HallItem) -> None:
    # given
    mine = booked(resident, hall_item)
    now = at(MONDAY, 8, 40)
    services.appointment_check_in(appointment_id=mine.pk, by=resident, now=now)

    # when
    again = services.appointment_check_in(appointment_id=mine.pk, by=resident, now=now)

    # then
    assert again.queue_number == "A001"


def test_check_in_by_the_resident_too_early_says_when_it_opens(
    resident: User, hall_item: HallItem
) -> None:
    # given
    mine = booked(resident, hall_item)

    # when
    with pytest.raises(ApplicationError) as raised:
        services.appointment_check_in(appointment_id=mine.pk, by=resident, now=at(MONDAY, 8, 20))

    # then
    assert raised.value.code == "check_in_not_open"
    assert "08:30" in str(raised.value.message)
    mine.refresh_from_db()
    assert (mine.state, mine.queue_number) == (AppointmentState.BOOKED, "")


def test_check_in_by_a_clerk_of_the_hall_before_the_window_is_allowed(
    resident: User, clerk: User, hall_item: HallItem
) -> None:
    # given
    mine = booked(resident, hall_item)

    # when
    done = services.appointment_mark_arrived(appointment_id=mine.pk, by=clerk, now=at(MONDAY, 8, 5))

    # then
    assert done.queue_number == "A001"
    assert done.checked_in_by == clerk


def test_check_in_after_the_grace_period_is_refused(resident: User, hall_item: HallItem) -> None:
    # given: 09:00-09:30, 15 minutes' grace
    mine = booked(resident, hall_item)

    # when
    with pytest.raises(ApplicationError) as raised:
        services.appointment_check_in(appointment_id=mine.pk, by=resident, now=at(MONDAY, 9, 46))

    # then
    assert raised.value.code == "check_in_closed"


def test_check_in_by_a_clerk_after_the_grace_period_records_a_late_arrival(
    resident: User, clerk: User, hall_item: HallItem
) -> None:
    # given: 09:00-09:30, and the resident arrives at 10:10
    mine = booked(resident, hall_item)

    # when the clerk at the desk checks them in
    done = services.appointment_check_in(appointment_id=mine.pk, by=clerk, now=at(MONDAY, 10, 10))

    # then they are served, not counted as missed
    assert done.state == AppointmentState.CHECKED_IN
    assert done.queue_number == "A001"


def test_check_in_on_another_day_is_refused(resident: User, hall_item: HallItem) -> None:
    # given
    mine = booked(resident, hall_item)

    # when
    with pytest.raises(ApplicationError) as raised:
        services.appointment_check_in(
            appointment_id=mine.pk, by=resident, now=at(date(2026, 9, 27), 9)
        )

    # then
    assert raised.value.code == "check_in_not_today"


def test_check_in_by_a_clerk_of_another_hall_is_not_found(
    resident: User, other_clerk: User, hall_item: HallItem
) -> None:
    # given
    mine = booked(resident, hall_item)

    # when / then
    with pytest.raises(NotFound):
        services.appointment_check_in(appointment_id=mine.pk, by=other_clerk, now=at(MONDAY, 8, 45))
    with pytest.raises(NotFound):
        services.appointment_mark_arrived(
            appointment_id=mine.pk, by=other_clerk, now=at(MONDAY, 8, 45)
        )
    mine.refresh_from_db()
    assert mine.state == AppointmentState.BOOKED


def test_check_in_by_another_resident_is_not_found(
    resident: User, other_resident: User, hall_item: HallItem
) -> None:
    # given
    mine = booked(resident, hall_item)

    # when / then
    with pytest.raises(NotFound):
        services.appointment_check_in(
            appointment_id=mine.pk, by=other_resident, now=at(MONDAY, 8, 45)
        )


def test_check_in_by_a_resident_is_not_treated_as_staff_even_if_assigned(
    resident: User, hall_item: HallItem
) -> None:
    # given: a row that assigns a resident (not a clerk) to the hall
    HallStaff.objects.create(user=resident, hall=hall_item.hall)
    stranger = make_resident("19999990377")
    theirs = booked(stranger, hall_item)

    # when / then
    with pytest.raises(NotFound):
        services.appointment_check_in(appointment_id=theirs.pk, by=resident, now=at(MONDAY, 8, 45))


def test_mark_done_after_check_in_ends_the_visit(
    resident: User, clerk: User, hall_item: HallItem
) -> None:
    # given
    mine = booked(resident, hall_item)
    services.appointment_mark_arrived(appointment_id=mine.pk, by=clerk, now=at(MONDAY, 8, 50))

    # when
    done = services.appointment_mark_done(appointment_id=mine.pk, by=clerk, now=at(MONDAY, 9, 10))

    # then
    assert done.state == AppointmentState.DONE
    assert done.queue_number == "A001"
    # and the person is asked, once, to rate the visit
    services.appointment_mark_done(appointment_id=mine.pk, by=clerk, now=at(MONDAY, 9, 11))
    invitations = Message.objects.filter(recipient=resident, template="halls.visit_served")
    assert invitations.count() == 1
    assert invitations.get().link == "/ratings/"


def test_mark_done_before_check_in_is_refused(
    resident: User, clerk: User, hall_item: HallItem
) -> None:
    # given
    mine = booked(resident, hall_item)

    # when
    with pytest.raises(ApplicationError) as raised:
        services.appointment_mark_done(appointment_id=mine.pk, by=clerk)

    # then
    assert raised.value.code == "not_checked_in"


def test_hall_staff_assign_of_a_resident_is_refused(resident: User, hall_item: HallItem) -> None:
    with pytest.raises(InvalidInput):
        services.hall_staff_assign(user=resident, hall=hall_item.hall)
