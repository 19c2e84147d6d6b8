"""Changes: access records, revealing personal data, consent and agreements.

Every function here runs in one transaction; revealing a value and recording that it was
revealed commit together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from citygate.accounts.models import User, VerificationLevel, normalise_id_number
from citygate.accounts.validators import InvalidNumber, parse_id_number, parse_phone
from citygate.core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from citygate.core.logging import get_logger, scrub_text
from citygate.directory.models import Department
from citygate.privacy import crypto
from citygate.privacy.models import (
    DETAIL_MAX_LENGTH,
    GENESIS_HASH,
    REQUIRED_KINDS,
    SYSTEM_ROLE,
    AccessChannel,
    AccessRecord,
    Agreement,
    AgreementKind,
    Consent,
    ConsentChannel,
    PersonalField,
    Purpose,
)
from citygate.privacy.selectors import (
    EncryptedModel,
    agreement_current,
    encrypted_models,
    staff_role_for_reveal,
)

log = get_logger(__name__)

# The PostgreSQL advisory lock that serialises appends to the access chain ("CGAR").
CHAIN_LOCK_ID = 0x43474152


# --- Access records -------------------------------------------------------------------------


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_ID])
    # On SQLite the settings open every transaction with BEGIN IMMEDIATE, which holds the
    # database's one write lock until commit: appends already queue behind each other.


def access_record_append(
    *,
    subject: User,
    actor: User | None,
    actor_role: str,
    actor_department: Department | None,
    field: str,
    purpose: str,
    detail: str,
    channel: str,
) -> AccessRecord:
    """Add one link to the access chain. Callers validate; this only records."""
    with transaction.atomic():
        # Two appends at once must not both take the same predecessor and fork the chain;
        # the unique sequence would stop the second one anyway, as a last resort.
        _lock_chain()
        last = AccessRecord.objects.order_by("-sequence").values_list("sequence", "hash").first()
        sequence, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        record = AccessRecord(
            sequence=sequence,
            subject=subject,
            actor=actor,
            actor_role=actor_role,
            actor_department=actor_department,
            field=field,
            purpose=purpose,
            # A staff member may paste a number into the note; it must not sit there in clear.
            detail=scrub_text(detail)[:DETAIL_MAX_LENGTH],
            channel=channel,
            created_at=timezone.now(),
            algorithm=crypto.chain_algorithm(),
            prev_hash=prev_hash,
        )
        record.hash = crypto.chain_digest(record.canonical(), record.algorithm)
        record.save()
    return record


def _clean_purpose(purpose: str, detail: str) -> tuple[str, str]:
    detail = " ".join(detail.split())
    errors: dict[str, str | Promise] = {}
    if purpose not in Purpose.values:
        errors["purpose"] = _("Choose why you need to see this information.")
    elif purpose == Purpose.LEGAL_INVESTIGATION and not detail:
        errors["detail"] = _("Give the legal authority, such as the case or document number.")
    if len(detail) > DETAIL_MAX_LENGTH:
        errors["detail"] = _("Use at most %(limit)s characters.") % {"limit": DETAIL_MAX_LENGTH}
    if errors:
        raise InvalidInput(errors)
    return purpose, detail


def _clean_channel(channel: str) -> str:
    if channel not in AccessChannel.values:
        raise InvalidInput({"channel": _("Enter a valid value.")})
    return channel


def _revealing_role(actor: User) -> tuple[str, Department | None]:
    role = staff_role_for_reveal(user=actor)
    if role is None:
        raise PermissionDenied(
            _("Only clerks and department administrators may see full personal data."),
            code="reveal_not_allowed",
        )
    return role.role, role.department


def personal_data_reveal(
    *, actor: User, subject: User, field: str, purpose: str, detail: str, channel: str
) -> str:
    """The clear value of one personal field, recorded in the access chain with its purpose."""
    actor_role, department = _revealing_role(actor)
    if field not in PersonalField.values:
        raise InvalidInput({"field": _("Choose one of the listed items.")})
    purpose, detail = _clean_purpose(purpose, detail)
    channel = _clean_channel(channel)

    with transaction.atomic():
        current = User.objects.filter(pk=subject.pk).first()
        if current is None:
            raise NotFound()
        value = getattr(current, field, None)
        if not value:
            raise ApplicationError(
                "no_value", _("This person has not given this information."), status=404
            )
        record = access_record_append(
            subject=current,
            actor=actor,
            actor_role=actor_role,
            actor_department=department,
            field=field,
            purpose=purpose,
            detail=detail,
            channel=channel,
        )

    log.info(
        "privacy.personal_data_revealed",
        access_record_id=str(record.id),
        actor_id=str(actor.pk),
        subject_id=str(current.pk),
        field=field,
        purpose=purpose,
    )
    return str(value)


def _search_key(phone: str | None, id_number: str | None) -> tuple[str, str]:
    """The field searched by and its blind index, checked as at sign-up and verification."""
    phone = (phone or "").strip()
    id_number = (id_number or "").strip()
    if bool(phone) == bool(id_number):
        raise InvalidInput({"phone": _("Enter either a mobile number or an ID number.")})
    field, parse = ("phone", parse_phone) if phone else ("id_number", _id_number_text)
    try:
        normalised = parse(phone or id_number)
    except InvalidNumber as exc:
        raise InvalidInput({field: exc.reason}) from None
    return field, crypto.blind_index(field, normalised)


def _id_number_text(value: str) -> str:
    return normalise_id_number(parse_id_number(value).number)


def person_search(
    *,
    actor: User,
    phone: str | None = None,
    id_number: str | None = None,
    purpose: str,
    detail: str,
    channel: str,
) -> list[User]:
    """People with exactly this mobile number or ID number; each match is recorded.

    Showing even the masked record of a person is processing of their data, so every person
    found gets an access record under the field searched by.
    """
    actor_role, department = _revealing_role(actor)
    field, index = _search_key(phone, id_number)
    purpose, detail = _clean_purpose(purpose, detail)
    channel = _clean_channel(channel)

    with transaction.atomic():
        people = list(User.objects.filter(**{f"{field}_index": index}).order_by("date_joined"))
        for person in people:
            access_record_append(
                subject=person,
                actor=actor,
                actor_role=actor_role,
                actor_department=department,
                field=field,
                purpose=purpose,
                detail=detail,
                channel=channel,
            )

    log.info(
        "privacy.person_searched",
        actor_id=str(actor.pk),
        searched_by=field,
        matches=len(people),
        purpose=purpose,
    )
    return people


def system_access_record(*, subject: User, field: str, purpose: str, detail: str = "") -> None:
    """Record that the system itself read a person's data (for example, to verify it)."""
    if field not in PersonalField.values or purpose not in Purpose.values:
        raise ValueError("unknown field or purpose")
    access_record_append(
        subject=subject,
        actor=None,
        actor_role=SYSTEM_ROLE,
        actor_department=None,
        field=field,
        purpose=purpose,
        detail=detail,
        channel=AccessChannel.SYSTEM,
    )


# --- Consent --------------------------------------------------------------------------------


def _clean_kinds(kinds: list[str]) -> list[str]:
    unique = list(dict.fromkeys(kinds))
    if not unique or any(kind not in AgreementKind.values for kind in unique):
        raise InvalidInput({"kinds": _("Choose agreements from the list.")})
    return unique


def _clean_consent_channel(channel: str) -> str:
    if channel not in ConsentChannel.values:
        raise InvalidInput({"channel": _("Enter a valid value.")})
    return channel


def _standing_consent(user: User, agreement: Agreement, channel: str) -> tuple[Consent, bool]:
    existing = Consent.objects.filter(
        user=user, agreement=agreement, withdrawn_at__isnull=True
    ).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return Consent.objects.create(user=user, agreement=agreement, channel=channel), True
    except IntegrityError:
        # The same person agreed in another tab a moment ago: that consent stands.
        return Consent.objects.get(user=user, agreement=agreement, withdrawn_at__isnull=True), False


def consent_grant(*, user: User, kinds: list[str], channel: str) -> list[Consent]:
    """Record consent to the current version of each kind; consenting twice changes nothing."""
    kinds = _clean_kinds(kinds)
    channel = _clean_consent_channel(channel)

    granted: list[Consent] = []
    with transaction.atomic():
        for kind in kinds:
            agreement = agreement_current(kind=kind)
            if agreement is None:
                raise NotFound(_("This agreement has not been published yet."))
            consent, created = _standing_consent(user, agreement, channel)
            granted.append(consent)
            if created:
                log.info(
                    "privacy.consent_granted",
                    user_id=str(user.pk),
                    consent_id=str(consent.pk),
                    kind=kind,
                    version=agreement.version,
                    channel=channel,
                )
    return granted


def _erase_real_name(user: User) -> None:
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.name = None
    locked.id_number = None
    locked.birth_year = None
    locked.verification_level = VerificationLevel.PHONE
    locked.verified_at = None
    # id_number_index is recomputed from the (now empty) ID number as the row is saved.
    fields = [
        "name",
        "id_number",
        "id_number_index",
        "birth_year",
        "verification_level",
        "verified_at",
    ]
    locked.save(update_fields=fields)
    for name in fields:
        setattr(user, name, getattr(locked, name))


def consent_withdraw(*, user: User, kind: str, channel: str) -> None:
    """Withdraw consent to every version of one agreement (PIPL Art.15).

    Withdrawing the separate real-name consent erases the name and ID number it covered and
    takes the account back to phone verification, in the same transaction (PIPL Art.47).
    Withdrawing the terms or the privacy policy is recorded too; the person is asked again.
    """
    (kind,) = _clean_kinds([kind])
    channel = _clean_consent_channel(channel)

    with transaction.atomic():
        withdrawn = Consent.objects.filter(
            user=user, agreement__kind=kind, withdrawn_at__isnull=True
        ).update(withdrawn_at=timezone.now(), withdrawal_channel=channel)
        if kind == AgreementKind.REAL_NAME:
            _erase_real_name(user)

    log.info(
        "privacy.consent_withdrawn",
        user_id=str(user.pk),
        kind=kind,
        withdrawn=withdrawn,
        channel=channel,
    )
    if kind == AgreementKind.REAL_NAME:
        log.info("privacy.real_name_erased", user_id=str(user.pk))


def agreement_publish(
    *,
    kind: str,
    title_zh: str,
    title_en: str,
    body_zh: str,
    body_en: str,
    required: bool | None = None,
    published_at: datetime | None = None,
) -> Agreement:
    """Publish the next version of an agreement; everyone is asked to accept it again."""
    (kind,) = _clean_kinds([kind])
    texts = {"title_zh": title_zh, "title_en": title_en, "body_zh": body_zh, "body_en": body_en}
    missing = {
        name: _("This field is required.") for name, text in texts.items() if not text.strip()
    }
    if missing:
        raise InvalidInput(missing)

    with transaction.atomic():
        last = Agreement.objects.select_for_update().filter(kind=kind).order_by("-version").first()
        agreement = Agreement.objects.create(
            kind=kind,
            version=last.version + 1 if last else 1,
            required=(kind in REQUIRED_KINDS) if required is None else required,
            published_at=published_at or timezone.now(),
            **{name: text.strip() for name, text in texts.items()},
        )

    log.info("privacy.agreement_published", kind=kind, version=agreement.version)
    return agreement


# --- Re-encryption ----------------------------------------------------------------------------


@dataclass
class ReencryptReport:
    rows: int = 0
    # Values rewritten under the current suite and key, and blind indexes recomputed.
    values: int = 0
    indexes: int = 0
    # "<model>.<field> <pk>" of values that would not decrypt (unknown key, tampering).
    failures: list[str] = dataclass_field(default_factory=list)


def _column(model_field: Any) -> str:
    return str(model_field.column)


def _row_changes(
    target: EncryptedModel, raw: dict[str, Any], report: ReencryptReport, pk: Any
) -> dict[str, Any]:
    ring = crypto.keyring()
    clear: dict[str, str | None] = {}
    changes: dict[str, Any] = {}
    for encrypted in target.encrypted:
        stored = raw[_column(encrypted)]
        if stored is None or stored == "":
            clear[encrypted.name] = stored
            continue
        if not crypto.is_encrypted(stored):
            # Written before the column was encrypted: encrypt it now.
            clear[encrypted.name] = stored
            changes[encrypted.name] = stored
            continue
        try:
            clear[encrypted.name] = crypto.decrypt(
                stored, context=encrypted.encryption_context, ring=ring
            )
        except crypto.CryptoError:
            report.failures.append(f"{target.label}.{encrypted.name} {pk}")
            continue
        if crypto.needs_reencryption(stored, ring):
            changes[encrypted.name] = clear[encrypted.name]
    for index in target.indexes:
        if index.source not in clear:
            continue
        fresh = index.compute(clear[index.source])
        if fresh != raw[_column(index)]:
            changes[index.name] = fresh
    return changes


def _batch(target: EncryptedModel, after: Any, size: int) -> list[dict[str, Any]]:
    """The next rows by primary key, read raw (nothing decrypted), locked where possible."""
    meta = target.model._meta
    quote = connection.ops.quote_name
    pk_column = _column(meta.pk)
    columns = [pk_column, *map(_column, target.encrypted), *map(_column, target.indexes)]
    where = f"WHERE {quote(pk_column)} > %s " if after is not None else ""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = (
        f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(meta.db_table)} "  # noqa: S608
        f"{where}ORDER BY {quote(pk_column)} LIMIT %s{lock}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [after, size] if after is not None else [size])
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def personal_data_reencrypt(*, batch_size: int = 500, dry_run: bool = False) -> ReencryptReport:
    """Rewrite every encrypted value not under the current suite and key, in batches.

    Blind indexes are recomputed from the clear values as well: a switch of suite changes the
    keyed hash, and exact lookups find nothing until the indexes follow. Each batch is one
    transaction with its rows locked, so a change made meanwhile is not overwritten.
    """
    report = ReencryptReport()
    for target in encrypted_models():
        pk_column = _column(target.model._meta.pk)
        after: Any = None
        while True:
            with transaction.atomic():
                rows = _batch(target, after, batch_size)
                for raw in rows:
                    pk = raw[pk_column]
                    changes = _row_changes(target, raw, report, pk)
                    report.rows += 1
                    report.values += sum(1 for f in target.encrypted if f.name in changes)
                    report.indexes += sum(1 for f in target.indexes if f.name in changes)
                    if changes and not dry_run:
                        # update() encrypts the clear values with the current key on the way in.
                        target.model._base_manager.filter(pk=pk).update(**changes)
            if len(rows) < batch_size:
                break
            after = rows[-1][pk_column]
    log.info(
        "privacy.personal_data_reencrypted",
        rows=report.rows,
        values=report.values,
        indexes=report.indexes,
        failures=len(report.failures),
        dry_run=dry_run,
    )
    return report
