"""The feed's API: the feed with a reason for every story, the person's recommendation
settings, and the reading beacon."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict, StrictBool, StrictInt

from citygate.accounts.auth import _Bearer, _Session, user_auth
from citygate.accounts.models import User
from citygate.core.errors import InvalidInput
from citygate.core.schemas import ErrorOut
from citygate.feed import selectors, services

router = Router(tags=["feed"])

ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}
MAX_PAGE = 1_000
TAGS_MAX = 50


class _Visitor:
    """Anyone without credentials: they get the feed that is the same for everyone. A request
    that brings a token we do not accept is refused rather than served as a visitor's."""

    def __call__(self, request: HttpRequest) -> Any:
        if "Authorization" in request.headers:
            return None
        return AnonymousUser()


visitor_auth = [*user_auth, _Visitor()]
# The reading beacon cannot send the CSRF header; its signed view token (services.view_token)
# proves instead that the report comes from our own story page.
beacon_auth = [_Bearer(), _Session(csrf=False)]


# --- The feed --------------------------------------------------------------------------------


class ReasonOut(Schema):
    code: str
    text: str


class ChannelOut(Schema):
    slug: str
    name: str


class FeedItemOut(Schema):
    id: uuid.UUID
    title: str
    summary: str
    channel: ChannelOut
    published_at: datetime
    cover_url: str | None
    url: str
    reason: ReasonOut


class FeedOut(Schema):
    items: list[FeedItemOut]
    page: int
    total: int
    has_next: bool
    personalized: bool


@router.get("/news/feed", auth=visitor_auth, response={200: FeedOut, **ERRORS})
def feed(request: HttpRequest, response: HttpResponse, page: Query[int] = 1) -> FeedOut:
    """The news feed, 20 stories a page, each with the reason it is there."""
    # Worked out for this person and their current setting: never from a shared cache.
    response["Cache-Control"] = "no-store"
    user = request.auth if isinstance(request.auth, User) else None  # type: ignore[attr-defined]
    if user is not None:
        services.minor_readings_forget(user=user)
    found = selectors.feed_page(user=user, page=max(1, min(page, MAX_PAGE)))
    return FeedOut(
        items=[
            FeedItemOut(
                id=item.story.pk,
                title=item.story.title,
                summary=item.story.summary,
                channel=ChannelOut(
                    slug=item.story.channel.slug, name=item.story.channel.display_name
                ),
                published_at=item.published_at,
                cover_url=item.cover_url,
                url=item.url,
                reason=ReasonOut(code=item.reason_code, text=item.reason_text),
            )
            for item in found.items
        ],
        page=found.number,
        total=found.total,
        has_next=found.has_next,
        personalized=found.personalised,
    )


# --- Recommendation settings -----------------------------------------------------------------


class TagOut(Schema):
    slug: str
    name: str
    source: str


class DistrictOut(Schema):
    code: str
    name: str


class StreetOut(Schema):
    # A street office, town or township, by its NBS statistical code.
    code: str
    name: str


class RecommendationOut(Schema):
    # Whether the feed is personalised now; `reason` says why not when it is off.
    personalized: bool
    reason: ReasonOut | None
    tags: list[TagOut]
    district: DistrictOut | None
    street: StreetOut | None


class RecommendationIn(Schema):
    # Only what is given changes; `tags` is the whole list the person keeps.
    model_config = ConfigDict(extra="forbid")

    personalized: StrictBool | None = None
    tags: list[str] | None = Field(default=None, max_length=TAGS_MAX)
    district: str | None = Field(
        default=None,
        max_length=12,
        description=(
            "The home district's code; null: rather not say. Given alone, the street is kept"
            " only if it lies in the district."
        ),
    )
    street: str | None = Field(
        default=None,
        max_length=12,
        description=(
            "The street or town's statistical code; given alone, it sets its district too."
            " Null forgets the street and keeps the district."
        ),
    )


def _recommendation_out(user: User) -> RecommendationOut:
    services.minor_readings_forget(user=user)
    state = selectors.personalisation(user=user)
    reason = None
    if state.minor:
        reason = ReasonOut(code="minor", text=_("A personalised feed is not offered to minors."))
    elif not state.chosen:
        reason = ReasonOut(code="switched_off", text=_("You switched personalisation off."))
    district = user.home_district
    street = user.home_street
    return RecommendationOut(
        personalized=state.active,
        reason=reason,
        tags=[
            TagOut(slug=t.slug, name=t.name, source=t.source)
            for t in selectors.interest_tags(user=user)
        ],
        district=DistrictOut(code=district.code, name=district.display_name) if district else None,
        street=StreetOut(code=street.code, name=street.display_name) if street else None,
    )


@router.get(
    "/me/recommendation",
    auth=user_auth,
    response={200: RecommendationOut, **ERRORS},
    url_name="recommendation",
)
def recommendation_get(request: HttpRequest, response: HttpResponse) -> RecommendationOut:
    """Whether the feed is personalised, the tags used for it and the declared home district
    and street."""
    response["Cache-Control"] = "no-store"
    return _recommendation_out(request.auth)  # type: ignore[attr-defined]


@router.put(
    "/me/recommendation",
    auth=user_auth,
    response={200: RecommendationOut, **ERRORS},
    url_name="recommendation_update",
)
def recommendation_put(request: HttpRequest, body: RecommendationIn) -> RecommendationOut:
    user: User = request.auth  # type: ignore[attr-defined]
    services.recommendation_update(
        user=user,
        personalized=body.personalized,
        tags=body.tags,
        district=body.district,
        district_given="district" in body.model_fields_set,
        street=body.street,
        street_given="street" in body.model_fields_set,
    )
    user.refresh_from_db(fields=["home_district", "home_street"])
    return _recommendation_out(user)


# --- Reading ---------------------------------------------------------------------------------


class ReadingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    seconds: StrictInt
    view: str | None = Field(default=None, max_length=300)


class ReadingOut(Schema):
    recorded: bool


@router.post(
    "/news/stories/{story_id}/reading",
    auth=beacon_auth,
    response={200: ReadingOut, **ERRORS},
    url_name="story_reading",
)
def story_reading(request: HttpRequest, story_id: uuid.UUID, body: ReadingIn) -> ReadingOut:
    """How long a story was visible in one view (the reading beacon's report)."""
    if body.view is None and "Authorization" not in request.headers:
        # A session's report comes from our page, which always sends its view token.
        raise InvalidInput({"view": _("This view of the story is not known. Reload the page.")})
    opened = services.story_reading_record(
        user=request.auth,  # type: ignore[attr-defined]
        story_id=story_id,
        seconds=body.seconds,
        view_token=body.view,
    )
    return ReadingOut(recorded=opened is not None)
