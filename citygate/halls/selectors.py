"""Reads of halls, slots and appointments, each scoped to who may see it.

Anyone may read halls and the slots of the items they take; a person reads their own
appointments; a clerk reads the day list of a hall they are assigned to, and nobody else's
(another hall's list is answered as not found).
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from citygate.accounts.models import StaffRole, User
from citygate.accounts.roles import Role
from citygate.catalog.models import ItemStatus, ServiceItem
from citygate.catalog.selectors import published_items
from citygate.core.errors import InvalidInput, NotFound
from citygate.directory.models import District
from citygate.halls.models import (
    ACTIVE_STATES,
    Appointment,
    AppointmentState,
    Hall,
    HallItem,
    HallLevel,
    HallStaff,
    HallWindow,
    Slot,
)
from citygate.workdays.selectors import working_days_from

# Appointments open this many working days ahead, today included when it is one.
BOOKING_WINDOW_WORKING_DAYS = 14
# The largest id a database integer column holds: a bigger number from a URL or a body is
# answered as "not found" rather than sent to the database, which would refuse it.
MAX_ID = 2**63 - 1
EARTH_RADIUS_KM = 6371.0088

_LEVEL_ORDER = {HallLevel.CITY: 0, HallLevel.DISTRICT: 1, HallLevel.STREET: 2}
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER_RE = re.compile(r"^[+-]?\d{1,3}(?:\.\d{1,12})?$")


# --- Parsing what a request names -------------------------------------------------------------


def valid_id(value: int) -> bool:
    return 0 < value <= MAX_ID


def parse_date(text: str, *, field: str = "date") -> date:
    """A calendar date written YYYY-MM-DD in ASCII digits; otherwise InvalidInput on `field`."""
    text = text.strip()
    message = _("Enter a real date as YYYY-MM-DD, for example 2026-03-02.")
    if not text.isascii() or not _DATE_RE.match(text):
        raise InvalidInput({field: message})
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput({field: message}) from None


def parse_position(text: str, *, field: str = "near") -> tuple[float, float]:
    """ "31.30,120.62" (latitude, longitude in degrees); otherwise InvalidInput on `field`."""
    message = _("Give a position as latitude,longitude in degrees, for example 31.30,120.62.")
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 2 or not all(part.isascii() and _NUMBER_RE.match(part) for part in parts):
        raise InvalidInput({field: message})
    latitude, longitude = float(parts[0]), float(parts[1])
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidInput({field: message})
    return latitude, longitude


def _plausible(code: str, max_length: int) -> bool:
    # A NUL or another control character is never in a code, and PostgreSQL refuses it.
    return 0 < len(code) <= max_length and code.isprintable()


def item_for_halls(*, code: str, field: str = "item") -> ServiceItem:
    """The published item with this code, or InvalidInput naming the field."""
    item = published_items().filter(code=code.strip()).first() if _plausible(code, 48) else None
    if item is None:
        raise InvalidInput({field: _("There is no published service with this code.")})
    return item


def district_for_halls(*, code: str, field: str = "district") -> District:
    district = District.objects.filter(code=code.strip()).first() if _plausible(code, 12) else None
    if district is None:
        raise InvalidInput({field: _("There is no district with this code.")})
    return district


# --- Halls ------------------------------------------------------------------------------------


def _active_halls() -> QuerySet[Hall]:
    return Hall.objects.filter(active=True).select_related("district")


def _sorted(halls: QuerySet[Hall]) -> list[Hall]:
    return sorted(
        halls,
        key=lambda hall: (
            _LEVEL_ORDER.get(HallLevel(hall.level), 9),
            hall.district.order,
            hall.order,
            hall.code,
        ),
    )


def hall_list(*, district: District | None = None, item: ServiceItem | None = None) -> list[Hall]:
    """Active halls, city centre first, then district and street centres in district order."""
    halls = _active_halls()
    if district is not None:
        halls = halls.filter(district=district)
    if item is not None:
        halls = halls.filter(hall_items__item=item, hall_items__active=True)
    return _sorted(halls.distinct())


def halls_for_item(*, item: ServiceItem) -> list[Hall]:
    """The halls where the item can be done in person (for the item's guide page)."""
    return hall_list(item=item)


def hall_get(*, hall_id: int) -> Hall | None:
    """An active hall with its sessions, windows (with their items) and items."""
    if not valid_id(hall_id):
        return None
    items = HallItem.objects.filter(active=True, item__status=ItemStatus.PUBLISHED)
    windows = HallWindow.objects.prefetch_related(
        Prefetch("items", queryset=ServiceItem.objects.filter(status=ItemStatus.PUBLISHED))
    )
    return (
        _active_halls()
        .filter(pk=hall_id)
        .prefetch_related(
            "sessions",
            Prefetch("windows", queryset=windows),
            Prefetch("hall_items", queryset=items.select_related("item").order_by("item__code")),
        )
        .first()
    )


@dataclass(frozen=True)
class HallDistance:
    hall: Hall
    km: float


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The great-circle distance (haversine) between two points, in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def halls_by_distance(
    halls: list[Hall], *, latitude: float, longitude: float
) -> list[HallDistance]:
    found = [
        HallDistance(
            hall, distance_km(latitude, longitude, float(hall.latitude), float(hall.longitude))
        )
        for hall in halls
    ]
    return sorted(found, key=lambda entry: (entry.km, entry.hall.code))


def hall_nearest(
    *, item: ServiceItem | None, latitude: float, longitude: float, limit: int = 3
) -> list[HallDistance]:
    """The `limit` nearest active halls that handle the item (any hall when item is None).

    Computed in Python over every candidate: a city has hundreds of halls, not millions.
    """
    candidates = hall_list(item=item)
    return halls_by_distance(candidates, latitude=latitude, longitude=longitude)[:limit]


def bookable_hall_item(*, hall: Hall, item: ServiceItem) -> HallItem | None:
    """The hall's entry for an item that can be booked there, if any."""
    return (
        HallItem.objects.filter(
            hall=hall,
            item=item,
            active=True,
            hall__active=True,
            item__appointment=True,
            item__status=ItemStatus.PUBLISHED,
        )
        .select_related("hall", "item")
        .first()
    )


def halls_for_booking(*, item: ServiceItem) -> list[Hall]:
    """Halls where the item can be booked."""
    if not item.appointment or item.status != ItemStatus.PUBLISHED:
        return []
    return _sorted(
        _active_halls().filter(hall_items__item=item, hall_items__active=True).distinct()
    )


# --- Days and slots ---------------------------------------------------------------------------


def booking_days(*, now: datetime | None = None) -> list[date]:
    """The working days appointments can be booked for, from today on."""
    today = timezone.localdate(now or timezone.now())
    return working_days_from(today, BOOKING_WINDOW_WORKING_DAYS)


def check_booking_day(day: date, *, now: datetime | None = None, field: str = "date") -> bool:
    """Whether appointments can be booked on `day`: False for a closed day inside the window.

    A day in the past or past the window is an error naming the field.
    """
    today = timezone.localdate(now or timezone.now())
    if day < today:
        raise InvalidInput({field: _("Choose today or a later date.")})
    days = booking_days(now=now)
    if not days or day > days[-1]:
        last = days[-1].isoformat() if days else today.isoformat()
        raise InvalidInput(
            {
                field: _("Appointments can be booked %(count)d working days ahead, up to %(date)s.")
                % {"count": BOOKING_WINDOW_WORKING_DAYS, "date": last}
            }
        )
    return day in days


def slots_for(
    *, hall: Hall, item: ServiceItem, day: date, now: datetime | None = None
) -> list[Slot]:
    """The day's slots of an item at a hall, made from the weekly sessions on first ask.

    A hall that does not take appointments for the item is an error naming `item`; a day that
    is not a working day has no slots.
    """
    from citygate.halls.services import slots_create_for_day

    hall_item = bookable_hall_item(hall=hall, item=item)
    if hall_item is None:
        raise InvalidInput({"item": _("This hall does not take appointments for this service.")})
    if not check_booking_day(day, now=now):
        return []
    slots_create_for_day(hall_item=hall_item, day=day, now=now)
    return list(Slot.objects.filter(hall=hall, item=item, date=day).order_by("start"))


@dataclass(frozen=True)
class BookingDay:
    day: date
    remaining: int
    # Slots of the day that have not started: none left today means the day is over, which
    # reads differently from a day whose places are all taken.
    open_slots: int


def booking_days_for(
    *, hall: Hall, item: ServiceItem, now: datetime | None = None
) -> list[BookingDay]:
    """Each bookable day of the window with the places left in slots not yet started."""
    from citygate.halls.services import slots_create_for_day

    hall_item = bookable_hall_item(hall=hall, item=item)
    if hall_item is None:
        raise InvalidInput({"item": _("This hall does not take appointments for this service.")})
    now = now or timezone.now()
    days = booking_days(now=now)
    for day in days:
        slots_create_for_day(hall_item=hall_item, day=day, now=now)
    slots = Slot.objects.filter(hall=hall, item=item, date__in=days)
    remaining: dict[date, int] = dict.fromkeys(days, 0)
    open_slots: dict[date, int] = dict.fromkeys(days, 0)
    for slot in slots:
        if slot.starts_at > now:
            remaining[slot.date] += slot.remaining
            open_slots[slot.date] += 1
    return [BookingDay(day, remaining[day], open_slots[day]) for day in days]


def slot_get(*, slot_id: int) -> Slot | None:
    if not valid_id(slot_id):
        return None
    return Slot.objects.select_related("hall", "hall__district", "item").filter(pk=slot_id).first()


def slot_open(slot: Slot, *, now: datetime | None = None) -> bool:
    """Whether the slot can still be booked: not started and not full."""
    return slot.starts_at > (now or timezone.now()) and slot.remaining > 0


# --- Appointments -----------------------------------------------------------------------------


def _appointments() -> QuerySet[Appointment]:
    return Appointment.objects.select_related("slot", "hall", "hall__district", "item")


def appointments_for_user(*, user: User) -> QuerySet[Appointment]:
    """The person's own appointments, newest day first."""
    return _appointments().filter(user=user).order_by("-date", "-slot__start", "-created_at")


@dataclass(frozen=True)
class MyAppointments:
    upcoming: list[Appointment]
    past: list[Appointment]


def appointments_overview(*, user: User, now: datetime | None = None) -> MyAppointments:
    """Upcoming appointments (booked or checked in, today or later; soonest first) and the rest."""
    today = timezone.localdate(now or timezone.now())
    upcoming: list[Appointment] = []
    past: list[Appointment] = []
    for appointment in appointments_for_user(user=user)[:200]:
        if appointment.state in ACTIVE_STATES and appointment.date >= today:
            upcoming.append(appointment)
        else:
            past.append(appointment)
    upcoming.sort(key=lambda a: (a.date, a.slot.start))
    return MyAppointments(upcoming=upcoming, past=past)


def appointment_for_user(*, user: User, appointment_id: uuid.UUID) -> Appointment | None:
    return _appointments().filter(pk=appointment_id, user=user).first()


def may_cancel(appointment: Appointment, *, now: datetime | None = None) -> bool:
    return appointment.state == AppointmentState.BOOKED and appointment.slot.starts_at > (
        now or timezone.now()
    )


# --- Staff ------------------------------------------------------------------------------------


def is_hall_staff(*, user: User, hall: Hall) -> bool:
    """Whether the person is a clerk assigned to this hall."""
    if not user.is_active or not user.is_staff_member:
        return False
    return (
        HallStaff.objects.filter(user=user, hall=hall).exists()
        and StaffRole.objects.filter(user=user, role=Role.CLERK).exists()
    )


def halls_of_staff(*, user: User) -> list[Hall]:
    if not user.is_active or not user.is_staff_member:
        return []
    if not StaffRole.objects.filter(user=user, role=Role.CLERK).exists():
        return []
    return _sorted(_active_halls().filter(staff__user=user))


def staff_hall_get(*, user: User, hall_id: int) -> Hall:
    """A hall the clerk is assigned to; any other hall is NotFound."""
    hall = _active_halls().filter(pk=hall_id).first() if valid_id(hall_id) else None
    if hall is None or not is_hall_staff(user=user, hall=hall):
        raise NotFound(_("There is no such hall among yours."))
    return hall


@dataclass(frozen=True)
class DayList:
    hall: Hall
    day: date
    waiting: list[Appointment]
    checked_in: list[Appointment]
    done: list[Appointment]
    no_show: list[Appointment]
    booked_places: int


def hall_day_list(*, hall: Hall, day: date, by: User) -> DayList:
    """The day's appointments at a hall for one of its clerks (others: NotFound)."""
    if not is_hall_staff(user=by, hall=hall):
        raise NotFound(_("There is no such hall among yours."))
    rows = list(
        _appointments()
        .select_related("user")
        .filter(hall=hall, date=day)
        .exclude(state=AppointmentState.CANCELLED)
        .order_by("slot__start", "created_at")
    )
    by_state: dict[str, list[Appointment]] = {state: [] for state in AppointmentState.values}
    for row in rows:
        by_state[row.state].append(row)
    by_state[AppointmentState.CHECKED_IN].sort(key=lambda a: a.queue_number)
    places = Slot.objects.filter(hall=hall, date=day).aggregate(total=Sum("booked"))["total"]
    return DayList(
        hall=hall,
        day=day,
        waiting=by_state[AppointmentState.BOOKED],
        checked_in=by_state[AppointmentState.CHECKED_IN],
        done=by_state[AppointmentState.DONE],
        no_show=by_state[AppointmentState.NO_SHOW],
        booked_places=int(places or 0),
    )
