"""The operators' calendar page: one year's holidays and exchanged working days, and a form
to add, change or remove a day. Works without JavaScript; every change is a POST.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from citygate.accounts.decorators import staff_required
from citygate.accounts.models import User
from citygate.core.errors import ApplicationError
from citygate.core.validation import small_positive_int
from citygate.workdays import selectors, services
from citygate.workdays.forms import CalendarDayClearForm, CalendarDayForm
from citygate.workdays.models import CalendarDay, DayKind


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - guaranteed by staff_required
    return user


def _year(request: HttpRequest) -> int:
    text = request.GET.get("year", "")
    if not text:
        return timezone.localdate().year
    year = small_positive_int(text, maximum=services.LAST_YEAR)
    if year is None or year < services.FIRST_YEAR:
        raise Http404
    return year


def _year_url(year: int) -> str:
    return f"{reverse('workdays:calendar')}?year={year}"


def _initial(request: HttpRequest, rows: list[CalendarDay]) -> dict[str, Any]:
    """The form filled from the entry chosen with "Change" (``?day=``), if there is one."""
    chosen = request.GET.get("day", "")
    for row in rows:
        if row.day.isoformat() == chosen:
            return {"day": row.day, "kind": row.kind, "name": row.name}
    return {}


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def calendar_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not selectors.calendar_editable_by(user=user):
        return render(request, "workdays/forbidden.html", status=403)
    year = _year(request)

    form: CalendarDayForm | None = None
    if request.method == "POST":
        if request.POST.get("action") == "clear":
            return _clear(request, user, year)
        form = CalendarDayForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = services.calendar_day_set(
                    day=data["day"], kind=data["kind"], name=data["name"], by=user
                )
            except ApplicationError as error:
                form.add_application_error(error)
            else:
                if row.kind == DayKind.HOLIDAY:
                    saved = _("Saved: %(day)s is now a holiday.")
                else:
                    saved = _("Saved: %(day)s is now a working day.")
                messages.success(request, saved % {"day": row.day.isoformat()})
                return redirect(_year_url(row.day.year))

    rows = selectors.calendar_year(year)
    if form is None:
        form = CalendarDayForm(initial=_initial(request, rows))
    context = {
        "year": year,
        "rows": rows,
        "form": form,
        "editing": bool(form.initial),
        "previous_year": year - 1 if year > services.FIRST_YEAR else None,
        "next_year": year + 1 if year < services.LAST_YEAR else None,
        "missing_years": selectors.years_without_official_plan(today=timezone.localdate()),
    }
    return render(request, "workdays/calendar.html", context, status=400 if form.errors else 200)


def _clear(request: HttpRequest, user: User, year: int) -> HttpResponse:
    form = CalendarDayClearForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a day in the table to remove."))
        return redirect(_year_url(year))
    day: date = form.cleaned_data["day"]
    try:
        services.calendar_day_clear(day=day, by=user)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("Removed: %(day)s follows the ordinary week again.") % {"day": day.isoformat()},
        )
    return redirect(_year_url(day.year))
