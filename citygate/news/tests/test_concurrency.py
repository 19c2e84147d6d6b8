"""Editors pressing at once on a real database: a level is approved once, a due story is
published once.

Each thread has its own connection, as each app server would. On PostgreSQL the story's row
lock orders them; SQLite serialises writers; the outcome must be the same.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from citygate.core.errors import ApplicationError
from citygate.core.tests.threads import run_at_once
from citygate.news import services
from citygate.news.models import Story, StoryReview, StoryState
from citygate.news.tests.conftest import editor_named, story_input

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_four_reviewers_approving_the_first_level_at_once_pass_it_once() -> None:
    # given
    author = editor_named("race.author")
    reviewers = [editor_named(f"race.reviewer{n}") for n in range(4)]
    story = services.story_create(editor=author, data=story_input())
    services.story_submit_for_review(editor=author, story_id=story.pk)

    # when
    results, errors = run_at_once(
        4,
        lambda i: services.story_review(
            reviewer=reviewers[i], story_id=story.pk, level=1, decision="approve"
        ),
    )

    # then
    assert len(results) == 1
    assert [type(e) for e in errors] == [ApplicationError] * 3, errors
    assert {e.code for e in errors if isinstance(e, ApplicationError)} == {"review_wrong_level"}
    assert StoryReview.objects.filter(story=story, level=1).count() == 1
    assert Story.objects.get(pk=story.pk).reviewed_level == 1


def test_the_task_and_cron_publishing_a_due_story_at_once_publish_it_once() -> None:
    # given: scheduled, and due
    author = editor_named("race.scheduler")
    at = timezone.now() + timedelta(hours=1)
    story = services.story_create(editor=author, data=story_input(publish_at=at))
    services.story_submit_for_review(editor=author, story_id=story.pk)
    for level in (1, 2, 3):
        services.story_review(
            reviewer=editor_named(f"race.scheduler{level}"),
            story_id=story.pk,
            level=level,
            decision="approve",
        )
    later = at + timedelta(minutes=5)

    # when
    results, errors = run_at_once(4, lambda i: services.story_publish(story_id=story.pk, now=later))

    # then
    assert not errors, errors
    assert sorted(results) == [False, False, False, True]
    assert Story.objects.get(pk=story.pk).state == StoryState.PUBLISHED
