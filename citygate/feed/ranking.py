"""The feed's ranking: pure functions of the candidate stories, the person's declared and
learned interests, and the moment. No database, no clock, no randomness: the same input gives
the same order, and the tests hold every rule below.

A personalised feed scores each story as relevance × freshness:

- relevance starts at 1 and adds what the person declared or did: a followed tag
  (`W_FOLLOWED`), their home district among the story's districts (`W_DISTRICT`), a tag learned
  from their reading (`W_LEARNED` × its weight, 0 to 1), a story in their language
  (`W_LANGUAGE`). A story about other districts only counts `OTHER_DISTRICT_FACTOR` of that;
  a citywide story (no districts) is neutral.
- freshness halves every `HALF_LIFE_HOURS` hours since publication.

Then a diversity pass keeps more than `MAX_RUN` stories of one channel from following each
other. Each item carries the strongest of its reasons; a story with none is "Latest".

Without personalisation (switched off, a minor, an anonymous visitor) the feed is the same for
everyone: the latest and the most read stories, interleaved.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from citygate.feed.tags import may_follow, may_learn

# A city's news stays useful for a few days: a story two days old counts half a fresh one.
HALF_LIFE_HOURS = 48.0
W_FOLLOWED = 2.0
W_DISTRICT = 1.5
W_LEARNED = 1.0
W_LANGUAGE = 0.5
OTHER_DISTRICT_FACTOR = 0.5
# No more than two stories of one channel in a row.
MAX_RUN = 2

# Learning from reading: an open counts half, two minutes visible make a full read; a read
# counts half after `READ_HALF_LIFE_DAYS`; the sum saturates towards 1 (three recent full
# reads give about 0.63). A tag is used and shown from `LEARNED_MIN` on.
READ_FULL_SECONDS = 120
READ_HALF_LIFE_DAYS = 30.0
LEARN_SATURATION = 3.0
LEARNED_MIN = 0.2


class ReasonCode(StrEnum):
    DISTRICT = "district"
    FOLLOWED_TAG = "followed_tag"
    READ_TAG = "read_tag"
    LATEST = "latest"
    MOST_READ = "most_read"


@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    # The tag's slug or the district's code the reason names; empty for latest and most read.
    subject: str = ""


@dataclass(frozen=True)
class Candidate:
    id: str
    channel: str
    published_at: datetime
    tags: frozenset[str] = frozenset()
    # District codes; empty for a citywide story.
    districts: frozenset[str] = frozenset()
    language: str = "zh-hans"
    opens: int = 0


@dataclass(frozen=True)
class Profile:
    """What a person declared, and the tags learned from their reading (weights as of now)."""

    followed: frozenset[str] = frozenset()
    learned: Mapping[str, float] = field(default_factory=dict)
    district: str | None = None
    language: str = "zh-hans"


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    score: float
    reason: Reason


def freshness(published_at: datetime, now: datetime) -> float:
    """1 for a story published now, halving every HALF_LIFE_HOURS (a future date counts as now)."""
    hours = max(0.0, (now - published_at).total_seconds() / 3600)
    return math.pow(0.5, hours / HALF_LIFE_HOURS)


def _signals(candidate: Candidate, profile: Profile) -> list[tuple[float, Reason]]:
    """What the person declared or did that this story matches, strongest reason first on ties."""
    signals: list[tuple[float, Reason]] = []
    followed = sorted(t for t in candidate.tags & profile.followed if may_follow(t))
    if followed:
        signals.append((W_FOLLOWED, Reason(ReasonCode.FOLLOWED_TAG, followed[0])))
    if profile.district and profile.district in candidate.districts:
        signals.append((W_DISTRICT, Reason(ReasonCode.DISTRICT, profile.district)))
    learned = sorted(
        (-profile.learned[t], t)
        for t in candidate.tags
        if t in profile.learned and t not in profile.followed and may_learn(t)
    )
    if learned and -learned[0][0] >= LEARNED_MIN:
        weight, slug = -learned[0][0], learned[0][1]
        signals.append((W_LEARNED * weight, Reason(ReasonCode.READ_TAG, slug)))
    return signals


def score(candidate: Candidate, profile: Profile, now: datetime) -> tuple[float, Reason]:
    signals = _signals(candidate, profile)
    relevance = 1.0 + sum(weight for weight, _ in signals)
    if candidate.language == profile.language:
        relevance += W_LANGUAGE
    if profile.district and candidate.districts and profile.district not in candidate.districts:
        relevance *= OTHER_DISTRICT_FACTOR
    # max() keeps the first of equal weights: the order of _signals breaks ties.
    reason = max(signals, key=lambda s: s[0])[1] if signals else Reason(ReasonCode.LATEST)
    return relevance * freshness(candidate.published_at, now), reason


def _best_first(ranked: Ranked) -> tuple[float, float, str]:
    return (-ranked.score, -ranked.candidate.published_at.timestamp(), ranked.candidate.id)


def diversify(ranked: Sequence[Ranked], max_run: int = MAX_RUN) -> list[Ranked]:
    """The same items, best first, but never more than `max_run` of one channel in a row
    while another channel still has a story to offer."""
    remaining = list(ranked)
    chosen: list[Ranked] = []
    while remaining:
        recent = {r.candidate.channel for r in chosen[-max_run:]}
        blocked = recent.pop() if len(chosen) >= max_run and len(recent) == 1 else None
        index = next(
            (i for i, r in enumerate(remaining) if r.candidate.channel != blocked),
            0,
        )
        chosen.append(remaining.pop(index))
    return chosen


def rank_personal(
    candidates: Iterable[Candidate], profile: Profile, now: datetime, max_run: int = MAX_RUN
) -> list[Ranked]:
    """The personalised feed: scored, best first, then spread across channels."""
    ranked = [Ranked(c, *score(c, profile, now)) for c in candidates]
    return diversify(sorted(ranked, key=_best_first), max_run)


def rank_common(candidates: Iterable[Candidate]) -> list[Ranked]:
    """The feed that is the same for everyone: the latest and the most read, taking turns."""
    stories = list(candidates)
    latest = sorted(stories, key=lambda c: (-c.published_at.timestamp(), c.id))
    most_read = sorted(
        (c for c in stories if c.opens > 0),
        key=lambda c: (-c.opens, -c.published_at.timestamp(), c.id),
    )
    queues = [(latest, ReasonCode.LATEST), (most_read, ReasonCode.MOST_READ)]
    positions = [0, 0]
    seen: set[str] = set()
    chosen: list[Ranked] = []
    turn = 0
    while len(chosen) < len(stories):
        queue, code = queues[turn % 2]
        position = positions[turn % 2]
        while position < len(queue) and queue[position].id in seen:
            position += 1
        if position < len(queue):
            story = queue[position]
            seen.add(story.id)
            chosen.append(Ranked(story, float(len(stories) - len(chosen)), Reason(code)))
            position += 1
        positions[turn % 2] = position
        turn += 1
    return chosen


@dataclass(frozen=True)
class Reading:
    """One story the person opened: its tags, when, and for how long it was visible."""

    tags: frozenset[str]
    opened_at: datetime
    seconds: int


def learned_weights(readings: Iterable[Reading], now: datetime) -> dict[str, float]:
    """Each tag's weight from the person's reading, from 0 up to 1.

    Only opens and reading time count, and only for tags that may be learned.
    """
    raw: dict[str, float] = defaultdict(float)
    for reading in readings:
        engagement = 0.5 + 0.5 * min(max(reading.seconds, 0), READ_FULL_SECONDS) / (
            READ_FULL_SECONDS
        )
        days = max(0.0, (now - reading.opened_at).total_seconds() / 86400)
        value = engagement * math.pow(0.5, days / READ_HALF_LIFE_DAYS)
        for tag in reading.tags:
            if may_learn(tag):
                raw[tag] += value
    return {tag: 1 - math.exp(-value / LEARN_SATURATION) for tag, value in sorted(raw.items())}


def learned_weight_now(weight: float, as_of: datetime, now: datetime) -> float:
    """A stored learned weight, decayed for the time since it was worked out."""
    days = max(0.0, (now - as_of).total_seconds() / 86400)
    return weight * math.pow(0.5, days / READ_HALF_LIFE_DAYS)
