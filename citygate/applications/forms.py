"""Forms of the resident's application pages: they read what was typed; the services decide.

The application form itself is not a Django form: its fields come from the procedure
(`forms_spec`), and `views.ApplyForm` reads and renders them. The smaller forms here (a
rating, a reason, a family authorisation) are ordinary Django forms whose errors come from
the services' `InvalidInput` as well as their own checks.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from citygate.applications import ratings
from citygate.applications.assisted import RELATIONS
from citygate.applications.forms_spec import ItemForm, help_text, label
from citygate.applications.models import Grade, Material
from citygate.applications.workflow import FieldType, FormField, Upload
from citygate.core.errors import ApplicationError
from citygate.core.forms import PageForm


def grade_choices() -> list[tuple[int, Any]]:
    # Best first, as people read the scale.
    return sorted(Grade.choices, key=lambda choice: -choice[0])


def tag_choices() -> list[tuple[str, Any]]:
    return [*ratings.GOOD_TAGS.items(), *ratings.POOR_TAGS.items()]


class RatingForm(PageForm):
    """好差评: five grades, tags, a comment. Several on one page each get their own prefix."""

    grade = forms.TypedChoiceField(
        label=_("How satisfied are you?"),
        coerce=int,
        choices=grade_choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the five grades.")},
    )
    tags = forms.MultipleChoiceField(
        label=_("What stood out (optional)"),
        choices=tag_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(
        label=_("Anything else you want to say (optional)"),
        required=False,
        max_length=ratings.COMMENT_MAX,
        help_text=_("Please do not write personal details such as ID or phone numbers."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def good_tags(self) -> list[Any]:
        return [b for b in self["tags"] if b.data["value"] in ratings.GOOD_TAGS]

    def poor_tags(self) -> list[Any]:
        return [b for b in self["tags"] if b.data["value"] in ratings.POOR_TAGS]


class ReasonForm(PageForm):
    """An appeal's reason, or why a follow-up's answer does not settle the matter."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        error_messages={"required": _("This field is required.")},
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class SupplementForm(PageForm):
    comment = forms.CharField(
        label=_("A note for the clerk (optional)"),
        required=False,
        max_length=2000,
        help_text=_("Say what you are handing in, or why something cannot be handed in."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def relation_labels() -> dict[str, Any]:
    labels = {
        "spouse": _("Spouse"),
        "child": _("Child"),
        "parent": _("Parent"),
        "sibling": _("Brother or sister"),
        "grandchild": _("Grandchild"),
        "other_relative": _("Other relative"),
    }
    return {key: labels[key] for key in RELATIONS}


class AuthorisationForm(PageForm):
    grantee_phone = forms.CharField(
        label=_("Their mobile number"),
        max_length=32,
        help_text=_("The number of their real-name verified CityGate account."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    relation = forms.ChoiceField(
        label=_("How they are related to you"),
        choices=(),
        error_messages={"required": _("Choose how the person is related to you.")},
    )
    item_codes = forms.MultipleChoiceField(
        label=_("Services they may apply for"),
        choices=(),
        help_text=_("Choose one or more. On a computer, hold Ctrl (or ⌘) to choose several."),
        error_messages={"required": _("Choose the services the person may apply for.")},
        widget=forms.SelectMultiple(attrs={"size": "8"}),
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        help_text=_("At most one year from today. You can revoke it at any time."),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, items: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        relation = self.fields["relation"]
        assert isinstance(relation, forms.ChoiceField)  # noqa: S101 - declared above
        relation.choices = [("", _("Choose")), *relation_labels().items()]
        codes = self.fields["item_codes"]
        assert isinstance(codes, forms.MultipleChoiceField)  # noqa: S101 - declared above
        codes.choices = items


# --- The application form ---------------------------------------------------------------------

ACCEPT = {
    "pdf": ".pdf,application/pdf",
    "jpeg": ".jpg,.jpeg,image/jpeg",
    "png": ".png,image/png",
}
# A choice with more answers than this is a drop-down list rather than radio buttons.
RADIO_MAX = 6


@dataclass
class AnswerField:
    """One field of the form as the page shows it."""

    spec: FormField
    name: str
    id: str
    label: str
    help: str
    widget: str
    value: str = ""
    checked: bool = False
    error: str = ""
    choices: list[tuple[str, str]] = dc_field(default_factory=list)

    @property
    def required(self) -> bool:
        return self.spec.required

    @property
    def described_by(self) -> str:
        ids = []
        if self.help:
            ids.append(f"{self.id}-help")
        if self.error:
            ids.append(f"{self.id}-error")
        return " ".join(ids)


@dataclass
class UploadField:
    """One upload slot: its file input and the files already attached to it."""

    slot: Upload
    name: str
    id: str
    label: str
    # The label is the guide's Chinese name of the material, shown on an English page.
    label_lang: str
    accept: str
    limits: str
    error: str = ""
    attached: list[Material] = dc_field(default_factory=list)

    @property
    def key(self) -> str:
        return self.slot.key

    @property
    def multiple(self) -> bool:
        return self.slot.max_files > 1

    @property
    def described_by(self) -> str:
        return f"{self.id}-help" + (f" {self.id}-error" if self.error else "")


def _widget(spec: FormField) -> str:
    if spec.type == FieldType.CHOICE:
        return "radios" if len(spec.choices) <= RADIO_MAX else "select"
    return {
        FieldType.TEXT: "text",
        FieldType.TEXTAREA: "textarea",
        FieldType.INTEGER: "integer",
        FieldType.MONEY: "money",
        FieldType.DATE: "date",
        FieldType.BOOLEAN: "checkbox",
        FieldType.PHONE: "phone",
    }[spec.type]


def _type_hint(spec: FormField) -> str:
    """A hint for the fields whose expected form is not obvious."""
    hints = {
        FieldType.INTEGER: gettext("A whole number."),
        FieldType.MONEY: gettext("In yuan, for example 2500 or 2500.50."),
        FieldType.DATE: gettext("As YYYY-MM-DD, for example 2026-10-12."),
    }
    return hints.get(spec.type, "")


def _types_text(types: list[str]) -> str:
    names = [t.upper() for t in types]
    if len(names) == 1:
        return names[0]
    return gettext("%(first)s or %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def upload_limits(slot: Upload) -> str:
    """What a slot takes, in words: "PDF, JPEG or PNG, up to 10 MB each, at most 3 files"."""
    if slot.max_files == 1:
        return gettext("%(types)s, up to %(mb)d MB, one file") % {
            "types": _types_text(slot.types),
            "mb": slot.max_mb,
        }
    return gettext("%(types)s, up to %(mb)d MB each, at most %(count)d files") % {
        "types": _types_text(slot.types),
        "mb": slot.max_mb,
        "count": slot.max_files,
    }


def _stored_text(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    return str(value)


class ApplicationForm:
    """The fields and uploads of an item's form, read from a POST or filled from a draft.

    Field names on the page are `answer_<name>` and `upload_<key>`; files kept from an earlier
    try travel as `kept_<key>` ids. The services' error keys (`answers.<name>`,
    `materials.<key>`) are placed beside the matching field; others go above the form.
    """

    def __init__(
        self,
        item_form: ItemForm,
        *,
        data: QueryDict | None = None,
        stored: dict[str, Any] | None = None,
        english: bool = False,
    ) -> None:
        self.item_form = item_form
        self.non_field_errors: list[str] = []
        self.fields: list[AnswerField] = []
        for spec in item_form.fields:
            field = AnswerField(
                spec=spec,
                name=f"answer_{spec.name}",
                id=f"answer-{spec.name}",
                label=label(spec),
                help=help_text(spec) or _type_hint(spec),
                widget=_widget(spec),
                choices=[(c.value, label(c)) for c in spec.choices],
            )
            if data is not None:
                raw = data.get(field.name, "")
                field.value = raw[: spec.max_length * 2]
                field.checked = field.name in data
            elif stored is not None:
                field.value = _stored_text(stored.get(spec.name))
                field.checked = stored.get(spec.name) is True
            self.fields.append(field)
        self.uploads = [
            UploadField(
                slot=slot,
                name=f"upload_{slot.key}",
                id=f"upload-{slot.key}",
                label=label(slot),
                label_lang="zh-Hans" if english and slot.name_en == slot.name_zh else "",
                accept=",".join(ACCEPT[t] for t in slot.types),
                limits=upload_limits(slot),
            )
            for slot in item_form.uploads
        ]

    def answers(self) -> dict[str, Any]:
        """What was typed, as the services take it (they check and clean it)."""
        given: dict[str, Any] = {}
        for field in self.fields:
            if field.widget == "checkbox":
                given[field.spec.name] = "on" if field.checked else ""
            else:
                given[field.spec.name] = field.value
        return given

    def upload(self, key: str) -> UploadField | None:
        return next((u for u in self.uploads if u.key == key), None)

    def material_ids(self) -> list[uuid.UUID]:
        return [m.pk for u in self.uploads for m in u.attached]

    def add_error(self, key: str, message: str) -> None:
        if key.startswith("answers."):
            name = key.split(".", 1)[1]
            field = next((f for f in self.fields if f.spec.name == name), None)
            if field is not None:
                field.error = field.error or message
                return
        if key.startswith("materials."):
            upload = self.upload(key.split(".", 1)[1])
            if upload is not None:
                upload.error = upload.error or message
                return
        if message not in self.non_field_errors:
            self.non_field_errors.append(message)

    def add_application_error(self, error: ApplicationError) -> None:
        for key, message in error.fields.items():
            self.add_error(key, str(message))
        if not error.fields:
            self.add_error("", str(error.message))

    @property
    def has_errors(self) -> bool:
        return bool(
            self.non_field_errors
            or any(f.error for f in self.fields)
            or any(u.error for u in self.uploads)
        )

    def summary(self) -> list[tuple[str, str, str]]:
        """(anchor id, label, message) of every error beside a field, in page order."""
        found = []
        for field in self.fields:
            if field.error:
                anchor = f"{field.id}-0" if field.widget == "radios" else field.id
                found.append((anchor, field.label, field.error))
        for upload in self.uploads:
            if upload.error:
                found.append((upload.id, upload.label, upload.error))
        return found
