"""Fixtures of the campaign tests: two campaigners, residents with profiles, a story."""

from __future__ import annotations

import pytest
from django.utils import timezone

from citygate.accounts.models import StaffRole, User
from citygate.accounts.roles import Role
from citygate.directory.models import District, Street
from citygate.news.models import NewsChannel, Story, StoryState
from citygate.privacy.testing import consent_all_required


def make_campaigner(login_name: str, role: str = Role.EDITOR) -> User:
    user = User.objects.create_user(login_name=login_name, name="王编辑")
    StaffRole.objects.create(user=user, role=role)
    return user


def make_resident(
    number: int,
    *,
    district: str | None = None,
    street: str | None = None,
    birth_year: int | None = None,
    language: str = "",
    level: int = 1,
) -> User:
    user = User.objects.create_user(
        phone=f"199999906{number:02d}",
        home_district=District.objects.get(code=district) if district else None,
        home_street=Street.objects.get(code=street) if street else None,
        birth_year=birth_year,
        preferred_language=language,
        verification_level=level,
    )
    consent_all_required(user)
    return user


@pytest.fixture
def editor(db: None) -> User:
    return make_campaigner("editor.news")


@pytest.fixture
def operator(db: None) -> User:
    return make_campaigner("operator.ops", Role.OPERATOR)


@pytest.fixture
def story(editor: User) -> Story:
    channel, _ = NewsChannel.objects.get_or_create(
        slug="news", defaults={"name_zh": "要闻", "name_en": "News"}
    )
    return Story.objects.create(
        title="姑苏区老旧小区加装电梯启动",
        summary="今年首批二十个小区开始加装电梯。",
        channel=channel,
        state=StoryState.PUBLISHED,
        published_at=timezone.now(),
        created_by=editor,
    )
