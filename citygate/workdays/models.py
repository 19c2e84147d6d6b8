"""The working-day calendar: only the days that differ from the ordinary week are stored.

Monday to Friday are working days and Saturday and Sunday are not, unless a `CalendarDay`
says otherwise: a "holiday" row on a weekday closes it, a "workday" row on a weekend opens it
(调休, the weekend worked in exchange for a longer holiday). Holiday rows on a weekend change
nothing but give the day its name, so a whole official holiday period reads as one.

The State Council's published arrangement is loaded as ``source="official"`` by a data
migration; operators correct or add days on the calendar page (``source="operator"``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 64


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    WORKDAY = "workday", _("Working day")


class DaySource(models.TextChoices):
    OFFICIAL = "official", _("Official arrangement")
    OPERATOR = "operator", _("Set by an operator")


class CalendarDay(models.Model):
    day = models.DateField(unique=True)
    kind = models.CharField(max_length=16, choices=DayKind.choices)
    # The holiday the day belongs to, in Chinese as the official notice names it (国庆节).
    name = models.CharField(max_length=NAME_MAX_LENGTH, blank=True, default="")
    source = models.CharField(max_length=16, choices=DaySource.choices)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("day",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=DayKind.values), name="calendarday_kind_known"
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=DaySource.values), name="calendarday_source_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.kind}"

    @property
    def is_exchanged_workday(self) -> bool:
        """A weekend worked in exchange for a holiday (调休上班)."""
        return self.kind == DayKind.WORKDAY and self.day.weekday() >= 5
