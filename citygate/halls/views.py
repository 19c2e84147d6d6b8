"""Pages of the halls app: the halls, booking step by step, my appointments, and the clerk's
day list.

Every page works without JavaScript. Booking steps are plain links carrying the item code, the
hall id, the date and the slot id (never anything about the person); the last step is a POST
form and needs a signed-in person. The browser's position for "nearest first" is sent in a POST
body, rounded, used for that one answer and kept nowhere.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from citygate.accounts.decorators import staff_required
from citygate.accounts.models import User
from citygate.catalog.models import ServiceItem
from citygate.core.errors import ApplicationError
from citygate.core.validation import small_positive_int
from citygate.directory.selectors import district_list
from citygate.halls import selectors, services
from citygate.halls.forms import DayForm, PositionForm
from citygate.halls.models import Appointment, AppointmentState, Hall
from citygate.privacy.masking import mask_name, mask_phone

# Ids in a URL are small positive numbers; anything else is answered as not found.
_ID_LIMIT = selectors.MAX_ID


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise Http404
    return user


def _id_param(request: HttpRequest, name: str) -> int | None:
    text = request.GET.get(name, "")
    if not text:
        return None
    value = small_positive_int(text, maximum=_ID_LIMIT)
    if value is None:
        raise Http404
    return value


def _item_param(request: HttpRequest) -> ServiceItem | None:
    code = request.GET.get("item", "")
    if not code:
        return None
    try:
        return selectors.item_for_halls(code=code)
    except ApplicationError:
        raise Http404 from None


def _date_param(request: HttpRequest) -> date | None:
    text = request.GET.get("date", "")
    if not text:
        return None
    try:
        return selectors.parse_date(text)
    except ApplicationError:
        raise Http404 from None


def _book_url(**params: object) -> str:
    query = urlencode({key: value for key, value in params.items() if value is not None})
    return f"{reverse('halls:book')}?{query}"


# --- Halls ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def hall_list_page(request: HttpRequest) -> HttpResponse:
    """All halls, by district; nearest first when the browser sent its position."""
    districts = list(district_list())
    district_code = request.GET.get("district", "")
    district = next((d for d in districts if d.code == district_code), None)
    item = _item_param(request)
    halls = selectors.hall_list(district=district, item=item)
    distances: dict[int, float] = {}
    position_form = PositionForm(request.POST or None)
    if request.method == "POST":
        if position_form.is_valid():
            ordered = selectors.halls_by_distance(
                halls,
                latitude=round(position_form.cleaned_data["latitude"], 2),
                longitude=round(position_form.cleaned_data["longitude"], 2),
            )
            halls = [entry.hall for entry in ordered]
            distances = {entry.hall.pk: round(entry.km, 1) for entry in ordered}
        else:
            messages.error(
                request, _("Your position could not be read. Choose a district instead.")
            )
    rows = [{"hall": hall, "km": distances.get(hall.pk)} for hall in halls]
    kept = {"item": item.code if item else None, "district": district.code if district else None}
    query = urlencode({key: value for key, value in kept.items() if value})
    context = {
        "nearest_action": reverse("halls:list") + (f"?{query}" if query else ""),
        "rows": rows,
        "districts": districts,
        "district": district,
        "item": item,
        "sorted_by_distance": bool(distances),
    }
    return render(request, "halls/hall_list.html", context)


@require_GET
def hall_detail_page(request: HttpRequest, hall_id: int) -> HttpResponse:
    hall = selectors.hall_get(hall_id=hall_id)
    if hall is None:
        raise Http404
    hall_items = list(hall.hall_items.all())
    context = {
        "hall": hall,
        "sessions": list(hall.sessions.all()),
        "windows": list(hall.windows.all()),
        "bookable": [hi for hi in hall_items if hi.item.appointment],
        "other_items": [hi for hi in hall_items if not hi.item.appointment],
    }
    return render(request, "halls/hall_detail.html", context)


# --- Booking ----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def book_page(request: HttpRequest) -> HttpResponse:
    """Book a visit: choose a hall, then a day, then a time, then confirm."""
    item = _item_param(request)
    if item is None:
        return render(request, "halls/book_no_item.html", status=404)
    slot_id = _id_param(request, "slot")
    if slot_id is not None or request.method == "POST":
        return _book_confirm(request, item, slot_id)
    if not item.appointment:
        context = {"item": item, "halls": selectors.halls_for_item(item=item)}
        return render(request, "halls/book_not_bookable.html", context)

    hall_id = _id_param(request, "hall")
    if hall_id is None:
        halls = selectors.halls_for_booking(item=item)
        return render(request, "halls/book_hall.html", {"item": item, "halls": halls})
    hall = selectors.hall_get(hall_id=hall_id)
    if hall is None or selectors.bookable_hall_item(hall=hall, item=item) is None:
        raise Http404

    day = _date_param(request)
    now = timezone.now()
    if day is None:
        days = selectors.booking_days_for(hall=hall, item=item, now=now)
        context = {
            "item": item,
            "hall": hall,
            "days": days,
            "book_base": _book_url(item=item.code, hall=hall.pk) + "&",
        }
        return render(request, "halls/book_day.html", context)
    try:
        slots = selectors.slots_for(hall=hall, item=item, day=day, now=now)
    except ApplicationError:
        raise Http404 from None
    rows = [{"slot": slot, "open": selectors.slot_open(slot, now=now)} for slot in slots]
    context = {
        "item": item,
        "hall": hall,
        "day": day,
        "rows": rows,
        "days_url": _book_url(item=item.code, hall=hall.pk),
        "slot_base": _book_url(item=item.code) + "&",
    }
    return render(request, "halls/book_slot.html", context)


def _book_confirm(request: HttpRequest, item: ServiceItem, slot_id: int | None) -> HttpResponse:
    if request.method == "POST":
        slot_id = small_positive_int(request.POST.get("slot_id", ""), maximum=_ID_LIMIT)
    slot = selectors.slot_get(slot_id=slot_id) if slot_id is not None else None
    if slot is None or slot.item_id != item.pk:
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(_book_url(item=item.code, slot=slot.pk))
    user = _user(request)
    error: ApplicationError | None = None
    status = 200
    if request.method == "POST":
        try:
            appointment = services.appointment_book(user=user, slot_id=slot.pk)
        except ApplicationError as exc:
            error, status = exc, exc.status
        else:
            messages.success(
                request,
                _("Booked: %(item)s at %(hall)s, %(date)s %(time)s.")
                % {
                    "item": item.display_name,
                    "hall": slot.hall.display_name,
                    "date": appointment.date.isoformat(),
                    "time": slot.time_range,
                },
            )
            return redirect("halls:appointments")
        slot.refresh_from_db()
    context = {
        "item": item,
        "slot": slot,
        "hall": slot.hall,
        "open": selectors.slot_open(slot),
        "error": error,
        "slots_url": _book_url(item=item.code, hall=slot.hall_id, date=slot.date.isoformat()),
    }
    return render(request, "halls/book_confirm.html", context, status=status)


# --- My appointments --------------------------------------------------------------------------


def _card(appointment: Appointment, now: Any) -> dict[str, Any]:
    slot = appointment.slot
    opens = slot.starts_at - services.CHECK_IN_OPENS_BEFORE
    closes = slot.ends_at + services.NO_SHOW_GRACE
    return {
        "appointment": appointment,
        "can_cancel": selectors.may_cancel(appointment, now=now),
        "can_check_in": appointment.state == AppointmentState.BOOKED and opens <= now <= closes,
    }


@never_cache
@login_required
@require_GET
def appointments_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    now = timezone.now()
    services.appointments_mark_no_show(user=user, now=now)
    overview = selectors.appointments_overview(user=user, now=now)
    context = {
        "upcoming": [_card(a, now) for a in overview.upcoming],
        "past": overview.past[:50],
        "pause": services.booking_pause(user=user, now=now),
    }
    return render(request, "halls/appointments.html", context)


def _mine_or_404(request: HttpRequest, appointment_id: uuid.UUID) -> Appointment:
    found = selectors.appointment_for_user(user=_user(request), appointment_id=appointment_id)
    if found is None:
        raise Http404
    return found


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def cancel_page(request: HttpRequest, appointment_id: uuid.UUID) -> HttpResponse:
    appointment = _mine_or_404(request, appointment_id)
    if request.method == "POST":
        try:
            services.appointment_cancel(user=_user(request), appointment_id=appointment.pk)
        except ApplicationError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Your appointment is cancelled."))
        return redirect("halls:appointments")
    if not selectors.may_cancel(appointment):
        messages.error(request, _("This appointment can no longer be cancelled."))
        return redirect("halls:appointments")
    return render(request, "halls/cancel.html", {"appointment": appointment})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reschedule_page(request: HttpRequest, appointment_id: uuid.UUID) -> HttpResponse:
    """Move an appointment to another day or time at the same hall."""
    appointment = _mine_or_404(request, appointment_id)
    if not selectors.may_cancel(appointment):
        messages.error(request, _("This appointment can no longer be moved."))
        return redirect("halls:appointments")
    hall, item = appointment.hall, appointment.item
    if selectors.bookable_hall_item(hall=hall, item=item) is None:
        messages.error(request, _("This hall no longer takes appointments for this service."))
        return redirect("halls:appointments")
    base = reverse("halls:reschedule", args=[appointment.pk]) + "?"
    now = timezone.now()
    context: dict[str, Any] = {"appointment": appointment, "hall": hall, "item": item}

    if request.method == "POST":
        slot_id = small_positive_int(request.POST.get("slot_id", ""), maximum=_ID_LIMIT)
        try:
            services.appointment_reschedule(
                user=_user(request), appointment_id=appointment.pk, slot_id=slot_id or 0
            )
        except ApplicationError as error:
            messages.error(request, str(error.message))
            return redirect(base.rstrip("?"))
        messages.success(request, _("Your appointment has a new time."))
        return redirect("halls:appointments")

    slot_id = _id_param(request, "slot")
    if slot_id is not None:
        slot = selectors.slot_get(slot_id=slot_id)
        if slot is None or slot.hall_id != hall.pk or slot.item_id != item.pk:
            raise Http404
        context.update(slot=slot, open=selectors.slot_open(slot, now=now), base=base)
        return render(request, "halls/reschedule_confirm.html", context)

    day = _date_param(request)
    if day is None:
        days = selectors.booking_days_for(hall=hall, item=item, now=now)
        context.update(days=days, base=base)
        return render(request, "halls/reschedule_day.html", context)
    try:
        slots = selectors.slots_for(hall=hall, item=item, day=day, now=now)
    except ApplicationError:
        raise Http404 from None
    rows = [
        {"slot": s, "open": selectors.slot_open(s, now=now) and s.pk != appointment.slot_id}
        for s in slots
    ]
    context.update(day=day, rows=rows, base=base)
    return render(request, "halls/reschedule_slot.html", context)


@never_cache
@login_required
@require_POST
def check_in_view(request: HttpRequest, appointment_id: uuid.UUID) -> HttpResponse:
    appointment = _mine_or_404(request, appointment_id)
    try:
        done = services.appointment_check_in(appointment_id=appointment.pk, by=_user(request))
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("You are checked in. Your number is %(number)s; watch the screens in the hall.")
            % {"number": done.queue_number},
        )
    return redirect("halls:appointments")


# --- Staff ------------------------------------------------------------------------------------


@never_cache
@staff_required
@require_GET
def staff_halls_page(request: HttpRequest) -> HttpResponse:
    halls = selectors.halls_of_staff(user=_user(request))
    return render(request, "halls/staff_halls.html", {"halls": halls})


def _staff_hall(request: HttpRequest, hall_id: int) -> Hall:
    try:
        return selectors.staff_hall_get(user=_user(request), hall_id=hall_id)
    except ApplicationError:
        raise Http404 from None


def _masked_person(user: User) -> dict[str, str]:
    return {"name": mask_name(user.name), "phone": mask_phone(user.phone)}


@never_cache
@staff_required
@require_GET
def staff_day_page(request: HttpRequest, hall_id: int) -> HttpResponse:
    """The day's appointments at a hall, for its clerks: names and numbers masked."""
    hall = _staff_hall(request, hall_id)
    today = timezone.localdate()
    form = DayForm(request.GET if "date" in request.GET else None, initial={"date": today})
    day = form.cleaned_data["date"] if form.is_bound and form.is_valid() else today
    now = timezone.now()
    services.appointments_mark_no_show(hall=hall, day=day, now=now)
    found = selectors.hall_day_list(hall=hall, day=day, by=_user(request))

    def rows(appointments: list[Appointment]) -> list[dict[str, Any]]:
        return [{"appointment": a, "person": _masked_person(a.user)} for a in appointments]

    context = {
        "hall": hall,
        "day": day,
        "form": form,
        "is_today": day == today,
        "waiting": rows(found.waiting),
        "checked_in": rows(found.checked_in),
        "done": rows(found.done),
        "no_show": rows(found.no_show),
        "previous_day": (day - timedelta(days=1)).isoformat(),
        "next_day": (day + timedelta(days=1)).isoformat(),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "halls/staff_day.html", context, status=status)


def _back_to_day(hall: Hall, request: HttpRequest) -> HttpResponse:
    url = reverse("halls:staff_day", args=[hall.pk])
    day = request.POST.get("date", "")
    try:
        return redirect(f"{url}?{urlencode({'date': selectors.parse_date(day).isoformat()})}")
    except ApplicationError:
        return redirect(url)


@never_cache
@staff_required
@require_POST
def staff_arrived_view(
    request: HttpRequest, hall_id: int, appointment_id: uuid.UUID
) -> HttpResponse:
    hall = _staff_hall(request, hall_id)
    try:
        done = services.appointment_mark_arrived(appointment_id=appointment_id, by=_user(request))
    except ApplicationError as error:
        if error.status == 404:
            raise Http404 from None
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("Checked in with number %(number)s.") % {"number": done.queue_number}
        )
    return _back_to_day(hall, request)


@never_cache
@staff_required
@require_POST
def staff_done_view(request: HttpRequest, hall_id: int, appointment_id: uuid.UUID) -> HttpResponse:
    hall = _staff_hall(request, hall_id)
    try:
        done = services.appointment_mark_done(appointment_id=appointment_id, by=_user(request))
    except ApplicationError as error:
        if error.status == 404:
            raise Http404 from None
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("Marked as served: %(number)s.") % {"number": done.queue_number}
        )
    return _back_to_day(hall, request)
