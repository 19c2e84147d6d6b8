"""Acting for someone (帮办代办): a centre's clerk applying for a resident, and a family member
authorised by a resident.

A clerk assigned to a hall or street centre finds the resident by mobile or ID number (the
search is recorded as an access to the person's data), then either sends a code to the
resident's phone, which the resident reads out, or scans the paper form the resident signed.
Either confirmation opens an `AssistedSession` for that clerk, centre and resident, valid for
ASSISTED_SESSION_LIFETIME; applications made in it name the centre and are marked as made for
the resident, who sees them in their own account.

A resident authorises a family member for chosen items until a date (at most a year); the
member may then apply and answer 补正 for them, and the resident can revoke at any time.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citygate.accounts.models import User
from citygate.accounts.services import phone_index
from citygate.accounts.tasks import seal, sms_deliver
from citygate.accounts.validators import InvalidNumber, parse_phone
from citygate.applications import services
from citygate.applications.models import (
    AssistedSession,
    Authorisation,
    Channel,
    Confirmation,
    Material,
)
from citygate.catalog.models import ServiceItem
from citygate.core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from citygate.core.logging import get_logger
from citygate.privacy import crypto
from citygate.privacy.models import Purpose
from citygate.privacy.services import person_search

log = get_logger(__name__)

ASSISTED_CODE_LIFETIME = timedelta(minutes=10)
ASSISTED_SESSION_LIFETIME = timedelta(hours=2)
ASSISTED_MAX_FAILURES = 5
AUTHORISATION_MAX_DAYS = 366
SMS_TEMPLATE_ASSISTED = "assisted_confirm"
RELATIONS = ("spouse", "child", "parent", "sibling", "grandchild", "other_relative")


def _code_hash(session_id: uuid.UUID, code: str) -> str:
    return crypto.blind_index("assisted_code", f"{session_id}:{code}")


def _centre_of(clerk: User, centre_id: int) -> None:
    from citygate.halls.models import HallStaff

    if not HallStaff.objects.filter(user=clerk, hall_id=centre_id).exists():
        raise PermissionDenied(_("You are not assigned to this service centre."))


@dataclass(frozen=True)
class Started:
    session: AssistedSession
    # The resident has a phone on their account: a code was sent to it.
    code_sent: bool


def assisted_start(
    *,
    clerk: User,
    centre_id: int,
    phone: str = "",
    id_number: str = "",
    channel: str = "web",
    now: datetime | None = None,
) -> Started:
    """Finds the resident and, if they have a phone, sends them the confirmation code."""
    from citygate.halls.models import Hall

    now = now or timezone.now()
    _centre_of(clerk, centre_id)
    if bool(phone) == bool(id_number):
        raise InvalidInput({"phone": _("Enter the resident's mobile number or ID number.")})
    people = person_search(
        actor=clerk,
        phone=phone or None,
        id_number=id_number or None,
        purpose=Purpose.SERVICE_HALL_ASSIST,
        detail="",
        channel=channel,
    )
    if not people:
        raise NotFound(
            _("No account has this number. The resident can sign up with their phone first.")
        )
    resident = people[0]
    if resident.pk == clerk.pk:
        raise PermissionDenied(_("You cannot act for yourself here."))
    code = f"{secrets.randbelow(10**6):06d}"
    session = AssistedSession(
        clerk=clerk,
        resident=resident,
        centre_id=centre_id,
        created_at=now,
        expires_at=now + ASSISTED_CODE_LIFETIME,
    )
    sent = bool(resident.phone)
    if sent:
        session.code_hash = _code_hash(session.id, code)
    centre = Hall.objects.get(pk=centre_id)
    with transaction.atomic():
        session.save(force_insert=True)
        if sent:
            language = resident.preferred_language or settings.LANGUAGE_CODE
            with translation.override(language):
                text = _(
                    "%(centre)s asks to apply for a service on your behalf. If you agree, tell "
                    "the clerk this code: %(code)s (valid for 10 minutes). If you did not ask, "
                    "do not tell anyone."
                ) % {"centre": centre.display_name, "code": code}
            transaction.on_commit(
                partial(
                    sms_deliver.enqueue,
                    sealed_phone=seal(str(resident.phone)),
                    sealed_text=seal(text),
                    template=SMS_TEMPLATE_ASSISTED,
                )
            )
    log.info("applications.assisted_started", session_id=str(session.pk), code_sent=sent)
    return Started(session=session, code_sent=sent)


def _open_session(clerk: User, session_id: uuid.UUID) -> AssistedSession:
    session = (
        AssistedSession.objects.select_for_update()
        .filter(pk=session_id, clerk=clerk, confirmed_at=None)
        .first()
    )
    if session is None:
        raise NotFound()
    return session


def assisted_confirm_code(
    *, clerk: User, session_id: uuid.UUID, code: str, now: datetime | None = None
) -> AssistedSession:
    now = now or timezone.now()
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    with transaction.atomic():
        session = _open_session(clerk, session_id)
        if not session.code_hash:
            raise InvalidInput({"code": _("No code was sent: scan the signed paper form.")})
        if session.expires_at <= now or session.failures >= ASSISTED_MAX_FAILURES:
            raise ApplicationError(
                "code_expired",
                _("The code has expired. Start again to send a new one."),
                status=409,
            )
        if not hmac.compare_digest(session.code_hash, _code_hash(session.id, code)):
            session.failures += 1
            session.save(update_fields=["failures"])
            left = ASSISTED_MAX_FAILURES - session.failures
            wrong = InvalidInput(
                {"code": _("The code is not right. %(left)d tries left.") % {"left": left}}
            )
        else:
            wrong = None
            session.confirmation = Confirmation.SMS
            session.confirmed_at = now
            session.expires_at = now + ASSISTED_SESSION_LIFETIME
            session.save(update_fields=["confirmation", "confirmed_at", "expires_at"])
    if wrong is not None:
        raise wrong
    log.info("applications.assisted_confirmed", session_id=str(session.pk), by="sms")
    return session


def assisted_confirm_paper(
    *, clerk: User, session_id: uuid.UUID, upload: UploadedFile[bytes], now: datetime | None = None
) -> AssistedSession:
    """For someone without a phone: the scan of the form they signed at the counter.

    Only when no code could be sent: a resident with a phone confirms with the code, and a
    clerk cannot step round a code that failed or expired with a scan.
    """
    now = now or timezone.now()
    session = _session_for_paper(clerk, session_id, now)
    # The file is stored outside the transaction below, and removed if that fails: a rolled
    # back transaction would otherwise leave the scan behind without its row.
    scan = services.paper_form_store(resident=session.resident, clerk=clerk, upload=upload)
    try:
        with transaction.atomic():
            session = _session_for_paper(clerk, session_id, now, lock=True)
            session.paper_form = scan
            session.confirmation = Confirmation.PAPER
            session.confirmed_at = now
            session.expires_at = now + ASSISTED_SESSION_LIFETIME
            session.save(update_fields=["paper_form", "confirmation", "confirmed_at", "expires_at"])
    except BaseException:
        services.material_discard(material=scan)
        raise
    log.info("applications.assisted_confirmed", session_id=str(session.pk), by="paper")
    return session


def _session_for_paper(
    clerk: User, session_id: uuid.UUID, now: datetime, *, lock: bool = False
) -> AssistedSession:
    if lock:
        session = _open_session(clerk, session_id)
    else:
        found = AssistedSession.objects.filter(pk=session_id, clerk=clerk, confirmed_at=None)
        session = found.select_related("resident").first()  # type: ignore[assignment]
        if session is None:
            raise NotFound()
    if session.code_hash:
        raise ApplicationError(
            "code_sent",
            _("A code was sent to the resident's phone: they confirm with that code."),
            status=409,
        )
    if session.expires_at <= now:
        raise ApplicationError(
            "session_expired", _("This has expired. Start again with the resident."), status=409
        )
    return session


def assisted_session_get(
    *, clerk: User, session_id: uuid.UUID, now: datetime | None = None
) -> AssistedSession:
    """A confirmed session of this clerk that has not expired; NotFound otherwise."""
    now = now or timezone.now()
    session = (
        AssistedSession.objects.select_related("resident", "centre")
        .filter(pk=session_id, clerk=clerk, expires_at__gt=now)
        .exclude(confirmed_at=None)
        .first()
    )
    if session is None:
        raise NotFound(_("This assisted session has ended. Start again with the resident."))
    return session


def assisted_submit(
    *,
    clerk: User,
    session_id: uuid.UUID,
    item_code: str,
    answers: dict[str, object],
    material_ids: Sequence[uuid.UUID],
    idempotency_key: str,
    now: datetime | None = None,
) -> services.Submission:
    session = assisted_session_get(clerk=clerk, session_id=session_id, now=now)
    with transaction.atomic():
        submission = services.application_submit(
            applicant=session.resident,
            item_code=item_code,
            answers=answers,
            material_ids=material_ids,
            idempotency_key=idempotency_key,
            on_behalf=services.OnBehalf(
                channel=Channel.ASSISTED,
                submitted_by=clerk,
                centre_id=session.centre_id,
                confirmation=session.confirmation,
                centre_name=session.centre.name_zh,
                session_id=session.pk,
            ),
            now=now,
        )
        if submission.created and session.paper_form_id is not None:
            # The signed form the application rests on goes with it, for the department.
            Material.objects.filter(pk=session.paper_form_id, application=None).update(
                application=submission.application, key=services.PAPER_KEY
            )
    return submission


# --- Family members ----------------------------------------------------------------------------


def authorisation_grant(
    *,
    grantor: User,
    grantee_phone: str,
    item_codes: Sequence[str],
    relation: str,
    valid_until: date,
    today: date | None = None,
) -> Authorisation:
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    try:
        number = parse_phone(grantee_phone)
    except InvalidNumber:
        number = ""
        errors["grantee_phone"] = _("Enter an 11-digit mainland mobile number.")
    if relation not in RELATIONS:
        errors["relation"] = _("Choose how the person is related to you.")
    if valid_until < today or valid_until > today + timedelta(days=AUTHORISATION_MAX_DAYS):
        errors["valid_until"] = _("Choose a day from today to one year ahead.")
    codes = list(dict.fromkeys(c for c in item_codes if c))
    items = list(ServiceItem.objects.filter(code__in=codes))
    if not codes or len(items) != len(codes):
        errors["item_codes"] = _("Choose the services the person may apply for.")
    elif any(not item.guide.can_apply_online for item in items):
        errors["item_codes"] = _("Choose services that can be applied for online.")
    if errors:
        raise InvalidInput(errors)
    if not grantor.is_real_name_verified:
        raise ApplicationError(
            "real_name_required", _("Verify your real name before authorising anyone."), status=403
        )
    grantee = User.objects.filter(phone_index=phone_index(str(number))).first()
    if grantee is None or not grantee.is_real_name_verified or grantee.pk == grantor.pk:
        # The same answer whether or not the number has an account.
        raise InvalidInput(
            {"grantee_phone": _("This number has no real-name verified account other than yours.")}
        )
    with transaction.atomic():
        authorisation = Authorisation.objects.create(
            grantor=grantor, grantee=grantee, relation=relation, valid_until=valid_until
        )
        authorisation.items.set(items)
    log.info("applications.authorised", authorisation_id=str(authorisation.pk), items=len(items))
    return authorisation


def authorisation_revoke(*, grantor: User, authorisation_id: uuid.UUID) -> Authorisation:
    authorisation = Authorisation.objects.filter(
        pk=authorisation_id, grantor=grantor, revoked_at=None
    ).first()
    if authorisation is None:
        raise NotFound()
    authorisation.revoked_at = timezone.now()
    authorisation.save(update_fields=["revoked_at"])
    log.info("applications.authorisation_revoked", authorisation_id=str(authorisation.pk))
    return authorisation


def family_submit(
    *,
    member: User,
    grantor_id: uuid.UUID,
    item_code: str,
    answers: dict[str, object],
    material_ids: Sequence[uuid.UUID],
    idempotency_key: str,
    now: datetime | None = None,
) -> services.Submission:
    """A family member applies for the person who authorised them for this item."""
    from citygate.applications.selectors import authorisation_active

    now = now or timezone.now()
    item = services.applicable_item(item_code)
    if not authorisation_active(
        grantor_id=grantor_id, grantee=member, item_id=item.pk, today=timezone.localdate(now)
    ):
        raise NotFound()
    grantor = User.objects.get(pk=grantor_id)
    return services.application_submit(
        applicant=grantor,
        item_code=item_code,
        answers=answers,
        material_ids=material_ids,
        idempotency_key=idempotency_key,
        on_behalf=services.OnBehalf(channel=Channel.FAMILY, submitted_by=member),
        now=now,
    )
