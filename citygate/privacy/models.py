"""Records of who saw whose personal data and why; versioned agreements and consent to them.

`AccessRecord` rows form a hash chain and are append-only twice over: the model refuses to
change or delete one, and database triggers (migration 0002) refuse it to anyone else.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC
from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

# The `prev_hash` of the first record: nothing came before it.
GENESIS_HASH = "0" * 64
DETAIL_MAX_LENGTH = 200


class Purpose(models.TextChoices):
    """Why a member of staff looked at someone's personal data (PIPL Art.6: a stated purpose)."""

    HANDLE_APPLICATION = "handle_application", _("Handling the person's application")
    IDENTITY_CHECK = "identity_check", _("Checking the person's identity")
    RESIDENT_REQUEST = "resident_request", _("At the person's own request")
    SERVICE_HALL_ASSIST = "service_hall_assist", _("Helping the person at a service hall")
    LEGAL_INVESTIGATION = "legal_investigation", _("Investigation under a legal authority")
    AUDIT = "audit", _("Audit of data handling")


class PersonalField(models.TextChoices):
    PHONE = "phone", _("Mobile number")
    ID_NUMBER = "id_number", _("ID number")
    NAME = "name", _("Name")
    ADDRESS = "address", _("Address")
    # What a person wrote in an application form (an address, an income, a household).
    APPLICATION = "application", _("Application answers")


class AccessChannel(models.TextChoices):
    WEB = "web", _("Staff pages")
    API = "api", _("API")
    SYSTEM = "system", _("Automatic processing")


# The actor role recorded when no person acted (a scheduled job, a verifier callback).
SYSTEM_ROLE = "system"


class AppendOnlyError(Exception):
    """An access record was about to be changed or deleted."""


class AccessRecordQuerySet(models.QuerySet["AccessRecord"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("access records cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("access records cannot be deleted")

    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        # Rows must go through access_record_append, which links each into the chain.
        raise AppendOnlyError("append access records one at a time")


class AccessRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sequence = models.PositiveBigIntegerField(unique=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_records_about"
    )
    # Null when the system itself read the data.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_records_made",
    )
    actor_role = models.CharField(max_length=32)
    # The department the actor acted for, kept as it was at the time of access.
    actor_department = models.ForeignKey(
        "directory.Department", null=True, blank=True, on_delete=models.PROTECT
    )
    field = models.CharField(max_length=16, choices=PersonalField.choices)
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    # What the staff member typed (a case number, a ticket): shown to auditors, never logged.
    detail = models.CharField(max_length=DETAIL_MAX_LENGTH, blank=True, default="")
    channel = models.CharField(max_length=16, choices=AccessChannel.choices)
    created_at = models.DateTimeField(default=timezone.now)
    algorithm = models.CharField(max_length=8)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects: ClassVar[models.Manager[AccessRecord]] = models.Manager.from_queryset(
        AccessRecordQuerySet
    )()

    class Meta:
        ordering = ("-sequence",)
        indexes = [
            models.Index(fields=["subject", "-sequence"], name="privacy_access_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"Access record {self.sequence}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("access records cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("access records cannot be deleted")

    def canonical(self) -> bytes:
        """The bytes the chain hash covers: every field but the hash, in a fixed JSON form."""
        created = self.created_at.astimezone(UTC).isoformat(timespec="microseconds")
        data = {
            "id": str(self.id),
            "sequence": self.sequence,
            "subject": str(self.subject_id),
            "actor": str(self.actor_id) if self.actor_id else None,
            "actor_role": self.actor_role,
            "actor_department": self.actor_department_id,
            "field": self.field,
            "purpose": self.purpose,
            "detail": self.detail,
            "channel": self.channel,
            "created_at": created,
            "algorithm": self.algorithm,
            "prev_hash": self.prev_hash,
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class AgreementKind(models.TextChoices):
    TERMS = "terms", _("Terms of service")
    PRIVACY = "privacy", _("Privacy policy")
    # PIPL Art.29: sensitive personal information needs consent of its own, apart from the rest.
    REAL_NAME = "real_name", _("Separate consent to processing sensitive personal information")


# Agreements everyone must accept to use the app; the others are asked for when needed.
REQUIRED_KINDS = (AgreementKind.TERMS, AgreementKind.PRIVACY)


class Agreement(models.Model):
    kind = models.CharField(max_length=16, choices=AgreementKind.choices)
    version = models.PositiveIntegerField()
    title_zh = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    body_zh = models.TextField()
    body_en = models.TextField()
    required = models.BooleanField(default=False)
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("kind", "-version")
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="agreement_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"

    @property
    def _english(self) -> bool:
        return (get_language() or "").startswith("en")

    @property
    def title(self) -> str:
        return self.title_en if self._english else self.title_zh

    @property
    def body(self) -> str:
        return self.body_en if self._english else self.body_zh


class ConsentChannel(models.TextChoices):
    APP = "app", pgettext_lazy("consent channel", "In the app")
    API = "api", _("Through the API")
    HALL = "hall", _("At a service hall")


class Consent(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents"
    )
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="consents")
    granted_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=8, choices=ConsentChannel.choices)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_channel = models.CharField(
        max_length=8, choices=ConsentChannel.choices, blank=True, default=""
    )

    class Meta:
        ordering = ("-granted_at",)
        constraints = [
            # One standing consent per person and agreement version; history stays beside it.
            models.UniqueConstraint(
                fields=["user", "agreement"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_agreement",
            )
        ]

    def __str__(self) -> str:
        return f"Consent {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
