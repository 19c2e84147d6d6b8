"""The base of every page's form: what it shows beside each field, and where a service's
error goes.

Forms read what was typed; the services decide whether it is right. A `PageForm` shows labels
without Django's colon, ties each field to its help and error text (``aria-describedby``,
``aria-invalid``) so that screen readers announce them, and places an `ApplicationError`
beside the field it names, or above the form when it names none the form shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from citygate.core.errors import ApplicationError


class PageForm(forms.Form):
    # Service field names that this form shows under another name (a form may set its own).
    service_aliases: Mapping[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def full_clean(self) -> None:
        super().full_clean()
        self.describe()

    def describe(self) -> None:
        """Ties each field to its help and error text."""
        for name, field in self.fields.items():
            bound = self[name]
            described = []
            if field.help_text:
                described.append(f"{bound.auto_id}_helptext")
            if self.is_bound and name in self.errors:
                described.append(f"{bound.auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)

    def field_for(self, service_name: str, aliases: Mapping[str, str] | None = None) -> str | None:
        """The visible field that shows a service's field, if the form has one."""
        name = {**self.service_aliases, **(aliases or {})}.get(service_name, service_name)
        if name in self.fields and not self.fields[name].widget.is_hidden:
            return name
        return None

    def add_application_error(
        self, error: ApplicationError, aliases: Mapping[str, str] | None = None
    ) -> None:
        """Shows a service's error beside the field it names, or above the form."""
        placed = False
        for service_name, message in error.fields.items():
            name = self.field_for(service_name, aliases)
            if name is not None:
                self.add_error(name, str(message))
                placed = True
        if not placed:
            self.add_error(None, str(error.message))
        self.describe()
