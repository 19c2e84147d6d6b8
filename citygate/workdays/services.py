"""Changes to the working-day calendar, by operators only.

An operator corrects the official arrangement or adds a day the city decided on (a day closed
for a typhoon, say). The next question any module asks of the selectors sees the change.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from citygate.accounts.models import User
from citygate.core.errors import InvalidInput, NotFound, PermissionDenied
from citygate.core.logging import get_logger
from citygate.workdays.models import NAME_MAX_LENGTH, CalendarDay, DayKind, DaySource
from citygate.workdays.selectors import calendar_editable_by

log = get_logger(__name__)

# The calendar is kept for these years; a date outside them is a typing mistake.
FIRST_YEAR = 2000
LAST_YEAR = 2100


def _require_operator(user: User) -> None:
    if not calendar_editable_by(user=user):
        raise PermissionDenied(
            _("Only operators can change the working-day calendar."), code="not_operator"
        )


def _clean_day(day: object) -> date:
    if not isinstance(day, date) or isinstance(day, datetime):
        raise InvalidInput({"day": _("Enter a date such as 2026-10-01.")})
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidInput(
            {
                "day": _("Enter a date between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            }
        )
    return day


def calendar_day_set(*, day: date, kind: str, name: str, by: User) -> CalendarDay:
    """Makes `day` a holiday or a working day, whatever the week or the official plan says."""
    _require_operator(by)
    errors: dict[str, str | Promise] = {}
    try:
        day = _clean_day(day)
    except InvalidInput as error:
        errors.update(error.fields)
    if kind not in DayKind.values:
        errors["kind"] = _("Choose holiday or working day.")
    name = " ".join(str(name).split())
    if not name:
        errors["name"] = _("Give the day a name, such as the holiday it belongs to.")
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = _("Use at most %(limit)s characters.") % {"limit": NAME_MAX_LENGTH}
    if errors:
        raise InvalidInput(errors)

    with transaction.atomic():
        row, created = CalendarDay.objects.update_or_create(
            day=day,
            defaults={
                "kind": kind,
                "name": name,
                "source": DaySource.OPERATOR,
                "updated_by": by,
                "updated_at": timezone.now(),
            },
        )
        if kind == DayKind.HOLIDAY:
            # Appointments booked for a day that closes are cancelled and their people told.
            # (Imported here: the halls depend on the calendar, not the other way round.)
            from citygate.halls.services import appointments_cancel_for_closed_day

            appointments_cancel_for_closed_day(day=day)
    log.info(
        "workdays.calendar_day_set",
        calendar_day_id=row.pk,
        day=day.isoformat(),
        kind=kind,
        created=created,
        by=str(by.pk),
    )
    return row


def calendar_day_clear(*, day: date, by: User) -> None:
    """Removes the day's entry, so the ordinary week decides it again."""
    _require_operator(by)
    day = _clean_day(day)
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(day=day).first()
        if row is None:
            raise NotFound(_("This day has no entry in the calendar."))
        row_id = row.pk
        row.delete()
    log.info(
        "workdays.calendar_day_cleared", calendar_day_id=row_id, day=day.isoformat(), by=str(by.pk)
    )
