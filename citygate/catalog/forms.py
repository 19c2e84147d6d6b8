"""Forms of the catalogue's back office.

The forms read what was typed; `ItemContent` decides whether it is right. Its errors are put
back beside the field (or the material, fee or question row) they concern, in the reader's
language, so a rule broken in the guide never ends as an error page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.forms.formsets import BaseFormSet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from pydantic import ValidationError

from citygate.catalog.content import ItemContent, ItemRecord
from citygate.catalog.exchange import (
    AUDIENCE_LABELS,
    FEE_LABELS,
    FIELD_LABELS,
    ITEM_TYPE_LABELS,
    MATERIAL_FORM_LABELS,
    MATERIAL_LABELS,
    NECESSITY_LABELS,
    ONLINE_DEPTH_LABELS,
    QUESTION_LABELS,
    SCOPE_LABELS,
    Loc,
    category_labels,
    content_problems,
    entry_message,
)
from citygate.catalog.models import LifeEvent, RevisionState
from citygate.core.errors import ApplicationError
from citygate.core.forms import PageForm
from citygate.directory.models import Department, District

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


def _choices(labels: Mapping[Any, Any]) -> list[tuple[Any, Any]]:
    return list(labels.items())


class LinesField(forms.CharField):
    """A list of short texts, one per line of a text area."""

    def __init__(self, *, rows: int = 4, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20_000)
        super().__init__(widget=forms.Textarea(attrs={"rows": rows}), **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(str(v) for v in value)
        return value

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value)
        return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def _text(name: str, *, max_length: int = 200, required: bool = False, **attrs: str) -> Any:
    return forms.CharField(
        label=FIELD_LABELS[name],
        max_length=max_length,
        required=required,
        widget=forms.TextInput(attrs=attrs) if attrs else None,
    )


def _days(name: str, help_text: StrPromise) -> forms.IntegerField:
    return forms.IntegerField(
        label=FIELD_LABELS[name],
        min_value=0,
        max_value=365,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class ItemContentForm(PageForm):
    """The scalar fields and the one-per-line lists of `ItemContent`."""

    name = _text("name", max_length=80, required=True)
    name_en = _text("name_en", lang="en")
    summary = _text("summary")
    summary_en = _text("summary_en", lang="en")
    item_type = forms.ChoiceField(label=FIELD_LABELS["item_type"], choices=())
    category = forms.ChoiceField(label=FIELD_LABELS["category"], choices=())
    implementing_body = forms.CharField(
        label=FIELD_LABELS["implementing_body"],
        max_length=80,
        help_text=_("The body that decides, as named in the implementation list."),
    )
    audience = forms.MultipleChoiceField(
        label=FIELD_LABELS["audience"], choices=(), widget=forms.CheckboxSelectMultiple
    )
    statutory_limit_days = _days(
        "statutory_limit_days", _("Working days set by law; 0 when done on the spot.")
    )
    promised_limit_days = _days(
        "promised_limit_days", _("Working days the department promises; at most the statutory.")
    )
    visits = forms.IntegerField(
        label=FIELD_LABELS["visits"],
        min_value=0,
        max_value=5,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    online_depth = forms.TypedChoiceField(
        label=FIELD_LABELS["online_depth"], choices=(), coerce=int
    )
    appointment = forms.BooleanField(label=FIELD_LABELS["appointment"], required=False)
    scope = forms.ChoiceField(label=FIELD_LABELS["scope"], choices=())
    conditions = forms.CharField(
        label=FIELD_LABELS["conditions"],
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    process = LinesField(label=FIELD_LABELS["process"], help_text=_("One step per line."))
    legal_basis = LinesField(
        label=FIELD_LABELS["legal_basis"], help_text=_("One law or regulation per line.")
    )
    result = _text("result")
    place = _text("place")
    hours = _text("hours")
    enquiry_phone = _text("enquiry_phone", max_length=32, inputmode="tel")
    complaint_phone = _text("complaint_phone", max_length=32, inputmode="tel")
    keywords = LinesField(label=FIELD_LABELS["keywords"], rows=3, help_text=_("One word per line."))
    aliases = LinesField(
        label=FIELD_LABELS["aliases"],
        rows=3,
        help_text=_("What people call it in their own words; one per line."),
    )
    life_events = forms.MultipleChoiceField(
        label=FIELD_LABELS["life_events"],
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    # The text fields read as lists.
    LIST_FIELDS = ("process", "legal_basis", "keywords", "aliases")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choose = [("", _("Choose…"))]
        self.fields["item_type"].choices = choose + _choices(ITEM_TYPE_LABELS)  # type: ignore[attr-defined]
        self.fields["category"].choices = choose + _choices(category_labels())  # type: ignore[attr-defined]
        self.fields["audience"].choices = _choices(AUDIENCE_LABELS)  # type: ignore[attr-defined]
        self.fields["online_depth"].choices = choose + _choices(ONLINE_DEPTH_LABELS)  # type: ignore[attr-defined]
        self.fields["scope"].choices = _choices(SCOPE_LABELS)  # type: ignore[attr-defined]
        events: list[tuple[str, str]] = [
            (event.slug, event.display_name) for event in LifeEvent.objects.order_by("order")
        ]
        # A slug the content names but no life event has any more stays choosable, so saving
        # the form never drops it unasked.
        known = {slug for slug, _label in events}
        initial = self.initial.get("life_events") or []
        events += [(slug, slug) for slug in initial if slug not in known]
        self.fields["life_events"].choices = events  # type: ignore[attr-defined]

    def content_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.fields}


class MaterialForm(PageForm):
    name = forms.CharField(label=MATERIAL_LABELS["name"], max_length=80, required=False)
    form = forms.ChoiceField(label=MATERIAL_LABELS["form"], choices=(), required=False)
    copies = forms.IntegerField(
        label=MATERIAL_LABELS["copies"],
        min_value=0,
        max_value=20,
        initial=1,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    necessity = forms.ChoiceField(
        label=MATERIAL_LABELS["necessity"], choices=(), initial="required", required=False
    )
    e_licence = forms.BooleanField(label=MATERIAL_LABELS["e_licence"], required=False)
    source = forms.CharField(label=MATERIAL_LABELS["source"], max_length=200, required=False)
    note = forms.CharField(label=MATERIAL_LABELS["note"], max_length=200, required=False)

    ENTRY_FIELDS = ("name", "form", "source", "note")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["form"].choices = [("", _("Choose…")), *_choices(MATERIAL_FORM_LABELS)]  # type: ignore[attr-defined]
        self.fields["necessity"].choices = _choices(NECESSITY_LABELS)  # type: ignore[attr-defined]

    def entry(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("DELETE", None)
        if data.get("copies") is None:
            data["copies"] = 1
        if not data.get("necessity"):
            data["necessity"] = "required"
        if not data.get("form"):
            data.pop("form", None)
        return data


class FeeForm(PageForm):
    name = forms.CharField(label=FEE_LABELS["name"], max_length=80, required=False)
    standard = forms.CharField(label=FEE_LABELS["standard"], max_length=200, required=False)
    basis = forms.CharField(label=FEE_LABELS["basis"], max_length=200, required=False)
    waivable = forms.BooleanField(label=FEE_LABELS["waivable"], required=False)

    ENTRY_FIELDS = ("name", "standard", "basis")

    def entry(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("DELETE", None)
        return data


class QuestionForm(PageForm):
    question = forms.CharField(label=QUESTION_LABELS["question"], max_length=200, required=False)
    answer = forms.CharField(
        label=QUESTION_LABELS["answer"],
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    ENTRY_FIELDS = ("question", "answer")

    def entry(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("DELETE", None)
        return data


class RowFormSet(BaseFormSet):  # type: ignore[type-arg]
    """Rows of a list. A row marked for removal is not part of the list; nor is a row in which
    nothing that makes an entry is filled in (the blank rows, or a row whose texts were all
    cleared): a number of copies or a ticked box alone is no entry."""

    def blank(self, form: forms.Form) -> bool:
        cleaned = getattr(form, "cleaned_data", {})
        names: Sequence[str] = getattr(form, "ENTRY_FIELDS", ())
        return not any(str(cleaned.get(name) or "").strip() for name in names)

    def kept(self) -> list[tuple[int, Any]]:
        """(position of the row in the form set, the row's form) of the rows in the list."""
        rows = []
        for position, form in enumerate(self.forms):
            if not hasattr(form, "cleaned_data"):
                continue
            if self.can_delete and form.cleaned_data.get("DELETE"):
                continue
            if self.blank(form):
                continue
            rows.append((position, form))
        return rows


def _formset(form: type[forms.Form], *, extra: int, max_num: int) -> type[RowFormSet]:
    made = forms.formset_factory(
        form,
        formset=RowFormSet,
        extra=extra,
        can_delete=True,
        max_num=max_num,
        absolute_max=max_num + 10,
        validate_max=False,
    )
    return cast(type[RowFormSet], made)


MaterialFormSet = _formset(MaterialForm, extra=3, max_num=40)
FeeFormSet = _formset(FeeForm, extra=2, max_num=10)
QuestionFormSet = _formset(QuestionForm, extra=2, max_num=20)

LISTS: dict[str, type[RowFormSet]] = {
    "materials": MaterialFormSet,
    "fees": FeeFormSet,
    "faq": QuestionFormSet,
}


class ContentEditor:
    """The whole guide on one page: the fields, and a form set per list.

    `is_valid()` checks the forms, then `ItemContent`; afterwards `content` is the validated
    content, or the pydantic errors are shown beside the fields and rows they concern.
    """

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, initial: Mapping[str, Any] | None = None
    ) -> None:
        initial = dict(initial or {})
        lists = {name: list(initial.pop(name, None) or []) for name in LISTS}
        self.form = ItemContentForm(data, initial=initial, prefix="content")
        self.formsets: dict[str, RowFormSet] = {
            name: formset(data, initial=lists[name], prefix=name) for name, formset in LISTS.items()
        }
        # Errors of a list as a whole ("at most 40 materials"), by list.
        self.list_errors: dict[str, list[str]] = {}
        self.content: ItemContent | None = None
        # Position in each list → position of the row in its form set.
        self._rows: dict[str, list[int]] = {}

    @property
    def materials(self) -> RowFormSet:
        return self.formsets["materials"]

    @property
    def fees(self) -> RowFormSet:
        return self.formsets["fees"]

    @property
    def faq(self) -> RowFormSet:
        return self.formsets["faq"]

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        for formset in self.formsets.values():
            try:
                valid = formset.is_valid() and valid
            except DjangoValidationError:
                # A tampered management form: told above the lists.
                valid = False
        if not valid:
            return False
        data = self.form.content_data()
        for name, formset in self.formsets.items():
            rows = formset.kept()
            self._rows[name] = [position for position, _form in rows]
            data[name] = [form.entry() for _position, form in rows]
        try:
            self.content = ItemContent.model_validate(data)
        except ValidationError as error:
            self.show(content_problems(error))
            return False
        return True

    def show(self, problems: Sequence[tuple[Loc, str]]) -> None:
        for loc, message in problems:
            self._place(loc, message)
        self.form.describe()
        for formset in self.formsets.values():
            for form in formset.forms:
                if isinstance(form, PageForm):
                    form.describe()

    def _place(self, loc: Loc, message: str) -> None:
        name = str(loc[0]) if loc else ""
        if name in self.formsets:
            formset = self.formsets[name]
            if len(loc) >= 3 and isinstance(loc[1], int) and loc[1] < len(self._rows.get(name, [])):
                form = formset.forms[self._rows[name][loc[1]]]
                part = str(loc[2])
                if part in form.fields:
                    form.add_error(part, message)
                    return
                form.add_error(None, message)
                return
            self.list_errors.setdefault(name, []).append(message)
            return
        if name in self.form.fields:
            if len(loc) >= 2 and isinstance(loc[1], int):
                message = entry_message(loc[1] + 1, message)
            self.form.add_error(name, message)
            return
        self.form.add_error(None, message)

    def add_application_error(self, error: ApplicationError) -> None:
        self.form.add_application_error(error)

    @property
    def has_errors(self) -> bool:
        return bool(
            self.form.errors
            or self.list_errors
            or any(
                formset.is_bound and (formset.total_error_count() or formset.non_form_errors())
                for formset in self.formsets.values()
            )
        )

    def error_list(self) -> list[tuple[str, str, str]]:
        """(anchor, label, message) of every error on the page, for the summary at the top."""
        found: list[tuple[str, str, str]] = []
        for message in self.form.non_field_errors():
            found.append(("", "", str(message)))
        for bound in self.form.visible_fields():
            for message in bound.errors:
                found.append((_anchor(bound), str(bound.label), str(message)))
        for name, formset in self.formsets.items():
            title = str(FIELD_LABELS[name])
            if not formset.is_bound:
                continue
            for message in [*formset.non_form_errors(), *self.list_errors.get(name, [])]:
                found.append((f"{name}-title", title, str(message)))
            for position, form in enumerate(formset.forms, start=1):
                row = _("%(list)s, row %(row)s") % {"list": title, "row": position}
                for message in form.non_field_errors():
                    found.append((f"id_{form.prefix}-name", str(row), str(message)))
                for bound in form.visible_fields():
                    for message in bound.errors:
                        found.append((_anchor(bound), f"{row}: {bound.label}", str(message)))
        return found


def _anchor(bound: forms.BoundField) -> str:
    return str(bound.id_for_label or bound.auto_id)


class SummaryForm(PageForm):
    summary = forms.CharField(
        label=_("What changed"),
        max_length=200,
        required=False,
        help_text=_("A few words for the history and the reviewer."),
    )


class PlaceForm(PageForm):
    """Where a new item belongs: its code, one of my departments, and a district."""

    code = forms.CharField(
        label=FIELD_LABELS["code"],
        max_length=48,
        help_text=_("As in the implementation list: capital letters, digits and hyphens."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    department = forms.ChoiceField(label=FIELD_LABELS["department"], choices=())
    district = forms.ChoiceField(
        label=FIELD_LABELS["district"],
        choices=(),
        required=False,
        help_text=_("The district whose body implements the item; none for a city-level item."),
    )

    def __init__(self, *args: Any, departments: Sequence[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.code, d.display_name) for d in departments]  # type: ignore[attr-defined]
        self.fields["district"].choices = [("", _("None (city level)"))] + [  # type: ignore[attr-defined]
            (d.code, d.display_name) for d in District.objects.order_by("order", "code")
        ]
        if len(departments) == 1:
            self.fields["department"].initial = departments[0].code

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip().upper()

    def record(self, content: ItemContent) -> ItemRecord | None:
        """The new item's record, or None with the errors put beside the fields."""
        try:
            return ItemRecord(
                code=self.cleaned_data["code"],
                department=self.cleaned_data["department"],
                district=self.cleaned_data.get("district") or "",
                content=content,
            )
        except ValidationError as error:
            for loc, message in content_problems(error):
                name = str(loc[0]) if loc else ""
                self.add_error(name if name in self.fields else None, message)
            self.describe()
            return None


class CommentForm(PageForm):
    comment = forms.CharField(
        label=_("Comment"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReturnForm(PageForm):
    comment = forms.CharField(
        label=_("What should change"),
        max_length=500,
        help_text=_("The author sees this with the returned version."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what should change.")},
    )


class WithdrawForm(PageForm):
    reason = forms.CharField(
        label=_("Why it is withdrawn"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RevisionStateFilter(forms.Form):
    """The filter of the item list: by the open version's state, or by the item's status."""

    STATES = (
        ("", _("All items")),
        (RevisionState.DRAFT.value, _("Draft being written")),
        (RevisionState.SUBMITTED.value, _("Waiting for review")),
        (RevisionState.RETURNED.value, _("Returned for changes")),
        ("published", _("Published")),
        ("unpublished", _("Never published")),
        ("withdrawn", pgettext_lazy("service item", "Withdrawn")),
    )

    state = forms.ChoiceField(label=_("Show"), choices=STATES, required=False)


class ImportForm(PageForm):
    file = forms.FileField(
        label=_("File"),
        help_text=_("An Excel workbook (.xlsx) or a JSON file as the export writes them."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.json"}),
    )
    submit_for_review = forms.BooleanField(
        label=_("Submit the new versions for review"), required=False
    )


class ExportForm(PageForm):
    department = forms.ChoiceField(label=FIELD_LABELS["department"], choices=(), required=False)
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("xlsx", _("Excel workbook (.xlsx)")), ("json", _("JSON"))],
        initial="xlsx",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, departments: Sequence[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("All my departments"))] + [  # type: ignore[attr-defined]
            (d.code, d.display_name) for d in departments
        ]
