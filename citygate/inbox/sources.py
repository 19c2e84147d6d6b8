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

from collections.abc import Callable

from citygate.accounts.models import User

Source = Callable[[User], object]

_sources: list[Source] = []


def register(source: Source) -> Source:
    if source not in _sources:
        _sources.append(source)
    return source


def bring_in(*, user: User) -> None:
    """Writes whatever every registered source has for this person and they lack."""
    for source in _sources:
        source(user)
