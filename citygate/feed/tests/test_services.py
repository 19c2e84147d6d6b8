"""The feed's services and selectors against the database: the switch, tags, reading, the
feed of two different people, minors."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from citygate.accounts.models import User
from citygate.campaigns import interests
from citygate.core.errors import ApplicationError, InvalidInput, NotFound
from citygate.directory.models import District
from citygate.feed import selectors, services
from citygate.feed.models import InterestTag, StoryOpen, TagSource
from citygate.feed.tests.conftest import id_number_born_years_ago, story, tag
from citygate.news.models import Story

pytestmark = pytest.mark.django_db


def feed_ids(user: User | None) -> list[str]:
    return [str(item.story.pk) for item in selectors.feed_page(user=user).items]


def feed_reasons(user: User | None) -> list[str]:
    return [item.reason_code for item in selectors.feed_page(user=user).items]


def read(user: User, read_story: Story, seconds: int = 120) -> StoryOpen | None:
    token = services.view_token(user=user, story_id=read_story.pk)
    return services.story_reading_record(
        user=user, story_id=read_story.pk, seconds=seconds, view_token=token
    )


def test_a_followed_tag_and_the_home_district_give_their_reasons(
    resident: User, editor: User, wuzhong: District
) -> None:
    # given
    education = tag("education", "教育", "Education")
    story("没有标签", author=editor, hours_ago=1)
    story("学校开学", author=editor, hours_ago=2, tags=[education])
    story("吴中新闻", author=editor, hours_ago=2, districts=[wuzhong], channel_slug="local")
    services.interest_tag_follow(user=resident, slug="education")
    services.home_district_set(user=resident, code="320506")

    # when
    page = selectors.feed_page(user=resident)

    # then
    assert page.personalised
    reasons = {item.story.title: item.reason_text for item in page.items}
    assert reasons == {
        "学校开学": "因为您关注了教育",
        "吴中新闻": "因为您居住在吴中区",
        "没有标签": "最新",
    }


def test_the_feed_without_personalisation_is_the_same_for_two_different_people(
    resident: User, other_resident: User, editor: User, wuzhong: District
) -> None:
    # given two people who declared different things, both with personalisation off
    education = tag("education")
    transport = tag("transport")
    for i in range(6):
        story(f"s{i}", author=editor, hours_ago=i + 1, tags=[education, transport][i % 2 :])
    story("popular", author=editor, hours_ago=100, opens=50, districts=[wuzhong])
    services.interest_tag_follow(user=resident, slug="education")
    services.interest_tag_follow(user=other_resident, slug="transport")
    services.home_district_set(user=other_resident, code="320506")
    for person in (resident, other_resident):
        services.recommendation_set(user=person, personalized=False)

    # when
    first, second = feed_ids(resident), feed_ids(other_resident)

    # then the same as each other, and as an anonymous visitor's
    assert first == second == feed_ids(None)
    assert set(feed_reasons(resident)) == {"latest", "most_read"}


def test_switching_personalisation_off_changes_the_very_next_feed(
    resident: User, editor: User
) -> None:
    # given a personalised feed led by a followed tag
    education = tag("education")
    followed = story("followed", author=editor, hours_ago=5, tags=[education])
    story("newest", author=editor, hours_ago=1)
    services.interest_tag_follow(user=resident, slug="education")
    assert feed_ids(resident)[0] == str(followed.pk)

    # when
    services.recommendation_set(user=resident, personalized=False)

    # then
    page = selectors.feed_page(user=resident)
    assert not page.personalised
    assert [item.story.title for item in page.items] == ["newest", "followed"]
    assert {item.reason_code for item in page.items} == {"latest"}


def test_a_minor_never_gets_a_personalised_feed_even_if_the_setting_says_on(
    minor: User, editor: User
) -> None:
    # given a minor who follows a tag; the stored setting is on (the default)
    education = tag("education")
    story("followed", author=editor, hours_ago=5, tags=[education])
    story("newest", author=editor, hours_ago=1)
    services.interest_tag_follow(user=minor, slug="education")

    # when
    page = selectors.feed_page(user=minor)

    # then
    state = selectors.personalisation(user=minor)
    assert state.chosen
    assert state.minor
    assert not state.active
    assert not page.personalised
    assert feed_ids(minor) == feed_ids(None)


def test_a_minor_cannot_switch_personalisation_on(minor: User) -> None:
    with pytest.raises(ApplicationError) as raised:
        services.recommendation_set(user=minor, personalized=True)

    assert raised.value.code == "personalisation_not_for_minors"
    assert raised.value.status == 403


def test_a_minors_reading_is_not_recorded(minor: User, editor: User) -> None:
    read_story = story("s", author=editor, tags=[tag("transport")])

    opened = read(minor, read_story)

    assert opened is None
    assert not StoryOpen.objects.exists()
    assert not InterestTag.objects.filter(user=minor).exists()


def test_reading_is_not_recorded_while_personalisation_is_off(resident: User, editor: User) -> None:
    read_story = story("s", author=editor, tags=[tag("transport")])
    services.recommendation_set(user=resident, personalized=False)

    assert read(resident, read_story) is None
    assert not StoryOpen.objects.exists()


def test_reading_stories_of_a_tag_teaches_it_with_the_reading_reason(
    resident: User, editor: User
) -> None:
    # given
    transport = tag("transport", "交通", "Transport")
    first = story("地铁", author=editor, hours_ago=30, tags=[transport])
    second = story("公交", author=editor, hours_ago=30, tags=[transport])
    story("新的地铁线", author=editor, hours_ago=3, tags=[transport])
    story("无关", author=editor, hours_ago=3, channel_slug="other")

    # when
    read(resident, first)
    read(resident, second)

    # then
    (learned,) = selectors.interest_tags(user=resident)
    assert (learned.slug, learned.source) == ("transport", TagSource.LEARNED)
    top = selectors.feed_page(user=resident).items[0]
    assert top.story.title == "新的地铁线"
    assert top.reason_text == "因为您读过交通方面的报道"
    assert Story.objects.get(pk=first.pk).opens == 1


def test_a_deleted_learned_tag_is_not_learned_again(resident: User, editor: User) -> None:
    # given a tag learned from reading, then deleted by the person
    transport = tag("transport")
    stories = [story(f"s{i}", author=editor, tags=[transport]) for i in range(4)]
    read(resident, stories[0])
    read(resident, stories[1])
    assert [t.slug for t in selectors.interest_tags(user=resident)] == ["transport"]
    services.interest_tag_delete(user=resident, slug="transport")

    # when they read more about it
    read(resident, stories[2])
    read(resident, stories[3])

    # then
    assert selectors.interest_tags(user=resident) == []
    row = InterestTag.objects.get(user=resident, tag=transport)
    assert row.suppressed
    assert row.weight == 0.0
    assert {i.reason_code for i in selectors.feed_page(user=resident).items} == {"latest"}


def test_following_a_deleted_tag_again_lifts_its_deletion(resident: User) -> None:
    tag("transport")
    services.interest_tag_delete(user=resident, slug="transport")

    services.interest_tag_follow(user=resident, slug="transport")

    (followed,) = selectors.interest_tags(user=resident)
    assert (followed.slug, followed.source) == ("transport", TagSource.DECLARED)


def test_a_declared_only_tag_is_not_learned_from_reading(resident: User, editor: User) -> None:
    health = tag("health", "医疗", "Health")
    for i in range(3):
        read(resident, story(f"s{i}", author=editor, tags=[health]))

    assert selectors.interest_tags(user=resident) == []
    assert not InterestTag.objects.filter(user=resident).exists()


def test_a_sensitive_tag_cannot_be_followed(resident: User) -> None:
    tag("religion")

    with pytest.raises(InvalidInput) as raised:
        services.interest_tag_follow(user=resident, slug="religion")

    assert raised.value.fields == {"tag": "没有这个标签。"}
    assert "religion" not in [t.slug for t in selectors.tags_to_follow(user=resident)]


def test_keeping_a_list_of_tags_follows_them_and_deletes_the_rest(
    resident: User, editor: User
) -> None:
    # given one followed and one learned tag
    tag("education")
    tag("jobs")
    transport = tag("transport")
    services.interest_tag_follow(user=resident, slug="education")
    read(resident, story("a", author=editor, tags=[transport]))
    read(resident, story("b", author=editor, tags=[transport]))

    # when
    services.interest_tags_keep(user=resident, slugs=["jobs"])

    # then
    assert [(t.slug, t.source) for t in selectors.interest_tags(user=resident)] == [
        ("jobs", "declared")
    ]
    assert InterestTag.objects.filter(user=resident, suppressed=True).count() == 2


def test_keeping_unknown_tags_names_each_and_changes_nothing(resident: User) -> None:
    tag("education")
    services.interest_tag_follow(user=resident, slug="education")

    with pytest.raises(InvalidInput) as raised:
        services.interest_tags_keep(user=resident, slugs=["nope", "education", "religion"])

    assert set(raised.value.fields) == {"tags.0", "tags.2"}
    assert [t.slug for t in selectors.interest_tags(user=resident)] == ["education"]


def test_a_repeated_report_of_one_view_adds_only_what_is_new(resident: User, editor: User) -> None:
    # given
    read_story = story("s", author=editor)
    token = services.view_token(user=resident, story_id=read_story.pk)

    # when the beacon reports the same view three times, then a second view
    for seconds in (30, 30, 50):
        services.story_reading_record(
            user=resident, story_id=read_story.pk, seconds=seconds, view_token=token
        )
    read(resident, read_story, seconds=20)

    # then
    opened = StoryOpen.objects.get(user=resident, story=read_story)
    assert opened.seconds == 70
    assert Story.objects.get(pk=read_story.pk).opens == 1


def test_two_old_views_reported_by_turns_count_only_their_own_seconds(
    resident: User, editor: User
) -> None:
    # given two views of a story
    read_story = story("s", author=editor)
    first, second = (services.view_token(user=resident, story_id=read_story.pk) for _ in "ab")

    # when their reports alternate, each repeating what it said before
    for token in (first, second, first, second, first):
        services.story_reading_record(
            user=resident, story_id=read_story.pk, seconds=600, view_token=token
        )

    # then
    assert StoryOpen.objects.get(user=resident, story=read_story).seconds == 1200


def test_a_view_token_older_than_two_hours_is_refused(resident: User, editor: User) -> None:
    # given a token the story page handed out three hours ago
    read_story = story("s", author=editor)

    class ThreeHoursAgo(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time()) - 3 * 60 * 60)

    payload = {"u": str(resident.pk), "s": str(read_story.pk), "v": uuid.uuid4().hex}
    token = ThreeHoursAgo(salt=services.VIEW_SIGNING_NAMESPACE).sign_object(payload)

    # when / then
    with pytest.raises(InvalidInput) as refused:
        services.story_reading_record(
            user=resident, story_id=read_story.pk, seconds=60, view_token=token
        )
    assert "view" in refused.value.fields
    assert not StoryOpen.objects.exists()


def test_reading_time_is_bounded(resident: User, editor: User) -> None:
    read_story = story("s", author=editor)

    read(resident, read_story, seconds=10**9)

    opened = StoryOpen.objects.get(user=resident, story=read_story)
    assert opened.seconds == services.VIEW_SECONDS_MAX


def test_a_report_without_a_view_token_keeps_the_largest_number_given(
    resident: User, editor: User
) -> None:
    read_story = story("s", author=editor)

    for seconds in (40, 40, 10):
        services.story_reading_record(user=resident, story_id=read_story.pk, seconds=seconds)

    assert StoryOpen.objects.get(user=resident, story=read_story).seconds == 40


def test_a_view_token_of_another_person_or_story_is_refused(
    resident: User, other_resident: User, editor: User
) -> None:
    first, second = story("a", author=editor), story("b", author=editor)
    others = services.view_token(user=other_resident, story_id=first.pk)
    wrong_story = services.view_token(user=resident, story_id=second.pk)

    for token in (others, wrong_story, "forged"):
        with pytest.raises(InvalidInput) as raised:
            services.story_reading_record(
                user=resident, story_id=first.pk, seconds=5, view_token=token
            )
        assert set(raised.value.fields) == {"view"}
    assert not StoryOpen.objects.exists()


def test_reading_an_unpublished_or_unknown_story_is_not_found(resident: User, editor: User) -> None:
    draft = story("draft", author=editor)
    Story.objects.filter(pk=draft.pk).update(state="draft")

    for story_id in (draft.pk, uuid.uuid4(), "not-an-id"):
        with pytest.raises(NotFound):
            services.story_reading_record(user=resident, story_id=story_id, seconds=5)


def test_the_feed_leaves_out_drafts_retracted_old_and_future_stories(
    resident: User, editor: User
) -> None:
    # given
    story("shown", author=editor, hours_ago=2)
    story("too old", author=editor, hours_ago=15 * 24)
    story("not yet", author=editor, hours_ago=-2)
    retracted = story("retracted", author=editor)
    Story.objects.filter(pk=retracted.pk).update(state="retracted")

    # then
    assert [i.story.title for i in selectors.feed_page(user=resident).items] == ["shown"]


def test_the_home_district_must_be_a_listed_one(resident: User) -> None:
    with pytest.raises(InvalidInput) as raised:
        services.home_district_set(user=resident, code="999999")

    assert set(raised.value.fields) == {"district"}
    services.home_district_set(user=resident, code="320506")
    services.home_district_set(user=resident, code=None)
    resident.refresh_from_db()
    assert resident.home_district is None


def test_a_learned_tag_that_faded_out_is_no_longer_kept_after_the_next_reading(
    resident: User, editor: User
) -> None:
    # given a tag learned from two readings, which then grow older than learning looks back
    transport = tag("transport")
    read(resident, story("a", author=editor, tags=[transport]))
    read(resident, story("b", author=editor, tags=[transport]))
    assert InterestTag.objects.filter(user=resident, tag=transport).exists()
    long_ago = timezone.now() - timedelta(days=services.LEARN_WINDOW_DAYS + 1)
    StoryOpen.objects.filter(user=resident).update(opened_at=long_ago)

    # when they read something else
    read(resident, story("c", author=editor, tags=[tag("jobs")]))

    # then
    assert not InterestTag.objects.filter(user=resident, tag=transport).exists()


def test_campaigns_aimed_at_a_topic_reach_who_keeps_it_and_not_who_deleted_it(
    resident: User, other_resident: User
) -> None:
    # given
    tag("education")
    services.interest_tag_follow(user=resident, slug="education")
    services.interest_tag_follow(user=other_resident, slug="education")
    services.interest_tag_delete(user=other_resident, slug="education")

    # when
    reached = User.objects.filter(interests.following_q(["education"]))

    # then
    assert list(reached) == [resident]
    assert interests.followed_by(resident) == {"education"}
    assert interests.followed_by(other_resident) == frozenset()


def test_a_reading_report_of_a_person_now_known_as_a_minor_deletes_their_reading(
    resident: User, editor: User
) -> None:
    # given a reading recorded before the person's ID number showed they are a minor
    read_story = story("s", author=editor, tags=[tag("transport")])
    read(resident, read_story)
    resident.id_number = id_number_born_years_ago(12)
    resident.save()

    # when the beacon reports again
    recorded = read(resident, read_story)

    # then
    assert recorded is None
    assert not StoryOpen.objects.filter(user=resident).exists()
    assert not InterestTag.objects.filter(user=resident).exists()
