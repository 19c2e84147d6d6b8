"""Many requests at once on a real database: no slot is overbooked, no queue number repeats.

Each thread has its own database connection, as each app server would. On PostgreSQL the
conditional UPDATE and the counter row's lock do the work; SQLite serialises writers
(IMMEDIATE transactions waiting out a busy timeout), and the outcome must be the same.
"""

from __future__ import annotations

from datetime import time

import pytest

from citygate.core.errors import ApplicationError
from citygate.core.tests.threads import run_at_once
from citygate.halls import services
from citygate.halls.models import Appointment, AppointmentState, HallItem, QueueCounter, Slot
from citygate.halls.tests.conftest import (
    MONDAY,
    MONDAY_MORNING,
    at,
    make_clerk,
    make_hall,
    make_item,
    make_resident,
    slot_on,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_slot_booked_from_twelve_threads_at_once_takes_exactly_its_capacity() -> None:
    # given: five places, twelve people pressing "book" at the same moment
    hall_item = HallItem.objects.create(
        hall=make_hall("race-hall"), item=make_item("race-item"), capacity=5
    )
    slot = slot_on(hall_item, MONDAY, time(9))
    people = [make_resident(f"199999904{i:02d}") for i in range(12)]

    # when
    results, errors = run_at_once(
        12,
        lambda i: services.appointment_book(user=people[i], slot_id=slot.pk, now=MONDAY_MORNING),
    )

    # then
    slot.refresh_from_db()
    assert slot.booked == 5
    assert len(results) == 5
    assert Appointment.objects.filter(slot=slot, state=AppointmentState.BOOKED).count() == 5
    assert [type(e) for e in errors] == [ApplicationError] * 7, errors
    assert {e.code for e in errors if isinstance(e, ApplicationError)} == {"slot_full"}


def test_check_in_from_eight_threads_at_once_numbers_without_gaps_or_repeats() -> None:
    # given: eight booked appointments at one hall, eight clerks pressing at once
    hall = make_hall("queue-hall")
    hall_item = HallItem.objects.create(hall=hall, item=make_item("queue-item"), capacity=8)
    slot = slot_on(hall_item, MONDAY, time(9))
    people = [make_resident(f"199999905{i:02d}") for i in range(8)]
    appointments = [
        services.appointment_book(user=person, slot_id=slot.pk, now=MONDAY_MORNING)
        for person in people
    ]
    clerks = [make_clerk(f"clerk.race{i}", hall) for i in range(8)]

    # when
    results, errors = run_at_once(
        8,
        lambda i: (
            services.appointment_check_in(
                appointment_id=appointments[i].pk, by=clerks[i], now=at(MONDAY, 8, 45)
            ).queue_number
        ),
    )

    # then
    assert not errors, errors
    assert sorted(results) == [f"A{n:03d}" for n in range(1, 9)]
    assert QueueCounter.objects.get(hall=hall, date=MONDAY).last == 8


def test_same_person_booking_one_item_twice_at_once_gets_one_appointment() -> None:
    # given
    hall_item = HallItem.objects.create(
        hall=make_hall("twice-hall"), item=make_item("twice-item"), capacity=5
    )
    slots = [slot_on(hall_item, MONDAY, time(9)).pk, slot_on(hall_item, MONDAY, time(14)).pk]
    person = make_resident("19999990600")

    # when
    results, errors = run_at_once(
        2, lambda i: services.appointment_book(user=person, slot_id=slots[i], now=MONDAY_MORNING)
    )

    # then
    assert len(results) == 1
    assert [e.code for e in errors if isinstance(e, ApplicationError)] == ["already_booked"]
    assert sum(Slot.objects.filter(pk__in=slots).values_list("booked", flat=True)) == 1
