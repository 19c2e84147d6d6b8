"""The ranking's rules, held on plain values: no database, the moment given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citygate.feed import ranking
from citygate.feed.ranking import Candidate, Profile, Reading, ReasonCode
from citygate.feed.tags import NEVER_USED

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def candidate(
    id: str,
    *,
    hours_ago: float = 1,
    channel: str = "city",
    tags: tuple[str, ...] = (),
    districts: tuple[str, ...] = (),
    language: str = "zh-hans",
    opens: int = 0,
) -> Candidate:
    return Candidate(
        id=id,
        channel=channel,
        published_at=NOW - timedelta(hours=hours_ago),
        tags=frozenset(tags),
        districts=frozenset(districts),
        language=language,
        opens=opens,
    )


def ids(ranked: list[ranking.Ranked]) -> list[str]:
    return [r.candidate.id for r in ranked]


def test_a_story_with_a_followed_tag_ranks_above_one_without() -> None:
    # given two stories of the same age, one about a tag the person follows
    stories = [candidate("plain"), candidate("education", tags=("education",))]
    profile = Profile(followed=frozenset({"education"}))

    # when
    ranked = ranking.rank_personal(stories, profile, NOW)

    # then
    assert ids(ranked) == ["education", "plain"]
    assert ranked[0].reason == ranking.Reason(ReasonCode.FOLLOWED_TAG, "education")
    assert ranked[1].reason.code == ReasonCode.LATEST


def test_a_story_of_the_home_district_gives_the_district_as_its_reason() -> None:
    # given
    stories = [candidate("citywide"), candidate("wuzhong", districts=("320506",))]
    profile = Profile(district="320506")

    # when
    ranked = ranking.rank_personal(stories, profile, NOW)

    # then
    assert ids(ranked) == ["wuzhong", "citywide"]
    assert ranked[0].reason == ranking.Reason(ReasonCode.DISTRICT, "320506")


def test_a_citywide_story_is_neutral_and_one_of_another_district_counts_less() -> None:
    profile = Profile(district="320506")

    citywide, _ = ranking.score(candidate("a"), profile, NOW)
    elsewhere, _ = ranking.score(candidate("b", districts=("320508",)), profile, NOW)
    nobody, _ = ranking.score(candidate("a"), Profile(), NOW)

    assert citywide == nobody
    assert elsewhere == pytest.approx(citywide * ranking.OTHER_DISTRICT_FACTOR)


def test_freshness_halves_every_half_life() -> None:
    fresh = ranking.freshness(NOW, NOW)
    one = ranking.freshness(NOW - timedelta(hours=ranking.HALF_LIFE_HOURS), NOW)
    two = ranking.freshness(NOW - timedelta(hours=2 * ranking.HALF_LIFE_HOURS), NOW)

    assert fresh == 1.0
    assert one == pytest.approx(0.5)
    assert two == pytest.approx(0.25)
    # A date in the future counts as now, not as fresher than fresh.
    assert ranking.freshness(NOW + timedelta(hours=5), NOW) == 1.0


def test_an_old_story_with_a_followed_tag_falls_below_a_fresh_one_in_time() -> None:
    # given a followed story a week old and an unrelated one of an hour ago
    profile = Profile(followed=frozenset({"education"}))
    stories = [
        candidate("old-education", hours_ago=7 * 24, tags=("education",)),
        candidate("fresh", hours_ago=1),
    ]

    # when
    ranked = ranking.rank_personal(stories, profile, NOW)

    # then freshness wins over an interest that old
    assert ids(ranked) == ["fresh", "old-education"]


def test_no_more_than_two_stories_of_one_channel_follow_each_other() -> None:
    # given five top stories of one channel and two lesser ones of another
    profile = Profile(followed=frozenset({"transport"}))
    stories = [candidate(f"t{i}", channel="traffic", tags=("transport",)) for i in range(5)]
    stories += [candidate(f"c{i}", channel="culture", hours_ago=2 + i) for i in range(2)]

    # when
    ranked = ranking.rank_personal(stories, profile, NOW)

    # then
    channels = [r.candidate.channel for r in ranked]
    assert channels == ["traffic", "traffic", "culture", "traffic", "traffic", "culture", "traffic"]
    assert sorted(ids(ranked)) == sorted(c.id for c in stories)


def test_diversity_gives_up_when_only_one_channel_is_left() -> None:
    stories = [candidate(f"t{i}", channel="traffic", hours_ago=i + 1) for i in range(4)]

    ranked = ranking.rank_personal(stories, Profile(), NOW)

    assert ids(ranked) == ["t0", "t1", "t2", "t3"]


def test_the_order_is_the_same_for_the_same_input_whatever_order_it_comes_in() -> None:
    # given stories that score exactly the same
    stories = [candidate(f"s{i}", channel=f"ch{i % 2}") for i in range(6)]
    profile = Profile()

    # when
    forwards = ranking.rank_personal(stories, profile, NOW)
    backwards = ranking.rank_personal(list(reversed(stories)), profile, NOW)

    # then
    assert ids(forwards) == ids(backwards)
    assert ids(ranking.rank_common(stories)) == ids(ranking.rank_common(reversed(stories)))


def test_a_learned_tag_gives_a_reading_reason_and_a_followed_tag_outranks_it() -> None:
    profile = Profile(followed=frozenset({"education"}), learned={"transport": 0.6})
    stories = [
        candidate("transport", tags=("transport",)),
        candidate("education", tags=("education",)),
        candidate("plain"),
    ]

    ranked = ranking.rank_personal(stories, profile, NOW)

    assert ids(ranked) == ["education", "transport", "plain"]
    assert ranked[1].reason == ranking.Reason(ReasonCode.READ_TAG, "transport")


def test_a_learned_tag_too_weak_to_be_used_gives_no_reason() -> None:
    weak = Profile(learned={"transport": ranking.LEARNED_MIN / 2})

    _, reason = ranking.score(candidate("t", tags=("transport",)), weak, NOW)

    assert reason.code == ReasonCode.LATEST


def test_a_story_in_the_readers_language_ranks_above_one_in_another() -> None:
    stories = [candidate("zh"), candidate("en", language="en")]

    ranked = ranking.rank_personal(stories, Profile(language="en"), NOW)

    assert ids(ranked) == ["en", "zh"]


def test_the_common_feed_takes_the_latest_and_the_most_read_in_turn() -> None:
    # given
    stories = [
        candidate("newest", hours_ago=1),
        candidate("newer", hours_ago=2),
        candidate("popular", hours_ago=30, opens=900),
        candidate("liked", hours_ago=40, opens=300),
    ]

    # when
    ranked = ranking.rank_common(stories)

    # then
    assert ids(ranked) == ["newest", "popular", "newer", "liked"]
    codes = [r.reason.code for r in ranked]
    assert codes == [
        ReasonCode.LATEST,
        ReasonCode.MOST_READ,
        ReasonCode.LATEST,
        ReasonCode.MOST_READ,
    ]


def test_the_common_feed_lists_every_story_once_when_the_most_read_are_also_the_latest() -> None:
    stories = [candidate(f"s{i}", hours_ago=i + 1, opens=10 - i) for i in range(5)]

    ranked = ranking.rank_common(stories)

    assert sorted(ids(ranked)) == sorted(c.id for c in stories)
    assert len(ranked) == 5


@pytest.mark.parametrize("slug", sorted(NEVER_USED))
def test_a_sensitive_tag_is_never_a_reason_nor_learned(slug: str) -> None:
    # given a person who somehow follows it and read about it
    story = candidate("s", tags=(slug,))
    profile = Profile(followed=frozenset({slug}), learned={slug: 0.9})
    readings = [Reading(tags=frozenset({slug}), opened_at=NOW, seconds=600)] * 5

    # when
    _, reason = ranking.score(story, profile, NOW)
    learned = ranking.learned_weights(readings, NOW)

    # then
    assert reason.code == ReasonCode.LATEST
    assert learned == {}


def test_a_declared_only_tag_is_followed_but_never_learned_from_reading() -> None:
    readings = [Reading(tags=frozenset({"health", "transport"}), opened_at=NOW, seconds=600)]

    learned = ranking.learned_weights(readings, NOW)
    _, reason = ranking.score(
        candidate("s", tags=("health",)), Profile(followed=frozenset({"health"})), NOW
    )

    assert set(learned) == {"transport"}
    assert reason == ranking.Reason(ReasonCode.FOLLOWED_TAG, "health")


def test_learned_weights_grow_with_reading_time_stay_below_one_and_fade_with_age() -> None:
    def weight(seconds: int, days_ago: float, times: int = 1) -> float:
        reading = Reading(frozenset({"t"}), NOW - timedelta(days=days_ago), seconds)
        return ranking.learned_weights([reading] * times, NOW)["t"]

    assert weight(0, 0) < weight(60, 0) < weight(ranking.READ_FULL_SECONDS, 0)
    # Reading past a full read adds nothing more.
    assert weight(ranking.READ_FULL_SECONDS, 0) == weight(10_000, 0)
    assert weight(120, 0, times=10) < 1.0
    assert weight(120, 0, times=1000) <= 1.0
    assert weight(120, ranking.READ_HALF_LIFE_DAYS) < weight(120, 0)
    assert ranking.learned_weight_now(0.8, NOW - timedelta(days=30), NOW) == pytest.approx(0.4)


# --- Properties over any input ---------------------------------------------------------------

STORIES = st.lists(
    st.builds(
        candidate,
        st.uuids().map(str),
        hours_ago=st.floats(min_value=0, max_value=14 * 24),
        channel=st.sampled_from(["city", "traffic", "culture"]),
        tags=st.lists(st.sampled_from(["education", "transport", "health", "religion"])).map(tuple),
        districts=st.lists(st.sampled_from(["320506", "320508"]), max_size=1).map(tuple),
        opens=st.integers(min_value=0, max_value=50),
    ),
    max_size=30,
    unique_by=lambda c: c.id,
)
PROFILES = st.builds(
    Profile,
    followed=st.frozensets(st.sampled_from(["education", "transport", "religion"])),
    learned=st.dictionaries(
        st.sampled_from(["transport", "health"]), st.floats(min_value=0, max_value=1)
    ),
    district=st.sampled_from([None, "320506"]),
)


@settings(max_examples=200, deadline=None)
@given(stories=STORIES, profile=PROFILES)
def test_any_personal_feed_lists_each_story_once_and_breaks_runs_while_it_can(
    stories: list[Candidate], profile: Profile
) -> None:
    ranked = ranking.rank_personal(stories, profile, NOW)

    assert sorted(ids(ranked)) == sorted(c.id for c in stories)
    channels = [r.candidate.channel for r in ranked]
    for end in range(ranking.MAX_RUN, len(channels)):
        run = channels[end - ranking.MAX_RUN : end + 1]
        if len(set(run)) == 1:
            # A longer run only when no other channel was left to offer.
            assert set(channels[end:]) == {run[0]}
    assert all(r.reason.subject not in NEVER_USED for r in ranked)
    assert ids(ranked) == ids(ranking.rank_personal(list(reversed(stories)), profile, NOW))


@settings(max_examples=200, deadline=None)
@given(stories=STORIES)
def test_any_common_feed_lists_each_story_once_whatever_order_it_comes_in(
    stories: list[Candidate],
) -> None:
    ranked = ranking.rank_common(stories)

    assert sorted(ids(ranked)) == sorted(c.id for c in stories)
    assert ids(ranked) == ids(ranking.rank_common(list(reversed(stories))))
    assert {r.reason.code for r in ranked} <= {ReasonCode.LATEST, ReasonCode.MOST_READ}
