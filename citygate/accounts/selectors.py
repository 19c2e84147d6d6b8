"""Reads about accounts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.db import models
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citygate.accounts.models import (
    ApiToken,
    Enterprise,
    EnterpriseAgent,
    User,
    VerificationLevel,
)
from citygate.accounts.roles import Role
from citygate.accounts.validators import parse_id_number
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


def user_roles(*, user: User, acts_for_enterprise: bool | None = None) -> list[str]:
    """What the person may act as: resident, enterprise agent (or legal representative), staff.

    `acts_for_enterprise` saves the queries when the caller already knows the enterprises.
    """
    if acts_for_enterprise is None:
        acts_for_enterprise = (
            user.enterprises_represented.exists() or agencies_active(user=user).exists()
        )
    roles: list[str] = []
    if user.phone_index:
        roles.append(Role.RESIDENT.value)
    if acts_for_enterprise:
        roles.append(Role.ENTERPRISE_AGENT.value)
    roles.extend(sorted(set(user.staff_roles.values_list("role", flat=True))))
    return roles


# --- Enterprises ------------------------------------------------------------------------------


class Relation(models.TextChoices):
    LEGAL_REP = "legal_rep", _("Legal representative")
    AGENT = "agent", _("Agent")


def agencies_active(*, user: User) -> QuerySet[EnterpriseAgent]:
    return EnterpriseAgent.objects.filter(
        user=user, revoked_at__isnull=True, valid_until__gte=timezone.localdate()
    )


def agents_active(*, enterprise: Enterprise) -> list[EnterpriseAgent]:
    """Standing agents of the enterprise (prefetched with `enterprise_list_for_user`)."""
    today = timezone.localdate()
    return [agent for agent in enterprise.agents.all() if agent.is_active_on(today)]


@dataclass(frozen=True)
class Membership:
    enterprise: Enterprise
    relation: Relation
    # The last day an agent may act; None for the legal representative.
    valid_until: date | None
    # The standing agents, shown to the legal representative only.
    agents: list[EnterpriseAgent]


def enterprise_list_for_user(*, user: User) -> list[Membership]:
    """The enterprises the person represents or is a standing agent of, by name."""
    standing = Prefetch(
        "agents",
        queryset=EnterpriseAgent.objects.filter(revoked_at__isnull=True).select_related("user"),
    )
    represented = Enterprise.objects.filter(legal_rep=user).prefetch_related(standing)
    memberships = [
        Membership(e, Relation.LEGAL_REP, None, agents_active(enterprise=e)) for e in represented
    ]
    for agency in agencies_active(user=user).select_related("enterprise"):
        memberships.append(Membership(agency.enterprise, Relation.AGENT, agency.valid_until, []))
    return sorted(memberships, key=lambda m: (m.enterprise.name, m.relation))


def enterprise_for_user(*, user: User, enterprise_id: uuid.UUID) -> Membership | None:
    """The person's membership of one enterprise, or None if they have none (or it is unknown)."""
    for membership in enterprise_list_for_user(user=user):
        if membership.enterprise.pk == enterprise_id:
            return membership
    return None


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
    enterprises: list[Membership]
    pending_agreements: list[PendingAgreement]


def account_summary(*, user: User) -> AccountSummary:
    from citygate.privacy.selectors import consent_pending

    level = VerificationLevel(user.verification_level)
    pending = [
        PendingAgreement(kind=a.kind, version=a.version, title=a.title)
        for a in consent_pending(user=user)
    ]
    memberships = enterprise_list_for_user(user=user)
    return AccountSummary(
        user=user,
        phone=mask_phone(user.phone),
        name=mask_name(user.name),
        id_number=mask_id_number(user.id_number),
        verification_level=level.value,
        verification_code=level.name.lower(),
        verification_label=str(level.label),
        roles=user_roles(user=user, acts_for_enterprise=bool(memberships)),
        enterprises=memberships,
        pending_agreements=pending,
    )


ADULT_AGE = 18


def is_minor(*, user: User, today: date | None = None) -> bool:
    """Whether the person is under 18, from their verified ID number.

    Someone whose identity is not verified has told no age; they are not treated as a minor,
    and what depends on age (a personalised feed) is for them to switch off.
    """
    if not user.id_number:
        return False
    today = today or timezone.localdate()
    born = parse_id_number(user.id_number, today=today).birth_date
    try:
        adult_on = born.replace(year=born.year + ADULT_AGE)
    except ValueError:
        # Born on 29 February: of age on 1 March.
        adult_on = date(born.year + ADULT_AGE, 3, 1)
    return today < adult_on
