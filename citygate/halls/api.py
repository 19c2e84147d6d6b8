"""The halls API: halls and their slots for anyone, appointments for the signed-in person.

A position for "nearest first" (``near=lat,lng``) is used for the one answer and never stored
or logged; clients should round it (two decimals, about a kilometre, is plenty).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import AuthenticationError
from pydantic import ConfigDict, StrictInt

from citygate.accounts.auth import staff_session_valid, user_auth
from citygate.accounts.models import User
from citygate.core.errors import InvalidInput, NotFound
from citygate.core.schemas import ErrorOut
from citygate.halls import selectors, services
from citygate.halls.models import Appointment, AppointmentState, Hall, HallLevel, Slot, Weekday

router = Router(tags=["halls"])

ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class StrictSchema(Schema):
    # A misspelt field is an error the client should hear about, not silently ignored.
    model_config = ConfigDict(extra="forbid")


# --- Schemas ----------------------------------------------------------------------------------


class DistrictOut(Schema):
    code: str
    name: str


class HallOut(Schema):
    id: int
    name: str
    level: str
    level_label: str
    district: DistrictOut
    address: str
    latitude: float
    longitude: float
    phone: str
    hours: str
    # Set when the list was asked for nearest first.
    distance_km: float | None = None


class SessionOut(Schema):
    weekday: int
    weekday_label: str
    start: str
    end: str


class ItemBriefOut(Schema):
    code: str
    name: str


class HallItemOut(Schema):
    code: str
    name: str
    appointment: bool
    slot_minutes: int
    capacity: int


class WindowOut(Schema):
    number: str
    name: str
    items: list[ItemBriefOut]


class HallDetailOut(HallOut):
    sessions: list[SessionOut]
    windows: list[WindowOut]
    items: list[HallItemOut]


class SlotOut(Schema):
    id: int
    date: date
    start: str
    end: str
    capacity: int
    remaining: int
    # False once the slot has started or is full.
    open: bool


class HallBriefOut(Schema):
    id: int
    name: str
    address: str


class AppointmentOut(Schema):
    id: uuid.UUID
    state: str
    state_label: str
    date: date
    start: str
    end: str
    hall: HallBriefOut
    item: ItemBriefOut
    slot_id: int
    queue_number: str
    created_at: datetime
    cancelled_at: datetime | None
    checked_in_at: datetime | None
    can_cancel: bool


class AppointmentIn(StrictSchema):
    # Strict: true is not slot 1, and "12" is not a number.
    slot_id: StrictInt = Field(ge=1, le=selectors.MAX_ID)


# --- Shapes -----------------------------------------------------------------------------------


def _hall_out(hall: Hall, distance_km: float | None = None) -> dict[str, Any]:
    return {
        "id": hall.pk,
        "name": hall.display_name,
        "level": hall.level,
        "level_label": str(HallLevel(hall.level).label),
        "district": {"code": hall.district.code, "name": hall.district.display_name},
        "address": hall.display_address,
        "latitude": float(hall.latitude),
        "longitude": float(hall.longitude),
        "phone": hall.phone,
        "hours": hall.display_hours,
        "distance_km": None if distance_km is None else round(distance_km, 2),
    }


def _hall_detail_out(hall: Hall) -> dict[str, Any]:
    return {
        **_hall_out(hall),
        "sessions": [
            {
                "weekday": s.weekday,
                "weekday_label": str(Weekday(s.weekday).label),
                "start": f"{s.start:%H:%M}",
                "end": f"{s.end:%H:%M}",
            }
            for s in hall.sessions.all()
        ],
        "windows": [
            {
                "number": w.number,
                "name": w.display_name,
                "items": [{"code": i.code, "name": i.display_name} for i in w.items.all()],
            }
            for w in hall.windows.all()
        ],
        "items": [
            {
                "code": hi.item.code,
                "name": hi.item.display_name,
                "appointment": hi.item.appointment,
                "slot_minutes": hi.slot_minutes,
                "capacity": hi.capacity,
            }
            for hi in hall.hall_items.all()
        ],
    }


def _slot_out(slot: Slot, now: datetime) -> dict[str, Any]:
    return {
        "id": slot.pk,
        "date": slot.date,
        "start": f"{slot.start:%H:%M}",
        "end": f"{slot.end:%H:%M}",
        "capacity": slot.capacity,
        "remaining": slot.remaining,
        "open": selectors.slot_open(slot, now=now),
    }


def _appointment_out(appointment: Appointment) -> dict[str, Any]:
    slot = appointment.slot
    return {
        "id": appointment.pk,
        "state": appointment.state,
        "state_label": str(AppointmentState(appointment.state).label),
        "date": appointment.date,
        "start": f"{slot.start:%H:%M}",
        "end": f"{slot.end:%H:%M}",
        "hall": {
            "id": appointment.hall.pk,
            "name": appointment.hall.display_name,
            "address": appointment.hall.display_address,
        },
        "item": {"code": appointment.item.code, "name": appointment.item.display_name},
        "slot_id": slot.pk,
        "queue_number": appointment.queue_number,
        "created_at": appointment.created_at,
        "cancelled_at": appointment.cancelled_at,
        "checked_in_at": appointment.checked_in_at,
        "can_cancel": selectors.may_cancel(appointment),
    }


def _current_user(request: HttpRequest) -> User:
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise AuthenticationError
    return user


def _acting_user(request: HttpRequest) -> User:
    """The caller; staff act as staff only within a staff sign-in (password and TOTP)."""
    user = _current_user(request)
    if user.is_staff_member and not staff_session_valid(request):
        raise AuthenticationError
    return user


def _hall_or_404(hall_id: int) -> Hall:
    hall = selectors.hall_get(hall_id=hall_id)
    if hall is None:
        raise NotFound(_("There is no such hall."))
    return hall


def _mine(request: HttpRequest, appointment_id: uuid.UUID) -> Appointment:
    found = selectors.appointment_for_user(
        user=_current_user(request), appointment_id=appointment_id
    )
    if found is None:
        raise NotFound(_("There is no such appointment."))
    return found


# --- Halls and slots --------------------------------------------------------------------------


@router.get("/halls", response={200: list[HallOut], **ERRORS}, auth=None)
def halls(
    request: HttpRequest,
    item: Query[str | None] = None,
    district: Query[str | None] = None,
    near: Query[str | None] = None,
) -> list[dict[str, Any]]:
    found_item = selectors.item_for_halls(code=item) if item is not None else None
    found_district = selectors.district_for_halls(code=district) if district is not None else None
    position = selectors.parse_position(near) if near is not None else None
    found = selectors.hall_list(district=found_district, item=found_item)
    if position is None:
        return [_hall_out(hall) for hall in found]
    ordered = selectors.halls_by_distance(found, latitude=position[0], longitude=position[1])
    return [_hall_out(entry.hall, entry.km) for entry in ordered]


@router.get("/halls/{hall_id}", response={200: HallDetailOut, **ERRORS}, auth=None)
def hall_detail(request: HttpRequest, hall_id: int) -> dict[str, Any]:
    return _hall_detail_out(_hall_or_404(hall_id))


@router.get("/halls/{hall_id}/slots", response={200: list[SlotOut], **ERRORS}, auth=None)
def hall_slots(
    request: HttpRequest,
    hall_id: int,
    item: Query[str | None] = None,
    date: Query[str | None] = None,
) -> list[dict[str, Any]]:
    hall = _hall_or_404(hall_id)
    missing = {
        name: _("This field is required.")
        for name, value in (("item", item), ("date", date))
        if not value
    }
    if missing or item is None or date is None:
        raise InvalidInput(missing)
    found_item = selectors.item_for_halls(code=item)
    day = selectors.parse_date(date)
    now = timezone.now()
    slots = selectors.slots_for(hall=hall, item=found_item, day=day, now=now)
    return [_slot_out(slot, now) for slot in slots]


# --- Appointments -----------------------------------------------------------------------------


@router.post("/appointments", response={201: AppointmentOut, **ERRORS}, auth=user_auth)
def appointment_create(request: HttpRequest, payload: AppointmentIn) -> Status[dict[str, Any]]:
    appointment = services.appointment_book(user=_current_user(request), slot_id=payload.slot_id)
    return Status(201, _appointment_out(_mine(request, appointment.pk)))


@router.get("/appointments", response={200: list[AppointmentOut], **ERRORS}, auth=user_auth)
def appointment_list(request: HttpRequest) -> list[dict[str, Any]]:
    user = _current_user(request)
    services.appointments_mark_no_show(user=user)
    return [_appointment_out(a) for a in selectors.appointments_for_user(user=user)[:200]]


@router.delete(
    "/appointments/{appointment_id}", response={200: AppointmentOut, **ERRORS}, auth=user_auth
)
def appointment_delete(request: HttpRequest, appointment_id: uuid.UUID) -> dict[str, Any]:
    services.appointment_cancel(user=_current_user(request), appointment_id=appointment_id)
    return _appointment_out(_mine(request, appointment_id))


@router.post(
    "/appointments/{appointment_id}/reschedule",
    response={200: AppointmentOut, **ERRORS},
    auth=user_auth,
)
def appointment_move(
    request: HttpRequest, appointment_id: uuid.UUID, payload: AppointmentIn
) -> dict[str, Any]:
    services.appointment_reschedule(
        user=_current_user(request), appointment_id=appointment_id, slot_id=payload.slot_id
    )
    return _appointment_out(_mine(request, appointment_id))


@router.post(
    "/appointments/{appointment_id}/check-in",
    response={200: AppointmentOut, **ERRORS},
    auth=user_auth,
)
def appointment_check_in(request: HttpRequest, appointment_id: uuid.UUID) -> dict[str, Any]:
    appointment = services.appointment_check_in(
        appointment_id=appointment_id, by=_acting_user(request)
    )
    found = selectors.appointment_for_user(user=appointment.user, appointment_id=appointment.pk)
    assert found is not None  # noqa: S101 - it was just checked in
    return _appointment_out(found)
