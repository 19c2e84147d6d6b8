"""Template tags of the newsroom: the latest stories for the home page's strip, and a cover's
address."""

from __future__ import annotations

from django import template
from django.urls import reverse

from citygate.news import selectors
from citygate.news.models import Story

register = template.Library()


@register.simple_tag
def news_latest() -> list[Story]:
    return selectors.latest_stories()


@register.filter
def cover_url(story: Story) -> str:
    if not story.cover:
        return ""
    return reverse("news:media", args=[story.cover.removeprefix("news/")])
