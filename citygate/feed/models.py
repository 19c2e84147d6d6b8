"""The personal news feed's tables: a person's switch, the tags used for them, what they read.

Only what the person declared (tags they follow, their home district, their language) and what
they did in the feed (opening a story, how long it was visible) is kept. Nothing else about
them is read, and nothing sensitive is inferred (互联网信息服务算法推荐管理规定 Art.17; PIPL
Art.28): see `feed/tags.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citygate.news.models import NewsTag, Story


class RecommendationSettings(models.Model):
    """Whether the person's feed is personalised; without a row it is (the default)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="recommendation_settings",
    )
    personalized = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"RecommendationSettings {self.pk}"


class TagSource(models.TextChoices):
    DECLARED = "declared", _("You follow it")
    LEARNED = "learned", _("From what you read")


class InterestTag(models.Model):
    """A tag used for one person's feed: followed by them, or learned from their reading.

    A tag the person deleted stays as a suppressed row of weight 0, so that reading about the
    topic again does not bring it back; following it again lifts the suppression.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interest_tags"
    )
    tag = models.ForeignKey(NewsTag, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=8, choices=TagSource.choices)
    # 1 for a followed tag; for a learned one, from 0 up to 1, as of updated_at.
    weight = models.FloatField(default=0.0)
    suppressed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "tag"], name="interest_tag_once_per_user"),
            models.CheckConstraint(
                condition=models.Q(source__in=TagSource.values), name="interest_tag_source_known"
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gte=0, weight__lte=1), name="interest_tag_weight_bounded"
            ),
        ]

    def __str__(self) -> str:
        return f"InterestTag {self.pk}"


class StoryOpen(models.Model):
    """A signed-in person's reading of one story: when they first opened it, how long it was
    visible in all (bounded), and the views counted, so a repeated report adds nothing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="story_opens"
    )
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    seconds = models.PositiveIntegerField(default=0)
    # The views counted, oldest first: view id -> the seconds counted for it (at most
    # services.VIEWS_KEPT of them), so no view's report counts twice, however they alternate.
    views = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "story"], name="story_open_once_per_user"),
        ]
        indexes = [models.Index(fields=["user", "-opened_at"], name="story_open_user_idx")]

    def __str__(self) -> str:
        return f"StoryOpen {self.pk}"
