"""The halls pages over HTTP, in Chinese and English, for residents and clerks."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from citygate.accounts.models import User
from citygate.catalog.models import ServiceItem
from citygate.halls import selectors, services
from citygate.halls.models import Appointment, AppointmentState, Hall, HallItem, Slot
from citygate.halls.tests.conftest import NAME, PHONE, make_item, signed_in, slot_on
from citygate.workdays.selectors import next_working_day

pytestmark = pytest.mark.django_db


def next_day() -> date:
    return next_working_day(timezone.localdate() + timedelta(days=1))


def open_slot(hall_item: HallItem) -> Slot:
    return selectors.slots_for(hall=hall_item.hall, item=hall_item.item, day=next_day())[0]


def page(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined, no-any-return]


def todays(user: User, hall_item: HallItem) -> Appointment:
    """A booked appointment of today that runs all day, so every test moment is inside it."""
    today = timezone.localdate()
    slot = Slot.objects.filter(hall=hall_item.hall, item=hall_item.item, date=today).first()
    if slot is None:
        slot = slot_on(hall_item, today, time(0, 0), minutes=24 * 60 - 1)
    Slot.objects.filter(pk=slot.pk).update(booked=slot.booked + 1)
    return Appointment.objects.create(
        user=user, slot=slot, hall=hall_item.hall, item=hall_item.item, date=today
    )


# --- Halls ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "title", "hall_name"),
    [
        ("zh-hans", "政务服务大厅", "测试大厅test-gusu"),
        ("en", "Service halls", "Test hall test-gusu"),
    ],
)
def test_hall_list_page_renders_in_both_languages(
    client: Client, hall: Hall, language: str, title: str, hall_name: str
) -> None:
    # when
    response = client.get("/halls/", HTTP_ACCEPT_LANGUAGE=language)

    # then
    assert response.status_code == 200
    text = page(response)
    assert f"<h1>{title}</h1>" in text
    assert hall_name in text
    assert "halls/nearest.js" in text
    assert "data-nearest hidden" in text


def test_hall_list_page_filters_by_district(client: Client, hall: Hall, other_hall: Hall) -> None:
    # when
    text = page(client.get("/halls/?district=320506"))

    # then
    assert other_hall.name_zh in text
    assert hall.name_zh not in text


def test_hall_list_page_with_a_position_lists_nearest_first(
    client: Client, hall: Hall, other_hall: Hall
) -> None:
    # when
    response = client.post("/halls/", {"latitude": "31.27", "longitude": "120.63"})

    # then
    text = page(response)
    assert response.status_code == 200
    assert text.index(other_hall.name_zh) < text.index(hall.name_zh)
    assert "公里" in text


@pytest.mark.parametrize("latitude", ["abc", "1e999", "٣١", ""])
def test_hall_list_page_with_a_bad_position_says_so(
    client: Client, hall: Hall, latitude: str
) -> None:
    response = client.post("/halls/", {"latitude": latitude, "longitude": "120.63"})
    assert response.status_code == 200
    assert "请选择区" in page(response) or "alert--error" in page(response)


def test_hall_detail_page_shows_address_hours_and_bookable_items(
    client: Client, hall: Hall, hall_item: HallItem, item: ServiceItem
) -> None:
    # given
    walk_in = make_item("test-walk-in", appointment=False, name_zh="无需预约事项")
    HallItem.objects.create(hall=hall, item=walk_in)

    # when
    text = page(client.get(f"/halls/{hall.pk}/", HTTP_ACCEPT_LANGUAGE="en"))

    # then
    assert "1 Test Road, Gusu District, Suzhou" in text
    assert "09:00–12:00, 13:30–17:00" in text
    assert f"/appointments/book/?item={item.code}&amp;hall={hall.pk}" in text
    assert "Test item test-walk-in" in text


@pytest.mark.parametrize("path", ["/halls/999999/", "/halls/99999999999999999999999/"])
def test_hall_detail_page_of_an_unknown_hall_is_not_found(client: Client, path: str) -> None:
    assert client.get(path).status_code == 404


# --- Booking ----------------------------------------------------------------------------------


def test_book_page_walks_from_hall_to_day_to_time(
    client: Client, hall: Hall, hall_item: HallItem, item: ServiceItem
) -> None:
    # when
    halls = page(client.get(f"/appointments/book/?item={item.code}"))
    days = page(client.get(f"/appointments/book/?item={item.code}&hall={hall.pk}"))
    day = next_day()
    times = page(client.get(f"/appointments/book/?item={item.code}&hall={hall.pk}&date={day}"))

    # then
    assert f"hall={hall.pk}" in halls
    assert f"date={day.isoformat()}" in days
    assert "还剩" in days
    slot = Slot.objects.filter(hall=hall, date=day).order_by("start").first()
    assert slot is not None
    assert f'slot={slot.pk}"' in times
    assert "09:00-09:30" in times


def test_book_page_confirm_step_asks_to_sign_in(client: Client, hall_item: HallItem) -> None:
    # given
    slot = open_slot(hall_item)

    # when
    response = client.get(f"/appointments/book/?item={hall_item.item.code}&slot={slot.pk}")

    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=")


def test_book_page_confirm_post_books_and_goes_to_my_appointments(
    resident: User, hall_item: HallItem
) -> None:
    # given
    client = signed_in(resident)
    slot = open_slot(hall_item)
    url = f"/appointments/book/?item={hall_item.item.code}&slot={slot.pk}"
    confirm = client.get(url)

    # when
    response = client.post(url, {"slot_id": slot.pk})

    # then
    assert confirm.status_code == 200
    assert "确认预约" in page(confirm)
    assert response.status_code == 302
    assert response["Location"] == "/appointments/"
    assert Appointment.objects.get(user=resident).slot == slot
    mine = page(client.get("/appointments/"))
    assert "居住证签注" in mine
    assert "已预约" in mine


def test_book_page_confirm_of_a_full_slot_shows_the_message(
    resident: User, hall_item: HallItem
) -> None:
    # given
    client = signed_in(resident, language="en")
    slot = open_slot(hall_item)
    Slot.objects.filter(pk=slot.pk).update(booked=slot.capacity)

    # when
    response = client.post(
        f"/appointments/book/?item={hall_item.item.code}&slot={slot.pk}", {"slot_id": slot.pk}
    )

    # then
    assert response.status_code == 409
    assert "This time is fully booked" in page(response)


def test_book_page_of_an_item_without_appointments_lists_where_to_go(
    client: Client, hall: Hall
) -> None:
    # given
    walk_in = make_item("test-walk-in", appointment=False)
    HallItem.objects.create(hall=hall, item=walk_in)

    # when
    text = page(client.get(f"/appointments/book/?item={walk_in.code}"))

    # then
    assert hall.name_zh in text
    assert "无需预约" in text


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?item=nope",
        "?item=test-residence-permit&hall=abc",
        "?item=test-residence-permit&hall=99999999999999999999999",
        "?item=test-residence-permit&hall={hall}&date=2026-02-30",
        "?item=test-residence-permit&hall={hall}&date=2020-01-06",
        "?item=test-residence-permit&slot=²",
    ],
)
def test_book_page_with_bad_parameters_is_not_found(
    client: Client, hall: Hall, hall_item: HallItem, query: str
) -> None:
    response = client.get("/appointments/book/" + query.format(hall=hall.pk))
    assert response.status_code == 404


# --- My appointments --------------------------------------------------------------------------


def test_appointments_page_needs_sign_in(client: Client) -> None:
    response = client.get("/appointments/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


@pytest.mark.parametrize(
    ("language", "heading", "check_in"),
    [("zh-hans", "我的大厅预约", "签到"), ("en", "My hall appointments", "Check in")],
)
def test_appointments_page_offers_check_in_on_the_day(
    resident: User, hall_item: HallItem, language: str, heading: str, check_in: str
) -> None:
    # given
    appointment = todays(resident, hall_item)

    # when
    text = page(signed_in(resident, language=language).get("/appointments/"))

    # then
    assert heading in text
    assert f"/appointments/{appointment.pk}/check-in/" in text
    assert check_in in text


def test_check_in_post_shows_the_queue_number(resident: User, hall_item: HallItem) -> None:
    # given
    client = signed_in(resident)
    appointment = todays(resident, hall_item)

    # when
    response = client.post(f"/appointments/{appointment.pk}/check-in/", follow=True)

    # then
    assert "A001" in page(response)
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.CHECKED_IN


def test_cancel_page_asks_then_cancels(resident: User, hall_item: HallItem) -> None:
    # given
    client = signed_in(resident)
    appointment = services.appointment_book(user=resident, slot_id=open_slot(hall_item).pk)

    # when
    question = client.get(f"/appointments/{appointment.pk}/cancel/")
    answer = client.post(f"/appointments/{appointment.pk}/cancel/", follow=True)

    # then
    assert "取消这个预约吗" in page(question)
    assert "已取消" in page(answer)
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.CANCELLED


def test_cancel_page_of_someone_elses_appointment_is_not_found(
    resident: User, other_resident: User, hall_item: HallItem
) -> None:
    # given
    theirs = services.appointment_book(user=other_resident, slot_id=open_slot(hall_item).pk)

    # when
    response = signed_in(resident).post(f"/appointments/{theirs.pk}/cancel/")

    # then
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == AppointmentState.BOOKED


def test_reschedule_page_moves_the_appointment(resident: User, hall_item: HallItem) -> None:
    # given
    client = signed_in(resident)
    first, later = selectors.slots_for(hall=hall_item.hall, item=hall_item.item, day=next_day())[:2]
    appointment = services.appointment_book(user=resident, slot_id=first.pk)
    base = f"/appointments/{appointment.pk}/reschedule/"

    # when
    days = client.get(base)
    times = client.get(f"{base}?date={next_day().isoformat()}")
    confirm = client.get(f"{base}?slot={later.pk}")
    done = client.post(base, {"slot_id": later.pk})

    # then
    assert days.status_code == times.status_code == confirm.status_code == 200
    assert f'?slot={later.pk}"' in page(times)
    assert f'?slot={first.pk}"' not in page(times)
    assert done.status_code == 302
    appointment.refresh_from_db()
    assert appointment.slot == later


# --- Staff ------------------------------------------------------------------------------------


def test_staff_day_page_lists_the_day_with_masked_names(
    resident: User, clerk: User, hall: Hall, hall_item: HallItem
) -> None:
    # given
    appointment = todays(resident, hall_item)

    # when
    response = signed_in(clerk, staff=True).get(f"/staff/halls/{hall.pk}/day/")

    # then
    assert response.status_code == 200
    text = page(response)
    assert "林**" in text
    assert NAME not in text
    assert PHONE not in text
    assert "199****0301" in text
    assert f"/staff/halls/{hall.pk}/day/{appointment.pk}/arrived/" in text


def test_staff_day_page_arrived_button_checks_in(
    resident: User, clerk: User, hall: Hall, hall_item: HallItem
) -> None:
    # given
    appointment = todays(resident, hall_item)
    client = signed_in(clerk, staff=True)

    # when
    response = client.post(
        f"/staff/halls/{hall.pk}/day/{appointment.pk}/arrived/",
        {"date": timezone.localdate().isoformat()},
    )
    served = client.post(f"/staff/halls/{hall.pk}/day/{appointment.pk}/done/")

    # then
    assert response.status_code == 302
    assert served.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.state, appointment.queue_number) == (AppointmentState.DONE, "A001")


def test_staff_day_page_of_another_hall_is_not_found(
    resident: User, other_clerk: User, hall: Hall, hall_item: HallItem
) -> None:
    # given
    appointment = todays(resident, hall_item)
    client = signed_in(other_clerk, staff=True)

    # when
    listing = client.get(f"/staff/halls/{hall.pk}/day/")
    arriving = client.post(f"/staff/halls/{hall.pk}/day/{appointment.pk}/arrived/")
    elsewhere = client.post(
        f"/staff/halls/{other_clerk.hall_assignments.get().hall_id}/day/{appointment.pk}/arrived/"
    )

    # then
    assert listing.status_code == 404
    assert arriving.status_code == 404
    assert elsewhere.status_code == 404
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.BOOKED


def test_staff_day_page_marks_missed_appointments_when_opened(
    resident: User, clerk: User, hall: Hall, hall_item: HallItem
) -> None:
    # given: yesterday's appointment, never checked in
    yesterday = timezone.localdate() - timedelta(days=1)
    slot = slot_on(hall_item, yesterday, time(9), booked=1)
    missed = Appointment.objects.create(
        user=resident, slot=slot, hall=hall, item=hall_item.item, date=yesterday
    )

    # when
    response = signed_in(clerk, staff=True, language="en").get(
        f"/staff/halls/{hall.pk}/day/?date={yesterday.isoformat()}"
    )

    # then
    assert response.status_code == 200
    assert "Missed (1)" in page(response)
    missed.refresh_from_db()
    assert missed.state == AppointmentState.NO_SHOW


def test_staff_day_page_with_a_bad_date_says_so(clerk: User, hall: Hall) -> None:
    response = signed_in(clerk, staff=True).get(f"/staff/halls/{hall.pk}/day/?date=2026-02-30")
    assert response.status_code == 400
    assert "error-summary" in page(response)


def test_staff_day_page_for_a_resident_sends_to_the_staff_sign_in(
    resident: User, hall: Hall
) -> None:
    response = signed_in(resident).get(f"/staff/halls/{hall.pk}/day/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/staff/login/")


def test_staff_halls_page_lists_my_halls(clerk: User, hall: Hall, other_hall: Hall) -> None:
    text = page(signed_in(clerk, staff=True).get("/staff/halls/"))
    assert hall.name_zh in text
    assert other_hall.name_zh not in text


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_staff_day_page_far_dates_are_a_field_error_not_a_failure(
    hall: Hall, clerk: User, day: str
) -> None:
    response = signed_in(clerk, staff=True).get(f"/staff/halls/{hall.pk}/day/", {"date": day})
    assert response.status_code == 400
    assert "请选择 2000 年至 2099 年之间的日期。" in response.content.decode()
