"""Demo campaigns: what the residents of the demo find in their inboxes from the campaign desk.

A notice to everyone in the city, a water cut notice for the people of one street (平江街道)
and the elderly-mode story for people aged 60 and over, each written by demo.editor and
approved by demo.operator, the two people the rule asks for. Loads
once (when no campaign exists), after the demo staff and the demo news.
"""

from __future__ import annotations

from collections.abc import Mapping

from citygate.accounts.models import User
from citygate.campaigns import services
from citygate.campaigns.models import Campaign
from citygate.news.models import Story, StoryState

WRITER = "demo.editor"
APPROVER = "demo.operator"
# The story for the over-sixties: the elderly mode's new design (news/demo.py).
ELDERLY_STORY_WORDS = "长辈版"

NOTICE = {
    "kind": "official",
    "headline_zh": "今冬燃气安全入户检查开始",
    "headline_en": "Winter gas safety checks at home begin",
    "summary_zh": "燃气公司工作人员将持证上门检查，不收取任何费用。如有疑问请拨打 12345 核实。",
    "summary_en": (
        "Gas company staff with ID cards will check homes free of charge. Call 12345 if in doubt."
    ),
}

WATER_CUT = {
    "kind": "official",
    "headline_zh": "平江街道部分区域周六停水",
    "headline_en": "Water off in parts of Pingjiang Subdistrict on Saturday",
    "summary_zh": "因供水管网改造，周六 9:00 至 16:00 平江路沿线停水，请提前储水。",
    "summary_en": (
        "Mains work stops the water along Pingjiang Road on Saturday from 9:00 to 16:00. "
        "Please store some water beforehand."
    ),
    "segment": {"streets": ["320508018"]},
}


def _send(writer: User, approver: User, data: Mapping[str, object]) -> None:
    campaign = services.campaign_create(by=writer, data=data)
    services.campaign_submit(by=writer, campaign_id=campaign.pk)
    services.campaign_approve(by=approver, campaign_id=campaign.pk)


def load() -> int:
    """Sends the demo campaigns if none exists; how many were sent."""
    writer = User.objects.filter(login_name=WRITER).first()
    approver = User.objects.filter(login_name=APPROVER).first()
    if writer is None or approver is None or Campaign.objects.exists():
        return 0
    _send(writer, approver, NOTICE)
    _send(writer, approver, WATER_CUT)
    sent = 2
    story = Story.objects.filter(
        state=StoryState.PUBLISHED, title__contains=ELDERLY_STORY_WORDS
    ).first()
    if story is not None:
        _send(
            writer,
            approver,
            {
                "kind": "news",
                "story_id": story.pk,
                "headline_en": "Elderly mode redesigned: larger text and buttons",
                "segment": {"age_bands": ["60_plus"]},
            },
        )
        sent += 1
    return sent
