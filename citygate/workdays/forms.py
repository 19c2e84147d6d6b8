"""Forms of the calendar page: they read what was typed; the services decide if it is right."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from citygate.core.errors import ApplicationError
from citygate.workdays.models import NAME_MAX_LENGTH, DayKind


class PageForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def full_clean(self) -> None:
        super().full_clean()
        # Tie each field to its help and error text, so screen readers announce them.
        for name, field in self.fields.items():
            bound = self[name]
            described = []
            if field.help_text:
                described.append(f"{bound.auto_id}_helptext")
            if name in self.errors:
                described.append(f"{bound.auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)

    def add_application_error(self, error: ApplicationError) -> None:
        """Show a service's error beside the field it names, or above the form."""
        placed = False
        for name, message in error.fields.items():
            if name in self.fields and not self.fields[name].widget.is_hidden:
                self.add_error(name, str(message))
                placed = True
        if not placed:
            self.add_error(None, str(error.message))


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
