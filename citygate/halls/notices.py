"""What the halls app tells a person about their appointments.

The blanks hold the service item, the hall, the date (YYYY-MM-DD) and the time range of the
slot, written when the message is sent; never anything about the person.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from citygate.inbox.models import Kind
from citygate.inbox.templates import MessageTemplate, register

APPOINTMENT_BOOKED = register(
    MessageTemplate(
        name="halls.appointment_booked",
        kind=Kind.TRANSACTIONAL,
        title=_("Appointment booked: %(item)s"),
        body=_(
            "You are expected at %(hall)s on %(date)s, %(time)s. Bring the documents the "
            "service guide lists, and check in when you arrive. If you cannot come, cancel "
            "before the time starts so someone else can have the place."
        ),
    )
)

APPOINTMENT_REMINDER = register(
    MessageTemplate(
        name="halls.appointment_reminder",
        kind=Kind.TRANSACTIONAL,
        title=_("Reminder: your appointment on %(date)s"),
        body=_(
            "Your appointment for %(item)s is at %(hall)s on %(date)s, %(time)s. Check in at "
            "the hall or in the app from 30 minutes before the time."
        ),
    )
)

APPOINTMENT_CANCELLED = register(
    MessageTemplate(
        name="halls.appointment_cancelled",
        kind=Kind.TRANSACTIONAL,
        title=_("Appointment cancelled: %(item)s"),
        body=_("Your appointment at %(hall)s on %(date)s, %(time)s is cancelled."),
    )
)

APPOINTMENT_RESCHEDULED = register(
    MessageTemplate(
        name="halls.appointment_rescheduled",
        kind=Kind.TRANSACTIONAL,
        title=_("Appointment moved: %(item)s"),
        body=_("Your appointment is now at %(hall)s on %(date)s, %(time)s."),
    )
)

BOOKING_PAUSED = register(
    MessageTemplate(
        name="halls.booking_paused",
        kind=Kind.TRANSACTIONAL,
        title=_("Hall appointments paused until %(date)s"),
        body=_(
            "%(count)s appointments were missed without cancelling in 90 days, so new hall "
            "appointments can be booked again from %(date)s. Appointments already booked stay."
        ),
    )
)

APPOINTMENT_CANCELLED_CLOSED = register(
    MessageTemplate(
        name="halls.appointment_cancelled_closed",
        kind=Kind.TRANSACTIONAL,
        title=_("Appointment cancelled: the hall is closed on %(date)s"),
        body=_(
            "%(hall)s is closed on %(date)s, so your appointment for %(item)s at %(time)s is "
            "cancelled. It does not count as missed. Please book another time."
        ),
    )
)

VISIT_SERVED = register(
    MessageTemplate(
        name="halls.visit_served",
        kind=Kind.TRANSACTIONAL,
        title=_("How was your visit? %(item)s"),
        body=_(
            "You were served at %(hall)s on %(date)s, %(time)s. Please rate the service: your "
            "rating goes to the department, and a poor one is followed up."
        ),
    )
)
