"""The operators' calendar page at /staff/calendar/."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from citygate.accounts.models import User
from citygate.privacy.testing import consent_all_required
from citygate.workdays.models import CalendarDay, DayKind
from citygate.workdays.selectors import is_working_day

pytestmark = [pytest.mark.django_db, pytest.mark.urls("citygate.workdays.tests.urls")]

PAGE = "/staff/calendar/"


def test_calendar_page_for_operator_lists_the_years_entries(operator_client: Client) -> None:
    # when
    response = operator_client.get(PAGE, {"year": "2026"})

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026-10-01" in html
    assert "国庆节" in html
    assert "国庆节调休上班" in html
    assert "2025-10-01" not in html
    assert "no-store" in response["Cache-Control"]


def test_calendar_page_without_year_shows_the_current_year(operator_client: Client) -> None:
    # when
    response = operator_client.get(PAGE)

    # then
    assert response.status_code == 200
    assert response.context["year"] == date.today().year


@pytest.mark.parametrize("year", ["1999", "2101", "abc", "２０２６", "99999999999999999999"])
def test_calendar_page_with_a_bad_year_is_not_found(operator_client: Client, year: str) -> None:
    # when
    response = operator_client.get(PAGE, {"year": year})

    # then
    assert response.status_code == 404


def test_calendar_page_for_other_staff_is_refused(editor_client: Client) -> None:
    # when
    response = editor_client.get(PAGE, {"year": "2026"})
    posted = editor_client.post(
        PAGE, {"action": "set", "day": "2026-11-06", "kind": "holiday", "name": "台风停工"}
    )

    # then
    assert response.status_code == 403
    assert posted.status_code == 403
    assert "国庆节" not in response.content.decode()
    assert not CalendarDay.objects.filter(day=date(2026, 11, 6)).exists()


def test_calendar_page_for_a_resident_asks_for_staff_sign_in(client: Client) -> None:
    # given
    resident = User.objects.create_user(phone="19999990302")
    consent_all_required(resident)
    client.force_login(resident)

    # when
    response = client.get(PAGE)

    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/account/staff/login/")


def test_calendar_page_add_a_day_saves_it_and_returns_to_its_year(
    operator_client: Client,
) -> None:
    # when
    response = operator_client.post(
        f"{PAGE}?year=2026",
        {"action": "set", "day": "2027-01-04", "kind": "holiday", "name": "寒潮停工"},
        follow=True,
    )

    # then
    assert response.redirect_chain[-1][0] == f"{PAGE}?year=2027"
    html = response.content.decode()
    assert "寒潮停工" in html
    assert "已保存" in html
    assert not is_working_day(date(2027, 1, 4))


def test_calendar_page_change_link_fills_the_form_with_the_entry(
    operator_client: Client,
) -> None:
    # when
    response = operator_client.get(PAGE, {"year": "2026", "day": "2026-10-10"})

    # then
    form = response.context["form"]
    assert form.initial == {
        "day": date(2026, 10, 10),
        "kind": DayKind.WORKDAY,
        "name": "国庆节调休上班",
    }
    assert 'value="2026-10-10"' in response.content.decode()


def test_calendar_page_remove_a_day_returns_it_to_the_ordinary_week(
    operator_client: Client,
) -> None:
    # when
    response = operator_client.post(
        f"{PAGE}?year=2026", {"action": "clear", "day": "2026-10-10"}, follow=True
    )

    # then
    assert response.status_code == 200
    assert not is_working_day(date(2026, 10, 10))
    assert "已移除" in response.content.decode()


def test_calendar_page_remove_of_a_day_without_entry_says_so(operator_client: Client) -> None:
    # when
    response = operator_client.post(
        f"{PAGE}?year=2026", {"action": "clear", "day": "2026-11-06"}, follow=True
    )

    # then
    assert response.status_code == 200
    assert "这一天在日历中没有条目" in response.content.decode()


def test_calendar_page_bad_input_shows_field_errors_in_chinese(operator_client: Client) -> None:
    # when
    response = operator_client.post(
        f"{PAGE}?year=2026", {"action": "set", "day": "2026-02-30", "kind": "", "name": ""}
    )

    # then
    assert response.status_code == 400
    html = response.content.decode()
    assert "输入一个有效的日期" in html
    assert "请选择节假日或工作日" in html
    assert 'aria-invalid="true"' in html


def test_calendar_page_bad_input_shows_field_errors_in_english(operator_client: Client) -> None:
    # given
    operator_client.cookies["citygate_lang"] = "en"

    # when
    response = operator_client.post(
        f"{PAGE}?year=2026", {"action": "set", "day": "1999-01-01", "kind": "holiday", "name": "x"}
    )

    # then
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a date between 2000 and 2100." in html
    assert "Working-day calendar 2026" in html


def test_calendar_page_in_english_names_kinds_and_sources(operator_client: Client) -> None:
    # given
    operator_client.cookies["citygate_lang"] = "en"

    # when
    html = operator_client.get(PAGE, {"year": "2026"}).content.decode()

    # then
    assert "Official arrangement" in html
    assert "weekend worked in exchange" in html
    assert "Thursday" in html
