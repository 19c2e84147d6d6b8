"""Operators change the calendar; the next question to the selectors sees the change."""

from __future__ import annotations

from datetime import date

import pytest

from citygate.accounts.models import User
from citygate.core.errors import InvalidInput, NotFound, PermissionDenied
from citygate.workdays.models import CalendarDay, DayKind, DaySource
from citygate.workdays.selectors import add_working_days, is_working_day
from citygate.workdays.services import calendar_day_clear, calendar_day_set

pytestmark = pytest.mark.django_db

TYPHOON_FRIDAY = date(2026, 11, 6)


def test_calendar_day_set_by_operator_closes_a_weekday(operator: User) -> None:
    # given
    assert is_working_day(TYPHOON_FRIDAY)

    # when
    row = calendar_day_set(day=TYPHOON_FRIDAY, kind="holiday", name="台风停工", by=operator)

    # then
    assert not is_working_day(TYPHOON_FRIDAY)
    assert add_working_days(date(2026, 11, 5), 1) == date(2026, 11, 9)
    assert (row.source, row.updated_by) == (DaySource.OPERATOR, operator)


def test_calendar_day_set_by_operator_replaces_the_official_entry(operator: User) -> None:
    # given: 2026-10-07 is the last day of the official Golden Week
    day = date(2026, 10, 7)

    # when
    calendar_day_set(day=day, kind="workday", name="国庆节（更正）", by=operator)

    # then
    assert is_working_day(day)
    row = CalendarDay.objects.get(day=day)
    assert (row.kind, row.name, row.source) == (
        DayKind.WORKDAY,
        "国庆节（更正）",
        DaySource.OPERATOR,
    )
    assert add_working_days(date(2026, 9, 30), 1) == day


def test_calendar_day_clear_by_operator_returns_the_day_to_the_ordinary_week(
    operator: User,
) -> None:
    # when: the exchanged Saturday of Golden Week is removed
    calendar_day_clear(day=date(2026, 10, 10), by=operator)

    # then
    assert not is_working_day(date(2026, 10, 10))
    assert not CalendarDay.objects.filter(day=date(2026, 10, 10)).exists()


def test_calendar_day_clear_of_a_day_without_entry_is_not_found(operator: User) -> None:
    # then
    with pytest.raises(NotFound):
        calendar_day_clear(day=TYPHOON_FRIDAY, by=operator)


@pytest.mark.parametrize("role_fixture", ["editor", "resident"])
def test_calendar_changes_by_anyone_but_an_operator_are_refused(
    role_fixture: str, request: pytest.FixtureRequest
) -> None:
    # given
    if role_fixture == "resident":
        person = User.objects.create_user(phone="19999990301")
    else:
        person = request.getfixturevalue(role_fixture)

    # then
    with pytest.raises(PermissionDenied):
        calendar_day_set(day=TYPHOON_FRIDAY, kind="holiday", name="台风停工", by=person)
    with pytest.raises(PermissionDenied):
        calendar_day_clear(day=date(2026, 10, 1), by=person)
    assert is_working_day(TYPHOON_FRIDAY)
    assert CalendarDay.objects.filter(day=date(2026, 10, 1)).exists()


def test_calendar_changes_by_an_inactive_operator_are_refused(operator: User) -> None:
    # given
    operator.is_active = False
    operator.save()

    # then
    with pytest.raises(PermissionDenied):
        calendar_day_set(day=TYPHOON_FRIDAY, kind="holiday", name="台风停工", by=operator)


def test_calendar_day_set_with_bad_input_names_each_field(operator: User) -> None:
    # when
    with pytest.raises(InvalidInput) as raised:
        calendar_day_set(day=date(1999, 1, 1), kind="half-day", name="  ", by=operator)

    # then
    assert set(raised.value.fields) == {"day", "kind", "name"}
    assert not CalendarDay.objects.filter(day=date(1999, 1, 1)).exists()


def test_calendar_day_set_with_a_name_too_long_is_refused(operator: User) -> None:
    # then
    with pytest.raises(InvalidInput) as raised:
        calendar_day_set(day=TYPHOON_FRIDAY, kind="holiday", name="停" * 65, by=operator)
    assert set(raised.value.fields) == {"name"}
