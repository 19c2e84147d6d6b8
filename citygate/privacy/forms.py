"""Forms of the privacy pages: they read what was typed; the services decide if it is right."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from citygate.core.forms import PageForm
from citygate.privacy.models import DETAIL_MAX_LENGTH, PersonalField, Purpose


def _purpose_field(*, explained: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Purpose"),
        choices=[("", _("Choose a purpose")), *Purpose.choices],
        help_text=_("Recorded with your name and shown to the person and to auditors.")
        if explained
        else "",
    )


def _detail_field(*, explained: bool = True) -> forms.CharField:
    return forms.CharField(
        label=_("Note"),
        required=False,
        max_length=DETAIL_MAX_LENGTH,
        help_text=_(
            "The application, ticket or case number this is for. Required for an "
            "investigation under a legal authority. Do not type personal data here."
        )
        if explained
        else "",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class PersonSearchForm(PageForm):
    by = forms.ChoiceField(
        label=_("Find by"),
        choices=[
            (PersonalField.PHONE, _("Mobile number")),
            (PersonalField.ID_NUMBER, _("ID number")),
        ],
        initial=PersonalField.PHONE,
        widget=forms.RadioSelect,
    )
    number = forms.CharField(
        label=_("Number"),
        max_length=32,
        help_text=_("The whole mobile number or ID number; partial numbers find nobody."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    purpose = _purpose_field()
    detail = _detail_field()

    # Service errors name the phone or ID number field; here both are "number".
    ALIASES = {"phone": "number", "id_number": "number"}


class RevealForm(PageForm):
    # The search form above explains purpose and note once; each reveal form stays short.
    field = forms.ChoiceField(choices=PersonalField.choices, widget=forms.HiddenInput)
    purpose = _purpose_field(explained=False)
    detail = _detail_field(explained=False)

    ALIASES: dict[str, str] = {}


class ConsentForm(PageForm):
    """One box per pending agreement: each is agreed to explicitly, none is pre-ticked."""

    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=512)

    def __init__(self, *args: Any, agreements: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agreements = agreements
        for agreement in agreements:
            self.fields[f"agree_{agreement.kind}"] = forms.BooleanField(
                label=_("I have read and agree to %(title)s") % {"title": agreement.title},
                required=True,
                error_messages={"required": _("Tick this box to agree.")},
            )

    def agreement_fields(self) -> list[tuple[Any, forms.BoundField]]:
        return [(a, self[f"agree_{a.kind}"]) for a in self.agreements]


class GrantForm(PageForm):
    kind = forms.CharField(widget=forms.HiddenInput, max_length=16)
