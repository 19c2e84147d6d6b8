"""Messages that are not written when they are sent but when the inbox is read.

A notice to a million people is one row in its module (a campaign), not a million messages.
Such a module registers a source: a function that, given the person opening their inbox,
writes the messages meant for them that they do not have yet, once each (the message's
dedupe key sees to that). The inbox's pages and API call `bring_in` before they read.

    # citygate/campaigns/apps.py
    def ready(self) -> None:
        from citygate.campaigns.services import campaigns_bring_in
        from citygate.inbox.sources import register

        register(campaigns_bring_in)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from citygate.accounts.models import User
from citygate.inbox import templates
from citygate.inbox.models import Message

Source = Callable[[User], object]


@dataclass(frozen=True)
class Broadcast:
    """One message of a broadcast, as a source brings it into one inbox.

    Its values are the broadcast's own text, the same for everyone it reaches (a notice an
    editor wrote), not facts about the reader; `dedupe_key` names the broadcast.
    """

    template: str
    params: Mapping[str, str | int]
    dedupe_key: str
    created_at: datetime
    link: str = ""
    subject: str = ""


_sources: list[Source] = []


def register(source: Source) -> Source:
    if source not in _sources:
        _sources.append(source)
    return source


def bring_in(*, user: User) -> None:
    """Writes whatever every registered source has for this person and they lack."""
    for source in _sources:
        source(user)


def broadcasts_deliver(*, recipient: User, broadcasts: Sequence[Broadcast]) -> int:
    """Writes the broadcasts this inbox lacks, in one statement; how many were new.

    Reads racing each other write each broadcast once: the inbox's unique dedupe key drops
    the second row.
    """
    if not broadcasts:
        return 0
    keys = [broadcast.dedupe_key for broadcast in broadcasts]
    if any(not key for key in keys):
        raise ValueError("a broadcast is named by its dedupe key")
    have = set(
        Message.objects.filter(recipient=recipient, dedupe_key__in=keys).values_list(
            "dedupe_key", flat=True
        )
    )
    rows = []
    for broadcast in broadcasts:
        if broadcast.dedupe_key in have:
            continue
        found = templates.get(broadcast.template)
        missing = found.blanks() - broadcast.params.keys()
        if missing:
            raise ValueError(f"{found.name}: missing parameters {sorted(missing)}")
        rows.append(
            Message(
                recipient=recipient,
                kind=found.kind,
                template=found.name,
                params=dict(broadcast.params),
                link=broadcast.link,
                dedupe_key=broadcast.dedupe_key,
                subject=broadcast.subject,
                created_at=broadcast.created_at,
            )
        )
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
