"""Working-day arithmetic over the calendar: deadlines, appointment days, the operator's year.

Each function reads the exceptions of the whole range it needs in one query and counts in
memory, so a span of a year costs what a span of a day does. Where the end of the range is not
known in advance (the tenth working day from today), the first read takes a window wide enough
for any real holiday arrangement; only a calendar with weeks of extra holidays needs a second.
"""

from __future__ import annotations

from datetime import date, timedelta

from citygate.accounts.models import StaffRole, User
from citygate.accounts.roles import Role
from citygate.workdays.models import CalendarDay, DayKind, DaySource

# Beyond the seven days of a week for five working days: the longest official holiday period
# (春节, up to nine days) and its exchanged weekends fit in this many extra days.
WINDOW_MARGIN_DAYS = 31


def _exceptions(first: date, last: date) -> dict[date, bool]:
    """Whether each stored day from `first` to `last` (inclusive) is a working day."""
    rows = CalendarDay.objects.filter(day__range=(first, last)).values_list("day", "kind")
    return {day: kind == DayKind.WORKDAY for day, kind in rows}


def _ordinary(day: date) -> bool:
    return day.weekday() < 5


def _working(day: date, exceptions: dict[date, bool]) -> bool:
    found = exceptions.get(day)
    return _ordinary(day) if found is None else found


def _window_last(first: date, working_days: int) -> date:
    span = working_days * 7 // 5 + WINDOW_MARGIN_DAYS
    if (date.max - first).days <= span:
        return date.max
    return first + timedelta(days=span)


def _scan(first: date, count: int) -> list[date]:
    """The first `count` working days from `first` on, `first` included."""
    found: list[date] = []
    while True:
        last = _window_last(first, count - len(found))
        exceptions = _exceptions(first, last)
        day = first
        while True:
            if _working(day, exceptions):
                found.append(day)
                if len(found) == count:
                    return found
            if day == last:
                break
            day += timedelta(days=1)
        if last == date.max:
            raise ValueError("the range runs past the end of the calendar")
        first = last + timedelta(days=1)


def is_working_day(day: date) -> bool:
    return _working(day, _exceptions(day, day))


def next_working_day(day: date) -> date:
    """The day itself when it is a working day, otherwise the first working day after it."""
    return _scan(day, 1)[0]


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start`, `start` itself not counted.

    ``add_working_days(friday, 1)`` is the next Monday (when it is not a holiday); with
    ``days=0`` the answer is `start`, whatever kind of day it is.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    if days == 0:
        return start
    if start == date.max:
        raise ValueError("the range runs past the end of the calendar")
    return _scan(start + timedelta(days=1), days)[-1]


def working_days_between(start: date, end: date) -> int:
    """How many working days there are after `start`, up to and including `end`."""
    if end <= start:
        return 0
    first = start + timedelta(days=1)
    exceptions = _exceptions(first, end)
    total = 0
    day = first
    while day <= end:
        total += _working(day, exceptions)
        if day == end:
            break
        day += timedelta(days=1)
    return total


def working_days_from(start: date, count: int) -> list[date]:
    """The next `count` working days, `start` included when it is one."""
    if count <= 0:
        return []
    return _scan(start, count)


def calendar_year(year: int) -> list[CalendarDay]:
    """Every stored day of the year, in date order, for the operator's calendar page."""
    return list(CalendarDay.objects.filter(day__year=year).order_by("day"))


def years_without_official_plan(*, today: date, ahead: int = 1) -> list[int]:
    """This year and the next `ahead` years that have no official holiday rows yet.

    The State Council publishes each year's arrangement late in the year before; until an
    operator adds it (or a newer calendar package is loaded), its holidays count as working
    days, and the halls would take bookings on them.
    """
    years = range(today.year, today.year + ahead + 1)
    loaded = set(
        CalendarDay.objects.filter(
            day__year__in=list(years), source=DaySource.OFFICIAL, kind=DayKind.HOLIDAY
        )
        .values_list("day__year", flat=True)
        .distinct()
    )
    return [year for year in years if year not in loaded]


def calendar_editable_by(*, user: User) -> bool:
    """Whether this person may change the calendar: active staff holding the operator role."""
    if not user.is_active or not user.is_staff_member:
        return False
    return StaffRole.objects.filter(user=user, role=Role.OPERATOR).exists()
