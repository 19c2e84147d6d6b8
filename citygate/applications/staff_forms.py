"""Forms of the clerk's workbench: they read what was typed; the services decide if it is right.

A service's error names its field (``reason``, ``answers.address``, ``materials.m1``...); each
form puts it back beside the field it concerns, or above the form when it names none.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from citygate.accounts.models import User
from citygate.applications.forms_spec import ItemForm, help_text, label
from citygate.applications.presenting import ActionView
from citygate.applications.ratings import ANSWER_MAX
from citygate.applications.services import COMMENT_MAX, REASON_MAX, ActionInput
from citygate.applications.workflow import FieldType, Input
from citygate.catalog.models import ServiceItem
from citygate.core.forms import PageForm
from citygate.halls.models import Hall
from citygate.privacy.models import DETAIL_MAX_LENGTH, Purpose


class WorkbenchForm(PageForm):
    """The workbench's forms (the common page form; aliases per form)."""


def _optional(text: Any) -> Any:
    return _("%(label)s (optional)") % {"label": text}


# --- Actions on an application ------------------------------------------------------------------


def _input_field(name: str, *, required: bool) -> forms.Field:
    """The field for one input an action asks for; required ones say so in their label."""
    if name == Input.REASON:
        return forms.CharField(
            label=_("Reason"),
            required=required,
            max_length=REASON_MAX,
            help_text=_("Shown to the applicant: write it for them."),
            widget=forms.Textarea(attrs={"rows": 3}),
        )
    if name == Input.LEGAL_BASIS:
        return forms.CharField(
            label=pgettext_lazy("refusal", "Legal basis"),
            required=required,
            max_length=REASON_MAX,
            help_text=_("The law or regulation and its article."),
            widget=forms.Textarea(attrs={"rows": 2}),
        )
    if name == Input.RESULT:
        return forms.CharField(
            label=_("Result issued"),
            required=required,
            max_length=REASON_MAX,
            help_text=_("The licence or certificate number, or what was decided."),
        )
    if name == Input.AMOUNT:
        return forms.CharField(
            label=_("Fee in yuan"),
            required=required,
            max_length=20,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        )
    if name == Input.MATERIALS:
        return forms.CharField(
            label=_("Materials needed"),
            required=required,
            help_text=_("One material on each line."),
            widget=forms.Textarea(attrs={"rows": 3}),
        )
    raise ValueError(name)


class ActionForm(WorkbenchForm):
    """The inputs one workflow action requires, and an optional comment for the applicant."""

    def __init__(self, *args: Any, action: ActionView, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", action.name)
        super().__init__(*args, **kwargs)
        self.action = action
        for name in action.requires:
            self.fields[name] = _input_field(name, required=True)
        self.fields["comment"] = forms.CharField(
            label=_optional(_("Comment for the applicant")),
            required=False,
            max_length=COMMENT_MAX,
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    @property
    def danger(self) -> bool:
        return self.action.tone == "danger"

    def given(self) -> ActionInput:
        data = self.cleaned_data
        materials = str(data.get("materials") or "").splitlines()
        return ActionInput(
            reason=str(data.get("reason") or ""),
            legal_basis=str(data.get("legal_basis") or ""),
            result=str(data.get("result") or ""),
            amount=str(data.get("amount") or ""),
            materials=[line.strip() for line in materials if line.strip()],
            comment=str(data.get("comment") or ""),
        )

    def entered(self) -> list[tuple[str, str]]:
        """(label, text) of what was typed, for the confirmation step."""
        return [
            (str(self.fields[name].label), str(self.cleaned_data.get(name) or ""))
            for name in self.fields
            if self.cleaned_data.get(name)
        ]


class AssignForm(WorkbenchForm):
    assignee = forms.TypedChoiceField(label=_("Clerk"), coerce=uuid.UUID, empty_value=None)

    def __init__(self, *args: Any, clerks: Sequence[User], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "assign")
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - declared above
        field.choices = [
            ("", _("Choose a clerk")),
            *((str(c.pk), c.login_name or str(c.pk)[:8]) for c in clerks),
        ]


class RevealForm(WorkbenchForm):
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=[("", _("Choose a purpose")), *Purpose.choices],
        initial=Purpose.HANDLE_APPLICATION,
        help_text=_("Recorded with your name; the applicant can see it in their access log."),
    )
    detail = forms.CharField(
        label=_optional(_("Note")),
        required=False,
        max_length=DETAIL_MAX_LENGTH,
        help_text=_("Do not type personal data here."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "reveal")
        super().__init__(*args, **kwargs)


# --- Follow-ups of poor ratings -------------------------------------------------------------


class FollowUpAnswerForm(WorkbenchForm):
    answer = forms.CharField(
        label=_("What the department did"),
        max_length=ANSWER_MAX,
        help_text=_("The resident reads this answer."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, follow_up_id: int, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"follow-up-{follow_up_id}")
        super().__init__(*args, **kwargs)


# --- Applying at a centre for a resident (帮办代办) ----------------------------------------------


class AssistedStartForm(WorkbenchForm):
    centre = forms.TypedChoiceField(label=_("Service centre"), coerce=int, empty_value=None)
    by = forms.ChoiceField(
        label=_("Find the resident by"),
        choices=[("phone", _("Mobile number")), ("id_number", _("ID number"))],
        initial="phone",
        widget=forms.RadioSelect,
    )
    number = forms.CharField(
        label=_("Number"),
        max_length=32,
        help_text=_("The whole number, as the resident gives it."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    service_aliases = {"phone": "number", "id_number": "number", "centre_id": "centre"}

    def __init__(self, *args: Any, halls: Sequence[Hall], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["centre"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - declared above
        field.choices = [(str(h.pk), h.display_name) for h in halls]
        if len(halls) == 1:
            field.initial = str(halls[0].pk)


class AssistedCodeForm(WorkbenchForm):
    code = forms.CharField(
        label=_("Code the resident reads out"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
    )


class AssistedPaperForm(WorkbenchForm):
    scan = forms.FileField(
        label=_("Scan of the signed paper form"),
        help_text=_("PDF, JPEG or PNG, up to 10 MB."),
    )

    service_aliases = {"file": "scan"}


class AssistedItemForm(WorkbenchForm):
    item = forms.ChoiceField(label=_("Service"))

    def __init__(self, *args: Any, items: Sequence[ServiceItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [("", _("Choose a service")), *((i.code, i.display_name) for i in items)]


class _ManyFiles(forms.FileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one input; each is checked by the service when it is stored."""

    widget = _ManyFiles

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        cleaned = []
        for one in files:
            found = super().clean(one, initial)
            if found:
                cleaned.append(found)
        return cleaned


ANSWERS_PREFIX = "answers"
UPLOAD_PREFIX = "upload"


class ApplyForm(WorkbenchForm):
    """The fields and uploads of an item's application form, as the resident's page has them.

    Every field is optional here: the service checks the answers and says which are missing,
    so the messages are the same as on the resident's own page.
    """

    def __init__(self, *args: Any, form: ItemForm, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item_form = form
        self.answer_names: list[str] = []
        self.upload_names: list[str] = []
        aliases: dict[str, str] = {}
        for spec in form.fields:
            name = f"{ANSWERS_PREFIX}_{spec.name}"
            self.fields[name] = _answer_field(spec.type, spec)
            self.answer_names.append(name)
            aliases[f"answers.{spec.name}"] = name
        for upload in form.uploads:
            name = f"{UPLOAD_PREFIX}_{upload.key}"
            text = label(upload)
            types = ", ".join(t.upper() for t in upload.types)
            self.fields[name] = FilesField(
                label=text if upload.required else _optional(text),
                required=False,
                help_text=_("%(types)s; up to %(count)d files of %(mb)d MB each.")
                % {"types": types, "count": upload.max_files, "mb": upload.max_mb},
            )
            self.upload_names.append(name)
            aliases[f"materials.{upload.key}"] = name
        self.service_aliases = aliases

    def answers(self) -> dict[str, object]:
        """The answers as typed, by the form's own field names (the service cleans them)."""
        found: dict[str, object] = {}
        for spec in self.item_form.fields:
            value = self.cleaned_data.get(f"{ANSWERS_PREFIX}_{spec.name}")
            if spec.type == FieldType.BOOLEAN:
                found[spec.name] = bool(value)
            elif value not in (None, ""):
                found[spec.name] = value
        return found

    def files_by_key(self) -> list[tuple[str, UploadedFile[bytes]]]:
        found = []
        for upload in self.item_form.uploads:
            for one in self.cleaned_data.get(f"{UPLOAD_PREFIX}_{upload.key}") or []:
                found.append((upload.key, one))
        return found

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.answer_names]

    def upload_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.upload_names]


def _answer_field(kind: FieldType, spec: Any) -> forms.Field:
    text = label(spec)
    shown = text if spec.required else _optional(text)
    common: dict[str, Any] = {"label": shown, "required": False, "help_text": help_text(spec)}
    if kind == FieldType.BOOLEAN:
        return forms.BooleanField(**common)
    if kind == FieldType.CHOICE:
        choices = [("", _("Choose one")), *((c.value, label(c)) for c in spec.choices)]
        return forms.ChoiceField(choices=choices, **common)
    widgets: dict[FieldType, forms.Widget] = {
        FieldType.TEXTAREA: forms.Textarea(attrs={"rows": 3}),
        FieldType.INTEGER: forms.TextInput(attrs={"inputmode": "numeric"}),
        FieldType.MONEY: forms.TextInput(attrs={"inputmode": "decimal"}),
        FieldType.DATE: forms.TextInput(attrs={"type": "date"}),
        FieldType.PHONE: forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    }
    widget = widgets.get(kind, forms.TextInput())
    # The service checks the length, so that its message is the one shown.
    widget.attrs["maxlength"] = str(spec.max_length)
    return forms.CharField(strip=False, widget=widget, **common)
