"""The halls API over HTTP: shapes, filters, and clear errors for hostile input."""

from __future__ import annotations

import json
from datetime import date, time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from citygate.accounts.models import User
from citygate.catalog.models import ServiceItem
from citygate.halls import selectors
from citygate.halls.models import Appointment, AppointmentState, Hall, HallItem, HallWindow, Slot
from citygate.halls.tests.conftest import make_hall, make_item, signed_in, slot_on
from citygate.workdays.selectors import next_working_day

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: object) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def next_day() -> date:
    """A working day after today, in real time: its slots have not started."""
    return next_working_day(timezone.localdate() + timedelta(days=1))


def open_slot(hall_item: HallItem) -> Slot:
    return selectors.slots_for(hall=hall_item.hall, item=hall_item.item, day=next_day())[0]


def assert_envelope(response: Any, status: int, code: str, fields: set[str] | None = None) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    assert body["message"]
    if fields is not None:
        assert set(body["fields"]) == fields


# --- Halls ------------------------------------------------------------------------------------


def test_halls_lists_active_halls_with_their_place(client: Client, hall: Hall) -> None:
    # given
    Hall.objects.create(
        code="closed",
        name_zh="已关闭",
        name_en="Closed",
        level="street",
        district=hall.district,
        address_zh="-",
        latitude=0,
        longitude=0,
        active=False,
    )

    # when
    response = client.get("/api/v1/halls", HTTP_ACCEPT_LANGUAGE="en")

    # then
    assert response.status_code == 200
    (found,) = response.json()
    assert found == {
        "id": hall.pk,
        "name": "Test hall test-gusu",
        "level": "district",
        "level_label": "District centre",
        "district": {"code": "320508", "name": "Gusu District"},
        "address": "1 Test Road, Gusu District, Suzhou",
        "latitude": 31.3,
        "longitude": 120.6,
        "phone": "0512-12345",
        "hours": "Monday to Friday 9:00-12:00, 13:30-17:00",
        "distance_km": None,
    }


def test_halls_filtered_by_item_and_district(
    client: Client, hall: Hall, other_hall: Hall, hall_item: HallItem, item: ServiceItem
) -> None:
    # when
    by_item = client.get(f"/api/v1/halls?item={item.code}").json()
    by_district = client.get("/api/v1/halls?district=320506").json()
    both = client.get(f"/api/v1/halls?item={item.code}&district=320506").json()

    # then
    assert [h["id"] for h in by_item] == [hall.pk]
    assert [h["id"] for h in by_district] == [other_hall.pk]
    assert both == []


def test_halls_near_a_position_come_nearest_first_with_distances(
    client: Client, hall: Hall, other_hall: Hall
) -> None:
    # when: a point in Wuzhong, close to the other hall
    response = client.get("/api/v1/halls?near=31.27,120.63")

    # then
    found = response.json()
    assert [h["id"] for h in found] == [other_hall.pk, hall.pk]
    assert found[0]["distance_km"] == 0.0
    assert 3 < found[1]["distance_km"] < 5


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("item=no-such-item", "item"),
        ("item=" + "x" * 5000, "item"),
        ("item=%00", "item"),
        ("item=", "item"),
        ("district=%00abc", "district"),
        ("district=999999", "district"),
        ("near=31.3", "near"),
        ("near=91,120", "near"),
        ("near=nan,inf", "near"),
        ("near=３１.３,１２０.６", "near"),
        ("near=1e308,1", "near"),
    ],
)
def test_halls_with_bad_filters_answer_an_error_naming_the_field(
    client: Client, hall: Hall, query: str, field: str
) -> None:
    assert_envelope(client.get(f"/api/v1/halls?{query}"), 400, "invalid", {field})


def test_hall_detail_shows_sessions_windows_and_items(
    client: Client, hall: Hall, hall_item: HallItem, item: ServiceItem
) -> None:
    # given
    window = HallWindow.objects.create(hall=hall, number="01", name_zh="综合受理", name_en="All")
    window.items.add(item)

    # when
    response = client.get(f"/api/v1/halls/{hall.pk}")

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["sessions"][0] == {
        "weekday": 0,
        "weekday_label": "星期一",
        "start": "09:00",
        "end": "12:00",
    }
    assert len(body["sessions"]) == 10
    assert body["windows"] == [
        {"number": "01", "name": "综合受理", "items": [{"code": item.code, "name": "居住证签注"}]}
    ]
    assert body["items"] == [
        {
            "code": item.code,
            "name": "居住证签注",
            "appointment": True,
            "slot_minutes": 30,
            "capacity": 2,
        }
    ]


@pytest.mark.parametrize("hall_id", ["999999", "99999999999999999999999", "0"])
def test_hall_detail_of_an_unknown_hall_is_not_found(client: Client, hall_id: str) -> None:
    assert_envelope(client.get(f"/api/v1/halls/{hall_id}"), 404, "not_found")


@pytest.mark.parametrize("hall_id", ["abc", "١٢", "1.5"])
def test_hall_detail_with_a_malformed_id_is_refused_without_a_500(
    client: Client, hall_id: str
) -> None:
    response = client.get(f"/api/v1/halls/{hall_id}")
    assert response.status_code in {404, 422}
    assert set(response.json()) == {"code", "message", "fields"}


# --- Slots ------------------------------------------------------------------------------------


def test_hall_slots_list_times_and_places_left(
    client: Client, hall: Hall, hall_item: HallItem, item: ServiceItem
) -> None:
    # given
    day = next_day()

    # when
    response = client.get(f"/api/v1/halls/{hall.pk}/slots?item={item.code}&date={day}")

    # then
    assert response.status_code == 200
    slots = response.json()
    assert len(slots) == 13
    assert {k: v for k, v in slots[0].items() if k != "id"} == {
        "date": day.isoformat(),
        "start": "09:00",
        "end": "09:30",
        "capacity": 2,
        "remaining": 2,
        "open": True,
    }


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("date=2026-02-30", {"date", "item"}),
        ("item=test-residence-permit&date=2026-02-30", {"date"}),
        ("item=test-residence-permit&date=２０２６-１２-０７", {"date"}),
        ("item=test-residence-permit&date=20261207", {"date"}),
        ("item=test-residence-permit&date=9999-99-99", {"date"}),
        ("item=test-residence-permit&date=2020-01-06", {"date"}),
        ("item=test-residence-permit&date=2099-01-05", {"date"}),
        ("item=nope&date=2026-12-07", {"item"}),
        ("", {"item", "date"}),
    ],
)
def test_hall_slots_with_bad_input_name_the_field(
    client: Client, hall: Hall, hall_item: HallItem, query: str, fields: set[str]
) -> None:
    response = client.get(f"/api/v1/halls/{hall.pk}/slots?{query}")

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    # The first problem found is reported; each named field is one of those at fault.
    assert set(body["fields"]) <= fields
    assert body["fields"]


def test_hall_slots_of_an_item_the_hall_does_not_take_names_the_item(
    client: Client, hall: Hall, hall_item: HallItem, other_item: ServiceItem
) -> None:
    response = client.get(f"/api/v1/halls/{hall.pk}/slots?item={other_item.code}&date={next_day()}")
    assert_envelope(response, 400, "invalid", {"item"})


def test_hall_slots_on_a_closed_day_are_an_empty_list(
    client: Client, hall: Hall, hall_item: HallItem, item: ServiceItem
) -> None:
    # given: the first weekend day in the window that is not a working day
    from citygate.workdays.selectors import is_working_day

    day = timezone.localdate() + timedelta(days=1)
    while is_working_day(day):
        day += timedelta(days=1)

    # when
    response = client.get(f"/api/v1/halls/{hall.pk}/slots?item={item.code}&date={day}")

    # then
    assert response.status_code == 200
    assert response.json() == []


# --- Appointments -----------------------------------------------------------------------------


def test_appointments_post_books_and_answers_201_with_the_appointment(
    resident: User, hall_item: HallItem
) -> None:
    # given
    client = signed_in(resident)
    slot = open_slot(hall_item)

    # when
    response = post(client, "/api/v1/appointments", {"slot_id": slot.pk})

    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "booked"
    assert body["slot_id"] == slot.pk
    assert body["hall"]["id"] == hall_item.hall_id
    assert body["item"] == {"code": hall_item.item.code, "name": "居住证签注"}
    assert (body["start"], body["end"], body["queue_number"]) == ("09:00", "09:30", "")
    assert body["can_cancel"] is True
    assert Appointment.objects.get(pk=body["id"]).user == resident


def test_appointments_post_to_a_full_slot_answers_409_slot_full(
    resident: User, other_resident: User, hall_item: HallItem
) -> None:
    # given
    slot = open_slot(hall_item)
    Slot.objects.filter(pk=slot.pk).update(booked=slot.capacity)

    # when
    response = post(signed_in(other_resident), "/api/v1/appointments", {"slot_id": slot.pk})

    # then
    assert_envelope(response, 409, "slot_full", {"slot_id"})


def test_appointments_post_signed_out_answers_401(client: Client, hall_item: HallItem) -> None:
    response = post(client, "/api/v1/appointments", {"slot_id": open_slot(hall_item).pk})
    assert_envelope(response, 401, "unauthenticated")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"slot_id": "abc"},
        {"slot_id": 0},
        {"slot_id": 2**70},
        {"slot_id": 1, "extra": True},
        {"slot_id": None},
        [],
    ],
)
def test_appointments_post_with_a_bad_body_names_the_field(resident: User, body: object) -> None:
    response = post(signed_in(resident), "/api/v1/appointments", body)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"]


def test_appointments_post_of_an_unknown_slot_answers_404_naming_it(resident: User) -> None:
    response = post(signed_in(resident), "/api/v1/appointments", {"slot_id": 2**62})
    assert_envelope(response, 404, "not_found", {"slot_id"})


def test_appointments_get_lists_only_mine(
    resident: User, other_resident: User, hall_item: HallItem
) -> None:
    # given
    slot = open_slot(hall_item)
    post(signed_in(resident), "/api/v1/appointments", {"slot_id": slot.pk})
    post(signed_in(other_resident), "/api/v1/appointments", {"slot_id": slot.pk})

    # when
    mine = signed_in(resident).get("/api/v1/appointments").json()

    # then
    assert len(mine) == 1
    assert Appointment.objects.get(pk=mine[0]["id"]).user == resident


def test_appointments_delete_cancels_and_frees_the_place(
    resident: User, hall_item: HallItem
) -> None:
    # given
    client = signed_in(resident)
    slot = open_slot(hall_item)
    booked = post(client, "/api/v1/appointments", {"slot_id": slot.pk}).json()

    # when
    response = client.delete(f"/api/v1/appointments/{booked['id']}")

    # then
    assert response.status_code == 200
    assert response.json()["state"] == "cancelled"
    assert response.json()["can_cancel"] is False
    slot.refresh_from_db()
    assert slot.booked == 0


def test_appointments_delete_of_someone_elses_is_not_found(
    resident: User, other_resident: User, hall_item: HallItem
) -> None:
    # given
    theirs = post(
        signed_in(other_resident), "/api/v1/appointments", {"slot_id": open_slot(hall_item).pk}
    ).json()

    # when
    response = signed_in(resident).delete(f"/api/v1/appointments/{theirs['id']}")

    # then
    assert_envelope(response, 404, "not_found")
    assert Appointment.objects.get(pk=theirs["id"]).state == AppointmentState.BOOKED


def test_appointments_reschedule_moves_to_the_new_slot(resident: User, hall_item: HallItem) -> None:
    # given
    client = signed_in(resident)
    first, later = selectors.slots_for(hall=hall_item.hall, item=hall_item.item, day=next_day())[:2]
    booked = post(client, "/api/v1/appointments", {"slot_id": first.pk}).json()

    # when
    response = post(
        client, f"/api/v1/appointments/{booked['id']}/reschedule", {"slot_id": later.pk}
    )

    # then
    assert response.status_code == 200, response.content
    assert response.json()["slot_id"] == later.pk
    assert response.json()["start"] == "09:30"


def test_appointments_check_in_answers_the_queue_number(
    resident: User, hall: Hall, hall_item: HallItem
) -> None:
    # given: an appointment of today, running all day
    today = timezone.localdate()
    slot = slot_on(hall_item, today, time(0, 0), minutes=24 * 60 - 1, booked=1)
    appointment = Appointment.objects.create(
        user=resident, slot=slot, hall=hall, item=hall_item.item, date=today
    )

    # when
    response = post(signed_in(resident), f"/api/v1/appointments/{appointment.pk}/check-in", {})

    # then
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "checked_in"
    assert response.json()["queue_number"] == "A001"


def test_appointments_check_in_by_a_clerk_of_another_hall_is_not_found(
    resident: User, hall: Hall, hall_item: HallItem, other_clerk: User
) -> None:
    # given
    today = timezone.localdate()
    slot = slot_on(hall_item, today, time(0, 0), minutes=24 * 60 - 1, booked=1)
    appointment = Appointment.objects.create(
        user=resident, slot=slot, hall=hall, item=hall_item.item, date=today
    )

    # when
    response = post(
        signed_in(other_clerk, staff=True), f"/api/v1/appointments/{appointment.pk}/check-in", {}
    )

    # then
    assert_envelope(response, 404, "not_found")


def test_appointments_check_in_by_a_clerk_of_the_hall_works_for_someone_else(
    resident: User, hall: Hall, hall_item: HallItem, clerk: User
) -> None:
    # given
    today = timezone.localdate()
    slot = slot_on(hall_item, today, time(0, 0), minutes=24 * 60 - 1, booked=1)
    appointment = Appointment.objects.create(
        user=resident, slot=slot, hall=hall, item=hall_item.item, date=today
    )

    # when
    response = post(
        signed_in(clerk, staff=True), f"/api/v1/appointments/{appointment.pk}/check-in", {}
    )

    # then
    assert response.status_code == 200
    assert response.json()["queue_number"] == "A001"


def test_appointments_check_in_by_a_clerk_without_a_staff_sign_in_is_refused(
    resident: User, hall: Hall, hall_item: HallItem, clerk: User
) -> None:
    # given
    today = timezone.localdate()
    slot = slot_on(hall_item, today, time(0, 0), minutes=24 * 60 - 1, booked=1)
    appointment = Appointment.objects.create(
        user=resident, slot=slot, hall=hall, item=hall_item.item, date=today
    )

    # when
    response = post(signed_in(clerk), f"/api/v1/appointments/{appointment.pk}/check-in", {})

    # then
    assert_envelope(response, 401, "unauthenticated")


def test_halls_and_slots_reach_the_openapi_schema(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/halls",
        "/api/v1/halls/{hall_id}",
        "/api/v1/halls/{hall_id}/slots",
        "/api/v1/appointments",
        "/api/v1/appointments/{appointment_id}",
        "/api/v1/appointments/{appointment_id}/reschedule",
        "/api/v1/appointments/{appointment_id}/check-in",
    } <= set(paths)


def test_halls_of_an_item_without_halls_is_an_empty_list(client: Client) -> None:
    lonely = make_item("test-lonely")
    make_hall("unrelated")
    assert client.get(f"/api/v1/halls?item={lonely.code}").json() == []


@pytest.mark.parametrize("slot_id", [True, "12", 1.0])
def test_api_book_with_a_slot_id_that_is_not_a_whole_number_is_refused(
    resident: User, slot_id: object
) -> None:
    response = post(signed_in(resident), "/api/v1/appointments", {"slot_id": slot_id})
    assert_envelope(response, 422, "invalid", {"slot_id"})
