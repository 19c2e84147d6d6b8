"""Template filters that show personal values masked: ``{{ agent.user.phone|masked_phone }}``."""

from __future__ import annotations

from django import template

from citygate.privacy.masking import mask_name, mask_phone

register = template.Library()


@register.filter
def masked_phone(value: str | None) -> str:
    return mask_phone(value)


@register.filter
def masked_name(value: str | None) -> str:
    return mask_name(value)
