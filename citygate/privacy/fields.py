"""Model fields that keep personal data encrypted at rest.

``EncryptedTextField`` stores ``crypto.encrypt`` output and gives back plain text; its values
are bound to ``<app>.<model>.<field>``. It supports no lookups but ``isnull``: find rows by the
``BlindIndexField`` beside it, which ``pre_save`` fills from the clear value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models import Model

from citygate.privacy import crypto


def field_context(model: type[Model], field_name: str) -> str:
    return f"{model._meta.label_lower}.{field_name}"


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    description = "Text encrypted at rest with the configured cipher"

    def contribute_to_class(self, cls: type[Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        self.encryption_context = field_context(cls, name)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value, context=self.encryption_context)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return None if value is None else ""
        return crypto.encrypt(str(value), context=self.encryption_context)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise TypeError("encrypted fields support only isnull lookups; use the blind index")
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField):  # type: ignore[type-arg]
    """The keyed hash of another field's normalised clear value, for exact lookups."""

    def __init__(
        self,
        *args: Any,
        source: str = "",
        purpose: str = "",
        normaliser: Callable[[str], str] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)
        self.source = source
        self.purpose = purpose
        self.normaliser = normaliser or (lambda text: text.strip())

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["purpose"] = self.purpose
        # Leave out only the values __init__ would supply again, so that a field declared
        # with, say, null=False keeps it in its migration.
        defaults = {"max_length": 64, "editable": False, "null": True, "blank": True}
        for key, default in defaults.items():
            actual = getattr(self, key)
            if actual == default:
                kwargs.pop(key, None)
            else:
                kwargs[key] = actual
        return name, path, args, kwargs

    def compute(self, clear: str | None) -> str | None:
        if not clear:
            return None
        return crypto.blind_index(self.purpose, self.normaliser(clear))

    def pre_save(self, model_instance: Model, add: bool) -> str | None:
        value = self.compute(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value
