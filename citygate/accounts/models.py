"""People who use CityGate: residents, enterprise agents and staff.

Personal fields are encrypted (`EncryptedTextField`); phone and ID number have blind indexes
for exact lookups. Nothing here is found by a clear-text personal value.
"""

from __future__ import annotations

import unicodedata
import uuid
from datetime import date
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citygate.accounts.roles import STAFF_ROLES, Role
from citygate.privacy.fields import BlindIndexField, EncryptedTextField


def normalise_phone(phone: str) -> str:
    """The digits of a mainland mobile number, without a +86 or 0086 country code.

    Applied before every blind-index lookup, so it must agree with
    `validators.parse_phone`, which gives the form that is stored.
    """
    # NFKC turns the full-width digits of Chinese input methods into ASCII ones.
    text = unicodedata.normalize("NFKC", phone)
    digits = "".join(ch for ch in text if ch.isascii() and ch.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            return digits[len(prefix) :]
    return digits


def normalise_id_number(id_number: str) -> str:
    """An ID number as stored: no spaces, capital X (see `validators.parse_id_number`)."""
    return "".join(unicodedata.normalize("NFKC", id_number).split()).upper()


class VerificationLevel(models.IntegerChoices):
    # L1: the person controls the phone. L2: name and ID number confirmed by the identity
    # verifier. L3: identity checked in person at a service hall.
    PHONE = 1, _("Phone verified")
    REAL_NAME = 2, _("Real-name verified")
    IN_PERSON = 3, _("Verified in person")


class UserManager(BaseUserManager["User"]):
    def create_user(self, **fields: Any) -> User:
        user = self.model(**fields)
        user.set_unusable_password()
        user.save()
        return user


class User(AbstractBaseUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    phone = EncryptedTextField(null=True, blank=True)
    phone_index = BlindIndexField(
        source="phone", purpose="phone", normaliser=normalise_phone, unique=True
    )
    # Staff sign in with a login name and password plus TOTP, not with a phone code.
    login_name = models.CharField(max_length=64, unique=True, null=True, blank=True)

    name = EncryptedTextField(null=True, blank=True)
    id_number = EncryptedTextField(null=True, blank=True)
    id_number_index = BlindIndexField(
        source="id_number", purpose="id_number", normaliser=normalise_id_number, unique=True
    )
    verification_level = models.PositiveSmallIntegerField(
        choices=VerificationLevel.choices, default=VerificationLevel.PHONE
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    preferred_language = models.CharField(max_length=16, blank=True, default="")
    elderly_mode = models.BooleanField(default=False)
    # The district the person says they live in (their feed and the notices meant for it),
    # never guessed from the ID number, which names where they were registered at birth.
    home_district = models.ForeignKey(
        "directory.District", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The street or town within it, if they say; always one of home_district's.
    home_street = models.ForeignKey(
        "directory.Street", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Only the year, kept when the ID number is verified: enough for the age bands notices are
    # targeted by, and no more. Whether someone is a minor is read from the number itself.
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)

    totp_secret = EncryptedTextField(null=True, blank=True)
    # The last TOTP time step accepted: a code seen once is not accepted again (RFC 6238 5.2).
    totp_last_step = models.BigIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "id"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")

    def __str__(self) -> str:
        # Never the name or phone: this string reaches logs and admin pages.
        return f"User {self.pk}"

    @property
    def is_real_name_verified(self) -> bool:
        return self.verification_level >= VerificationLevel.REAL_NAME

    @property
    def is_staff_member(self) -> bool:
        return self.login_name is not None


class StaffRole(models.Model):
    """A staff role held by a person, scoped to a department where the role needs one."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(
        max_length=32, choices=[(r.value, r.label) for r in Role if r in STAFF_ROLES]
    )
    department = models.ForeignKey(
        "directory.Department", null=True, blank=True, on_delete=models.PROTECT
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "department"], name="staffrole_unique_per_department"
            )
        ]

    def __str__(self) -> str:
        return f"{self.role} ({self.department_id or '-'})"


class SmsOutboxMessage(models.Model):
    """A text message the development SMS gateway "sent": kept so a developer can read it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    phone = EncryptedTextField()
    # The text holds the one-time code, so it is encrypted like the number it went to.
    text = EncryptedTextField()
    template = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"SMS {self.pk}"


class SmsCode(models.Model):
    """A one-time sign-in code sent to a number; the code itself is kept only as a keyed hash."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    phone_index = models.CharField(max_length=64)
    code_hash = models.CharField(max_length=64)
    # Keyed hash of the requesting client's address, for the per-address limit.
    address_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["phone_index", "-created_at"], name="smscode_phone_idx"),
            models.Index(fields=["address_hash", "-created_at"], name="smscode_address_idx"),
        ]

    def __str__(self) -> str:
        return f"SMS code {self.pk}"


class GuardScope(models.TextChoices):
    PHONE = "phone", _("Mobile number")
    STAFF = "staff", _("Staff login name")
    # Real-name attempts per account: each asks the paid identity service and could probe
    # whether a name belongs to an ID number.
    REAL_NAME = "real_name", _("Real-name verification")


class AttemptGuard(models.Model):
    """Wrong answers in a row for one number or staff login, and the lock they lead to.

    Kept in the database so that every app server sees the same count.
    """

    scope = models.CharField(max_length=16, choices=GuardScope.choices)
    # A blind index of the number or login name, never the value itself.
    key = models.CharField(max_length=64)
    failures = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="attemptguard_unique_key")
        ]

    def __str__(self) -> str:
        return f"Guard {self.scope} {self.pk}"


class ApiToken(models.Model):
    """A bearer token for API clients; only its SHA-256 is stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"API token {self.pk}"


class Enterprise(models.Model):
    """An organisation with a unified social credit code, registered by its legal representative."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    credit_code = models.CharField(max_length=18, unique=True)
    name = models.CharField(max_length=100)
    legal_rep = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="enterprises_represented"
    )
    verified_at = models.DateTimeField()
    # The enterprise verifier's reference for the check that confirmed the legal representative.
    verification_reference = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class EnterpriseAgent(models.Model):
    """A person authorised by the legal representative to act for an enterprise until a date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="agents")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enterprise_agencies")
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    # The last day the authorisation holds (inclusive, in the city's time zone).
    valid_until = models.DateField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("granted_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "user"],
                condition=models.Q(revoked_at__isnull=True),
                name="enterpriseagent_one_standing_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"Agent {self.pk}"

    def is_active_on(self, day: date) -> bool:
        return self.revoked_at is None and day <= self.valid_until
