"""The topics a person follows, as segments see them (the feed keeps them).

A campaign may be aimed at the followers of a topic ("教育"). Only the topics a person chose to
follow count: what the feed learned from their reading ranks their feed and nothing else, so
no one is sent a campaign for an interest they never declared. A topic they deleted is not
theirs. Aiming by topic is personalisation, so it leaves out whoever switched personalisation
off, and anyone who may be under 18: born in the last 18 years by the year kept at
verification (the same rule in the database and for one person, so the audience counted is
the audience reached).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from citygate.accounts.models import User
from citygate.accounts.selectors import ADULT_AGE
from citygate.feed.models import InterestTag, RecommendationSettings, TagSource
from citygate.news.models import NewsTag


def _followed() -> QuerySet[InterestTag]:
    return InterestTag.objects.filter(source=TagSource.DECLARED, suppressed=False)


def _youngest_adult_year(today: date | None) -> int:
    """Born this year or earlier, one is 18 or more by the end of this year at the latest:
    anyone born after it may be a minor today."""
    return (today or timezone.localdate()).year - ADULT_AGE - 1


def known_tags() -> set[str]:
    return set(NewsTag.objects.values_list("slug", flat=True))


def followed_by(user: User, *, today: date | None = None) -> frozenset[str]:
    if user.birth_year is not None and user.birth_year > _youngest_adult_year(today):
        return frozenset()
    if RecommendationSettings.objects.filter(user=user, personalized=False).exists():
        return frozenset()
    return frozenset(_followed().filter(user=user).values_list("tag__slug", flat=True))


def following_q(tags: Sequence[str], *, today: date | None = None) -> Q:
    switched_off = RecommendationSettings.objects.filter(user=OuterRef("pk"), personalized=False)
    return (
        Q(Exists(_followed().filter(user=OuterRef("pk"), tag__slug__in=list(tags))))
        & ~Q(Exists(switched_off))
        & (Q(birth_year__isnull=True) | Q(birth_year__lte=_youngest_adult_year(today)))
    )
