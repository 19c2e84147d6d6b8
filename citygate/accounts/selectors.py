"""Reads about accounts."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from citygate.accounts.models import ApiToken, User, VerificationLevel
from citygate.accounts.roles import Role
from citygate.privacy.masking import mask_id_number, mask_name, mask_phone

# Longer strings cannot be one of our tokens; they are not worth a hash and a query.
MAX_TOKEN_LENGTH = 128


def user_for_api_token(*, token: str) -> User | None:
    """The active user a bearer token belongs to, or None when it is unknown, expired or revoked."""
    from citygate.accounts.services import (
        API_TOKEN_PREFIX,
        api_token_hash,
        api_token_record_use,
    )

    if not token.startswith(API_TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        return None
    api_token = (
        ApiToken.objects.select_related("user")
        .filter(
            token_hash=api_token_hash(token),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    if api_token is None or not api_token.user.is_active:
        return None
    api_token_record_use(api_token=api_token)
    return api_token.user


def user_by_phone_index(*, index: str) -> User | None:
    return User.objects.filter(phone_index=index).first()


def user_roles(*, user: User) -> list[str]:
    """What the person may act as: resident (has a phone account) and any staff roles."""
    roles: list[str] = []
    if user.phone_index:
        roles.append(Role.RESIDENT.value)
    staff = sorted(set(user.staff_roles.values_list("role", flat=True)))
    roles.extend(staff)
    return roles


@dataclass(frozen=True)
class PendingAgreement:
    kind: str
    version: int
    title: str


@dataclass(frozen=True)
class AccountSummary:
    """What a person sees about their own account: personal values masked."""

    user: User
    phone: str
    name: str
    id_number: str
    verification_level: int
    verification_code: str
    verification_label: str
    roles: list[str]
    pending_agreements: list[PendingAgreement]


def account_summary(*, user: User) -> AccountSummary:
    from citygate.privacy.selectors import consent_pending

    level = VerificationLevel(user.verification_level)
    pending = [
        PendingAgreement(kind=a.kind, version=a.version, title=a.title)
        for a in consent_pending(user=user)
    ]
    return AccountSummary(
        user=user,
        phone=mask_phone(user.phone),
        name=mask_name(user.name),
        id_number=mask_id_number(user.id_number),
        verification_level=level.value,
        verification_code=level.name.lower(),
        verification_label=str(level.label),
        roles=user_roles(user=user),
        pending_agreements=pending,
    )
