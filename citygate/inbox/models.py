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

from citygate.privacy.fields import BlindIndexField, EncryptedTextField

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
    # The kind's place in the inbox's order, kept by the database from the kind, so that the
    # inbox index gives a page in order however long a person's inbox is.
    priority = models.GeneratedField(
        expression=kind_priority(), output_field=models.PositiveSmallIntegerField(), db_persist=True
    )

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
            # The inbox's page: the person's messages not archived, already in the page's
            # order, so that a page is one range of the index however long the inbox grows
            # (with `archived_at` as a column instead, PostgreSQL sorts every row of it).
            models.Index(
                fields=["recipient", "priority", "-created_at", "-id"],
                condition=models.Q(archived_at__isnull=True),
                name="message_inbox_order_idx",
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


# --- Delivery ---------------------------------------------------------------------------------

ERROR_CODE_MAX_LENGTH = 32
PROVIDER_REF_MAX_LENGTH = 128


class DeliveryState(models.TextChoices):
    """Where one message stands on one channel (inbox/delivery.py moves it along)."""

    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    OPENED = "opened", _("Opened")


class Delivery(models.Model):
    """One message on one channel: at most one per pair, whoever asks to send it again."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the next attempt may run: the end of the quiet hours, or a retry's backoff.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Held by the worker sending it until then, so that a task run twice sends once.
    locked_until = models.DateTimeField(null=True, blank=True)
    # Our own short code ("no_device", "http_410"), never a provider's text: that may quote
    # the number or the message it refused.
    error_code = models.CharField(max_length=ERROR_CODE_MAX_LENGTH, blank=True, default="")
    provider_ref = models.CharField(max_length=PROVIDER_REF_MAX_LENGTH, blank=True, default="")
    # The code of the short link a text message gives (/m/<code>/), so that it stays short.
    link_code = models.CharField(max_length=16, null=True, blank=True, unique=True)
    queued_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "channel"], name="delivery_once_a_channel"),
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values), name="delivery_channel_known"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=DeliveryState.values), name="delivery_state_known"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="queued"),
                name="delivery_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Delivery {self.pk} ({self.channel}, {self.state})"


class PushSubscription(models.Model):
    """A device's Web Push subscription (the installed app's, in one browser).

    The endpoint is no personal data, but whoever holds it can push to the device: it is kept
    encrypted, and found (for uniqueness) by its blind index.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = EncryptedTextField()
    endpoint_index = BlindIndexField(source="endpoint", purpose="inbox.push_endpoint", unique=True)
    # The device's public key (P-256, uncompressed, base64url) and its auth secret.
    p256dh = models.CharField(max_length=100)
    auth = EncryptedTextField()
    # "Chrome on Android": what the person sees to tell their devices apart.
    label = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"], name="pushsub_user_idx")]

    def __str__(self) -> str:
        return f"PushSubscription {self.pk}"


class WebPushOutboxMessage(models.Model):
    """A push the development Web Push backend "sent": kept so a developer can read it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subscription_id = models.UUIDField()
    payload = models.JSONField()
    ttl = models.PositiveIntegerField()
    urgency = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"WebPush {self.pk}"
