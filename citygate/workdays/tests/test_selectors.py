"""Working days: the ordinary week, the official holidays and exchanged days seeded by the
migration, and the arithmetic other modules build deadlines and appointment days on."""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest
from pytest_django import DjangoAssertNumQueries

from citygate.workdays.models import CalendarDay, DayKind, DaySource
from citygate.workdays.selectors import (
    add_working_days,
    calendar_year,
    is_working_day,
    next_working_day,
    working_days_between,
    working_days_from,
)

pytestmark = pytest.mark.django_db

# 2026: 国庆节 and 中秋节 close 2026-10-01 (Thursday) to 10-07; Saturday 10-10 is worked.
NATIONAL_DAY = date(2026, 10, 1)
EXCHANGED_SATURDAY = date(2026, 10, 10)
ORDINARY_SATURDAY = date(2026, 11, 7)
ORDINARY_WEDNESDAY = date(2026, 11, 4)


def test_is_working_day_ordinary_weekday_is_working() -> None:
    # then
    assert is_working_day(ORDINARY_WEDNESDAY)


@pytest.mark.parametrize("day", [date(2026, 11, 7), date(2026, 11, 8)])
def test_is_working_day_ordinary_weekend_is_not_working(day: date) -> None:
    # then
    assert not is_working_day(day)


def test_is_working_day_national_day_on_a_thursday_is_not_working() -> None:
    # given
    row = CalendarDay.objects.get(day=NATIONAL_DAY)

    # then
    assert NATIONAL_DAY.weekday() == 3
    assert not is_working_day(NATIONAL_DAY)
    assert (row.kind, row.name, row.source) == (DayKind.HOLIDAY, "国庆节", DaySource.OFFICIAL)


def test_is_working_day_exchanged_saturday_is_working() -> None:
    # given
    row = CalendarDay.objects.get(day=EXCHANGED_SATURDAY)

    # then
    assert EXCHANGED_SATURDAY.weekday() == 5
    assert is_working_day(EXCHANGED_SATURDAY)
    assert row.kind == DayKind.WORKDAY
    assert row.is_exchanged_workday
    assert row.name == "国庆节调休上班"


def test_seed_holds_every_published_day_with_chinese_names() -> None:
    # given
    published = set(chinese_calendar.holidays) | set(chinese_calendar.workdays)

    # when
    seeded = dict(CalendarDay.objects.filter(source=DaySource.OFFICIAL).values_list("day", "kind"))

    # then
    assert set(seeded) == published
    assert {day.year for day in seeded} == {day.year for day in published}
    assert all(seeded[day] == DayKind.WORKDAY for day in chinese_calendar.workdays)
    names = set(CalendarDay.objects.filter(kind=DayKind.HOLIDAY).values_list("name", flat=True))
    assert {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"} <= names
    assert all(not name.isascii() for name in names)


def test_next_working_day_of_a_working_day_is_the_day_itself() -> None:
    # then
    assert next_working_day(ORDINARY_WEDNESDAY) == ORDINARY_WEDNESDAY


def test_next_working_day_in_golden_week_is_the_day_after_it() -> None:
    # then
    assert next_working_day(NATIONAL_DAY) == date(2026, 10, 8)


def test_next_working_day_of_an_ordinary_saturday_is_monday() -> None:
    # then
    assert next_working_day(ORDINARY_SATURDAY) == date(2026, 11, 9)


def test_add_working_days_zero_returns_the_start_even_on_a_holiday() -> None:
    # then
    assert add_working_days(NATIONAL_DAY, 0) == NATIONAL_DAY


def test_add_working_days_across_golden_week_skips_the_holidays_and_counts_the_saturday() -> None:
    # given: Wednesday 2026-09-30, the last working day before the holidays
    start = date(2026, 9, 30)

    # when
    one, three, five = (add_working_days(start, n) for n in (1, 3, 5))

    # then: 10-08 Thu, 10-09 Fri, 10-10 Sat (exchanged), 10-12 Mon, 10-13 Tue
    assert one == date(2026, 10, 8)
    assert three == EXCHANGED_SATURDAY
    assert five == date(2026, 10, 13)


def test_add_working_days_over_spring_festival_2026() -> None:
    # given: Friday 2026-02-13; Saturday 02-14 is worked, 02-15 to 02-23 are the holiday,
    # Saturday 02-28 is worked again
    start = date(2026, 2, 13)

    # then
    assert add_working_days(start, 1) == date(2026, 2, 14)
    assert add_working_days(start, 2) == date(2026, 2, 24)
    assert add_working_days(start, 6) == date(2026, 2, 28)


def test_add_working_days_negative_is_refused() -> None:
    # then
    with pytest.raises(ValueError, match="negative"):
        add_working_days(ORDINARY_WEDNESDAY, -1)


def test_working_days_between_counts_after_start_up_to_and_including_end() -> None:
    # then
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert working_days_between(date(2026, 11, 2), date(2026, 11, 9)) == 5


@pytest.mark.parametrize("end", [date(2026, 11, 4), date(2026, 11, 1)])
def test_working_days_between_end_not_after_start_is_zero(end: date) -> None:
    # then
    assert working_days_between(ORDINARY_WEDNESDAY, end) == 0


def test_working_days_from_includes_the_start_and_skips_the_holidays() -> None:
    # when
    days = working_days_from(date(2026, 9, 29), 5)

    # then
    assert days == [
        date(2026, 9, 29),
        date(2026, 9, 30),
        date(2026, 10, 8),
        date(2026, 10, 9),
        EXCHANGED_SATURDAY,
    ]


def test_working_days_from_zero_is_empty() -> None:
    # then
    assert working_days_from(ORDINARY_WEDNESDAY, 0) == []


def test_calendar_year_lists_the_years_entries_in_date_order() -> None:
    # when
    rows = calendar_year(2026)

    # then
    days = [row.day for row in rows]
    assert days == sorted(days)
    assert {day.year for day in days} == {2026}
    assert NATIONAL_DAY in days
    assert EXCHANGED_SATURDAY in days


def test_calendar_of_a_year_without_entries_is_all_ordinary_days() -> None:
    # then
    assert calendar_year(2040) == []
    assert is_working_day(date(2040, 10, 1))  # a Monday, with no arrangement published


@pytest.mark.parametrize("span", [1, 20, 250])
def test_selectors_read_a_span_of_any_length_in_one_query(
    span: int, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    # given
    start = date(2026, 1, 1)

    # then
    with django_assert_max_num_queries(1):
        add_working_days(start, span)
    with django_assert_max_num_queries(1):
        working_days_from(start, span)
    with django_assert_max_num_queries(1):
        working_days_between(start, date(2026 + span // 100, 12, 31))
    with django_assert_max_num_queries(1):
        next_working_day(date(2026, 2, 15))
    with django_assert_max_num_queries(1):
        is_working_day(start)
    with django_assert_max_num_queries(1):
        calendar_year(2026)


def test_add_working_days_through_weeks_of_extra_holidays_stays_correct() -> None:
    # given: the whole of 2030 from March closed, far beyond the first window
    CalendarDay.objects.bulk_create(
        CalendarDay(day=date.fromordinal(n), kind=DayKind.HOLIDAY, source=DaySource.OPERATOR)
        for n in range(date(2030, 3, 1).toordinal(), date(2031, 1, 1).toordinal())
    )

    # when
    found = add_working_days(date(2030, 2, 28), 1)

    # then: Wednesday 2031-01-01, with no arrangement published for that year
    assert found == date(2031, 1, 1)


def test_years_without_an_official_plan_are_named_for_the_operator() -> None:
    from citygate.workdays.selectors import years_without_official_plan

    # 2026 is in the official data the migration loads; 2027's plan is not published in it.
    assert years_without_official_plan(today=date(2026, 12, 3)) == [2027]
    assert years_without_official_plan(today=date(2025, 6, 1)) == []
