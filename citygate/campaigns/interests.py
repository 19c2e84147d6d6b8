"""The interest tags a person follows, as segments see them (the feed app keeps them).

A campaign may be aimed at the followers of a tag ("教育"). Only tags the person declared or
kept count; a tag they deleted is not theirs. Without the feed app nobody follows anything.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.apps import apps
from django.db.models import Exists, OuterRef, Q

from citygate.accounts.models import User
from citygate.news.models import NewsTag

FEED_APP = "citygate.feed"
INTERESTS_MODEL = "feed.InterestTag"


def _interests() -> type | None:
    if not apps.is_installed(FEED_APP):
        return None
    model: type = apps.get_model(INTERESTS_MODEL)
    return model


def known_tags() -> set[str]:
    return set(NewsTag.objects.values_list("slug", flat=True))


def followed_by(user: User) -> frozenset[str]:
    model = _interests()
    if model is None:
        return frozenset()
    slugs = model.objects.filter(user=user, suppressed=False).values_list(  # type: ignore[attr-defined]
        "tag__slug", flat=True
    )
    return frozenset(slugs)


def following_q(tags: Sequence[str]) -> Q:
    model = _interests()
    if model is None:
        return Q(pk__in=[])
    following = model.objects.filter(  # type: ignore[attr-defined]
        user=OuterRef("pk"), suppressed=False, tag__slug__in=list(tags)
    )
    return Q(Exists(following))
