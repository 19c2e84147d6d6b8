"""The form of an item's application: its fields and uploads, and the checking of answers.

A procedure's form declares its own fields. Its uploads are either declared too or, when the
procedure declares none, taken from the item's materials in the catalogue, so that the form
asks for exactly what the guide lists: materials accepted as an electronic licence are fetched
by the department and not asked for, nor is the ID card the verified account stands for;
materials that may come later (容缺) are optional at submission.

Answers are checked field by field; every message names its field and is in the reader's
language. Nothing here touches the database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from citygate.applications.workflow import FieldType, Form, FormField, Procedure, Upload
from citygate.catalog.content import ItemContent, Necessity
from citygate.core.errors import InvalidInput

# Materials the verified account already proves: the applicant's own ID card.
KNOWN_FROM_IDENTITY = frozenset(
    {"居民身份证", "申请人身份证件", "本人居民身份证", "经营者居民身份证", "申请人身份证明"}
)


def _in_english() -> bool:
    return (get_language() or "").startswith("en")


def label(thing: Any) -> str:
    """The reader's-language label of a field, choice, upload, state or action."""
    english = _in_english()
    for zh, en in (("label_zh", "label_en"), ("name_zh", "name_en"), ("title_zh", "title_en")):
        if hasattr(thing, zh):
            return str(getattr(thing, en) if english else getattr(thing, zh))
    raise TypeError(type(thing).__name__)


def help_text(field: FormField) -> str:
    return field.help_en if _in_english() else field.help_zh


@dataclass(frozen=True)
class ItemForm:
    procedure: Procedure
    fields: tuple[FormField, ...]
    uploads: tuple[Upload, ...]

    @property
    def form(self) -> Form:
        return self.procedure.form

    def upload(self, key: str) -> Upload | None:
        return next((u for u in self.uploads if u.key == key), None)


def uploads_from_materials(content: ItemContent) -> tuple[Upload, ...]:
    """An upload for each material of the guide, scanned: online, an original shown at the
    window becomes its scan. The account's own ID card and electronic licences are not asked.
    """
    found: list[Upload] = []
    for number, material in enumerate(content.materials, start=1):
        if material.e_licence or material.name in KNOWN_FROM_IDENTITY:
            continue
        found.append(
            Upload(
                key=f"m{number}",
                name_zh=material.name[:80],
                name_en=material.name[:80],
                required=material.necessity == Necessity.REQUIRED,
            )
        )
    return tuple(found)


def item_form(procedure: Procedure, content: ItemContent) -> ItemForm:
    uploads = tuple(procedure.form.uploads) or uploads_from_materials(content)
    return ItemForm(procedure=procedure, fields=tuple(procedure.form.fields), uploads=uploads)


# --- Checking answers ---------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError
    text = unicodedata.normalize("NFKC", str(value)).strip()
    # Control characters, and lone surrogates (which no text can hold or store).
    if any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\t" for ch in text):
        raise ValueError
    return text


def _check(field: FormField, raw: Any) -> tuple[Any, str]:
    """The cleaned value and an error message ("" when fine)."""
    try:
        text = _text(raw) if field.type != FieldType.BOOLEAN else ""
    except ValueError:
        return None, _("This is not a valid answer.")
    if field.type == FieldType.BOOLEAN:
        if raw in (True, "true", "on", "1", 1):
            return True, ""
        if raw in (None, False, "", "false", "0", 0):
            return (False, _("This must be confirmed.")) if field.required else (False, "")
        return None, _("This is not a valid answer.")
    if not text:
        return None, (_("This field is required.") if field.required else "")
    if len(text) > field.max_length:
        return None, _("Write at most %(count)d characters.") % {"count": field.max_length}
    if field.type in (FieldType.TEXT, FieldType.TEXTAREA):
        if field.type == FieldType.TEXT and "\n" in text:
            return None, _("Write this on one line.")
        return text, ""
    if field.type == FieldType.PHONE:
        digits = re.sub(r"[\s-]", "", text)
        if not re.fullmatch(r"(1[3-9]\d{9}|0\d{2,3}\d{7,8})", digits):
            return None, _("Enter a mobile number of 11 digits, or a landline with its area code.")
        return digits, ""
    if field.type == FieldType.CHOICE:
        if text not in {c.value for c in field.choices}:
            return None, _("Choose one of the listed answers.")
        return text, ""
    if field.type == FieldType.DATE:
        try:
            return date.fromisoformat(text).isoformat(), ""
        except ValueError:
            return None, _("Enter a date as YYYY-MM-DD.")
    return _check_number(field, text)


def _check_number(field: FormField, text: str) -> tuple[Any, str]:
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None, _("Enter a number.")
    if not number.is_finite():
        return None, _("Enter a number.")
    if field.type == FieldType.INTEGER and number != number.to_integral_value():
        return None, _("Enter a whole number.")
    if field.type == FieldType.MONEY and number.as_tuple().exponent < -2:  # type: ignore[operator]
        return None, _("Enter an amount in yuan with at most two decimals.")
    if field.minimum is not None and number < Decimal(str(field.minimum)):
        return None, _("Enter at least %(value)s.") % {"value": _plain(field.minimum)}
    if field.maximum is not None and number > Decimal(str(field.maximum)):
        return None, _("Enter at most %(value)s.") % {"value": _plain(field.maximum)}
    if field.type == FieldType.INTEGER:
        return int(number), ""
    return str(number.quantize(Decimal("0.01"))), ""


def _plain(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def answers_clean(form: ItemForm, data: Any, *, partial: bool = False) -> dict[str, Any]:
    """The answers of the form's fields, cleaned; InvalidInput naming each wrong field.

    `partial` (a draft) lets required fields be empty. Keys the form does not have are
    refused, so a misspelt field is heard about rather than lost.
    """
    if not isinstance(data, dict):
        raise InvalidInput({"answers": _("The answers must be an object of field names.")})
    errors: dict[str, str] = {}
    known = {f.name for f in form.fields}
    for key in data:
        if key not in known:
            errors[f"answers.{str(key)[:40]}"] = _("This form has no such field.")
    cleaned: dict[str, Any] = {}
    for field in form.fields:
        value, error = _check(field, data.get(field.name))
        if error and not (partial and value is None and error == _("This field is required.")):
            errors[f"answers.{field.name}"] = error
        elif value is not None:
            cleaned[field.name] = value
    if errors:
        raise InvalidInput(errors)
    return cleaned


def answer_display(field: FormField, value: Any) -> str:
    """How an answer reads on a page (a choice by its label, a yes/no in words)."""
    if field.type == FieldType.CHOICE:
        choice = next((c for c in field.choices if c.value == value), None)
        return label(choice) if choice else str(value)
    if field.type == FieldType.BOOLEAN:
        return _("Yes") if value else _("No")
    return "" if value is None else str(value)
