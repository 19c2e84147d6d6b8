"""Reads of a person's own inbox. Every read is scoped to the person asking."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db.models import Count, Q, QuerySet

from citygate.accounts.models import User
from citygate.inbox.models import (
    Channel,
    Delivery,
    Kind,
    Message,
    NotificationSettings,
    PushSubscription,
)
from citygate.inbox.preferences import DEFAULTS, Choices

INBOX_PAGE_SIZE = 20


def inbox_for(*, user: User, include_archived: bool = False) -> QuerySet[Message]:
    """The person's messages: official notices first, then progress, then news; newest first
    within each kind."""
    messages = Message.objects.filter(recipient=user)
    if not include_archived:
        messages = messages.filter(archived_at__isnull=True)
    return messages.order_by("priority", "-created_at", "-id")


def unread_count(*, user: User) -> int:
    """Messages in the inbox (not archived) that the person has not read."""
    return Message.objects.filter(
        recipient=user, read_at__isnull=True, archived_at__isnull=True
    ).count()


@dataclass(frozen=True)
class InboxPage:
    items: list[Message]
    number: int
    page_size: int
    total: int
    unread: int

    @property
    def has_next(self) -> bool:
        return self.number * self.page_size < self.total

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def inbox_page(*, user: User, page: int = 1, page_size: int = INBOX_PAGE_SIZE) -> InboxPage:
    """One page of the inbox with its totals: two queries, however many messages there are."""
    page = max(page, 1)
    messages = inbox_for(user=user)
    start = (page - 1) * page_size
    totals = Message.objects.filter(recipient=user, archived_at__isnull=True).aggregate(
        total=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True))
    )
    return InboxPage(
        items=list(messages[start : start + page_size]),
        number=page,
        page_size=page_size,
        total=totals["total"],
        unread=totals["unread"],
    )


def notification_choices(*, user: User) -> Choices:
    """The person's notification settings, or the defaults if they never changed them."""
    found = NotificationSettings.objects.filter(user=user).first()
    return DEFAULTS if found is None else _choices(found)


def notification_choices_of(*, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Choices]:
    """The choices of many people in one query (the defaults for those who never changed
    them), by their ids."""
    ids = {uuid.UUID(str(pk)) for pk in user_ids}
    found = {
        saved.user_id: _choices(saved)
        for saved in NotificationSettings.objects.filter(user_id__in=list(ids))
    }
    return {pk: found.get(pk, DEFAULTS) for pk in ids}


def _choices(found: NotificationSettings) -> Choices:
    return Choices(
        channels={kind: list(found.channels.get(kind, [])) for kind in Kind.values},
        quiet_start=found.quiet_start,
        quiet_end=found.quiet_end,
        news_daily_cap=found.news_daily_cap,
        news_digest=found.news_digest,
    )


def recipients_of(*, subject: str) -> QuerySet[User]:
    """The people who were sent a message about this subject ("news.story:<id>")."""
    return User.objects.filter(
        pk__in=Message.objects.filter(subject=subject).values("recipient_id")
    ).distinct()


def delivery_counts(messages: QuerySet[Message]) -> dict[str, dict[str, int]]:
    """How far a set of messages got on each channel: {channel: {state: count}}.

    One query, whatever the number of messages (a campaign passes its messages' queryset).
    """
    counts: dict[str, dict[str, int]] = {}
    rows = (
        Delivery.objects.filter(message__in=messages.values("pk"))
        .values_list("channel", "state")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for channel, state, count in rows:
        counts.setdefault(channel, {})[state] = count
    return counts


def push_subscriptions_of(*, user: User) -> list[PushSubscription]:
    """The person's devices with notifications on, oldest first."""
    return list(PushSubscription.objects.filter(user=user).order_by("created_at", "pk"))


def masked_endpoint(subscription: PushSubscription) -> str:
    """The push service's host and the endpoint's last characters: enough to tell two apart."""
    host = urlsplit(subscription.endpoint).hostname or ""
    return f"{host}/…{subscription.endpoint[-4:]}"


def reachable_by_push(*, user_ids: Sequence[uuid.UUID], kind: str) -> set[uuid.UUID]:
    """Those of these people a broadcast of this kind may be pushed to, by their own choice:
    a device turned on while they take device notifications for the kind, or text messages
    chosen for it in their settings. Defaults alone never send a broadcast by SMS."""
    if not user_ids:
        return set()
    with_device = set(
        PushSubscription.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True)
    )
    settings_of = dict(
        NotificationSettings.objects.filter(user_id__in=user_ids).values_list("user_id", "channels")
    )
    reachable = set()
    for user_id in user_ids:
        saved = settings_of.get(user_id)
        chosen = DEFAULTS.channels.get(kind, []) if saved is None else saved.get(kind, [])
        by_device = Channel.WEB_PUSH in chosen and user_id in with_device
        by_text = saved is not None and Channel.SMS in chosen
        if by_device or by_text:
            reachable.add(user_id)
    return reachable
