"""Fixtures of the newsroom's tests: four editors (an author and three reviewers), a resident,
and a story written by the author."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.test import Client

from citygate.accounts.auth import STAFF_SESSION_KEY
from citygate.accounts.models import StaffRole, User
from citygate.accounts.roles import Role
from citygate.news import services
from citygate.news.models import Story
from citygate.privacy.testing import consent_all_required

BODY = "<p>市民可在城市通里查询公交到站时间。</p><p>新线路于下月开通。</p>"


def editor_named(login_name: str) -> User:
    user = User.objects.create_user(login_name=login_name, name="编辑")
    StaffRole.objects.create(user=user, role=Role.EDITOR)
    return user


def staff_client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    session = client.session
    session[STAFF_SESSION_KEY] = time.time()
    session.save()
    return client


def story_input(**changes: object) -> services.StoryInput:
    values: dict[str, object] = {
        "title": "地铁新线路下月开通",
        "summary": "新线路连接姑苏区和工业园区。",
        "body": BODY,
        "channel": "services",
        "tags": ["transport"],
        "districts": [],
    }
    values.update(changes)
    return services.StoryInput(**values)  # type: ignore[arg-type]


@pytest.fixture
def author(db: None) -> User:
    return editor_named("news.author")


@pytest.fixture
def reviewers(db: None) -> list[User]:
    return [editor_named(f"news.reviewer{n}") for n in (1, 2, 3)]


@pytest.fixture
def resident(db: None) -> User:
    user = User.objects.create_user(phone="19999990601")
    consent_all_required(user)
    return user


@pytest.fixture
def draft(author: User) -> Story:
    return services.story_create(editor=author, data=story_input())


@pytest.fixture
def publish(reviewers: list[User]) -> Callable[[Story], Story]:
    """Sends a draft through every review level."""

    def run(story: Story) -> Story:
        services.story_submit_for_review(
            editor=User.objects.get(pk=story.created_by_id), story_id=story.pk
        )
        for level, reviewer in enumerate(reviewers, start=1):
            story = services.story_review(
                reviewer=reviewer, story_id=story.pk, level=level, decision="approve"
            )
        return story

    return run
