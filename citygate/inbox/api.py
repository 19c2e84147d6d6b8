"""The inbox API: a person's own messages, in their language, and marking them read."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictInt

from citygate.accounts.auth import user_auth
from citygate.core.schemas import ErrorOut
from citygate.inbox import delivery, selectors, services, sources, webpush
from citygate.inbox.models import Kind, Message, PushSubscription
from citygate.inbox.preferences import Choices

router = Router(tags=["inbox"])

ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}
MAX_PAGE = 10_000


class MessageOut(Schema):
    id: uuid.UUID
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read: bool


class InboxOut(Schema):
    items: list[MessageOut]
    total: int
    unread: int


def _message_out(message: Message) -> MessageOut:
    return MessageOut(
        id=message.pk,
        kind=message.kind,
        title=message.title_text,
        body=message.body_text,
        link=message.link,
        created_at=message.created_at,
        read=message.is_read,
    )


@router.get("/inbox", auth=user_auth, response={200: InboxOut, **ERRORS})
def inbox(request: HttpRequest, response: HttpResponse, page: Query[int] = 1) -> InboxOut:
    """The inbox, 20 messages a page: official notices first, newest first within each kind."""
    # What a person was told is theirs alone: not for a shared cache or a proxy.
    response["Cache-Control"] = "no-store"
    user = request.auth  # type: ignore[attr-defined]
    sources.bring_in(user=user)
    found = selectors.inbox_page(user=user, page=max(1, min(page, MAX_PAGE)))
    return InboxOut(
        items=[_message_out(message) for message in found.items],
        total=found.total,
        unread=found.unread,
    )


@router.post("/inbox/{message_id}/read", auth=user_auth, response={200: MessageOut, **ERRORS})
def inbox_read(request: HttpRequest, message_id: uuid.UUID) -> MessageOut:
    message = services.message_mark_read(
        user=request.auth,  # type: ignore[attr-defined]
        message_id=message_id,
    )
    return _message_out(message)


@router.post("/inbox/{message_id}/archive", auth=user_auth, response={200: MessageOut, **ERRORS})
def inbox_archive(request: HttpRequest, message_id: uuid.UUID) -> MessageOut:
    message = services.message_archive(
        user=request.auth,  # type: ignore[attr-defined]
        message_id=message_id,
    )
    return _message_out(message)


# --- Notification preferences ---------------------------------------------------------------


class PreferencesOut(Schema):
    # Per kind of message (official, transactional, news): the push channels chosen besides
    # the inbox in the app, which holds every message whatever is chosen.
    channels: dict[str, list[str]]
    quiet_start: str
    quiet_end: str
    news_daily_cap: int
    news_digest: str


class PreferencesIn(Schema):
    # Only what is given changes.
    model_config = ConfigDict(extra="forbid")

    channels: dict[str, list[str]] | None = None
    quiet_start: str | None = Field(default=None, max_length=8)
    quiet_end: str | None = Field(default=None, max_length=8)
    news_daily_cap: StrictInt | None = None
    news_digest: str | None = Field(default=None, max_length=8)


def _preferences_out(choices: Choices) -> PreferencesOut:
    return PreferencesOut(
        channels={kind: list(choices.channels_for(kind)[1:]) for kind in Kind.values},
        quiet_start=choices.quiet_start.strftime("%H:%M"),
        quiet_end=choices.quiet_end.strftime("%H:%M"),
        news_daily_cap=choices.news_daily_cap,
        news_digest=choices.news_digest,
    )


@router.get(
    "/me/notification-preferences",
    auth=user_auth,
    response={200: PreferencesOut, **ERRORS},
    url_name="notification_preferences",
)
def preferences_get(request: HttpRequest) -> PreferencesOut:
    """How the person is reached: push channels per kind, quiet hours, news cap and digest."""
    return _preferences_out(selectors.notification_choices(user=request.auth))  # type: ignore[attr-defined]


@router.put(
    "/me/notification-preferences",
    auth=user_auth,
    response={200: PreferencesOut, **ERRORS},
    url_name="notification_preferences_update",
)
def preferences_put(request: HttpRequest, body: PreferencesIn) -> PreferencesOut:
    choices = services.notification_settings_update(
        user=request.auth,  # type: ignore[attr-defined]
        channels=body.channels,
        quiet_start=body.quiet_start,
        quiet_end=body.quiet_end,
        news_daily_cap=body.news_daily_cap,
        news_digest=body.news_digest,
    )
    return _preferences_out(choices)


# --- Devices for Web Push, and what they report -----------------------------------------------


class PushKeyOut(Schema):
    # The VAPID public key (base64url) a browser subscribes with.
    public_key: str


class PushKeysIn(Schema):
    p256dh: str = Field(max_length=100)
    auth: str = Field(max_length=40)


class PushSubscriptionIn(Schema):
    # What PushSubscription.toJSON() gives, and a label for the person to tell devices apart.
    endpoint: str = Field(max_length=1024)
    keys: PushKeysIn
    label: str = Field(default="", max_length=200)


class PushSubscriptionOut(Schema):
    id: uuid.UUID
    label: str
    # The push service's host and the endpoint's last characters, never the whole endpoint.
    endpoint: str
    created_at: datetime
    last_success_at: datetime | None


class DeliveryReportIn(Schema):
    token: str = Field(max_length=64)


def _subscription_out(subscription: PushSubscription) -> PushSubscriptionOut:
    return PushSubscriptionOut(
        id=subscription.pk,
        label=subscription.label,
        endpoint=selectors.masked_endpoint(subscription),
        created_at=subscription.created_at,
        last_success_at=subscription.last_success_at,
    )


@router.get("/push/key", response={200: PushKeyOut, **ERRORS}, url_name="push_key")
def push_key(request: HttpRequest) -> PushKeyOut:
    """The key browsers subscribe to this server's pushes with."""
    return PushKeyOut(public_key=webpush.vapid_public_key())


@router.get(
    "/me/push-subscriptions",
    auth=user_auth,
    response={200: list[PushSubscriptionOut], **ERRORS},
    url_name="push_subscriptions",
)
def push_subscriptions(request: HttpRequest) -> list[PushSubscriptionOut]:
    """The person's devices with notifications on."""
    found = selectors.push_subscriptions_of(user=request.auth)  # type: ignore[attr-defined]
    return [_subscription_out(subscription) for subscription in found]


@router.post(
    "/me/push-subscriptions",
    auth=user_auth,
    response={201: PushSubscriptionOut, **ERRORS},
    url_name="push_subscription_add",
)
def push_subscription_add(
    request: HttpRequest, body: PushSubscriptionIn
) -> Status[PushSubscriptionOut]:
    """Turns notifications on for this device (the browser's push subscription)."""
    subscription = services.push_subscription_add(
        user=request.auth,  # type: ignore[attr-defined]
        endpoint=body.endpoint,
        p256dh=body.keys.p256dh,
        auth=body.keys.auth,
        label=body.label,
    )
    return Status(201, _subscription_out(subscription))


@router.delete(
    "/me/push-subscriptions/{subscription_id}",
    auth=user_auth,
    response={204: None, **ERRORS},
    url_name="push_subscription_remove",
)
def push_subscription_remove(request: HttpRequest, subscription_id: uuid.UUID) -> Status[None]:
    services.push_subscription_remove(
        user=request.auth,  # type: ignore[attr-defined]
        subscription_id=subscription_id,
    )
    return Status(204, None)


@router.post(
    "/inbox/deliveries/{delivery_id}/{report}",
    response={204: None, **ERRORS},
    url_name="delivery_report",
)
def delivery_report(
    request: HttpRequest,
    delivery_id: uuid.UUID,
    report: Literal["delivered", "opened"],
    body: DeliveryReportIn,
) -> Status[None]:
    """The service worker received a push (delivered) or the person clicked it (opened).

    Signed by the token the push carried, not by a session: a worker woken by a push may
    have none.
    """
    delivery.delivery_report(delivery_id=delivery_id, token=body.token, event=report)
    return Status(204, None)
