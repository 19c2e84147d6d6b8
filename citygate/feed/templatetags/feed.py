"""``{% reading_view_token story as view %}``: the token the story page hands to the reading
beacon; empty for an anonymous visitor and for a page rendered for the shared page cache
(core.pagecache), which must not carry one reader's token to another."""

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
    if not isinstance(user, User) or getattr(request, "page_cache_placeholder", None):
        return ""
    return services.view_token(user=user, story_id=story.pk)
