"""Booking, cancelling and rescheduling, with their rules and their messages."""

from __future__ import annotations

from datetime import date, time

import pytest

from citygate.accounts.models import User
from citygate.catalog.models import ItemStatus, ServiceItem
from citygate.core.errors import ApplicationError, InvalidInput, NotFound
from citygate.halls import selectors, services
from citygate.halls.models import Appointment, AppointmentState, Hall, HallItem, Slot
from citygate.halls.tests.conftest import MONDAY, MONDAY_MORNING, at, slot_on
from citygate.inbox.models import Message

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 9, 29)


def slots(hall_item: HallItem, day: date = MONDAY) -> list[Slot]:
    return selectors.slots_for(
        hall=hall_item.hall, item=hall_item.item, day=day, now=MONDAY_MORNING
    )


def book(user: User, slot: Slot, now: object = MONDAY_MORNING) -> Appointment:
    return services.appointment_book(user=user, slot_id=slot.pk, now=now)  # type: ignore[arg-type]


def test_appointment_book_takes_a_place_and_tells_the_person(
    resident: User, hall_item: HallItem
) -> None:
    # given
    slot = slots(hall_item)[0]

    # when
    appointment = book(resident, slot)

    # then
    slot.refresh_from_db()
    assert slot.booked == 1
    assert appointment.state == AppointmentState.BOOKED
    assert (appointment.hall, appointment.item, appointment.date) == (
        hall_item.hall,
        hall_item.item,
        MONDAY,
    )
    message = Message.objects.get(recipient=resident, template="halls.appointment_booked")
    assert message.params == {
        "item": "居住证签注",
        "hall": "测试大厅test-gusu",
        "date": "2026-09-28",
        "time": "09:00-09:30",
    }
    assert message.link == "/appointments/"


def test_appointment_book_of_a_full_slot_is_refused_with_slot_full(
    resident: User, other_resident: User, hall_item: HallItem
) -> None:
    # given: two places, both taken
    slot = slots(hall_item)[0]
    book(resident, slot)
    book(other_resident, slot)
    third = User.objects.create_user(phone="19999990399")

    # when
    with pytest.raises(ApplicationError) as raised:
        book(third, slot)

    # then
    assert raised.value.code == "slot_full"
    assert raised.value.status == 409
    assert "已约满" in str(raised.value.message)
    assert set(raised.value.fields) == {"slot_id"}
    slot.refresh_from_db()
    assert slot.booked == 2
    assert Appointment.objects.filter(slot=slot).count() == 2


def test_appointment_book_twice_for_one_item_on_one_day_is_refused(
    resident: User, hall_item: HallItem
) -> None:
    # given
    morning, afternoon = slots(hall_item)[0], slots(hall_item)[8]
    book(resident, morning)

    # when
    with pytest.raises(ApplicationError) as raised:
        book(resident, afternoon)

    # then
    assert raised.value.code == "already_booked"
    assert raised.value.status == 409
    afternoon.refresh_from_db()
    assert afternoon.booked == 0


def test_appointment_book_of_the_same_item_on_another_day_or_another_item_is_allowed(
    resident: User, hall_item: HallItem, other_item: ServiceItem
) -> None:
    # given
    other = HallItem.objects.create(hall=hall_item.hall, item=other_item, capacity=1)
    book(resident, slots(hall_item)[0])

    # when
    tomorrow = book(resident, slots(hall_item, TUESDAY)[0])
    other_service = book(resident, slots(other)[0])

    # then
    assert tomorrow.date == TUESDAY
    assert other_service.item == other_item


def test_appointment_book_after_cancelling_the_day_is_allowed_again(
    resident: User, hall_item: HallItem
) -> None:
    # given
    first = book(resident, slots(hall_item)[0])
    services.appointment_cancel(user=resident, appointment_id=first.pk, now=MONDAY_MORNING)

    # when
    second = book(resident, slots(hall_item)[1])

    # then
    assert second.state == AppointmentState.BOOKED


def test_appointment_book_of_a_started_slot_is_refused(resident: User, hall_item: HallItem) -> None:
    # given
    slot = slots(hall_item)[0]

    # when
    with pytest.raises(ApplicationError) as raised:
        book(resident, slot, now=at(MONDAY, 9, 0))

    # then
    assert raised.value.code == "slot_started"


def test_appointment_book_beyond_the_window_is_refused(resident: User, hall_item: HallItem) -> None:
    # given: a slot made directly on a day the window does not reach yet
    far = slot_on(hall_item, date(2026, 11, 30), time(9))

    # when
    with pytest.raises(ApplicationError) as raised:
        book(resident, far)

    # then
    assert raised.value.code == "outside_window"
    assert "14" in str(raised.value.message)


@pytest.mark.parametrize("slot_id", [0, -1, 2**63, 10**30, 987654321])
def test_appointment_book_of_an_unknown_slot_is_not_found(resident: User, slot_id: int) -> None:
    # when
    with pytest.raises(ApplicationError) as raised:
        services.appointment_book(user=resident, slot_id=slot_id, now=MONDAY_MORNING)

    # then
    assert raised.value.status == 404
    assert set(raised.value.fields) == {"slot_id"}


def test_appointment_book_of_a_withdrawn_item_is_refused(
    resident: User, hall_item: HallItem
) -> None:
    # given
    slot = slots(hall_item)[0]
    ServiceItem.objects.filter(pk=hall_item.item_id).update(status=ItemStatus.WITHDRAWN)

    # when
    with pytest.raises(ApplicationError) as raised:
        book(resident, slot)

    # then
    assert raised.value.code == "not_bookable"


# --- Cancelling -------------------------------------------------------------------------------


def test_appointment_cancel_frees_the_place_for_someone_else(
    resident: User, other_resident: User, hall_item: HallItem
) -> None:
    # given
    HallItem.objects.filter(pk=hall_item.pk).update(capacity=1)
    slot = slots(hall_item)[0]
    mine = book(resident, slot)

    # when
    cancelled = services.appointment_cancel(
        user=resident, appointment_id=mine.pk, now=MONDAY_MORNING
    )
    theirs = book(other_resident, slot)

    # then
    assert cancelled.state == AppointmentState.CANCELLED
    assert cancelled.cancelled_at == MONDAY_MORNING
    assert theirs.state == AppointmentState.BOOKED
    slot.refresh_from_db()
    assert slot.booked == 1
    assert Message.objects.filter(
        recipient=resident, template="halls.appointment_cancelled"
    ).exists()


def test_appointment_cancel_twice_frees_one_place_only(
    resident: User, other_resident: User, hall_item: HallItem
) -> None:
    # given
    slot = slots(hall_item)[0]
    mine = book(resident, slot)
    book(other_resident, slot)
    services.appointment_cancel(user=resident, appointment_id=mine.pk, now=MONDAY_MORNING)

    # when
    with pytest.raises(ApplicationError) as raised:
        services.appointment_cancel(user=resident, appointment_id=mine.pk, now=MONDAY_MORNING)

    # then
    assert raised.value.code == "not_cancellable"
    slot.refresh_from_db()
    assert slot.booked == 1


def test_appointment_cancel_once_the_slot_started_is_refused(
    resident: User, hall_item: HallItem
) -> None:
    # given
    mine = book(resident, slots(hall_item)[0])

    # when
    with pytest.raises(ApplicationError) as raised:
        services.appointment_cancel(user=resident, appointment_id=mine.pk, now=at(MONDAY, 9, 0))

    # then
    assert raised.value.code == "too_late_to_cancel"
    mine.refresh_from_db()
    assert mine.state == AppointmentState.BOOKED


def test_appointment_cancel_of_someone_elses_appointment_is_not_found(
    resident: User, other_resident: User, hall_item: HallItem
) -> None:
    # given
    theirs = book(other_resident, slots(hall_item)[0])

    # when / then
    with pytest.raises(NotFound):
        services.appointment_cancel(user=resident, appointment_id=theirs.pk, now=MONDAY_MORNING)
    with pytest.raises(NotFound):
        services.appointment_cancel(user=resident, appointment_id="not-a-uuid")
    theirs.refresh_from_db()
    assert theirs.state == AppointmentState.BOOKED


# --- Rescheduling -----------------------------------------------------------------------------


def test_appointment_reschedule_moves_the_place(resident: User, hall_item: HallItem) -> None:
    # given
    old, new = slots(hall_item)[0], slots(hall_item, TUESDAY)[3]
    mine = book(resident, old)

    # when
    moved = services.appointment_reschedule(
        user=resident, appointment_id=mine.pk, slot_id=new.pk, now=MONDAY_MORNING
    )

    # then
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.booked, new.booked) == (0, 1)
    assert moved.pk == mine.pk
    assert (moved.slot_id, moved.date, moved.state) == (new.pk, TUESDAY, AppointmentState.BOOKED)
    message = Message.objects.get(recipient=resident, template="halls.appointment_rescheduled")
    assert message.params["date"] == "2026-09-29"
    assert message.params["time"] == "10:30-11:00"


def test_appointment_reschedule_to_a_full_slot_keeps_the_old_place(
    resident: User, other_resident: User, hall_item: HallItem
) -> None:
    # given
    HallItem.objects.filter(pk=hall_item.pk).update(capacity=1)
    old, full = slots(hall_item)[0], slots(hall_item, TUESDAY)[0]
    mine = book(resident, old)
    book(other_resident, full)

    # when
    with pytest.raises(ApplicationError) as raised:
        services.appointment_reschedule(
            user=resident, appointment_id=mine.pk, slot_id=full.pk, now=MONDAY_MORNING
        )

    # then
    assert raised.value.code == "slot_full"
    old.refresh_from_db()
    full.refresh_from_db()
    mine.refresh_from_db()
    assert (old.booked, full.booked) == (1, 1)
    assert (mine.slot_id, mine.state) == (old.pk, AppointmentState.BOOKED)


def test_appointment_reschedule_within_the_same_day_is_allowed(
    resident: User, hall_item: HallItem
) -> None:
    # given
    mine = book(resident, slots(hall_item)[0])
    later = slots(hall_item)[9]

    # when
    moved = services.appointment_reschedule(
        user=resident, appointment_id=mine.pk, slot_id=later.pk, now=MONDAY_MORNING
    )

    # then
    assert moved.slot_id == later.pk


def test_appointment_reschedule_to_another_item_is_refused(
    resident: User, hall_item: HallItem, other_item: ServiceItem
) -> None:
    # given
    other = HallItem.objects.create(hall=hall_item.hall, item=other_item)
    mine = book(resident, slots(hall_item)[0])

    # when
    with pytest.raises(InvalidInput) as raised:
        services.appointment_reschedule(
            user=resident, appointment_id=mine.pk, slot_id=slots(other)[0].pk, now=MONDAY_MORNING
        )

    # then
    assert set(raised.value.fields) == {"slot_id"}


def test_appointment_reschedule_to_another_hall_for_the_same_item_is_allowed(
    resident: User, hall_item: HallItem, other_hall: Hall
) -> None:
    # given
    there = HallItem.objects.create(hall=other_hall, item=hall_item.item)
    mine = book(resident, slots(hall_item)[0])

    # when
    moved = services.appointment_reschedule(
        user=resident, appointment_id=mine.pk, slot_id=slots(there)[0].pk, now=MONDAY_MORNING
    )

    # then
    assert moved.hall == other_hall


def test_appointment_reschedule_of_a_cancelled_appointment_is_refused(
    resident: User, hall_item: HallItem
) -> None:
    # given
    mine = book(resident, slots(hall_item)[0])
    services.appointment_cancel(user=resident, appointment_id=mine.pk, now=MONDAY_MORNING)

    # when
    with pytest.raises(ApplicationError) as raised:
        services.appointment_reschedule(
            user=resident,
            appointment_id=mine.pk,
            slot_id=slots(hall_item)[2].pk,
            now=MONDAY_MORNING,
        )

    # then
    assert raised.value.code == "not_reschedulable"
    assert Slot.objects.get(pk=slots(hall_item)[2].pk).booked == 0
