"""The topics a person follows, as segments see them (the feed keeps them).

A campaign may be aimed at the followers of a topic ("教育"). Only the topics a person chose to
follow count: what the feed learned from their reading ranks their feed and nothing else, so
no one is sent a campaign for an interest they never declared. A topic they deleted is not
theirs.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Exists, OuterRef, Q, QuerySet

from citygate.accounts.models import User
from citygate.feed.models import InterestTag, TagSource
from citygate.news.models import NewsTag


def _followed() -> QuerySet[InterestTag]:
    return InterestTag.objects.filter(source=TagSource.DECLARED, suppressed=False)


def known_tags() -> set[str]:
    return set(NewsTag.objects.values_list("slug", flat=True))


def followed_by(user: User) -> frozenset[str]:
    return frozenset(_followed().filter(user=user).values_list("tag__slug", flat=True))


def following_q(tags: Sequence[str]) -> Q:
    return Q(Exists(_followed().filter(user=OuterRef("pk"), tag__slug__in=list(tags))))
