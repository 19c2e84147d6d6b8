"""The inbox API: a person's own messages, in their language, and marking them read."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict, StrictInt

from citygate.accounts.auth import user_auth
from citygate.core.schemas import ErrorOut
from citygate.inbox import selectors, services, sources
from citygate.inbox.models import Kind, Message
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
