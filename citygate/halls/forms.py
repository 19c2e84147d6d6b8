"""Forms of the halls pages: the position for "nearest first" and the clerk's day picker."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _


class PositionForm(forms.Form):
    """Filled in by the browser's geolocation (halls/nearest.js), sent as a POST body."""

    latitude = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)


class DayForm(forms.Form):
    date = forms.DateField(
        label=_("Date"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a real date as YYYY-MM-DD, for example 2026-03-02.")},
    )

    def clean_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["date"]
        # The day list links to the days before and after: keep both real dates.
        if not dt.date(2000, 1, 1) <= day <= dt.date(2099, 12, 31):
            raise forms.ValidationError(_("Choose a date between 2000 and 2099."))
        return day
