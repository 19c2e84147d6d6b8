"""The service catalogue: items (政务服务事项), their revisions, and life events (一件事).

An item's guide lives in `ItemRevision.content` (an `ItemContent` as JSON). A department drafts
a revision, submits it, and someone else in the department publishes it; the published content
is copied onto the item, with the columns that filters and ordering need. Every revision is
kept, so the history of an item is its list of revisions.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from citygate.catalog.content import ItemContent


def _in_english() -> bool:
    return (get_language() or "").startswith("en")


class ItemStatus(models.TextChoices):
    # Created, never published: only its department sees it.
    DRAFT = "draft", _("Not yet published")
    PUBLISHED = "published", _("Published")
    # No longer offered; the guide stays readable at its address, marked as withdrawn.
    WITHDRAWN = "withdrawn", pgettext_lazy("service item", "Withdrawn")


class ServiceItem(models.Model):
    code = models.CharField(max_length=48, unique=True)
    department = models.ForeignKey(
        "directory.Department", on_delete=models.PROTECT, related_name="service_items"
    )
    # The district whose body implements the item; empty for a city-level item.
    district = models.ForeignKey(
        "directory.District", null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.CharField(max_length=16, choices=ItemStatus.choices, default=ItemStatus.DRAFT)

    # Copied from the published revision's content, for filters, ordering and lists.
    name_zh = models.CharField(max_length=80, blank=True, default="")
    name_en = models.CharField(max_length=200, blank=True, default="")
    category = models.CharField(max_length=32, blank=True, default="", db_index=True)
    for_person = models.BooleanField(default=False)
    for_enterprise = models.BooleanField(default=False)
    can_apply_online = models.BooleanField(default=False)
    appointment = models.BooleanField(default=False)
    content = models.JSONField(default=dict, blank=True)
    published_revision = models.ForeignKey(
        "ItemRevision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    # The published content's search terms ({"v": analysis version, "t": {term: weight}}),
    # computed once at publication so that building a process's index only reads them.
    search_terms = models.JSONField(default=dict, blank=True)

    # Who withdrew the item, when and why: the last entry of its history.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.CharField(max_length=500, blank=True, default="")

    # How often residents open the guide: the second key of the search ranking.
    popularity = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("code",)
        indexes = [models.Index(fields=["status", "category"], name="item_status_category")]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    @property
    def display_name(self) -> str:
        return self.name_en if _in_english() and self.name_en else self.name_zh

    @property
    def guide(self) -> ItemContent:
        """The published content, validated (raises on an item never published).

        Validated once per content: the answer is kept with the very dict it was made from,
        so new content (apply_content, a fresh read) is validated afresh.
        """
        held = self.__dict__.get("_guide")
        if held is None or held[0] is not self.content:
            held = (self.content, ItemContent.model_validate(self.content))
            self.__dict__["_guide"] = held
        return held[1]

    def apply_content(self, content: ItemContent) -> None:
        """Copies a revision's content onto the item's own columns (no save)."""
        self.content = content.model_dump(mode="json")
        self.name_zh = content.name
        self.name_en = content.name_en
        self.category = content.category
        self.for_person = "person" in content.audience
        self.for_enterprise = "enterprise" in content.audience
        self.can_apply_online = content.can_apply_online
        self.appointment = content.appointment


class RevisionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for review")
    RETURNED = "returned", _("Returned for changes")
    PUBLISHED = "published", _("Published")
    # A published revision a later one replaced.
    SUPERSEDED = "superseded", _("Replaced by a later version")


class ItemRevision(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    state = models.CharField(
        max_length=16, choices=RevisionState.choices, default=RevisionState.DRAFT
    )
    # What changed, in the author's words; shown in the history.
    summary = models.CharField(max_length=200, blank=True, default="")
    # How the revision was made: "editor", "import", "demo".
    source = models.CharField(max_length=16, default="editor")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Everyone who saved this revision (user ids as text): none of them may review it.
    editors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ("item", "-number")
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="revision_number_per_item"),
            # At most one revision of an item is being worked on at a time.
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(state__in=["draft", "submitted", "returned"]),
                name="one_open_revision_per_item",
            ),
            models.CheckConstraint(
                condition=~Q(state="published") | Q(reviewed_by__isnull=False) | Q(source="demo"),
                name="published_revision_was_reviewed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.number} {self.state}"

    @property
    def guide(self) -> ItemContent:
        return ItemContent.model_validate(self.content)


class LifeEvent(models.Model):
    """一件事: a life event whose items are applied for together."""

    slug = models.SlugField(max_length=48, unique=True)
    name_zh = models.CharField(max_length=64)
    name_en = models.CharField(max_length=96)
    summary_zh = models.CharField(max_length=200, blank=True, default="")
    summary_en = models.CharField(max_length=300, blank=True, default="")
    icon = models.CharField(max_length=32, default="star")
    order = models.PositiveSmallIntegerField(default=0)
    items: models.ManyToManyField[ServiceItem, LifeEventItem] = models.ManyToManyField(
        ServiceItem, through="LifeEventItem", related_name="life_events"
    )

    class Meta:
        ordering = ("order", "slug")

    def __str__(self) -> str:
        return self.name_zh

    @property
    def display_name(self) -> str:
        return self.name_en if _in_english() else self.name_zh

    @property
    def display_summary(self) -> str:
        return self.summary_en if _in_english() else self.summary_zh


class LifeEventItem(models.Model):
    life_event = models.ForeignKey(LifeEvent, on_delete=models.CASCADE)
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("life_event", "order")
        constraints = [
            models.UniqueConstraint(fields=["life_event", "item"], name="life_event_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.life_event_id}:{self.item_id}"


STATE_CACHE_KEY = "catalog:state"
# This process's own copy of the token, by database, with the moment it expires
# (selectors.catalogue_version): forgotten at once when this process changes the catalogue.
LOCAL_STATE: dict[str, tuple[float, str]] = {}


def _forget_state() -> None:
    LOCAL_STATE.clear()
    cache.delete(STATE_CACHE_KEY)


class CatalogState(models.Model):
    """One row: a token replaced by every change to what is published.

    Each server process keeps its search index in memory and rebuilds it when the token it
    built from differs from this one, so a publication is searchable everywhere at the next
    query. A random token rather than a counter: a rolled-back change can never leave two
    different catalogues under the same value.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=32, default="")
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"catalogue state {self.token}"

    @classmethod
    def bump(cls) -> None:
        token = uuid.uuid4().hex
        cls.objects.update_or_create(id=1, defaults={"token": token, "changed_at": timezone.now()})
        # The copy in the cache (selectors.catalogue_version) goes now, for this transaction's
        # own later reads, and again on commit, in case another process read the old token
        # from the database meanwhile.
        LOCAL_STATE.clear()
        cache.delete(STATE_CACHE_KEY)
        transaction.on_commit(_forget_state)

    @classmethod
    def current(cls) -> str:
        value: Any = cls.objects.filter(id=1).values_list("token", flat=True).first()
        return str(value or "")


class SearchMiss(models.Model):
    """A query that found nothing, counted per day so operators can add aliases.

    Only the query's text is kept, with every run of digits replaced by "#", so a phone or ID
    number typed into the box is never stored; nothing ties it to a person or a device.
    """

    day = models.DateField()
    query = models.CharField(max_length=40)
    count = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "query"], name="search_miss_once_per_day")
        ]
        indexes = [models.Index(fields=["-day", "-count"], name="search_miss_recent")]

    def __str__(self) -> str:
        return f"{self.day} ({self.count})"
