"""Forms of the calendar page: they read what was typed; the services decide if it is right."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from citygate.core.forms import PageForm
from citygate.workdays.models import NAME_MAX_LENGTH, DayKind


class _Radios(forms.RadioSelect):
    def id_for_label(self, id_: str, index: str | None = None) -> str:
        # The error summary links to the first choice, so the link lands in the group.
        return super().id_for_label(id_, "0" if index is None else index)


class CalendarDayForm(PageForm):
    day = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        help_text=_("An existing entry for this date is replaced."),
    )
    kind = forms.ChoiceField(
        label=_("The day is"),
        choices=DayKind.choices,
        widget=_Radios,
        error_messages={"required": _("Choose holiday or working day.")},
    )
    name = forms.CharField(
        label=_("Name of the day"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("The holiday the day belongs to, as residents know it, such as 国庆节."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class CalendarDayClearForm(PageForm):
    day = forms.DateField(widget=forms.HiddenInput, input_formats=["%Y-%m-%d"])
