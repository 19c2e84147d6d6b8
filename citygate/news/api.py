"""The newsroom's public API: published stories, a page at a time, and one story."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from citygate.core.errors import InvalidInput, NotFound
from citygate.core.schemas import ErrorOut
from citygate.news import selectors
from citygate.news.models import Story, StoryState

router = Router(tags=["news"])

ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MAX_PAGE = 10_000
CHANNEL_SLUG_MAX = 32  # NewsChannel.slug


class ChannelOut(Schema):
    slug: str
    name: str


class StorySummaryOut(Schema):
    id: uuid.UUID
    title: str
    summary: str
    channel: ChannelOut
    tags: list[str]
    language: str
    published_at: datetime | None
    cover_url: str
    corrected: bool
    url: str


class StoryOut(StorySummaryOut):
    state: str
    body: str
    cover_alt: str
    source: str
    author: str
    districts: list[str]
    correction: str
    corrected_at: datetime | None
    retraction: str
    retracted_at: datetime | None


class StoryPageOut(Schema):
    items: list[StorySummaryOut]
    page: int
    total: int
    has_next: bool


def _summary(story: Story) -> dict[str, Any]:
    return {
        "id": story.pk,
        "title": story.title,
        "summary": story.summary,
        "channel": ChannelOut(slug=story.channel.slug, name=story.channel.display_name),
        "tags": [tag.slug for tag in story.tags.all()],
        "language": story.language,
        "published_at": story.published_at,
        "cover_url": (
            reverse("news:media", args=[story.cover.removeprefix("news/")]) if story.cover else ""
        ),
        "corrected": bool(story.correction),
        "url": reverse("news:story", args=[story.pk]),
    }


@router.get("/news/stories", response={200: StoryPageOut, **ERRORS})
def stories(request: HttpRequest, page: Query[int] = 1, channel: Query[str] = "") -> StoryPageOut:
    """Published stories, newest first, 20 a page; `channel` is a channel's slug."""
    found = None
    if channel:
        # A NUL or an over-long value names no channel, and never reaches the database.
        plausible = len(channel) <= CHANNEL_SLUG_MAX and "\x00" not in channel
        found = selectors.channel_get(slug=channel) if plausible else None
        if found is None:
            raise InvalidInput({"channel": _("There is no such channel.")})
    page = max(1, min(page, MAX_PAGE))
    listed = selectors.public_stories(channel=found)
    start = (page - 1) * selectors.PAGE_SIZE
    items = list(listed[start : start + selectors.PAGE_SIZE + 1])
    return StoryPageOut(
        items=[StorySummaryOut(**_summary(story)) for story in items[: selectors.PAGE_SIZE]],
        page=page,
        total=listed.count(),
        has_next=len(items) > selectors.PAGE_SIZE,
    )


@router.get("/news/stories/{story_id}", response={200: StoryOut, **ERRORS})
def story(request: HttpRequest, story_id: uuid.UUID) -> StoryOut:
    """One published story; a retracted one keeps only its title and the notice."""
    found = selectors.public_story_get(story_id=story_id)
    if found is None:
        raise NotFound(_("There is no such story."))
    return StoryOut(
        **_summary(found),
        state=found.state,
        body=found.body if found.state == StoryState.PUBLISHED else "",
        cover_alt=found.cover_alt,
        source=found.source,
        author=found.author,
        districts=[district.code for district in found.districts.all()],
        correction=found.correction,
        corrected_at=found.corrected_at,
        retraction=found.retraction,
        retracted_at=found.retracted_at,
    )
