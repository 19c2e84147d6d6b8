"""Reads: current agreements and consent, access records and the state of their chain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.apps import apps as django_apps
from django.db import connection, models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from citygate.accounts.models import StaffRole, User
from citygate.accounts.roles import Role
from citygate.directory.models import Department
from citygate.privacy import crypto
from citygate.privacy.fields import BlindIndexField, EncryptedTextField
from citygate.privacy.masking import mask_name
from citygate.privacy.models import (
    GENESIS_HASH,
    SYSTEM_ROLE,
    AccessRecord,
    Agreement,
    AgreementKind,
    Consent,
    PersonalField,
    Purpose,
)

# Staff who may see a person's full personal data, after stating a purpose.
REVEAL_ROLES = (Role.CLERK, Role.DEPARTMENT_ADMIN)
# Staff who may read the access records and check their chain, but not reveal anything.
AUDIT_ROLES = (Role.AUDITOR,)

ACCESS_LOG_PAGE_SIZE = 20

# --- Agreements and consent -----------------------------------------------------------------


def agreements_current() -> list[Agreement]:
    """The latest published version of each kind of agreement, in a fixed order."""
    latest: dict[str, Agreement] = {}
    published = Agreement.objects.filter(published_at__lte=timezone.now())
    for agreement in published.order_by("kind", "-version"):
        latest.setdefault(agreement.kind, agreement)
    order = list(AgreementKind.values)
    return sorted(latest.values(), key=lambda agreement: order.index(agreement.kind))


def agreement_current(*, kind: str) -> Agreement | None:
    return (
        Agreement.objects.filter(kind=kind, published_at__lte=timezone.now())
        .order_by("-version")
        .first()
    )


def agreement_version(*, kind: str, version: int) -> Agreement | None:
    return Agreement.objects.filter(
        kind=kind, version=version, published_at__lte=timezone.now()
    ).first()


def consent_pending(*, user: User) -> list[Agreement]:
    """Required agreements whose current version the user has not accepted (or withdrew)."""
    required = [agreement for agreement in agreements_current() if agreement.required]
    if not required:
        return []
    accepted = set(
        Consent.objects.filter(
            user=user, agreement__in=required, withdrawn_at__isnull=True
        ).values_list("agreement_id", flat=True)
    )
    return [agreement for agreement in required if agreement.pk not in accepted]


def consent_has(*, user: User, kind: str) -> bool:
    """Whether the user stands by their consent to the current version of this agreement."""
    current = agreement_current(kind=kind)
    if current is None:
        return False
    return Consent.objects.filter(user=user, agreement=current, withdrawn_at__isnull=True).exists()


@dataclass(frozen=True)
class ConsentStatus:
    agreement: Agreement
    # The standing consent to the current version, if any.
    consent: Consent | None
    # The most recent consent to any version, standing or withdrawn, for the history line.
    latest: Consent | None

    @property
    def granted(self) -> bool:
        return self.consent is not None


def consent_overview(*, user: User) -> list[ConsentStatus]:
    current = agreements_current()
    consents = list(
        Consent.objects.filter(user=user).select_related("agreement").order_by("-granted_at")
    )
    statuses = []
    for agreement in current:
        of_kind = [c for c in consents if c.agreement.kind == agreement.kind]
        standing = next(
            (c for c in of_kind if c.agreement_id == agreement.pk and c.is_active), None
        )
        statuses.append(ConsentStatus(agreement, standing, of_kind[0] if of_kind else None))
    return statuses


# --- Staff permissions ----------------------------------------------------------------------


def staff_role_for_reveal(*, user: User) -> StaffRole | None:
    """The role under which this person may reveal personal data (a clerk's role first)."""
    if not user.is_active or not user.is_staff_member:
        return None
    roles = StaffRole.objects.filter(user=user, role__in=REVEAL_ROLES).select_related("department")
    ranked = sorted(roles, key=lambda r: (REVEAL_ROLES.index(Role(r.role)), r.granted_at))
    return ranked[0] if ranked else None


def staff_may_reveal(*, user: User) -> bool:
    return staff_role_for_reveal(user=user) is not None


def staff_may_audit(*, user: User) -> bool:
    if not user.is_active or not user.is_staff_member:
        return False
    return StaffRole.objects.filter(user=user, role__in=AUDIT_ROLES).exists()


# --- Access records -------------------------------------------------------------------------


def role_label(role: str) -> str | Promise:
    if role == SYSTEM_ROLE:
        return _("System")
    if role in Role.values:
        return Role(role).label
    return role


def staff_reference(actor_id: uuid.UUID | None, name: str | None) -> str:
    """How a resident sees who looked: the staff member's masked name, or a short number."""
    if actor_id is None:
        return str(_("System"))
    if name:
        return mask_name(name)
    return f"#{actor_id.hex[:8].upper()}"


@dataclass(frozen=True)
class AccessLogEntry:
    id: uuid.UUID
    created_at: object
    field: str
    field_label: str
    purpose: str
    purpose_label: str
    department: str
    actor_role: str
    actor_role_label: str
    actor: str


@dataclass(frozen=True)
class AccessLogPage:
    entries: list[AccessLogEntry]
    number: int
    page_size: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.number * self.page_size < self.total

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _label(choices: type[PersonalField] | type[Purpose], value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _actor_names(records: list[AccessRecord]) -> dict[uuid.UUID, str | None]:
    # Only the name column is read: the list has no business decrypting a staff member's
    # phone or TOTP secret.
    ids = {record.actor_id for record in records if record.actor_id}
    return dict(User.objects.filter(pk__in=ids).values_list("id", "name"))


def _department_name(department: Department | None) -> str:
    return department.display_name if department is not None else ""


def access_log_for_subject(
    *, subject: User, page: int = 1, page_size: int = ACCESS_LOG_PAGE_SIZE
) -> AccessLogPage:
    """Who looked at this person's data, newest first (PIPL Art.44-45: the right to know)."""
    page = max(page, 1)
    records_of_subject = AccessRecord.objects.filter(subject=subject)
    total = records_of_subject.count()
    start = (page - 1) * page_size
    records = list(
        records_of_subject.select_related("actor_department").order_by("-sequence")[
            start : start + page_size
        ]
    )
    names = _actor_names(records)
    entries = [
        AccessLogEntry(
            id=record.id,
            created_at=record.created_at,
            field=record.field,
            field_label=_label(PersonalField, record.field),
            purpose=record.purpose,
            purpose_label=_label(Purpose, record.purpose),
            department=_department_name(record.actor_department),
            actor_role=record.actor_role,
            actor_role_label=str(role_label(record.actor_role)),
            actor=staff_reference(record.actor_id, names.get(record.actor_id)),  # type: ignore[arg-type]
        )
        for record in records
    ]
    return AccessLogPage(entries=entries, number=page, page_size=page_size, total=total)


def access_records_recent(*, limit: int = 50) -> list[AccessRecord]:
    return list(
        AccessRecord.objects.select_related("actor_department").order_by("-sequence")[:limit]
    )


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    count: int
    broken_sequence: int | None = None
    broken_id: uuid.UUID | None = None
    # sequence_gap, prev_hash_mismatch, hash_mismatch or unknown_algorithm.
    reason: str = ""


CHAIN_PROBLEMS: dict[str, Promise] = {
    "sequence_gap": _("A record is missing before this one."),
    "prev_hash_mismatch": _("This record does not link to the record before it."),
    "hash_mismatch": _("This record was changed after it was written."),
    "unknown_algorithm": _("This record names an unknown hash algorithm."),
}


def _link_problem(record: AccessRecord, expected_sequence: int, prev_hash: str) -> str:
    if record.sequence != expected_sequence:
        return "sequence_gap"
    if record.prev_hash != prev_hash:
        return "prev_hash_mismatch"
    if record.algorithm not in crypto.CHAIN_ALGORITHMS:
        return "unknown_algorithm"
    if crypto.chain_digest(record.canonical(), record.algorithm) != record.hash:
        return "hash_mismatch"
    return ""


def access_chain_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Walk the chain from the first record and report the first one that does not hold."""
    expected, prev_hash, count = 1, GENESIS_HASH, 0
    for record in AccessRecord.objects.order_by("sequence").iterator(chunk_size=chunk_size):
        problem = _link_problem(record, expected, prev_hash)
        if problem:
            return ChainReport(False, count, record.sequence, record.id, problem)
        count += 1
        expected, prev_hash = record.sequence + 1, record.hash
    return ChainReport(True, count)


# --- Encrypted columns ------------------------------------------------------------------------


@dataclass(frozen=True)
class EncryptedModel:
    model: type[models.Model]
    encrypted: list[EncryptedTextField]
    indexes: list[BlindIndexField]

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


def encrypted_models() -> list[EncryptedModel]:
    """Every installed model with encrypted personal fields or blind indexes."""
    found = []
    for model in django_apps.get_models():
        fields = model._meta.concrete_fields
        encrypted = [f for f in fields if isinstance(f, EncryptedTextField)]
        indexes = [f for f in fields if isinstance(f, BlindIndexField)]
        if encrypted or indexes:
            found.append(EncryptedModel(model, encrypted, indexes))
    return sorted(found, key=lambda target: target.label)


def _key_label(raw: str) -> str:
    if not crypto.is_encrypted(raw):
        return "plain"
    try:
        suite, key_id = crypto.describe(raw)
    except crypto.CryptoError:
        return "malformed"
    return f"{suite}:{key_id}"


def personal_data_key_census() -> dict[str, dict[str, int]]:
    """How many stored values each suite and key id holds, per encrypted column.

    Read with plain SQL, so nothing is decrypted; only the first characters of each value,
    where the suite and key id are written, are fetched.
    """
    census: dict[str, dict[str, int]] = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for target in encrypted_models():
            table = quote(target.model._meta.db_table)
            for field in target.encrypted:
                column = quote(str(field.column))
                cursor.execute(
                    f"SELECT SUBSTR({column}, 1, 32) FROM {table} "  # noqa: S608
                    f"WHERE {column} IS NOT NULL AND {column} <> ''"
                )
                counts: dict[str, int] = {}
                while rows := cursor.fetchmany(2000):
                    for (head,) in rows:
                        label = _key_label(str(head))
                        counts[label] = counts.get(label, 0) + 1
                census[f"{target.label}.{field.name}"] = dict(sorted(counts.items()))
    return census
