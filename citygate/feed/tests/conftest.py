"""Fixtures of the feed tests: residents, their clients, and published stories."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from citygate.accounts.models import User
from citygate.accounts.testing import resident_with, signed_in_client
from citygate.directory.models import District
from citygate.feed.services import home_district_set
from citygate.news.models import NewsChannel, NewsTag, Story

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number_born_years_ago(years: int) -> str:
    """A valid GB 11643 number of someone born in 吴中区 (320506) `years` ago today."""
    born = timezone.localdate().replace(month=1, day=15)
    body = f"320506{born.year - years:04d}{born:%m%d}002"
    return (
        body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
    )


def signed_in(user: User) -> Client:
    return signed_in_client(user)


def channel(slug: str = "city") -> NewsChannel:
    found, _ = NewsChannel.objects.get_or_create(
        slug=slug, defaults={"name_zh": f"频道{slug}", "name_en": f"Channel {slug}"}
    )
    return found


def tag(slug: str, name_zh: str = "", name_en: str = "") -> NewsTag:
    found, _ = NewsTag.objects.get_or_create(
        slug=slug, defaults={"name_zh": name_zh or slug, "name_en": name_en or slug.title()}
    )
    return found


def story(
    title: str,
    *,
    author: User,
    hours_ago: float = 1,
    channel_slug: str = "city",
    tags: Iterable[NewsTag] = (),
    districts: Iterable[District] = (),
    opens: int = 0,
    language: str = "zh-hans",
    now: datetime | None = None,
) -> Story:
    published = (now or timezone.now()) - timedelta(hours=hours_ago)
    created = Story.objects.create(
        title=title,
        summary=f"{title}的摘要",
        channel=channel(channel_slug),
        state="published",
        published_at=published,
        created_by=author,
        opens=opens,
        language=language,
    )
    created.tags.set(list(tags))
    created.districts.set(list(districts))
    return created


@pytest.fixture
def editor(db: None) -> User:
    return resident_with("19999990800")


@pytest.fixture
def resident(db: None) -> User:
    # Fictional: the 199 9999 range belongs to nobody outside these tests.
    return resident_with("19999990801")


@pytest.fixture
def other_resident(db: None) -> User:
    return resident_with("19999990802")


@pytest.fixture
def resident_client(resident: User) -> Client:
    return signed_in(resident)


@pytest.fixture
def minor(db: None) -> User:
    user = resident_with("19999990803")
    user.id_number = id_number_born_years_ago(12)
    user.save()
    return user


@pytest.fixture
def wuzhong(db: None) -> District:
    return District.objects.get(code="320506")


@pytest.fixture
def gusu(db: None) -> District:
    return District.objects.get(code="320508")


@pytest.fixture
def local_story(resident: User, editor: User, wuzhong: District) -> Story:
    """A story about 吴中区, where the resident says they live."""
    home_district_set(user=resident, code=wuzhong.code)
    return story("吴中新闻", author=editor, districts=[wuzhong])
