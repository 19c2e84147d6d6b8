"""Every change to halls and appointments: slots, booking, cancelling, rescheduling, checking
in, missed appointments and reminders.

A place in a slot is taken by one conditional UPDATE (``booked = booked + 1 WHERE booked <
capacity``) in the transaction that creates the appointment, so no slot is ever overbooked,
whatever the number of app servers. Messages to the person are saved in the same transaction
as the change; the reminder task is enqueued once it commits.

Functions that depend on the time take `now` (default: the current time), so a test or a
sweep can say which moment it means.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from citygate.accounts.models import User
from citygate.accounts.roles import Role
from citygate.core.errors import ApplicationError, InvalidInput, NotFound
from citygate.core.logging import get_logger
from citygate.halls import selectors
from citygate.halls.models import (
    ACTIVE_STATES,
    Appointment,
    AppointmentState,
    Hall,
    HallItem,
    HallSession,
    HallStaff,
    NoShowBlock,
    QueueCounter,
    Slot,
    Weekday,
    local_datetime,
)
from citygate.inbox.services import notify
from citygate.workdays.selectors import is_working_day

log = get_logger(__name__)

# A resident checks in from this long before the slot starts.
CHECK_IN_OPENS_BEFORE = timedelta(minutes=30)
# Not checked in by the slot's end plus this: the appointment was missed (no-show).
NO_SHOW_GRACE = timedelta(minutes=15)
# This many missed appointments within NO_SHOW_PERIOD_DAYS pause booking for BLOCK_DAYS.
NO_SHOW_LIMIT = 3
NO_SHOW_PERIOD_DAYS = 90
BLOCK_DAYS = 30
# The reminder goes out the day before the appointment, at this local time.
REMINDER_TIME = time(9, 0)
# Appointment numbers have their own series in a hall's queue, apart from walk-in tickets.
QUEUE_PREFIX = "A"


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _error(code: str, message: str | Promise, *, status: int, field: str = "") -> ApplicationError:
    fields = {field: message} if field else None
    return ApplicationError(code, message, fields=fields, status=status)


# --- Slots ------------------------------------------------------------------------------------


def _sessions_of_day(sessions: list[HallSession], day: date) -> list[HallSession]:
    found = [s for s in sessions if s.weekday == day.weekday()]
    if not found and day.weekday() >= Weekday.SATURDAY:
        # An exchanged working day (调休) at a weekend keeps a Monday's hours.
        found = [s for s in sessions if s.weekday == Weekday.MONDAY]
    return sorted(found, key=lambda s: s.start)


def _cut(session: HallSession, day: date, hall_item: HallItem) -> list[Slot]:
    step = timedelta(minutes=hall_item.slot_minutes)
    start = datetime.combine(day, session.start)
    end = datetime.combine(day, session.end)
    slots = []
    while start + step <= end:
        slots.append(
            Slot(
                hall_id=hall_item.hall_id,
                item_id=hall_item.item_id,
                date=day,
                start=start.time(),
                end=(start + step).time(),
                capacity=hall_item.capacity,
            )
        )
        start += step
    return slots


def slots_create(*, hall_item: HallItem, days: Iterable[date], now: datetime | None = None) -> int:
    """Makes the slots of the given days that have none yet; returns how many were made.

    Only working days within the booking window get slots (never a day in the past), cut from
    the hall's weekly sessions into the hall item's slot length. Two requests doing this at
    once make each slot once: the unique (hall, item, date, start) drops the second copy.
    """
    window = set(selectors.booking_days(now=now))
    wanted = sorted({day for day in days if day in window})
    if not wanted:
        return 0
    existing = set(
        Slot.objects.filter(
            hall_id=hall_item.hall_id, item_id=hall_item.item_id, date__in=wanted
        ).values_list("date", flat=True)
    )
    sessions = list(HallSession.objects.filter(hall_id=hall_item.hall_id))
    new: list[Slot] = []
    for day in wanted:
        if day not in existing:
            for session in _sessions_of_day(sessions, day):
                new.extend(_cut(session, day, hall_item))
    if new:
        Slot.objects.bulk_create(new, ignore_conflicts=True)
        log.info(
            "halls.slots_created",
            hall_id=hall_item.hall_id,
            item_id=hall_item.item_id,
            count=len(new),
        )
    return len(new)


def slots_create_for_day(*, hall_item: HallItem, day: date, now: datetime | None = None) -> int:
    return slots_create(hall_item=hall_item, days=[day], now=now)


# --- What a message says ----------------------------------------------------------------------


def _notice_params(appointment: Appointment) -> dict[str, str | int]:
    # Written in the person's language at the time of sending: the item's and hall's names
    # are data, not translations, so they cannot change with the reader's language later.
    language = appointment.user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        return {
            "item": appointment.item.display_name,
            "hall": appointment.hall.display_name,
            "date": appointment.date.isoformat(),
            "time": appointment.slot.time_range,
        }


def _appointments_link() -> str:
    return reverse("halls:appointments")


def _reminder_enqueue(appointment_id: uuid.UUID, day: date, now: datetime) -> None:
    """Enqueues the reminder for the day before at REMINDER_TIME, or at once if that is past.

    A backend that cannot defer tasks (the immediate one of development and tests) runs it
    at once as well.
    """
    from citygate.halls.tasks import appointment_reminder_send

    run_at = local_datetime(day - timedelta(days=1), REMINDER_TIME)
    if run_at <= now and day == timezone.localdate(now) + timedelta(days=1):
        # Booked for tomorrow after the reminder's hour: the confirmation just sent says it
        # all, and a "reminder" a minute later would only be noise.
        return
    task = appointment_reminder_send
    if run_at > now and task.get_backend().supports_defer:
        task = task.using(run_after=run_at)
    task.enqueue(appointment_id=str(appointment_id), day=day.isoformat())


# --- Booking ----------------------------------------------------------------------------------


def _slot_for_booking(slot_id: int, now: datetime) -> Slot:
    slot = selectors.slot_get(slot_id=slot_id)
    if slot is None:
        raise _error("not_found", _("There is no such time slot."), status=404, field="slot_id")
    if selectors.bookable_hall_item(hall=slot.hall, item=slot.item) is None:
        message = _("This hall no longer takes appointments for this service.")
        raise _error("not_bookable", message, status=409, field="slot_id")
    if slot.starts_at <= now:
        message = _("This time has already started. Choose a later time.")
        raise _error("slot_started", message, status=409, field="slot_id")
    if slot.date not in selectors.booking_days(now=now):
        message = _("Appointments can be booked %(count)d working days ahead.") % {
            "count": selectors.BOOKING_WINDOW_WORKING_DAYS
        }
        raise _error("outside_window", message, status=409, field="slot_id")
    return slot


def booking_pause(*, user: User, now: datetime | None = None) -> NoShowBlock | None:
    """The block that pauses the person's booking today, if any."""
    today = timezone.localdate(_now(now))
    return NoShowBlock.objects.filter(user=user, lifted_on__gt=today).order_by("-lifted_on").first()


def _raise_if_paused(user: User, now: datetime) -> None:
    block = booking_pause(user=user, now=now)
    if block is not None:
        message = _(
            "You missed %(count)d appointments in %(days)d days without cancelling, so booking "
            "is paused. You can book again from %(date)s."
        ) % {
            "count": block.no_show_count,
            "days": NO_SHOW_PERIOD_DAYS,
            "date": formats.date_format(block.lifted_on, "DATE_FORMAT"),
        }
        raise ApplicationError("booking_paused", message, status=403)


def _raise_if_booked_that_day(user: User, slot: Slot, *, exclude: uuid.UUID | None = None) -> None:
    found = Appointment.objects.filter(
        user=user, item_id=slot.item_id, date=slot.date, state__in=ACTIVE_STATES
    )
    if exclude is not None:
        found = found.exclude(pk=exclude)
    if found.exists():
        raise _already_booked()


def _already_booked() -> ApplicationError:
    message = _(
        "You already have an appointment for this service on that day. Change its time "
        "instead of booking another."
    )
    return _error("already_booked", message, status=409, field="slot_id")


def _take_place(slot: Slot) -> None:
    """Takes one place in the slot, or raises slot_full: one UPDATE, safe under concurrency."""
    taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if not taken:
        message = _("This time is fully booked. Please choose another time.")
        raise _error("slot_full", message, status=409, field="slot_id")


def _release_place(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def appointment_book(*, user: User, slot_id: int, now: datetime | None = None) -> Appointment:
    """Books a place in a slot for the person.

    Refused when the slot is unknown, started, outside the window or full (``slot_full``,
    409), when the person already has an appointment for the item that day, or while their
    booking is paused for missed appointments.
    """
    now = _now(now)
    slot = _slot_for_booking(slot_id, now)
    appointments_mark_no_show(user=user, now=now)
    with transaction.atomic():
        _raise_if_paused(user, now)
        _raise_if_booked_that_day(user, slot)
        _take_place(slot)
        try:
            with transaction.atomic():
                appointment = Appointment.objects.create(
                    user=user,
                    slot=slot,
                    hall=slot.hall,
                    item=slot.item,
                    date=slot.date,
                    created_at=now,
                )
        except IntegrityError:
            # The same person booking the same item for the same day from two places at once.
            raise _already_booked() from None
        notify(
            recipient=user,
            template="halls.appointment_booked",
            params=_notice_params(appointment),
            link=_appointments_link(),
            dedupe_key=f"halls.booked:{appointment.pk}",
        )
        transaction.on_commit(partial(_reminder_enqueue, appointment.pk, appointment.date, now))
    log.info(
        "halls.appointment_booked",
        appointment_id=str(appointment.pk),
        slot_id=slot.pk,
        hall_id=slot.hall_id,
    )
    return appointment


def _own_booked_for_update(user: User, appointment_id: uuid.UUID | str) -> Appointment:
    try:
        key = uuid.UUID(str(appointment_id))
    except ValueError:
        raise NotFound(_("There is no such appointment.")) from None
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("slot", "hall", "item", "user")
        .filter(pk=key, user=user)
        .first()
    )
    if appointment is None:
        raise NotFound(_("There is no such appointment."))
    return appointment


def appointment_cancel(
    *, user: User, appointment_id: uuid.UUID | str, now: datetime | None = None
) -> Appointment:
    """Cancels the person's booked appointment, until its time starts; the place is freed."""
    now = _now(now)
    with transaction.atomic():
        appointment = _own_booked_for_update(user, appointment_id)
        if appointment.state != AppointmentState.BOOKED:
            message = _("Only a booked appointment can be cancelled.")
            raise ApplicationError("not_cancellable", message, status=409)
        if appointment.slot.starts_at <= now:
            message = _("The time of this appointment has started; it can no longer be cancelled.")
            raise ApplicationError("too_late_to_cancel", message, status=409)
        changed = Appointment.objects.filter(
            pk=appointment.pk, state=AppointmentState.BOOKED
        ).update(state=AppointmentState.CANCELLED, cancelled_at=now)
        if not changed:
            message = _("Only a booked appointment can be cancelled.")
            raise ApplicationError("not_cancellable", message, status=409)
        _release_place(appointment.slot_id)
        notify(
            recipient=user,
            template="halls.appointment_cancelled",
            params=_notice_params(appointment),
            link=_appointments_link(),
            dedupe_key=f"halls.cancelled:{appointment.pk}",
        )
    appointment.refresh_from_db()
    log.info("halls.appointment_cancelled", appointment_id=str(appointment.pk))
    return appointment


def appointment_reschedule(
    *,
    user: User,
    appointment_id: uuid.UUID | str,
    slot_id: int,
    now: datetime | None = None,
) -> Appointment:
    """Moves a booked appointment to another slot of the same item (any hall that takes it).

    One transaction: the new place is taken before the old one is released, so a full new
    slot leaves the appointment as it was.
    """
    now = _now(now)
    new_slot = _slot_for_booking(slot_id, now)
    with transaction.atomic():
        appointment = _own_booked_for_update(user, appointment_id)
        if appointment.state != AppointmentState.BOOKED:
            message = _("Only a booked appointment can be moved.")
            raise ApplicationError("not_reschedulable", message, status=409)
        if appointment.slot.starts_at <= now:
            message = _("The time of this appointment has started; it can no longer be moved.")
            raise ApplicationError("too_late_to_reschedule", message, status=409)
        if new_slot.item_id != appointment.item_id:
            raise InvalidInput({"slot_id": _("Choose a time for the same service.")})
        if new_slot.pk == appointment.slot_id:
            raise InvalidInput({"slot_id": _("This is already the time of the appointment.")})
        _raise_if_booked_that_day(user, new_slot, exclude=appointment.pk)
        _take_place(new_slot)
        old_slot_id = appointment.slot_id
        try:
            with transaction.atomic():
                changed = Appointment.objects.filter(
                    pk=appointment.pk, state=AppointmentState.BOOKED
                ).update(
                    slot=new_slot,
                    hall=new_slot.hall,
                    date=new_slot.date,
                    rescheduled_at=now,
                    reminder_sent_at=None,
                )
        except IntegrityError:
            raise _already_booked() from None
        if not changed:
            message = _("Only a booked appointment can be moved.")
            raise ApplicationError("not_reschedulable", message, status=409)
        _release_place(old_slot_id)
        appointment.refresh_from_db()
        notify(
            recipient=user,
            template="halls.appointment_rescheduled",
            params=_notice_params(appointment),
            link=_appointments_link(),
            dedupe_key=f"halls.rescheduled:{appointment.pk}:{new_slot.pk}:{int(now.timestamp())}",
        )
        transaction.on_commit(partial(_reminder_enqueue, appointment.pk, appointment.date, now))
    log.info(
        "halls.appointment_rescheduled",
        appointment_id=str(appointment.pk),
        from_slot_id=old_slot_id,
        slot_id=new_slot.pk,
    )
    return appointment


# --- Checking in ------------------------------------------------------------------------------


class _Changed(Exception):
    """The appointment changed under us: undo the transaction (and its queue number)."""


def _appointment_get(appointment_id: uuid.UUID | str) -> Appointment:
    try:
        key = uuid.UUID(str(appointment_id))
    except ValueError:
        raise NotFound(_("There is no such appointment.")) from None
    appointment = Appointment.objects.select_related("slot", "hall", "item").filter(pk=key).first()
    if appointment is None:
        raise NotFound(_("There is no such appointment."))
    return appointment


def _next_queue_number(hall_id: int, day: date) -> str:
    """The next number of the hall's appointment series that day.

    The counter row is raised by an UPDATE, which holds its lock until the caller's
    transaction ends: numbers are handed out one at a time, and a transaction that rolls back
    gives its number back, so the series has neither gaps nor duplicates.
    """
    counter, _created = QueueCounter.objects.get_or_create(hall_id=hall_id, date=day)
    QueueCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    last = QueueCounter.objects.values_list("last", flat=True).get(pk=counter.pk)
    return f"{QUEUE_PREFIX}{last:03d}"


def _check_in(appointment: Appointment, *, by: User, staff: bool, now: datetime) -> Appointment:
    if appointment.state == AppointmentState.CHECKED_IN:
        return appointment  # a second tap shows the same number
    if appointment.state != AppointmentState.BOOKED:
        message = _("Only a booked appointment can be checked in.")
        raise ApplicationError("not_booked", message, status=409)
    slot = appointment.slot
    if appointment.date != timezone.localdate(now):
        message = _("Check-in opens on the day of the appointment.")
        raise ApplicationError("check_in_not_today", message, status=409)
    # A clerk can still check in someone who arrives late; a resident alone cannot.
    if not staff and now > slot.ends_at + NO_SHOW_GRACE:
        message = _(
            "The time of this appointment has passed. Please book a new time, or ask at the "
            "hall's information desk."
        )
        raise ApplicationError("check_in_closed", message, status=409)
    opens = slot.starts_at - CHECK_IN_OPENS_BEFORE
    if not staff and now < opens:
        message = _("Check-in opens at %(time)s, 30 minutes before your time.") % {
            "time": timezone.localtime(opens).strftime("%H:%M")
        }
        raise ApplicationError("check_in_not_open", message, status=409)
    try:
        with transaction.atomic():
            number = _next_queue_number(appointment.hall_id, appointment.date)
            changed = Appointment.objects.filter(
                pk=appointment.pk, state=AppointmentState.BOOKED
            ).update(
                state=AppointmentState.CHECKED_IN,
                checked_in_at=now,
                checked_in_by=by,
                queue_number=number,
            )
            if not changed:
                raise _Changed
    except _Changed:
        appointment.refresh_from_db()
        if appointment.state == AppointmentState.CHECKED_IN:
            return appointment
        message = _("Only a booked appointment can be checked in.")
        raise ApplicationError("not_booked", message, status=409) from None
    appointment.refresh_from_db()
    log.info(
        "halls.appointment_checked_in",
        appointment_id=str(appointment.pk),
        hall_id=appointment.hall_id,
        by_staff=staff,
    )
    return appointment


def appointment_check_in(
    *, appointment_id: uuid.UUID | str, by: User, now: datetime | None = None
) -> Appointment:
    """Checks an appointment in and gives it a queue number ("A012").

    A clerk of the hall checks in any booked appointment of the day until its time has passed;
    the person themselves from 30 minutes before their time. Anyone else: not found.
    """
    appointment = _appointment_get(appointment_id)
    staff = selectors.is_hall_staff(user=by, hall=appointment.hall)
    if not staff and appointment.user_id != by.pk:
        raise NotFound(_("There is no such appointment."))
    return _check_in(appointment, by=by, staff=staff, now=_now(now))


def _staff_appointment(appointment_id: uuid.UUID | str, by: User) -> Appointment:
    appointment = _appointment_get(appointment_id)
    if not selectors.is_hall_staff(user=by, hall=appointment.hall):
        raise NotFound(_("There is no such appointment."))
    return appointment


def appointment_mark_arrived(
    *, appointment_id: uuid.UUID | str, by: User, now: datetime | None = None
) -> Appointment:
    """A clerk of the hall records that the person arrived: checks them in."""
    appointment = _staff_appointment(appointment_id, by)
    return _check_in(appointment, by=by, staff=True, now=_now(now))


def appointment_mark_done(
    *, appointment_id: uuid.UUID | str, by: User, now: datetime | None = None
) -> Appointment:
    """A clerk of the hall records that a checked-in person has been served."""
    appointment = _staff_appointment(appointment_id, by)
    if appointment.state == AppointmentState.DONE:
        return appointment
    with transaction.atomic():
        changed = Appointment.objects.filter(
            pk=appointment.pk, state=AppointmentState.CHECKED_IN
        ).update(state=AppointmentState.DONE, done_at=_now(now))
        if not changed:
            message = _("Only a checked-in appointment can be marked as done.")
            raise ApplicationError("not_checked_in", message, status=409)
        # The visit is over: the person is asked to rate it (好差评, on the ratings page).
        notify(
            recipient=appointment.user,
            template="halls.visit_served",
            params=_notice_params(appointment),
            link=reverse("applications:ratings"),
            dedupe_key=f"halls.served:{appointment.pk}",
        )
    appointment.refresh_from_db()
    log.info("halls.appointment_done", appointment_id=str(appointment.pk))
    return appointment


# --- Missed appointments ----------------------------------------------------------------------


def _apply_no_show_rule(user_id: uuid.UUID, day: date, now: datetime) -> NoShowBlock | None:
    """After a no-show on `day`: pause booking when it is the limit-th within the period."""
    # The person's row is the lock: two sweeps marking the same person wait for each other.
    user = User.objects.select_for_update().get(pk=user_id)
    since = day - timedelta(days=NO_SHOW_PERIOD_DAYS)
    last = NoShowBlock.objects.filter(user=user).order_by("-last_no_show_date").first()
    if last is not None and last.last_no_show_date >= since:
        # No-shows that led to an earlier block do not count towards the next one.
        since = last.last_no_show_date
    count = Appointment.objects.filter(
        user=user, state=AppointmentState.NO_SHOW, date__gt=since, date__lte=day
    ).count()
    if count < NO_SHOW_LIMIT:
        return None
    lifted_on = day + timedelta(days=BLOCK_DAYS)
    block, created = NoShowBlock.objects.get_or_create(
        user=user,
        last_no_show_date=day,
        defaults={"no_show_count": count, "lifted_on": lifted_on, "created_at": now},
    )
    if created and lifted_on > timezone.localdate(now):
        notify(
            recipient=user,
            template="halls.booking_paused",
            params={"count": count, "date": lifted_on.isoformat()},
            link=_appointments_link(),
            dedupe_key=f"halls.paused:{block.pk}",
        )
        log.info("halls.booking_paused", user_id=str(user.pk), block_id=block.pk)
    return block


def appointments_cancel_for_closed_day(*, day: date, now: datetime | None = None) -> int:
    """Cancels every booked appointment of a day the calendar now closes, and tells each person.

    Called by the calendar when an operator makes a day a holiday (a typhoon, a late-announced
    arrangement). Such an appointment is never counted as missed. Returns how many.
    """
    now = _now(now)
    cancelled = 0
    booked = Appointment.objects.filter(state=AppointmentState.BOOKED, date=day).select_related(
        "slot", "hall", "item", "user"
    )
    for appointment in booked:
        with transaction.atomic():
            changed = Appointment.objects.filter(
                pk=appointment.pk, state=AppointmentState.BOOKED
            ).update(state=AppointmentState.CANCELLED, cancelled_at=now)
            if not changed:
                continue
            _release_place(appointment.slot_id)
            notify(
                recipient=appointment.user,
                template="halls.appointment_cancelled_closed",
                params=_notice_params(appointment),
                link=_appointments_link(),
                dedupe_key=f"halls.closed:{appointment.pk}",
            )
            cancelled += 1
    if cancelled:
        log.info("halls.closed_day_cancelled", day=day.isoformat(), count=cancelled)
    return cancelled


def appointments_mark_no_show(
    *,
    user: User | None = None,
    hall: Hall | None = None,
    day: date | None = None,
    now: datetime | None = None,
) -> int:
    """Marks as missed every booked appointment not checked in by its end plus the grace.

    Called lazily (before a person books, when a clerk opens a day list) and by the sweep
    (`manage.py halls_mark_no_shows`, or the task of the same name). Returns how many it marked.
    """
    now = _now(now)
    today = timezone.localdate(now)
    candidates = Appointment.objects.filter(
        state=AppointmentState.BOOKED, date__lte=today
    ).select_related("slot")
    if user is not None:
        candidates = candidates.filter(user=user)
    if hall is not None:
        candidates = candidates.filter(hall=hall)
    if day is not None:
        candidates = candidates.filter(date=day)
    marked = 0
    for appointment in candidates.order_by("date", "slot__start"):
        if appointment.slot.ends_at + NO_SHOW_GRACE > now:
            continue
        if not is_working_day(appointment.date):
            # The hall was closed that day: nobody could have come.
            appointments_cancel_for_closed_day(day=appointment.date, now=now)
            continue
        with transaction.atomic():
            changed = Appointment.objects.filter(
                pk=appointment.pk, state=AppointmentState.BOOKED
            ).update(state=AppointmentState.NO_SHOW, no_show_at=now)
            if changed:
                marked += 1
                _apply_no_show_rule(appointment.user_id, appointment.date, now)
    if marked:
        log.info("halls.no_shows_marked", count=marked)
    return marked


# --- Reminders --------------------------------------------------------------------------------


def appointment_remind(
    *, appointment_id: uuid.UUID | str, day: date, now: datetime | None = None
) -> bool:
    """Sends the reminder of a booked appointment on `day`, once; False when not due.

    A reminder enqueued before a cancellation or a move to another day finds the appointment
    no longer booked for that day and sends nothing.
    """
    now = _now(now)
    try:
        key = uuid.UUID(str(appointment_id))
    except ValueError:
        return False
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_related("slot", "hall", "item", "user")
            .filter(pk=key)
            .first()
        )
        if (
            appointment is None
            or appointment.state != AppointmentState.BOOKED
            or appointment.date != day
            or appointment.slot.starts_at <= now
        ):
            return False
        changed = Appointment.objects.filter(
            pk=key, state=AppointmentState.BOOKED, date=day, reminder_sent_at=None
        ).update(reminder_sent_at=now)
        if not changed:
            return False
        notify(
            recipient=appointment.user,
            template="halls.appointment_reminder",
            params=_notice_params(appointment),
            link=_appointments_link(),
            dedupe_key=f"halls.reminder:{key}:{day.isoformat()}:{appointment.slot.start:%H%M}",
        )
    log.info("halls.reminder_sent", appointment_id=str(key))
    return True


# --- Staff ------------------------------------------------------------------------------------


def hall_staff_assign(*, user: User, hall: Hall) -> HallStaff:
    """Assigns a clerk to a hall (idempotent). Only staff holding the clerk role qualify."""
    if not user.is_staff_member or not user.staff_roles.filter(role=Role.CLERK).exists():
        raise InvalidInput({"user": _("Only a clerk can be assigned to a hall.")})
    assignment, created = HallStaff.objects.get_or_create(user=user, hall=hall)
    if created:
        log.info("halls.staff_assigned", user_id=str(user.pk), hall_id=hall.pk)
    return assignment
