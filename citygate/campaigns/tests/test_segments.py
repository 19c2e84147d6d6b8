"""A segment asked in the database and asked of one person gives the same answer.

The audience counted before sending comes from `Segment.q()`; who is brought a campaign as
their inbox opens comes from `Segment.matches()`. A random city and random segments hold the
two to each other.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from citygate.accounts.models import Enterprise, EnterpriseAgent, User
from citygate.campaigns import segments
from citygate.campaigns.segments import Segment, profile_of
from citygate.campaigns.tests.conftest import make_campaigner, make_resident
from citygate.feed.models import InterestTag, RecommendationSettings, TagSource
from citygate.feed.services import interest_tag_follow
from citygate.news.models import NewsTag

pytestmark = pytest.mark.django_db

DISTRICTS: list[str | None] = ["320508", "320506", "320505", None]
# Streets of 姑苏区 and 吴中区; someone may give their district and no street.
STREETS: dict[str | None, list[str | None]] = {
    "320508": ["320508018", "320508021", None],
    "320506": ["320506103", "320506100", None],
    "320505": [None],
    None: [None],
}
TAGS = ["education", "transport", "water"]
LANGUAGES = ["", "zh-hans", "en"]


def _city(rng: random.Random) -> list[User]:
    year = timezone.localdate().year
    granter = make_campaigner("granter.admin")
    tags = [
        NewsTag.objects.get_or_create(slug=slug, defaults={"name_zh": slug, "name_en": slug})[0]
        for slug in TAGS
    ]
    people = []
    for number in range(40):
        district = rng.choice(DISTRICTS)
        person = make_resident(
            number,
            district=district,
            street=rng.choice(STREETS[district]),
            birth_year=rng.choice([None, year - 10, year - 17, year - 18, year - 40, year - 60]),
            language=rng.choice(LANGUAGES),
            level=rng.choice([1, 2, 3]),
        )
        people.append(person)
        if rng.random() < 0.2:
            RecommendationSettings.objects.create(user=person, personalized=False)
        for tag in tags:
            # Followed, learned from reading, deleted by the person, or nothing.
            how = rng.choice(["follow", "learned", "deleted", "none", "none"])
            if how == "follow":
                interest_tag_follow(user=person, slug=tag.slug)
            elif how != "none":
                InterestTag.objects.create(
                    user=person,
                    tag=tag,
                    source=TagSource.LEARNED if how == "learned" else TagSource.DECLARED,
                    weight=0.5,
                    suppressed=how == "deleted",
                )
        role = rng.choice(["none", "none", "legal_rep", "agent", "revoked", "expired"])
        if role == "none":
            continue
        enterprise = Enterprise.objects.create(
            credit_code=f"9132050{number:011d}",
            name="苏州示例有限公司",
            legal_rep=person if role == "legal_rep" else granter,
            verified_at=timezone.now(),
        )
        if role != "legal_rep":
            EnterpriseAgent.objects.create(
                enterprise=enterprise,
                user=person,
                granted_by=granter,
                valid_until=timezone.localdate() + timedelta(days=-1 if role == "expired" else 30),
                revoked_at=timezone.now() if role == "revoked" else None,
            )
    return people


def _some(rng: random.Random, values: list[str]) -> tuple[str, ...]:
    return tuple(sorted(rng.sample(values, rng.choice([0, 0, 1, 2]))))


def test_the_database_and_the_inbox_agree_on_who_is_in_a_segment() -> None:
    rng = random.Random(20261203)
    people = _city(rng)
    profiles = {person.pk: profile_of(person) for person in people}
    seen_sizes = set()
    for _ in range(150):
        segment = Segment(
            districts=_some(rng, ["320508", "320506", "320505"]),
            streets=_some(rng, ["320508018", "320508021", "320506103", "320576050"]),
            roles=_some(rng, list(segments.ROLES)),
            age_bands=_some(rng, list(segments.AGE_BANDS)),
            languages=_some(rng, list(segments.LANGUAGES)),
            tags=_some(rng, TAGS),
            min_level=rng.choice([1, 1, 2, 3]),
        )
        in_database = set(User.objects.filter(segment.q()).values_list("pk", flat=True))
        by_profile = {pk for pk, profile in profiles.items() if segment.matches(profile)}
        assert in_database == by_profile, segment
        seen_sizes.add(len(by_profile))
    # The random segments were not all empty or all everyone.
    assert len(seen_sizes) > 10


def test_a_place_is_a_district_or_a_street() -> None:
    in_pingjiang = make_resident(1, district="320508", street="320508018")
    elsewhere_in_gusu = make_resident(2, district="320508")
    in_mudu = make_resident(3, district="320506", street="320506103")
    make_resident(4, district="320506")
    place = Segment(districts=("320508",), streets=("320506103",))
    assert set(User.objects.filter(place.q())) == {in_pingjiang, elsewhere_in_gusu, in_mudu}
    only_the_street = Segment(streets=("320508018",))
    assert set(User.objects.filter(only_the_street.q())) == {in_pingjiang}
    assert only_the_street.matches(profile_of(in_pingjiang))
    assert not only_the_street.matches(profile_of(elsewhere_in_gusu))
    assert not only_the_street.is_everyone


def test_enterprise_means_acting_for_one_today() -> None:
    granter = make_campaigner("granter.admin")
    agent, expired, plain = make_resident(1), make_resident(2), make_resident(3)
    enterprise = Enterprise.objects.create(
        credit_code="913205000000000001",
        name="苏州示例有限公司",
        legal_rep=granter,
        verified_at=timezone.now(),
    )
    for person, days in ((agent, 30), (expired, -1)):
        EnterpriseAgent.objects.create(
            enterprise=enterprise,
            user=person,
            granted_by=granter,
            valid_until=timezone.localdate() + timedelta(days=days),
        )
    only_enterprises = Segment(roles=(segments.ROLE_ENTERPRISE,))
    assert set(User.objects.filter(only_enterprises.q())) == {agent}
    assert profile_of(agent).is_enterprise
    assert not profile_of(expired).is_enterprise
    assert not profile_of(plain).is_enterprise


def test_a_segment_of_everyone_leaves_out_staff_and_closed_accounts() -> None:
    make_campaigner("editor.one")
    active = make_resident(1)
    closed = make_resident(2)
    User.objects.filter(pk=closed.pk).update(is_active=False)
    assert Segment().is_everyone
    assert not Segment(tags=("education",)).is_everyone
    assert list(User.objects.filter(Segment().q())) == [active]
