"""Slots are made on demand from a hall's weekly sessions, on working days within the window."""

from __future__ import annotations

from datetime import date, time

import pytest

from citygate.catalog.models import ServiceItem
from citygate.core.errors import InvalidInput
from citygate.halls import selectors
from citygate.halls.models import Hall, HallItem, Slot
from citygate.halls.tests.conftest import MONDAY, MONDAY_MORNING, at, make_item

pytestmark = pytest.mark.django_db


def test_slots_for_a_working_day_are_cut_from_the_sessions(hall: Hall, hall_item: HallItem) -> None:
    # when
    slots = selectors.slots_for(hall=hall, item=hall_item.item, day=MONDAY, now=MONDAY_MORNING)

    # then: 09:00-12:00 and 13:30-17:00 in 30 minutes: 6 + 7 slots of 2 places
    assert [slot.time_range for slot in slots][:2] == ["09:00-09:30", "09:30-10:00"]
    assert slots[5].time_range == "11:30-12:00"
    assert slots[6].time_range == "13:30-14:00"
    assert slots[-1].time_range == "16:30-17:00"
    assert len(slots) == 13
    assert {(slot.capacity, slot.booked) for slot in slots} == {(2, 0)}


def test_slots_of_a_session_not_divisible_by_the_length_drop_the_short_rest(
    hall: Hall, hall_item: HallItem
) -> None:
    # given
    HallItem.objects.filter(pk=hall_item.pk).update(slot_minutes=45)

    # when
    slots = selectors.slots_for(hall=hall, item=hall_item.item, day=MONDAY, now=MONDAY_MORNING)

    # then: 09:00-11:15 (the 11:15-12:00 rest is one 45), 13:30-16:30 (16:30-17:00 is short)
    assert [s.time_range for s in slots] == [
        "09:00-09:45",
        "09:45-10:30",
        "10:30-11:15",
        "11:15-12:00",
        "13:30-14:15",
        "14:15-15:00",
        "15:00-15:45",
        "15:45-16:30",
    ]


def test_slots_asked_for_twice_are_made_once(hall: Hall, hall_item: HallItem) -> None:
    # given
    selectors.slots_for(hall=hall, item=hall_item.item, day=MONDAY, now=MONDAY_MORNING)

    # when
    selectors.slots_for(hall=hall, item=hall_item.item, day=MONDAY, now=MONDAY_MORNING)

    # then
    assert Slot.objects.filter(hall=hall, date=MONDAY).count() == 13


def test_slots_on_national_day_do_not_exist(hall: Hall, hall_item: HallItem) -> None:
    # when: 2026-10-01 is a Thursday, and an official holiday
    slots = selectors.slots_for(
        hall=hall, item=hall_item.item, day=date(2026, 10, 1), now=MONDAY_MORNING
    )

    # then
    assert slots == []
    assert not Slot.objects.filter(date=date(2026, 10, 1)).exists()


def test_slots_on_a_weekend_do_not_exist(hall: Hall, hall_item: HallItem) -> None:
    # when: Saturday 2026-10-03 (also a National Day holiday) and Sunday 2026-10-11
    saturday = selectors.slots_for(
        hall=hall, item=hall_item.item, day=date(2026, 10, 3), now=MONDAY_MORNING
    )
    sunday = selectors.slots_for(
        hall=hall, item=hall_item.item, day=date(2026, 10, 11), now=MONDAY_MORNING
    )

    # then
    assert saturday == []
    assert sunday == []


def test_slots_on_an_exchanged_working_saturday_follow_monday_hours(
    hall: Hall, hall_item: HallItem
) -> None:
    # when: Saturday 2026-10-10 is a working day making up for National Day (调休)
    slots = selectors.slots_for(
        hall=hall, item=hall_item.item, day=date(2026, 10, 10), now=MONDAY_MORNING
    )

    # then
    assert len(slots) == 13
    assert slots[0].start == time(9)


def test_slots_in_the_past_are_refused_naming_the_date(hall: Hall, hall_item: HallItem) -> None:
    # when
    with pytest.raises(InvalidInput) as raised:
        selectors.slots_for(
            hall=hall, item=hall_item.item, day=date(2026, 9, 25), now=MONDAY_MORNING
        )

    # then
    assert set(raised.value.fields) == {"date"}
    assert not Slot.objects.exists()


def test_slots_beyond_fourteen_working_days_are_refused(hall: Hall, hall_item: HallItem) -> None:
    # given: from Monday 09-28, the 14 working days skip Golden Week and end on 10-21
    days = selectors.booking_days(now=MONDAY_MORNING)
    assert days[3] == date(2026, 10, 8)
    assert days[-1] == date(2026, 10, 21)

    # when
    last = selectors.slots_for(
        hall=hall, item=hall_item.item, day=date(2026, 10, 21), now=MONDAY_MORNING
    )
    with pytest.raises(InvalidInput) as raised:
        selectors.slots_for(
            hall=hall, item=hall_item.item, day=date(2026, 10, 22), now=MONDAY_MORNING
        )

    # then
    assert len(last) == 13
    assert "2026-10-21" in str(raised.value.fields["date"])


def test_slots_of_today_include_those_already_started_but_not_open(
    hall: Hall, hall_item: HallItem
) -> None:
    # given
    now = at(MONDAY, 10, 5)

    # when
    slots = selectors.slots_for(hall=hall, item=hall_item.item, day=MONDAY, now=now)

    # then
    opened = [s.time_range for s in slots if selectors.slot_open(s, now=now)]
    assert opened[0] == "10:30-11:00"
    assert len(slots) == 13


def test_slots_of_an_item_the_hall_does_not_take_are_refused_naming_the_item(
    hall: Hall, hall_item: HallItem, other_item: ServiceItem
) -> None:
    # when
    with pytest.raises(InvalidInput) as raised:
        selectors.slots_for(hall=hall, item=other_item, day=MONDAY, now=MONDAY_MORNING)

    # then
    assert set(raised.value.fields) == {"item"}


def test_slots_of_an_item_that_needs_no_appointment_are_refused(hall: Hall) -> None:
    # given
    walk_in = make_item("test-walk-in", appointment=False)
    HallItem.objects.create(hall=hall, item=walk_in)

    # when
    with pytest.raises(InvalidInput) as raised:
        selectors.slots_for(hall=hall, item=walk_in, day=MONDAY, now=MONDAY_MORNING)

    # then
    assert set(raised.value.fields) == {"item"}


def test_booking_days_list_places_left_per_day(hall: Hall, hall_item: HallItem) -> None:
    # when: at 16:40 on Monday every slot of the day has started
    days = selectors.booking_days_for(hall=hall, item=hall_item.item, now=at(MONDAY, 16, 40))

    # then
    assert days[0].day == MONDAY
    assert days[0].remaining == 0
    assert days[0].open_slots == 0  # the day is over, not booked up
    assert days[1].remaining == 13 * 2
    assert days[1].open_slots == 13
    assert len(days) == 14
