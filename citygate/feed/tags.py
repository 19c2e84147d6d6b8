"""Which topics may be used for a person's feed, and how.

A feed is built only from what the person declared and what they read. Some topics would say
something sensitive about a person if they were learned from their reading (PIPL Art.28:
health, religious belief, specific identity...), so a tag is one of three kinds:

- never used: a topic that names a sensitive trait; the newsroom should not have such a tag,
  and if one appears it is neither followed nor learned nor given as a reason;
- declared only: a topic near one (health, disability): the person may follow it, but their
  reading never adds it for them;
- the rest, which may be followed and learned.
"""

from __future__ import annotations

NEVER_USED = frozenset(
    {
        "religion",
        "ethnicity",
        "sexual-orientation",
        "political-views",
        "criminal-record",
        "biometrics",
    }
)
DECLARED_ONLY = frozenset({"health", "disability", "mental-health", "maternity"})


def may_follow(slug: str) -> bool:
    return slug not in NEVER_USED


def may_learn(slug: str) -> bool:
    return slug not in NEVER_USED and slug not in DECLARED_ONLY
