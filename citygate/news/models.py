"""The newsroom's tables: channels, tags, stories, their versions and their reviews.

A story is written as a draft, reviewed at each configured level by a different editor
(初审, 复审, 终审 by default), then published at once or at its scheduled time. Every saved
change is a `StoryRevision`; a published story is never edited silently: a correction adds a
notice, a retraction takes the story down and leaves the notice in its place.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citygate.directory.models import BilingualNamed, District

TITLE_MAX_LENGTH = 120
SUMMARY_MAX_LENGTH = 300


class NewsChannel(BilingualNamed, models.Model):
    """A section of the newsroom (要闻, 政策解读, 便民服务...)."""

    slug = models.SlugField(max_length=32, unique=True)
    name_zh = models.CharField(max_length=32)
    name_en = models.CharField(max_length=64)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("order", "slug")

    def __str__(self) -> str:
        return self.name_zh


class NewsTag(BilingualNamed, models.Model):
    """A topic a story is about and a person may follow (教育, 交通, 医疗...).

    Tags are declared interests only: none names a sensitive trait (health conditions,
    religion, ethnicity...), and none is ever inferred about a person.
    """

    slug = models.SlugField(max_length=32, unique=True)
    name_zh = models.CharField(max_length=32)
    name_en = models.CharField(max_length=64)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("order", "slug")

    def __str__(self) -> str:
        return self.name_zh


class StoryState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    # Approved at every level, waiting for its publication time.
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    RETRACTED = "retracted", _("Retracted")


class Story(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    summary = models.CharField(max_length=SUMMARY_MAX_LENGTH, blank=True, default="")
    # Sanitised HTML: only the tags and attributes news.richtext allows are ever stored.
    body = models.TextField(blank=True, default="")
    # A file name in the media storage, under news/.
    cover = models.CharField(max_length=200, blank=True, default="")
    cover_alt = models.CharField(max_length=200, blank=True, default="")
    channel = models.ForeignKey(NewsChannel, on_delete=models.PROTECT, related_name="stories")
    tags = models.ManyToManyField(NewsTag, blank=True, related_name="stories")
    # The districts the story concerns; none means the whole city.
    districts = models.ManyToManyField(District, blank=True, related_name="+")
    language = models.CharField(max_length=16, default="zh-hans")
    source = models.CharField(max_length=100, blank=True, default="")
    author = models.CharField(max_length=100, blank=True, default="")

    state = models.CharField(max_length=16, choices=StoryState.choices, default=StoryState.DRAFT)
    # The version under review or last published; every saved change adds one.
    version = models.PositiveIntegerField(default=1)
    # The review level the current version has passed (0: none yet).
    reviewed_level = models.PositiveSmallIntegerField(default=0)
    publish_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The version the public reads (what a review's diff compares with); None until published.
    published_version = models.PositiveIntegerField(null=True, blank=True)
    correction = models.TextField(blank=True, default="")
    corrected_at = models.DateTimeField(null=True, blank=True)
    retraction = models.TextField(blank=True, default="")
    retracted_at = models.DateTimeField(null=True, blank=True)
    # Opens, kept as a running total for "most read" (feed.StoryOpen has each one).
    opens = models.PositiveIntegerField(default=0)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "stories"
        indexes = [
            models.Index(fields=["state", "-published_at"], name="story_published_idx"),
            models.Index(fields=["channel", "state", "-published_at"], name="story_channel_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=StoryState.values), name="story_state_known"
            ),
        ]

    def __str__(self) -> str:
        return f"Story {self.pk}"

    @property
    def is_public(self) -> bool:
        return self.state in (StoryState.PUBLISHED, StoryState.RETRACTED)


class StoryRevision(models.Model):
    """One saved version of a story: what it said and who saved it."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    # The story's fields as saved: title, summary, body, cover, channel, tags, districts...
    content = models.JSONField()
    note = models.CharField(max_length=200, blank=True, default="")
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["story", "version"], name="story_revision_unique"),
        ]
        ordering = ("story", "-version")

    def __str__(self) -> str:
        return f"StoryRevision {self.story_id} v{self.version}"


class ReviewDecision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    RETURN = "return", _("Return to the author")


class StoryReview(models.Model):
    """One editor's decision at one review level on one version of a story."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="reviews")
    version = models.PositiveIntegerField()
    level = models.PositiveSmallIntegerField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=8, choices=ReviewDecision.choices)
    comment = models.CharField(max_length=500, blank=True, default="")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["story", "version", "level"],
                condition=models.Q(decision="approve"),
                name="story_review_once_per_level",
            ),
        ]

    def __str__(self) -> str:
        return f"StoryReview {self.story_id} v{self.version} L{self.level}"
