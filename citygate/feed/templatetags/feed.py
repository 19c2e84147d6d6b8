"""``{% reading_view_token story %}``: the token the story page hands to the reading beacon."""

from __future__ import annotations

from typing import Any

from django import template

from citygate.accounts.models import User
from citygate.feed import services

register = template.Library()


@register.simple_tag(takes_context=True)
def reading_view_token(context: dict[str, Any], story: Any) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return ""
    return services.view_token(user=user, story_id=story.pk)
