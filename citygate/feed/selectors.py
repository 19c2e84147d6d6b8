"""Reads for the feed: a person's choices and tags, and a page of their feed with reasons.

Nothing here is cached: the feed is worked out on every request from the person's current
setting, so switching personalisation off changes the very next page (算法推荐管理规定 Art.17:
stop at once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citygate.accounts.models import User
from citygate.accounts.selectors import is_minor
from citygate.directory.models import District
from citygate.feed import ranking
from citygate.feed.models import InterestTag, RecommendationSettings, TagSource
from citygate.feed.ranking import Reason, ReasonCode
from citygate.feed.tags import may_follow
from citygate.news.models import NewsTag, Story, StoryState

FEED_PAGE_SIZE = 20
# Candidates: published in the last two weeks, at most this many of the newest.
WINDOW_DAYS = 14
CANDIDATE_CAP = 300


def story_url(story_id: object) -> str:
    """Where a story is read (the newsroom's story page)."""
    return reverse("news:story", kwargs={"story_id": story_id})


# --- The person's choices --------------------------------------------------------------------


@dataclass(frozen=True)
class Personalisation:
    # Whether the feed is personalised now: the person's choice, and never for a minor.
    active: bool
    # What the person chose (True until they switch it off).
    chosen: bool
    minor: bool


def personalisation(*, user: User) -> Personalisation:
    stored = RecommendationSettings.objects.filter(user=user).first()
    chosen = stored.personalized if stored is not None else True
    minor = is_minor(user=user)
    return Personalisation(active=chosen and not minor, chosen=chosen, minor=minor)


@dataclass(frozen=True)
class TagView:
    slug: str
    name: str
    source: str
    source_label: str
    weight: float


def interest_tags(*, user: User, now: datetime | None = None) -> list[TagView]:
    """Every tag kept about the person: those they follow, then those learned from their
    reading (strongest first). Deleted tags are not listed. A learned tag that has faded below
    `ranking.LEARNED_MIN` is still listed until the next reading removes it: whatever is kept
    about a person (campaigns read these rows too) is shown to them and can be deleted."""
    now = now or timezone.now()
    rows = (
        InterestTag.objects.filter(user=user, suppressed=False)
        .select_related("tag")
        .order_by("tag__order", "tag__slug")
    )
    followed: list[TagView] = []
    learned: list[TagView] = []
    for row in rows:
        if not may_follow(row.tag.slug):
            continue
        if row.source == TagSource.DECLARED:
            followed.append(_tag_view(row, 1.0))
            continue
        weight = ranking.learned_weight_now(row.weight, row.updated_at, now)
        learned.append(_tag_view(row, weight))
    learned.sort(key=lambda t: (-t.weight, t.slug))
    return followed + learned


def _tag_view(row: InterestTag, weight: float) -> TagView:
    source = TagSource(row.source)
    return TagView(
        slug=row.tag.slug,
        name=row.tag.display_name,
        source=source.value,
        source_label=str(source.label),
        weight=round(weight, 3),
    )


def tags_to_follow(*, user: User) -> list[NewsTag]:
    """Tags the person may follow and does not follow yet."""
    followed = InterestTag.objects.filter(
        user=user, source=TagSource.DECLARED, suppressed=False
    ).values("tag_id")
    return [t for t in NewsTag.objects.exclude(pk__in=followed) if may_follow(t.slug)]


def districts() -> QuerySet[District]:
    return District.objects.all()


def profile_for(*, user: User, now: datetime) -> ranking.Profile:
    followed: set[str] = set()
    learned: dict[str, float] = {}
    for tag in interest_tags(user=user, now=now):
        if tag.source == TagSource.DECLARED:
            followed.add(tag.slug)
        else:
            learned[tag.slug] = tag.weight
    district = user.home_district.code if user.home_district is not None else None
    language = user.preferred_language or translation.get_language() or "zh-hans"
    return ranking.Profile(
        followed=frozenset(followed), learned=learned, district=district, language=language
    )


# --- The feed --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedItem:
    story: Story
    published_at: datetime
    url: str
    cover_url: str | None
    reason_code: str
    reason_text: str


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    number: int
    page_size: int
    total: int
    personalised: bool

    @property
    def has_next(self) -> bool:
        return self.number * self.page_size < self.total

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def candidate_stories(*, now: datetime) -> list[Story]:
    """Published stories of the window, newest first (a retracted story is not published)."""
    return list(
        Story.objects.filter(
            state=StoryState.PUBLISHED,
            retracted_at__isnull=True,
            published_at__lte=now,
            published_at__gte=now - timedelta(days=WINDOW_DAYS),
        )
        .select_related("channel")
        .prefetch_related("tags", "districts")
        .order_by("-published_at", "id")[:CANDIDATE_CAP]
    )


def _candidate(story: Story) -> ranking.Candidate:
    assert story.published_at is not None  # noqa: S101 - candidate_stories filters on it
    return ranking.Candidate(
        id=str(story.pk),
        channel=story.channel.slug,
        published_at=story.published_at,
        tags=frozenset(t.slug for t in story.tags.all()),
        districts=frozenset(d.code for d in story.districts.all()),
        language=story.language,
        opens=story.opens,
    )


def feed_page(
    *,
    user: User | None,
    page: int = 1,
    page_size: int = FEED_PAGE_SIZE,
    now: datetime | None = None,
) -> FeedPage:
    """One page of the feed: personalised for a person who has it on (and is not a minor),
    otherwise the same for everyone."""
    now = now or timezone.now()
    stories = {str(s.pk): s for s in candidate_stories(now=now)}
    candidates = [_candidate(s) for s in stories.values()]
    personalised = user is not None and personalisation(user=user).active
    if user is not None and personalised:
        ranked = ranking.rank_personal(candidates, profile_for(user=user, now=now), now)
    else:
        ranked = ranking.rank_common(candidates)

    start = (page - 1) * page_size
    shown = ranked[start : start + page_size]
    texts = ReasonTexts.for_reasons([r.reason for r in shown])
    items = [
        FeedItem(
            story=stories[r.candidate.id],
            published_at=r.candidate.published_at,
            url=story_url(r.candidate.id),
            cover_url=_cover_url(stories[r.candidate.id]),
            reason_code=r.reason.code.value,
            reason_text=texts.text(r.reason),
        )
        for r in shown
    ]
    return FeedPage(
        items=items,
        number=page,
        page_size=page_size,
        total=len(ranked),
        personalised=personalised,
    )


def _cover_url(story: Story) -> str | None:
    # Through the news media view, which serves an image only while a published story shows it.
    if not story.cover:
        return None
    return reverse("news:media", args=[story.cover.removeprefix("news/")])


@dataclass(frozen=True)
class ReasonTexts:
    """Reasons as the reader reads them, with the names of the tags and districts they name."""

    tags: dict[str, str]
    districts: dict[str, str]

    @classmethod
    def for_reasons(cls, reasons: list[Reason]) -> ReasonTexts:
        tag_codes = {ReasonCode.FOLLOWED_TAG, ReasonCode.READ_TAG}
        tag_slugs = {r.subject for r in reasons if r.code in tag_codes}
        tags = NewsTag.objects.filter(slug__in=tag_slugs) if tag_slugs else []
        district_codes = {r.subject for r in reasons if r.code == ReasonCode.DISTRICT}
        found = District.objects.filter(code__in=district_codes) if district_codes else []
        return cls(
            tags={t.slug: t.display_name for t in tags},
            districts={d.code: d.display_name for d in found},
        )

    def text(self, reason: Reason) -> str:
        if reason.code == ReasonCode.DISTRICT:
            return _("Because you live in %(district)s") % {
                "district": self.districts.get(reason.subject, reason.subject)
            }
        if reason.code == ReasonCode.FOLLOWED_TAG:
            return _("Because you follow %(tag)s") % {
                "tag": self.tags.get(reason.subject, reason.subject)
            }
        if reason.code == ReasonCode.READ_TAG:
            return _("Because you read stories about %(tag)s") % {
                "tag": self.tags.get(reason.subject, reason.subject)
            }
        if reason.code == ReasonCode.MOST_READ:
            return _("Most read")
        return _("Latest")
