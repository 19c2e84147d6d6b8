"""How a person wants to be reached: channels per kind of message, quiet hours, a daily cap on
news pushes and a digest, and the decisions that follow from them.

The inbox in the app always holds every message. Pushes beyond it (to the installed app, by
text message) follow the person's choices per kind. Official notices and the person's own
services (transactional) go out at any hour and are never capped or gathered into a digest:
the limits are for news. The decisions here are pure functions of the choices and the moment,
so the delivery of any module can ask them and tests can hold them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from django.utils import timezone

from citygate.inbox.models import Channel, Digest, Kind

# Channels a kind may be pushed on beyond the inbox.
PUSH_CHANNELS = (Channel.WEB_PUSH, Channel.SMS)
# What a person starts with: official notices everywhere, their services on the device, news
# on the device only; no news from 22:00 to 08:00; at most three news pushes a day.
DEFAULT_CHANNELS: dict[str, list[str]] = {
    Kind.OFFICIAL: [Channel.WEB_PUSH, Channel.SMS],
    Kind.TRANSACTIONAL: [Channel.WEB_PUSH],
    Kind.NEWS: [Channel.WEB_PUSH],
}
DEFAULT_QUIET_START = time(22, 0)
DEFAULT_QUIET_END = time(8, 0)
DEFAULT_NEWS_DAILY_CAP = 3
NEWS_DAILY_CAP_MAX = 20


@dataclass(frozen=True)
class Choices:
    """A person's settings, or the defaults for someone who never changed them."""

    channels: dict[str, list[str]]
    quiet_start: time
    quiet_end: time
    news_daily_cap: int
    news_digest: str

    def channels_for(self, kind: str) -> list[str]:
        """Where a message of this kind goes: the inbox, and the push channels chosen for it."""
        chosen = self.channels.get(kind, DEFAULT_CHANNELS.get(kind, []))
        return [Channel.IN_APP, *(c for c in PUSH_CHANNELS if c in chosen)]


DEFAULTS = Choices(
    channels={kind: list(channels) for kind, channels in DEFAULT_CHANNELS.items()},
    quiet_start=DEFAULT_QUIET_START,
    quiet_end=DEFAULT_QUIET_END,
    news_daily_cap=DEFAULT_NEWS_DAILY_CAP,
    news_digest=Digest.NONE,
)


def in_quiet_hours(choices: Choices, moment: datetime) -> bool:
    """Whether the local time of `moment` falls in the person's quiet hours."""
    now = timezone.localtime(moment).time()
    start, end = choices.quiet_start, choices.quiet_end
    if start == end:
        return False  # no quiet hours
    if start < end:
        return start <= now < end
    return now >= start or now < end  # over midnight


class PushDecision(StrEnum):
    PUSH = "push"  # push it now on the chosen channels
    QUIET = "quiet"  # hold it until the quiet hours end
    CAPPED = "capped"  # today's news pushes are used up: the inbox only
    DIGEST = "digest"  # gathered into the person's digest
    INBOX_ONLY = "inbox_only"  # no push channel chosen for this kind


def push_decision(choices: Choices, kind: str, moment: datetime, news_pushed_today: int) -> str:
    """What to do with a new message beyond putting it in the inbox."""
    if len(choices.channels_for(kind)) == 1:
        return PushDecision.INBOX_ONLY
    if kind != Kind.NEWS:
        return PushDecision.PUSH
    if choices.news_digest != Digest.NONE:
        return PushDecision.DIGEST
    if news_pushed_today >= choices.news_daily_cap:
        return PushDecision.CAPPED
    if in_quiet_hours(choices, moment):
        return PushDecision.QUIET
    return PushDecision.PUSH


def quiet_hours_end(choices: Choices, moment: datetime) -> datetime:
    """The first moment after `moment` at which the person's quiet hours end."""
    local = timezone.localtime(moment)
    end = local.replace(
        hour=choices.quiet_end.hour, minute=choices.quiet_end.minute, second=0, microsecond=0
    )
    if end <= local:
        end += timedelta(days=1)
    return end
