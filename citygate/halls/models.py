"""Service halls (线下大厅) and appointments to visit them.

A `Hall` handles some catalogue items (`HallItem`) at its windows. For the items that can be
booked (`ServiceItem.appointment`), a resident books a place in a `Slot`: a stretch of one
working day with a capacity. Slots are made on demand, the first time a day is asked for, from
the hall's weekly sessions (`HallSession`) and the hall item's slot length and capacity.

A place is taken by one conditional UPDATE of `Slot.booked`, and a check constraint keeps
`booked <= capacity` in the database as well. Queue numbers come from a per-hall per-day
counter (`QueueCounter`) raised in the transaction that checks the person in, so they have no
gaps and no duplicates; a unique constraint holds that too. Missed appointments lead to a
`NoShowBlock`.

Times of day are the city's local time (settings.TIME_ZONE).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from citygate.directory.models import BilingualNamed


def _in_english() -> bool:
    return (get_language() or "").startswith("en")


def local_datetime(day: dt.date, time: dt.time) -> dt.datetime:
    """An aware datetime for a day and a time of day in the city."""
    return dt.datetime.combine(day, time, tzinfo=timezone.get_default_timezone())


class HallLevel(models.TextChoices):
    CITY = "city", _("City centre")
    DISTRICT = "district", _("District centre")
    STREET = "street", _("Subdistrict or town centre")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Hall(BilingualNamed, models.Model):
    # A stable key for data loads; pages and the API use the id.
    code = models.SlugField(max_length=48, unique=True)
    name_zh = models.CharField(max_length=80)
    name_en = models.CharField(max_length=160)
    level = models.CharField(max_length=16, choices=HallLevel.choices)
    district = models.ForeignKey(
        "directory.District", on_delete=models.PROTECT, related_name="halls"
    )
    address_zh = models.CharField(max_length=200)
    address_en = models.CharField(max_length=300, blank=True, default="")
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    # The hall's public enquiry line.
    phone = models.CharField(max_length=32, blank=True, default="")
    # Opening hours as people read them ("周一至周五 9:00-12:00, 13:30-17:00"); the slots come
    # from the structured sessions, not from this text.
    hours_zh = models.TextField(blank=True, default="")
    hours_en = models.TextField(blank=True, default="")
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("order", "code")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="hall_coordinates_on_earth",
            )
        ]

    def __str__(self) -> str:
        return self.name_zh

    @property
    def display_address(self) -> str:
        return self.address_en if _in_english() and self.address_en else self.address_zh

    @property
    def display_hours(self) -> str:
        return self.hours_en if _in_english() and self.hours_en else self.hours_zh


class HallSession(models.Model):
    """One opening session of a weekday: "Monday 09:00-12:00". A day may have several."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="sessions")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ("hall", "weekday", "start")
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "weekday", "start"], name="hall_session_once_per_start"
            ),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="hall_session_ends"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="hall_session_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.hall_id} {self.weekday} {self.start:%H:%M}-{self.end:%H:%M}"


class HallItem(models.Model):
    """An item a hall handles, with how its appointments are cut into slots."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="hall_items")
    item = models.ForeignKey(
        "catalog.ServiceItem", on_delete=models.CASCADE, related_name="hall_items"
    )
    slot_minutes = models.PositiveSmallIntegerField(default=30)
    # People served in one slot: roughly the windows that take the item.
    capacity = models.PositiveSmallIntegerField(default=4)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("hall", "item")
        constraints = [
            models.UniqueConstraint(fields=["hall", "item"], name="hall_item_once"),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, slot_minutes__lte=240),
                name="hall_item_slot_length",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=500), name="hall_item_capacity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hall_id}:{self.item_id}"


class HallWindow(models.Model):
    """A service window (窗口) of a hall and the items it takes."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="windows")
    number = models.CharField(max_length=8)
    name_zh = models.CharField(max_length=64)
    name_en = models.CharField(max_length=128, blank=True, default="")
    items = models.ManyToManyField("catalog.ServiceItem", blank=True, related_name="hall_windows")

    class Meta:
        ordering = ("hall", "number")
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="hall_window_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.hall_id} {self.number}"

    @property
    def display_name(self) -> str:
        return self.name_en if _in_english() and self.name_en else self.name_zh


class HallStaff(models.Model):
    """A clerk assigned to a hall: sees its day lists and checks people in."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hall_assignments"
    )
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="staff")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "hall"], name="hall_staff_once")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.hall_id}"


class Slot(models.Model):
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="slots")
    item = models.ForeignKey("catalog.ServiceItem", on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    start = models.TimeField()
    end = models.TimeField()
    capacity = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("date", "start")
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "item", "date", "start"], name="slot_once_per_start"
            ),
            # The database refuses an overbooked slot even if a code path forgot the rule.
            models.CheckConstraint(
                condition=Q(booked__gte=0, booked__lte=F("capacity")), name="slot_not_overbooked"
            ),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="slot_ends"),
        ]

    def __str__(self) -> str:
        return f"{self.hall_id}:{self.item_id} {self.date} {self.start:%H:%M}"

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.booked)

    @property
    def starts_at(self) -> dt.datetime:
        return local_datetime(self.date, self.start)

    @property
    def ends_at(self) -> dt.datetime:
        return local_datetime(self.date, self.end)

    @property
    def time_range(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


class AppointmentState(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    CHECKED_IN = "checked_in", _("Checked in")
    NO_SHOW = "no_show", _("Missed")
    DONE = "done", _("Done")


# States that hold a place and count for "one appointment per item per day".
ACTIVE_STATES = (AppointmentState.BOOKED, AppointmentState.CHECKED_IN)


class Appointment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appointments"
    )
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    # Copied from the slot (and moved with it on a reschedule) for the constraints below.
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="appointments")
    item = models.ForeignKey("catalog.ServiceItem", on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    state = models.CharField(
        max_length=16, choices=AppointmentState.choices, default=AppointmentState.BOOKED
    )
    created_at = models.DateTimeField(default=timezone.now)
    rescheduled_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    done_at = models.DateTimeField(null=True, blank=True)
    no_show_at = models.DateTimeField(null=True, blank=True)
    # "A012": the appointment series of the hall's queue that day, given at check-in.
    queue_number = models.CharField(max_length=8, blank=True, default="")
    # Set when the day-before reminder went out; cleared by a reschedule.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("date", "created_at")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "item", "date"],
                condition=Q(state__in=["booked", "checked_in"]),
                name="appointment_one_active_per_item_day",
            ),
            models.UniqueConstraint(
                fields=["hall", "date", "queue_number"],
                condition=~Q(queue_number=""),
                name="appointment_queue_number_once",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-date"], name="appointment_user_date"),
            models.Index(fields=["hall", "date", "state"], name="appointment_hall_day"),
            models.Index(fields=["state", "date"], name="appointment_state_date"),
        ]

    def __str__(self) -> str:
        return f"Appointment {self.pk}"


class QueueCounter(models.Model):
    """The last appointment queue number given at a hall on a day."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hall", "date"], name="queue_counter_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.hall_id} {self.date} {self.last}"


class NoShowBlock(models.Model):
    """Booking paused after too many missed appointments.

    The no-shows counted towards the next block are those after `last_no_show_date`, so one
    missed appointment after a block ends does not bring the block straight back.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="no_show_blocks"
    )
    no_show_count = models.PositiveSmallIntegerField()
    # The date of the missed appointment that led to the block.
    last_no_show_date = models.DateField()
    # The first day booking is possible again.
    lifted_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "last_no_show_date"], name="no_show_block_once_per_trigger"
            )
        ]
        indexes = [models.Index(fields=["user", "-lifted_on"], name="no_show_block_user")]

    def __str__(self) -> str:
        return f"Block {self.pk} until {self.lifted_on}"
