"""The demo newsroom: a dozen stories published through the real review, once."""

from __future__ import annotations

from pathlib import Path

import pytest

from citygate.accounts.services import staff_create
from citygate.news import demo
from citygate.news.models import NewsChannel, NewsTag, Story, StoryReview, StoryState

pytestmark = pytest.mark.django_db

PERSONAS = Path(__file__).resolve().parents[3] / "docs" / "personas.md"
TAG_SLUGS = {
    "education",
    "transport",
    "health",
    "elderly-care",
    "jobs",
    "housing",
    "culture",
    "environment",
    "water",
}


def test_the_channels_and_tags_are_there_by_their_fixed_slugs() -> None:
    assert set(NewsTag.objects.values_list("slug", flat=True)) == TAG_SLUGS
    assert set(NewsChannel.objects.values_list("slug", flat=True)) == {
        "news",
        "policy",
        "services",
        "culture",
    }


def test_the_demo_stories_are_published_by_three_reviewers_other_than_the_author_once() -> None:
    # given
    staff_create(login_name=demo.AUTHOR, password="a-long-demo-passphrase", role="editor")

    # when
    loaded = demo.load()
    again = demo.load()

    # then
    stories = Story.objects.all()
    assert (loaded, again) == (len(demo.STORIES), 0)
    assert stories.count() == len(demo.STORIES)
    assert set(stories.values_list("state", flat=True)) == {StoryState.PUBLISHED}
    districts = {
        code for story in stories for code in story.districts.values_list("code", flat=True)
    }
    assert len(districts) >= 8
    for story in stories:
        reviewers = set(
            StoryReview.objects.filter(story=story).values_list("reviewer_id", flat=True)
        )
        assert len(reviewers) == 3
        assert story.created_by_id not in reviewers


def test_the_reviewing_editors_are_documented_with_their_secrets() -> None:
    text = PERSONAS.read_text(encoding="utf-8")
    for reviewer in demo.REVIEWERS:
        assert reviewer.login_name in text
        assert reviewer.password in text
        assert reviewer.totp_secret in text
