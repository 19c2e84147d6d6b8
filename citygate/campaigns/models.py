"""Targeted campaigns: a story or a notice sent to a segment of the city's people.

A campaign is one row however large its audience. When it is released it takes the next
number of the release sequence; a person's `CampaignCursor` remembers the last number their
inbox has seen, so opening the inbox looks only at campaigns released since, checks the
person against each one's segment, and writes a message for those that match (once: the
message's dedupe key is the campaign's).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

HEADLINE_MAX_LENGTH = 120
SUMMARY_MAX_LENGTH = 200


class CampaignKind(models.TextChoices):
    # What the inbox files it under, and so its priority and the limits it obeys.
    NEWS = "news", _("News")
    OFFICIAL = "official", _("Official notice")


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    SCHEDULED = "scheduled", pgettext_lazy("campaign state", "Scheduled")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class Campaign(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=CampaignKind.choices)
    # A story of the newsroom, or a notice written here in both languages.
    story = models.ForeignKey(
        "news.Story", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    headline_zh = models.CharField(max_length=HEADLINE_MAX_LENGTH)
    headline_en = models.CharField(max_length=HEADLINE_MAX_LENGTH, blank=True, default="")
    summary_zh = models.CharField(max_length=SUMMARY_MAX_LENGTH, blank=True, default="")
    summary_en = models.CharField(max_length=SUMMARY_MAX_LENGTH, blank=True, default="")
    # A path on this site; a story's own page when the campaign carries a story.
    link = models.CharField(max_length=200, blank=True, default="")
    # segments.Segment as a dict: who it is for.
    segment = models.JSONField(default=dict)
    state = models.CharField(
        max_length=20, choices=CampaignState.choices, default=CampaignState.DRAFT
    )
    # The audience counted when the campaign was put up for approval and again when released.
    audience_size = models.PositiveIntegerField(null=True, blank=True)
    send_at = models.DateTimeField(null=True, blank=True)
    # Set at release: the place in the release sequence, the time, and when inboxes stop
    # bringing it in (someone who opens their inbox a year later is not shown it).
    release_seq = models.BigIntegerField(null=True, blank=True, unique=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Everyone who wrote any of it (ids as text), and who put it up: none of them approves it.
    editors = models.JSONField(default=list)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The push to those who chose a channel that pushes walks the audience in id order: the
    # last id done, when it last moved, and when it reached the end.
    push_after = models.CharField(max_length=36, blank=True, default="")
    push_moved_at = models.DateTimeField(null=True, blank=True)
    push_done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["release_seq"],
                condition=models.Q(release_seq__isnull=False),
                include=["expires_at"],
                name="campaign_released_idx",
            ),
            models.Index(fields=["state", "-created_at"], name="campaign_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=CampaignState.values), name="campaign_state_known"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=CampaignKind.values), name="campaign_kind_known"
            ),
            # The second person is never the first.
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True)
                | (
                    ~models.Q(approved_by=models.F("created_by"))
                    & ~models.Q(approved_by=models.F("submitted_by"))
                ),
                name="campaign_approved_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"Campaign {self.pk}"

    @property
    def dedupe_key(self) -> str:
        return f"campaign:{self.pk}"

    @property
    def subject(self) -> str:
        """What its messages are about: the story, so a correction of it reaches them."""
        if self.story_id is not None:
            return f"news.story:{self.story_id}"
        return f"campaigns.campaign:{self.pk}"


class ReleaseCounter(models.Model):
    """The one row whose lock orders releases: numbers are taken in the order they commit."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"ReleaseCounter {self.last}"


class CampaignCursor(models.Model):
    """The last release number a person's inbox has looked at."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    seen_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"CampaignCursor {self.pk}"
