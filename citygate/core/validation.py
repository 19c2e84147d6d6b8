"""Messages for bad input, in the reader's language, naming the field at fault."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

# The parts of a pydantic location that are not field names.
_LOCATION_ROOTS = {"body", "query", "path", "header", "cookie", "form", "file", "payload", "data"}


def _field_name(loc: Iterable[Any]) -> str:
    parts = [str(p) for p in loc if not (isinstance(p, str) and p in _LOCATION_ROOTS)]
    return ".".join(parts) or "body"


def message_for(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"string_type", "str_type"}:
        return _("Enter text.")
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"bool_type", "bool_parsing"}:
        return _("Enter true or false.")
    if kind == "string_too_long":
        return _("Use at most %(limit)s characters.") % {"limit": ctx.get("max_length", "")}
    if kind == "string_too_short":
        return _("Use at least %(limit)s characters.") % {"limit": ctx.get("min_length", "")}
    if kind in {"list_type", "dict_type", "model_type", "model_attributes_type"}:
        return _("This field has the wrong shape.")
    if kind == "extra_forbidden":
        return _("This field is not expected here.")
    if kind in {"json_invalid", "json_type"}:
        return _("The request body is not valid JSON.")
    if kind.startswith("value_error") or kind == "assertion_error":
        return _("Enter a valid value.")
    return _("Enter a valid value.")


def field_errors_from_pydantic(errors: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in errors:
        name = _field_name(error.get("loc", ()))
        fields.setdefault(name, message_for(error))
    return fields


def small_positive_int(text: str, *, maximum: int) -> int | None:
    """A positive whole number typed in ASCII digits, at most `maximum`; otherwise None.

    `str.isdigit` alone admits "²" and other Unicode digits that `int` refuses, and a long run
    of digits that `int` refuses to convert: both would otherwise end as a 500.
    """
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > len(str(maximum)):
        return None
    value = int(text)
    return value if 0 < value <= maximum else None
