"""Forms of the account pages: they read what was typed; the services decide if it is right."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from citygate.core.errors import ApplicationError

# Locked, too many requests, service unavailable: the answer will change if one waits.
WAIT_STATUSES = frozenset({423, 429, 503})


class PageForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.error_status: int | None = None

    @property
    def status(self) -> int:
        """The HTTP status of the page showing this form: the service's, or 400 for bad input."""
        if self.error_status is not None:
            return self.error_status
        return 400 if self.errors else 200

    def add_application_error(self, error: ApplicationError) -> None:
        """Show a service's error beside the fields it names, or above the form."""
        # The page shows the form again: 400, unless the status tells the browser to wait.
        self.error_status = error.status if error.status in WAIT_STATUSES else 400
        placed = False
        for field, message in error.fields.items():
            if field in self.fields and not self.fields[field].widget.is_hidden:
                self.add_error(field, str(message))
                placed = True
            elif str(message) != str(error.message):
                self.add_error(None, str(message))
                placed = True
        if not placed:
            self.add_error(None, str(error.message))


def _phone_field() -> forms.CharField:
    return forms.CharField(
        label=_("Mobile number"),
        max_length=32,
        help_text=_("A mainland China mobile number, 11 digits."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


class PhoneForm(PageForm):
    phone = _phone_field()
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=512)


class CodeForm(PageForm):
    phone = forms.CharField(max_length=32, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=512)
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=16,
        required=False,
        help_text=_("6 digits. The code is valid for 5 minutes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "6"}
        ),
    )
    agree = forms.BooleanField(label=_("Terms and privacy policy"), required=False)


class RealNameForm(PageForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=64,
        help_text=_("Exactly as on your resident ID card."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=32,
        help_text=_("The 18 characters on your resident ID card."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    consent = forms.BooleanField(label=_("Separate consent"), required=False)


class EnterpriseForm(PageForm):
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=32,
        help_text=_("18 characters, as on the business licence."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(
        label=_("Registered name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )


class AgentForm(PageForm):
    phone = _phone_field()
    valid_until = forms.DateField(
        label=_("Authorised until"),
        help_text=_("The last day the agent may act for the enterprise."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )


class StaffLoginForm(PageForm):
    login_name = forms.CharField(
        label=_("Login name"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=512)


class StaffCodeForm(PageForm):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=16,
        help_text=_("6 digits; a new code appears every 30 seconds."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
