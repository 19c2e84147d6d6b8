"""Messages to a person, delivered in the app (the inbox on the messages page).

A message stores the name of its template and the few values the template fills in, never
its text: the text is written when the message is read, in the reader's language of the
moment, so a message sent while someone used Chinese reads in English after they switch.

`params` hold only what a template needs to say what happened (a service item's name, a date,
a queue number). Never a person's name, phone number, ID number or address: the recipient
knows who they are, and the inbox is the last place such data should be copied to.
`citygate.inbox.services.notify` refuses keys named like personal data.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LINK_MAX_LENGTH = 200
DEDUPE_KEY_MAX_LENGTH = 128
TEMPLATE_NAME_MAX_LENGTH = 64
SUBJECT_MAX_LENGTH = 80


class Kind(models.TextChoices):
    """What sort of message it is, in the order the inbox lists them (first comes first)."""

    OFFICIAL = "official", _("Official notice")
    TRANSACTIONAL = "transactional", _("Progress")
    NEWS = "news", _("News")


# Lower is listed first.
KIND_PRIORITY = {Kind.OFFICIAL: 0, Kind.TRANSACTIONAL: 1, Kind.NEWS: 2}


def kind_priority() -> Case:
    """An expression ordering messages by kind: official, then transactional, then news."""
    whens: list[Any] = [
        When(kind=kind.value, then=Value(rank)) for kind, rank in KIND_PRIORITY.items()
    ]
    return Case(*whens, default=Value(len(KIND_PRIORITY)), output_field=IntegerField())


class Message(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_messages"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    template = models.CharField(max_length=TEMPLATE_NAME_MAX_LENGTH)
    params = models.JSONField(default=dict, blank=True)
    # A path on this site ("/account/"), never another site's address.
    link = models.CharField(max_length=LINK_MAX_LENGTH, blank=True, default="")
    # One event is delivered once, however many places report it ("appointment:<id>:booked").
    dedupe_key = models.CharField(max_length=DEDUPE_KEY_MAX_LENGTH, blank=True, default="")
    # What the message is about, for the module that sent it to find its readers again
    # ("news.story:<id>": a correction of the story reaches everyone who was sent it).
    subject = models.CharField(max_length=SUBJECT_MAX_LENGTH, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="message_unique_dedupe_key",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=Kind.values), name="message_kind_known"
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "archived_at", "-created_at"], name="message_inbox_idx"
            ),
            models.Index(
                fields=["subject"], condition=~models.Q(subject=""), name="message_subject_idx"
            ),
        ]

    def __str__(self) -> str:
        # The template and id only: the text may say what a person applied for.
        return f"Message {self.pk} ({self.template})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def title_text(self) -> str:
        """The title in the current language."""
        from citygate.inbox.templates import render_title

        return render_title(self.template, self.params)

    @property
    def body_text(self) -> str:
        """The body in the current language."""
        from citygate.inbox.templates import render_body

        return render_body(self.template, self.params)


class Channel(models.TextChoices):
    """Where a message reaches a person. The inbox in the app is always one of them."""

    IN_APP = "in_app", _("In the app")
    WEB_PUSH = "web_push", _("Notifications on this device")
    SMS = "sms", _("Text message")


class Digest(models.TextChoices):
    """News one by one, or gathered into one message a day or a week."""

    NONE = "none", _("Each story as it comes")
    DAILY = "daily", _("A daily digest")
    WEEKLY = "weekly", _("A weekly digest")


class NotificationSettings(models.Model):
    """A person's choices of how the city may reach them (preferences.DEFAULTS until changed).

    `channels` maps each kind to the channels chosen for it besides the inbox, which every
    message reaches whatever is chosen.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="notification_settings",
    )
    channels = models.JSONField(default=dict)
    # No news is pushed between these local times (the start may be later than the end: the
    # quiet hours then run over midnight).
    quiet_start = models.TimeField()
    quiet_end = models.TimeField()
    news_daily_cap = models.PositiveSmallIntegerField()
    news_digest = models.CharField(max_length=8, choices=Digest.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"NotificationSettings {self.pk}"
