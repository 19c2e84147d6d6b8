"""The reading beacon racing itself on a real database: reports of one view sent at the same
moment count once, and the story's open is counted once.

Each thread has its own connection, as each app server would. On PostgreSQL the lock on the
reader's row takes the reports one at a time; SQLite serialises writers.
"""

from __future__ import annotations

import pytest

from citygate.accounts.testing import resident_with
from citygate.core.tests.threads import run_at_once
from citygate.feed import services
from citygate.feed.models import InterestTag, StoryOpen
from citygate.feed.tests.conftest import story, tag
from citygate.news.models import Story

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_eight_reports_of_one_view_at_once_count_its_longest_report_once() -> None:
    # given a reader's first view of a story, reported eight times at once (10 to 80 seconds)
    reader = resident_with("19999990821")
    read_story = story("s", author=reader, tags=[tag("transport")])
    view = services.view_token(user=reader, story_id=read_story.pk)

    # when
    results, errors = run_at_once(
        8,
        lambda i: services.story_reading_record(
            user=reader, story_id=read_story.pk, seconds=10 * (i + 1), view_token=view
        ),
    )

    # then
    assert errors == []
    assert len(results) == 8
    opened = StoryOpen.objects.get(user=reader, story=read_story)
    assert opened.seconds == 80
    assert Story.objects.get(pk=read_story.pk).opens == 1
    # the story's one tag is learned once, however many reports raced to learn it
    learned = InterestTag.objects.filter(user=reader)
    assert [(t.tag.slug, t.source, t.suppressed) for t in learned] == [
        ("transport", "learned", False)
    ]


def test_following_a_tag_while_reading_learns_it_keeps_one_followed_row() -> None:
    # given a reader's first view of a story about a topic they have not followed yet
    reader = resident_with("19999990822")
    read_story = story("s", author=reader, tags=[tag("transport")])
    view = services.view_token(user=reader, story_id=read_story.pk)

    # when reports of the view (which learn the topic) race the reader following it
    def work(i: int) -> object:
        if i % 2:
            services.interest_tag_follow(user=reader, slug="transport")
            return None
        return services.story_reading_record(
            user=reader, story_id=read_story.pk, seconds=60 + i, view_token=view
        )

    results, errors = run_at_once(8, work)

    # then nothing failed and the topic is kept once, as followed
    assert errors == []
    assert len(results) == 8
    kept = InterestTag.objects.filter(user=reader)
    assert [(t.tag.slug, t.source, t.suppressed) for t in kept] == [
        ("transport", "declared", False)
    ]
