"""The shell's one form: the search box with its filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from citygate.directory.selectors import department_list, district_list


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("What do you need?"),
        max_length=200,
        strip=True,
        error_messages={"required": _("Type what you are looking for.")},
    )
    department = forms.CharField(label=_("Department"), required=False, max_length=32)
    district = forms.CharField(label=_("District"), required=False, max_length=12)
    audience = forms.ChoiceField(
        label=_("For"),
        required=False,
        choices=[
            ("", _("Everyone")),
            ("person", _("Individuals")),
            ("enterprise", _("Enterprises")),
        ],
    )

    def clean_district(self) -> str:
        code = str(self.cleaned_data.get("district") or "")
        if code and not district_list().filter(code=code).exists():
            raise forms.ValidationError(_("Choose a district from the list."))
        return code

    def clean_department(self) -> str:
        code = str(self.cleaned_data.get("department") or "")
        if code and not department_list().filter(code=code).exists():
            raise forms.ValidationError(_("Choose a department from the list."))
        return code
