"""Reads of the newsroom: public stories for everyone, every story for editors only."""

from __future__ import annotations

import difflib
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from citygate.accounts.models import User
from citygate.directory.models import District
from citygate.news import richtext
from citygate.news.models import (
    NewsChannel,
    NewsTag,
    Story,
    StoryReview,
    StoryRevision,
    StoryState,
)
from citygate.news.services import is_editor, review_levels

PAGE_SIZE = 20
HOME_STRIP_SIZE = 4
MOST_READ_DAYS = 30


def _with_relations(stories: QuerySet[Story]) -> QuerySet[Story]:
    return stories.select_related("channel").prefetch_related(
        Prefetch("tags", queryset=NewsTag.objects.order_by("order", "slug"))
    )


def public_stories(*, channel: NewsChannel | None = None) -> QuerySet[Story]:
    """Published stories, newest first (retracted ones are found only by their address)."""
    stories = Story.objects.filter(state=StoryState.PUBLISHED)
    if channel is not None:
        stories = stories.filter(channel=channel)
    return _with_relations(stories).order_by("-published_at", "-pk")


def latest_stories(*, limit: int = HOME_STRIP_SIZE) -> list[Story]:
    return list(public_stories()[:limit])


def most_read_stories(*, limit: int = 5) -> list[Story]:
    """The most opened stories published in the last 30 days."""
    since = timezone.now() - timedelta(days=MOST_READ_DAYS)
    stories = public_stories().filter(published_at__gte=since, opens__gt=0)
    return list(stories.order_by("-opens", "-published_at")[:limit])


def public_story_get(*, story_id: uuid.UUID | str) -> Story | None:
    """A published or retracted story; None for any other (a draft is not found)."""
    try:
        key = story_id if isinstance(story_id, uuid.UUID) else uuid.UUID(str(story_id))
    except ValueError:
        return None
    stories = Story.objects.filter(pk=key, state__in=(StoryState.PUBLISHED, StoryState.RETRACTED))
    return _with_relations(stories).prefetch_related("districts").first()


def channel_list() -> QuerySet[NewsChannel]:
    return NewsChannel.objects.order_by("order", "slug")


def channel_get(*, slug: str) -> NewsChannel | None:
    return NewsChannel.objects.filter(slug=slug).first()


def tag_list() -> QuerySet[NewsTag]:
    return NewsTag.objects.order_by("order", "slug")


def media_is_public(*, name: str) -> bool:
    """Whether a file under news/ is shown by a public story (its cover or in its body)."""
    public = Story.objects.filter(state=StoryState.PUBLISHED)
    path = f"{richtext.MEDIA_PREFIX}{name.removeprefix('news/')}"
    return public.filter(cover=name).exists() or public.filter(body__contains=path).exists()


# --- Editors ----------------------------------------------------------------------------------


def staff_stories(*, user: User, state: str = "") -> QuerySet[Story]:
    """Every story, for editors; none for anyone else."""
    if not is_editor(user):
        return Story.objects.none()
    stories = Story.objects.all()
    if state:
        stories = stories.filter(state=state)
    return stories.select_related("channel").order_by("-updated_at", "-pk")


def staff_story_get(*, user: User, story_id: uuid.UUID | str) -> Story | None:
    try:
        key = story_id if isinstance(story_id, uuid.UUID) else uuid.UUID(str(story_id))
    except ValueError:
        return None
    return staff_stories(user=user).prefetch_related("tags", "districts").filter(pk=key).first()


@dataclass(frozen=True)
class QueueLevel:
    number: int
    label: str
    count: int


def review_queue_levels(*, user: User) -> list[QueueLevel]:
    """The review levels with how many stories wait at each."""
    waiting = staff_stories(user=user, state=StoryState.IN_REVIEW)
    counts: dict[int, int] = {}
    for passed in waiting.values_list("reviewed_level", flat=True):
        counts[passed + 1] = counts.get(passed + 1, 0) + 1
    return [
        QueueLevel(number, label, counts.get(number, 0))
        for number, label in enumerate(review_levels(), start=1)
    ]


def review_queue(*, user: User, level: int) -> QuerySet[Story]:
    """Stories waiting for review at this level (1 is the first), oldest first."""
    waiting = staff_stories(user=user, state=StoryState.IN_REVIEW)
    return waiting.filter(reviewed_level=level - 1).order_by("updated_at", "pk")


def review_waiting_count(*, user: User) -> int:
    return staff_stories(user=user, state=StoryState.IN_REVIEW).count()


def revision_get(*, story: Story, version: int) -> StoryRevision | None:
    return StoryRevision.objects.filter(story=story, version=version).first()


def story_history(*, story: Story) -> list[StoryRevision]:
    """The story's versions, newest first, with who saved each."""
    return list(story.revisions.select_related("editor").order_by("-version"))


def story_reviews(*, story: Story) -> list[StoryReview]:
    return list(story.reviews.select_related("reviewer").order_by("-decided_at", "-pk"))


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added" or "removed"
    text: str


@dataclass(frozen=True)
class FieldDiff:
    name: str
    lines: list[DiffLine]

    @property
    def changed(self) -> bool:
        return any(line.kind != "same" for line in self.lines)


_BLOCK_END = re.compile(r"</(?:p|h2|h3|li|blockquote|figcaption|caption|tr)>|<br\s*/?>")
DIFF_FIELDS = ("title", "summary", "body", "channel", "tags", "districts", "cover_alt", "source")


def _names() -> dict[str, dict[str, str]]:
    """What a diff shows for the slugs and codes a revision keeps: today's names."""
    return {
        "channel": {c.slug: c.display_name for c in NewsChannel.objects.all()},
        "tags": {t.slug: t.display_name for t in NewsTag.objects.all()},
        "districts": {d.code: d.display_name for d in District.objects.all()},
    }


def _lines(name: str, content: dict[str, Any], names: dict[str, dict[str, str]]) -> list[str]:
    value = content.get(name)
    known = names.get(name, {})
    if isinstance(value, list):
        return [known.get(str(item), str(item)) for item in value]
    if name in names and value:
        return [known.get(str(value), str(value))]
    text = str(value or "")
    if name == "body":
        # One line per paragraph, list item or table row, as a reader sees them.
        parts = _BLOCK_END.split(text)
        return [line for line in (richtext.plain_text(part) for part in parts) if line]
    return [text] if text else []


def diff_base_version(*, story: Story) -> int | None:
    """The version a reviewer compares with: the published one, else the last one reviewed."""
    if story.published_version and story.published_version != story.version:
        return story.published_version
    return (
        StoryReview.objects.filter(story=story, version__lt=story.version)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )


def story_diff(*, story: Story, base_version: int | None) -> list[FieldDiff]:
    """What the current version changes against the base version (all new without one)."""
    current = revision_get(story=story, version=story.version)
    before = revision_get(story=story, version=base_version) if base_version else None
    new_content = current.content if current else {}
    old_content = before.content if before else {}
    names = _names()
    diffs = []
    for name in DIFF_FIELDS:
        lines = []
        before_lines, after_lines = (
            _lines(name, old_content, names),
            _lines(name, new_content, names),
        )
        for line in difflib.ndiff(before_lines, after_lines):
            marker, text = line[:2], line[2:]
            if marker == "? ":
                continue
            kind = {"+ ": "added", "- ": "removed"}.get(marker, "same")
            lines.append(DiffLine(kind, text))
        diffs.append(FieldDiff(name, lines))
    return diffs


def newsroom_tool(*, user: User) -> tuple[str, str, str, str]:
    """The staff home's entry for the newsroom: title, text, address, what waits there."""
    from django.urls import reverse
    from django.utils.translation import gettext

    waiting = review_waiting_count(user=user)
    return (
        gettext("Newsroom"),
        gettext("Write stories, review them at each level, correct or retract them."),
        reverse("news_staff:list"),
        gettext("%(count)d in review") % {"count": waiting} if waiting else "",
    )
