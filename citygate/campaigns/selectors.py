"""Reads of campaigns: their segments and audiences, lists for the staff, and results."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from citygate.accounts.models import User
from citygate.campaigns.models import Campaign, CampaignState
from citygate.campaigns.segments import Segment
from citygate.inbox.models import Channel, DeliveryState, Message
from citygate.inbox.selectors import delivery_counts


def segment_of(campaign: Campaign) -> Segment:
    data = campaign.segment or {}
    return Segment(
        districts=tuple(data.get("districts", ())),
        streets=tuple(data.get("streets", ())),
        roles=tuple(data.get("roles", ())),
        age_bands=tuple(data.get("age_bands", ())),
        languages=tuple(data.get("languages", ())),
        tags=tuple(data.get("tags", ())),
        min_level=int(data.get("min_level", 1)),
    )


def audience(*, segment: Segment) -> QuerySet[User]:
    return User.objects.filter(segment.q())


def audience_size(*, segment: Segment) -> int:
    """How many people the segment reaches today (shown before anything is sent)."""
    return audience(segment=segment).count()


def message_params(campaign: Campaign) -> dict[str, str | int]:
    """The values of the campaign's message: both languages, the Chinese where no English."""
    return {
        "headline_zh": campaign.headline_zh,
        "headline_en": campaign.headline_en or campaign.headline_zh,
        "summary_zh": campaign.summary_zh,
        "summary_en": campaign.summary_en or campaign.summary_zh,
    }


def campaign_list(*, state: str = "") -> QuerySet[Campaign]:
    campaigns = Campaign.objects.select_related("story", "created_by", "approved_by")
    if state:
        campaigns = campaigns.filter(state=state)
    return campaigns.order_by("-created_at", "-id")


def wrote_or_submitted(campaign: Campaign, user: User) -> bool:
    """Whether the person wrote any of the campaign or put it up: then someone else approves."""
    return user.pk in (campaign.created_by_id, campaign.submitted_by_id) or (
        str(user.pk) in campaign.editors
    )


def awaiting_approval_for(*, user: User) -> list[Campaign]:
    """Campaigns waiting for a second person that this person may approve."""
    waiting = Campaign.objects.filter(state=CampaignState.AWAITING_APPROVAL)
    return [campaign for campaign in waiting if not wrote_or_submitted(campaign, user)]


def campaign_get(*, campaign_id: object) -> Campaign | None:
    try:
        key = uuid.UUID(str(campaign_id))
    except ValueError:
        return None
    return campaign_list().filter(pk=key).first()


@dataclass(frozen=True)
class Results:
    audience: int
    # Messages in inboxes: each person who opened their inbox since and is in the segment.
    delivered: int
    opened: int
    # channel -> state -> count, for the channels that push.
    by_channel: dict[str, dict[str, int]]


def results(*, campaign: Campaign) -> Results:
    messages = Message.objects.filter(subject=campaign.subject, dedupe_key=campaign.dedupe_key)
    totals = messages.aggregate(
        delivered=Count("pk"), opened=Count("pk", filter=Q(read_at__isnull=False))
    )
    # Campaign messages come into inboxes without an in-app delivery row of their own: the
    # messages are the count, each either delivered or (read) opened, as a delivery's state
    # would be. The channels that push have their deliveries.
    by_channel: dict[str, dict[str, int]] = {
        Channel.IN_APP: {
            DeliveryState.DELIVERED: totals["delivered"] - totals["opened"],
            DeliveryState.OPENED: totals["opened"],
        }
    }
    for channel, states in delivery_counts(messages).items():
        if channel != Channel.IN_APP:
            by_channel[channel] = states
    return Results(
        audience=campaign.audience_size or 0,
        delivered=totals["delivered"],
        opened=totals["opened"],
        by_channel=by_channel,
    )
