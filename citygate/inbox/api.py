"""The inbox API: a person's own messages, in their language, and marking them read."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from citygate.accounts.auth import user_auth
from citygate.core.schemas import ErrorOut
from citygate.inbox import selectors, services
from citygate.inbox.models import Message

router = Router(tags=["inbox"])

ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
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
    found = selectors.inbox_page(
        user=request.auth,  # type: ignore[attr-defined]
        page=max(1, min(page, MAX_PAGE)),
    )
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
