"""Every change to accounts: sign-in codes, sign-up, tokens, preferences, real-name
verification, enterprises and their agents, staff.

Each function runs in one transaction; messages go out only after it commits.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

import pyotp
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from citygate.accounts import errors
from citygate.accounts.identity import (
    VerifierUnavailable,
    get_enterprise_verifier,
    get_identity_verifier,
)
from citygate.accounts.models import (
    ApiToken,
    AttemptGuard,
    Enterprise,
    EnterpriseAgent,
    GuardScope,
    SmsCode,
    StaffRole,
    User,
    VerificationLevel,
    normalise_id_number,
)
from citygate.accounts.roles import ROLES_NEEDING_DEPARTMENT, STAFF_ROLES
from citygate.accounts.tasks import seal, sms_deliver
from citygate.accounts.validators import (
    InvalidNumber,
    parse_credit_code,
    parse_id_number,
    parse_organisation_name,
    parse_person_name,
    parse_phone,
)
from citygate.core.errors import ApplicationError, NotFound, PermissionDenied
from citygate.core.logging import get_logger
from citygate.directory.models import Department, District, Street
from citygate.privacy import crypto

log = get_logger(__name__)

# --- Limits on sign-in codes ------------------------------------------------------------------
# Every limit is counted in the database, so that all app servers enforce the same numbers.

CODE_DIGITS = 6
# Long enough to read the message and type the code, short enough that a code seen over
# someone's shoulder is soon useless.
CODE_LIFETIME = timedelta(minutes=5)
# One message a minute per number: enough for "I didn't get it", too slow to flood a phone.
RESEND_INTERVAL = timedelta(seconds=60)
# Each message costs money and lands on someone's phone: a number that asks more often than
# this is being used to harass its owner or to run up the bill ("SMS bombing").
MAX_CODES_PER_NUMBER_PER_HOUR = 5
MAX_CODES_PER_NUMBER_PER_DAY = 10
# One client address asking for codes to many numbers is a script, not a person. A shared
# address (an office, a mobile carrier's NAT) still leaves room for several people.
MAX_CODES_PER_ADDRESS_PER_HOUR = 20
# Five guesses at a six-digit code give one chance in 200,000 per lock period.
MAX_WRONG_ATTEMPTS = 5
LOCK_DURATION = timedelta(minutes=30)
# Codes older than the longest window above are no longer needed for any limit.
CODE_RETENTION = timedelta(days=1)

SMS_TEMPLATE_SIGN_IN = "sign_in_code"

# Bearer tokens for API clients (the mobile app): a month, then the person signs in again.
API_TOKEN_LIFETIME = timedelta(days=30)
API_TOKEN_PREFIX = "cgt_"  # noqa: S105 (a marker that a string is our token, not a secret)
# last_used_at is a hint for the person's device list, not an audit trail: writing it at most
# this often keeps a busy client from turning every read into a write.
API_TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


def phone_index(phone: str) -> str:
    """The blind index of a mainland mobile number already checked by `parse_phone`."""
    return crypto.blind_index("phone", phone)


def _parse_phone_field(phone: str) -> str:
    try:
        return parse_phone(phone)
    except InvalidNumber as exc:
        raise errors.invalid_field("phone", exc.reason) from None


def _code_hash(code_id: uuid.UUID, code: str) -> str:
    # Keyed with the blind-index key and bound to the row: a copied database reveals no code.
    return crypto.blind_index("sms_code", f"{code_id}:{code}")


def _new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


# --- Attempt guards (wrong codes, wrong passwords) ---------------------------------------------


def guard_for_update(*, scope: str, key: str) -> AttemptGuard:
    """The guard row for a number or login, locked until the transaction ends."""
    AttemptGuard.objects.get_or_create(scope=scope, key=key)
    return AttemptGuard.objects.select_for_update().get(scope=scope, key=key)


def guard_raise_if_locked(*, guard: AttemptGuard, field: str, now: datetime) -> None:
    if guard.locked_until is None:
        return
    if guard.locked_until > now:
        seconds = int((guard.locked_until - now).total_seconds()) + 1
        raise errors.Locked(field=field, retry_after=seconds)
    # The lock has run out: the next wrong answer starts a fresh count.
    guard.failures = 0
    guard.locked_until = None
    guard.updated_at = now
    guard.save(update_fields=["failures", "locked_until", "updated_at"])


def guard_record_failure(*, guard: AttemptGuard, now: datetime) -> int:
    """Count a wrong answer and lock after the last allowed one; returns the attempts left."""
    guard.failures += 1
    guard.updated_at = now
    if guard.failures >= MAX_WRONG_ATTEMPTS:
        guard.locked_until = now + LOCK_DURATION
    guard.save(update_fields=["failures", "locked_until", "updated_at"])
    return max(0, MAX_WRONG_ATTEMPTS - guard.failures)


def guard_wrong_answer(
    *, guard: AttemptGuard, field: str, now: datetime, wrong: Callable[[int], ApplicationError]
) -> ApplicationError:
    """The error for a wrong answer: `wrong(attempts_left)`, or `Locked` after the last one."""
    left = guard_record_failure(guard=guard, now=now)
    if left == 0:
        return errors.Locked(field=field, retry_after=int(LOCK_DURATION.total_seconds()))
    return wrong(left)


def guard_reset(*, guard: AttemptGuard, now: datetime) -> None:
    if guard.failures or guard.locked_until:
        guard.failures = 0
        guard.locked_until = None
        guard.updated_at = now
        guard.save(update_fields=["failures", "locked_until", "updated_at"])


# --- Sending a code ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeSent:
    resend_after: int


def _retry_after(oldest: datetime, window: timedelta, now: datetime) -> int:
    return max(1, int((oldest + window - now).total_seconds()) + 1)


def _check_send_limits(*, index: str, address_hash: str, now: datetime) -> None:
    day_ago = now - timedelta(days=1)
    recent = list(
        SmsCode.objects.filter(phone_index=index, created_at__gt=day_ago)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
    )
    if recent and recent[0] > now - RESEND_INTERVAL:
        raise errors.too_many_codes(
            retry_after=_retry_after(recent[0], RESEND_INTERVAL, now),
            reason=_("A code was sent to this number a moment ago."),
        )
    last_hour = [at for at in recent if at > now - timedelta(hours=1)]
    if len(last_hour) >= MAX_CODES_PER_NUMBER_PER_HOUR:
        raise errors.too_many_codes(
            retry_after=_retry_after(last_hour[-1], timedelta(hours=1), now),
            reason=_("Too many codes were sent to this number in the last hour."),
        )
    if len(recent) >= MAX_CODES_PER_NUMBER_PER_DAY:
        raise errors.too_many_codes(
            retry_after=_retry_after(recent[-1], timedelta(days=1), now),
            reason=_("Too many codes were sent to this number today."),
        )

    from_address = list(
        SmsCode.objects.filter(address_hash=address_hash, created_at__gt=now - timedelta(hours=1))
        .order_by("created_at")
        .values_list("created_at", flat=True)[:MAX_CODES_PER_ADDRESS_PER_HOUR]
    )
    if len(from_address) >= MAX_CODES_PER_ADDRESS_PER_HOUR:
        raise errors.too_many_codes(
            retry_after=_retry_after(from_address[0], timedelta(hours=1), now),
            reason=_("Too many codes were requested from your network."),
        )


def _sms_language(index: str) -> str:
    """The account holder's language if the number has an account, else the request's."""
    preferred = (
        User.objects.filter(phone_index=index).values_list("preferred_language", flat=True).first()
    )
    return preferred or translation.get_language() or settings.LANGUAGE_CODE


def _sign_in_text(code: str, language: str) -> str:
    with translation.override(language):
        return _(
            "CityGate sign-in code: %(code)s. It is valid for %(minutes)d minutes. "
            "Never tell anyone this code."
        ) % {"code": code, "minutes": CODE_LIFETIME.seconds // 60}


def sms_code_send(*, phone: str, address_hash: str) -> CodeSent:
    """Send a sign-in code to `phone`, within the limits.

    The answer is the same whether or not the number has an account, so nobody can use this to
    find out who uses CityGate.
    """
    number = _parse_phone_field(phone)
    index = phone_index(number)
    now = timezone.now()

    with transaction.atomic():
        guard = guard_for_update(scope=GuardScope.PHONE, key=index)
        guard_raise_if_locked(guard=guard, field="phone", now=now)
        _check_send_limits(index=index, address_hash=address_hash, now=now)

        code = _new_code()
        row = SmsCode(
            phone_index=index,
            address_hash=address_hash,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
        row.code_hash = _code_hash(row.id, code)
        row.save(force_insert=True)
        SmsCode.objects.filter(phone_index=index, created_at__lt=now - CODE_RETENTION).delete()

        text = _sign_in_text(code, _sms_language(index))
        transaction.on_commit(
            partial(
                sms_deliver.enqueue,
                sealed_phone=seal(number),
                sealed_text=seal(text),
                template=SMS_TEMPLATE_SIGN_IN,
            )
        )

    log.info("auth.code_sent", code_id=str(row.id))
    return CodeSent(resend_after=int(RESEND_INTERVAL.total_seconds()))


# --- Signing in (and up) ----------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    user: User
    created: bool


def _parse_code_field(code: str) -> str:
    text = code.strip()
    if len(text) != CODE_DIGITS or not text.isascii() or not text.isdigit():
        message = _("Enter the 6-digit code from the text message.")
        raise ApplicationError("code_invalid", message, fields={"code": message})
    return text


def _agreement_required() -> ApplicationError:
    message = _("To create an account, please agree to the terms of service and privacy policy.")
    return ApplicationError("agreement_required", message, fields={"agree": message})


def _account_disabled() -> ApplicationError:
    return ApplicationError(
        "account_disabled",
        _("This account has been closed. Please call 12345 for help."),
        status=403,
    )


def user_sign_in(*, phone: str, code: str, agree: bool, channel: str) -> SignIn:
    """Check the code sent to `phone`; a number without an account signs up.

    Signing up needs `agree`: consent to the current terms and privacy policy is recorded in
    the same transaction as the new account. A wrong code counts towards the lock and is
    committed even though the call fails; a refused sign-up leaves the code unused.
    """
    number = _parse_phone_field(phone)
    submitted = _parse_code_field(code)
    index = phone_index(number)
    now = timezone.now()
    failure: ApplicationError | None = None
    result: SignIn | None = None

    with transaction.atomic():
        guard = guard_for_update(scope=GuardScope.PHONE, key=index)
        guard_raise_if_locked(guard=guard, field="phone", now=now)
        row = SmsCode.objects.filter(phone_index=index).order_by("-created_at").first()

        if row is None or not hmac.compare_digest(row.code_hash, _code_hash(row.id, submitted)):
            failure = guard_wrong_answer(
                guard=guard, field="phone", now=now, wrong=errors.code_invalid
            )
        elif row.used_at is not None or row.expires_at <= now:
            failure = errors.code_expired()
        else:
            result = _sign_in_verified(number=number, index=index, agree=agree, channel=channel)
            row.used_at = now
            row.save(update_fields=["used_at"])
            guard_reset(guard=guard, now=now)

    if failure is not None or result is None:
        failure = failure or errors.code_expired()
        log.info("auth.code_rejected", reason=failure.code)
        raise failure
    event = "auth.signed_up" if result.created else "auth.signed_in"
    log.info(event, user_id=str(result.user.pk))
    return result


def _sign_in_verified(*, number: str, index: str, agree: bool, channel: str) -> SignIn:
    user = User.objects.filter(phone_index=index).first()
    if user is not None:
        if not user.is_active:
            raise _account_disabled()
        return SignIn(user=user, created=False)

    if not agree:
        raise _agreement_required()
    language = translation.get_language() or ""
    user = user_register(phone=number, language=language, channel=channel)
    return SignIn(user=user, created=True)


def user_register(*, phone: str, language: str, channel: str) -> User:
    """A new resident account for a number whose owner agreed to the terms and privacy policy.

    Callers have proved that the person holds the number (a code) and asked for agreement.
    """
    number = _parse_phone_field(phone)
    with transaction.atomic():
        user = User.objects.create_user(
            phone=number,
            preferred_language=language if language in dict(settings.LANGUAGES) else "",
        )
        from citygate.privacy.services import consent_grant

        consent_grant(user=user, kinds=["terms", "privacy"], channel=channel)
    return user


# --- API tokens -------------------------------------------------------------------------------


def api_token_hash(token: str) -> str:
    # The token is 256 random bits, so a plain hash cannot be reversed by guessing.
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_issue(*, user: User) -> str:
    """A new bearer token for `user`; shown once, only its hash is kept."""
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        row = ApiToken.objects.create(
            user=user,
            token_hash=api_token_hash(token),
            expires_at=timezone.now() + API_TOKEN_LIFETIME,
        )
    log.info("auth.token_issued", user_id=str(user.pk), token_id=str(row.pk))
    return token


def api_token_revoke(*, token: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        revoked = ApiToken.objects.filter(
            token_hash=api_token_hash(token), revoked_at__isnull=True
        ).update(revoked_at=now)
    if revoked:
        log.info("auth.token_revoked")


def api_token_record_use(*, api_token: ApiToken) -> None:
    now = timezone.now()
    last = api_token.last_used_at
    if last is not None and last > now - API_TOKEN_TOUCH_INTERVAL:
        return
    with transaction.atomic():
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    api_token.last_used_at = now


# --- Preferences ------------------------------------------------------------------------------


def user_preferences_update(
    *, user: User, language: str | None = None, elderly_mode: bool | None = None
) -> User:
    """Saves a person's display preferences: from the API, the switches and sign-in.

    A saved `preferred_language` is what tells the shell's preference middleware that the
    account, not the device, decides from now on; so the first save also records the language
    in use when none is given.
    """
    if language is not None and language not in dict(settings.LANGUAGES):
        raise errors.invalid_field("language", _("Choose one of the offered languages."))
    if language is None and not user.preferred_language:
        current = translation.get_language() or settings.LANGUAGE_CODE
        language = current if current in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE

    changed: list[str] = []
    if language is not None and language != user.preferred_language:
        user.preferred_language = language
        changed.append("preferred_language")
    if elderly_mode is not None and elderly_mode != user.elderly_mode:
        user.elderly_mode = elderly_mode
        changed.append("elderly_mode")
    if changed:
        with transaction.atomic():
            user.save(update_fields=changed)
        log.info("account.preferences_updated", user_id=str(user.pk), fields=changed)
    return user


def user_home_place_set(*, user: User, district: District | None, street: Street | None) -> User:
    """Saves where the person says they live: a district, and a street or town of it (None:
    they would rather not say).

    Declared only: it is never read from the ID number, which names where the person was
    registered at birth. The caller has found both among the listed ones.
    """
    if street is not None and (district is None or street.district_id != district.pk):
        raise ValueError("the street is not in the district")
    return _home_place_save(user, lambda _locked: (district, street))


def user_home_district_set(*, user: User, district: District | None) -> User:
    """Saves the district alone: the street given before is kept when it is in that district,
    and forgotten otherwise (read under the row's lock, so two devices cannot leave a street
    outside its district)."""

    def place(locked: User) -> tuple[District | None, Street | None]:
        street = locked.home_street
        if district is None or street is None or street.district_id != district.pk:
            street = None
        return district, street

    return _home_place_save(user, place)


def user_home_street_clear(*, user: User) -> User:
    """Forgets the street and keeps the district."""
    return _home_place_save(user, lambda locked: (locked.home_district, None))


def _home_place_save(
    user: User, place: Callable[[User], tuple[District | None, Street | None]]
) -> User:
    with transaction.atomic():
        locked = (
            User.objects.select_for_update(of=("self",))
            .select_related("home_district", "home_street")
            .get(pk=user.pk)
        )
        district, street = place(locked)
        changed = [
            name
            for name, old, new in (
                ("home_district", locked.home_district_id, district.pk if district else None),
                ("home_street", locked.home_street_id, street.pk if street else None),
            )
            if old != new
        ]
        locked.home_district, locked.home_street = district, street
        if changed:
            locked.save(update_fields=["home_district", "home_street"])
    user.home_district, user.home_street = district, street
    if changed:
        # Which fields changed, never the place itself: a street says where the person lives.
        log.info("account.home_place_set", user_id=str(user.pk), fields=changed)
    return user


# --- Real-name verification -------------------------------------------------------------------


def _identity_mismatch() -> ApplicationError:
    message = _("The name and ID number do not match the official records. Check both.")
    return ApplicationError(
        "identity_mismatch", message, fields={"name": message, "id_number": message}
    )


def _id_number_taken() -> ApplicationError:
    # Never say whose: the person may be a victim of identity theft, or mistyped one digit.
    message = _(
        "This ID number is already linked to another account. If it is yours, please bring "
        "your ID card to a service hall."
    )
    return ApplicationError("id_number_taken", message, fields={"id_number": message}, status=409)


def _verifier_unavailable() -> ApplicationError:
    return ApplicationError(
        "verifier_unavailable",
        _("The check cannot be done right now. Please try again in a few minutes."),
        status=503,
    )


def user_real_name_verify(
    *, user: User, name: str, id_number: str, consent: bool, channel: str
) -> User:
    """Confirm the person's name and ID number with the identity verifier and keep them.

    The ID number is sensitive personal information (PIPL Art. 28), so the person's separate
    consent (Art. 29) is required in the request and recorded in the same transaction as the
    data it covers.
    """
    problems: dict[str, str | Promise] = {}
    try:
        clean_name = parse_person_name(name)
    except InvalidNumber as exc:
        problems["name"] = exc.reason
    try:
        number = parse_id_number(id_number).number
    except InvalidNumber as exc:
        problems["id_number"] = exc.reason
    if not consent:
        problems["consent"] = _(
            "Please agree that CityGate may use your name and ID number to confirm who you are."
        )
    if problems:
        raise errors.invalid_fields(problems)
    if user.is_real_name_verified:
        raise _already_verified()

    guard_key = str(user.pk)
    now = timezone.now()
    with transaction.atomic():
        guard = guard_for_update(scope=GuardScope.REAL_NAME, key=guard_key)
        guard_raise_if_locked(guard=guard, field="id_number", now=now)
    # Asked outside the transaction: a slow verifier must not hold the database's write lock.
    try:
        result = get_identity_verifier().verify(name=clean_name, id_number=number)
    except VerifierUnavailable:
        log.warning("account.identity_verifier_unavailable", user_id=str(user.pk))
        raise _verifier_unavailable() from None
    index = crypto.blind_index("id_number", normalise_id_number(number))
    # Only after a match: whether an ID number is taken is not told to someone guessing.
    taken = result.matched and (
        User.objects.filter(id_number_index=index).exclude(pk=user.pk).exists()
    )
    if not result.matched or taken:
        log.info("account.real_name_refused", user_id=str(user.pk), taken=taken)
        with transaction.atomic():
            guard = guard_for_update(scope=GuardScope.REAL_NAME, key=guard_key)
            failure = guard_wrong_answer(
                guard=guard,
                field="id_number",
                now=now,
                wrong=lambda _left: _id_number_taken() if taken else _identity_mismatch(),
            )
        raise failure

    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_real_name_verified:
            raise _already_verified()
        from citygate.privacy.services import consent_grant

        consent_grant(user=locked, kinds=["real_name"], channel=channel)
        locked.name = clean_name
        locked.id_number = number
        locked.birth_year = parse_id_number(number).birth_date.year
        locked.verification_level = VerificationLevel.REAL_NAME
        locked.verified_at = timezone.now()
        try:
            with transaction.atomic():
                locked.save(
                    update_fields=[
                        "name",
                        "id_number",
                        "id_number_index",
                        "birth_year",
                        "verification_level",
                        "verified_at",
                    ]
                )
        except IntegrityError:
            # Another account took the number between the check above and this save.
            raise _id_number_taken() from None

    log.info("account.real_name_verified", user_id=str(user.pk), reference=result.reference)
    return locked


def _already_verified() -> ApplicationError:
    return ApplicationError(
        "already_verified", _("Your real name has already been verified."), status=409
    )


# --- Enterprises and their agents -------------------------------------------------------------

# An authorisation lapses at the latest after this long, so that agents who left the
# enterprise long ago do not keep acting for it because nobody remembered to revoke them.
MAX_AGENT_AUTHORISATION = timedelta(days=3 * 366)


def enterprise_register(*, user: User, credit_code: str, name: str) -> Enterprise:
    """A real-name-verified person registers an enterprise they are the legal representative of."""
    problems: dict[str, str | Promise] = {}
    try:
        code = parse_credit_code(credit_code).code
    except InvalidNumber as exc:
        problems["credit_code"] = exc.reason
    try:
        clean_name = parse_organisation_name(name)
    except InvalidNumber as exc:
        problems["name"] = exc.reason
    if problems:
        raise errors.invalid_fields(problems)
    if not user.is_real_name_verified:
        raise PermissionDenied(
            _("Please verify your real name before registering an enterprise."),
            code="real_name_required",
        )
    if Enterprise.objects.filter(credit_code=code).exists():
        raise _enterprise_exists()

    try:
        result = get_enterprise_verifier().verify(
            credit_code=code,
            name=clean_name,
            legal_rep_name=user.name or "",
            legal_rep_id_number=user.id_number or "",
        )
    except VerifierUnavailable:
        log.warning("enterprise.verifier_unavailable", user_id=str(user.pk))
        raise _verifier_unavailable() from None
    if not result.matched:
        message = _("No registered enterprise has this credit code and name.")
        raise ApplicationError(
            "enterprise_not_found", message, fields={"credit_code": message, "name": message}
        )
    if not result.legal_rep_confirmed:
        raise PermissionDenied(
            _("The business register does not list you as this enterprise's legal representative."),
            code="not_legal_rep",
        )

    try:
        with transaction.atomic():
            enterprise = Enterprise.objects.create(
                credit_code=code,
                name=result.registered_name or clean_name,
                legal_rep=user,
                verified_at=timezone.now(),
                verification_reference=result.reference[:64],
            )
    except IntegrityError:
        raise _enterprise_exists() from None
    log.info("enterprise.registered", enterprise_id=str(enterprise.pk), user_id=str(user.pk))
    return enterprise


def _enterprise_exists() -> ApplicationError:
    message = _(
        "This enterprise is already registered. If you are its legal representative, please "
        "call 12345."
    )
    return ApplicationError(
        "enterprise_exists", message, fields={"credit_code": message}, status=409
    )


def _only_legal_rep() -> PermissionDenied:
    return PermissionDenied(
        _("Only the enterprise's legal representative can manage its agents."),
        code="not_legal_rep",
    )


def enterprise_agent_authorise(
    *, enterprise: Enterprise, by: User, phone: str, valid_until: date
) -> EnterpriseAgent:
    """The legal representative authorises the holder of `phone` to act until `valid_until`.

    Authorising someone who already is an agent sets their new end date.
    """
    if enterprise.legal_rep_id != by.pk:
        raise _only_legal_rep()
    number = _parse_phone_field(phone)
    today = timezone.localdate()
    if valid_until < today:
        raise errors.invalid_field("valid_until", _("Choose a date from today on."))
    if valid_until > today + MAX_AGENT_AUTHORISATION:
        raise errors.invalid_field(
            "valid_until", _("An authorisation can last at most three years.")
        )
    agent_user = User.objects.filter(phone_index=phone_index(number), is_active=True).first()
    if agent_user is None:
        message = _("No account uses this number. Ask the person to sign up first.")
        raise ApplicationError("agent_not_found", message, fields={"phone": message}, status=404)
    if agent_user.pk == by.pk:
        message = _("As legal representative you can already act for the enterprise.")
        raise ApplicationError("agent_is_legal_rep", message, fields={"phone": message})

    with transaction.atomic():
        # The enterprise row is the lock: two authorisations of the same person at once would
        # otherwise both find no agent row (nothing to lock yet) and both insert one.
        Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
        agent = (
            EnterpriseAgent.objects.select_for_update()
            .filter(enterprise=enterprise, user=agent_user, revoked_at__isnull=True)
            .first()
        )
        if agent is None:
            agent = EnterpriseAgent.objects.create(
                enterprise=enterprise, user=agent_user, granted_by=by, valid_until=valid_until
            )
        else:
            agent.valid_until = valid_until
            agent.granted_by = by
            agent.granted_at = timezone.now()
            agent.save(update_fields=["valid_until", "granted_by", "granted_at"])
    log.info(
        "enterprise.agent_authorised",
        enterprise_id=str(enterprise.pk),
        agent_id=str(agent.pk),
        user_id=str(by.pk),
    )
    return agent


def enterprise_agent_revoke(*, enterprise: Enterprise, by: User, agent_id: uuid.UUID) -> None:
    if enterprise.legal_rep_id != by.pk:
        raise _only_legal_rep()
    with transaction.atomic():
        agent = (
            EnterpriseAgent.objects.select_for_update()
            .filter(enterprise=enterprise, pk=agent_id)
            .first()
        )
        if agent is None:
            raise NotFound(_("This agent does not exist."))
        if agent.revoked_at is None:
            agent.revoked_at = timezone.now()
            agent.revoked_by = by
            agent.save(update_fields=["revoked_at", "revoked_by"])
    log.info(
        "enterprise.agent_revoked",
        enterprise_id=str(enterprise.pk),
        agent_id=str(agent_id),
        user_id=str(by.pk),
    )


# --- Staff ------------------------------------------------------------------------------------

# RFC 6238 defaults, which every authenticator app uses.
TOTP_STEP_SECONDS = 30
# One step either side forgives a phone clock that is up to 30 seconds off.
TOTP_DRIFT_STEPS = 1
TOTP_ISSUER = "CityGate"
LOGIN_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{2,63}$")


def login_name_key(login_name: str) -> str:
    return crypto.blind_index("staff_login", login_name.strip().lower())


def _clean_login_name(login_name: str) -> str:
    name = login_name.strip().lower()
    if not LOGIN_NAME_PATTERN.match(name):
        raise errors.invalid_field(
            "login_name",
            _("Use 3 to 64 lower-case letters, digits, dots, dashes or underscores."),
        )
    return name


@dataclass(frozen=True)
class StaffCreated:
    user: User
    # The otpauth:// URI for the authenticator app; it holds the secret, so show it once.
    otpauth_uri: str


def staff_create(
    *,
    login_name: str,
    password: str,
    role: str,
    department_code: str | None = None,
    totp_secret: str | None = None,
) -> StaffCreated:
    """A staff account with a password, a TOTP secret and its first role."""
    name = _clean_login_name(login_name)
    if role not in {r.value for r in STAFF_ROLES}:
        raise errors.invalid_field("role", _("Choose a staff role."))
    department = None
    if department_code:
        department = Department.objects.filter(code=department_code).first()
        if department is None:
            raise errors.invalid_field("department", _("There is no department with this code."))
    elif role in ROLES_NEEDING_DEPARTMENT:
        raise errors.invalid_field("department", _("This role needs a department."))
    try:
        password_validation.validate_password(password)
    except DjangoValidationError as exc:
        raise errors.invalid_field("password", " ".join(exc.messages)) from None

    secret = totp_secret or pyotp.random_base32()
    with transaction.atomic():
        if User.objects.filter(login_name=name).exists():
            raise errors.invalid_field("login_name", _("This login name is taken."))
        user = User(login_name=name, totp_secret=secret)
        user.set_password(password)
        user.save(force_insert=True)
        StaffRole.objects.create(user=user, role=role, department=department)
    log.info("staff.created", user_id=str(user.pk), role=role)
    uri = pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=TOTP_ISSUER)
    return StaffCreated(user=user, otpauth_uri=uri)


def _wrong_credentials(left: int) -> ApplicationError:
    message = ngettext(
        "The login name or password is not correct. %(count)d attempt left.",
        "The login name or password is not correct. %(count)d attempts left.",
        left,
    ) % {"count": left}
    return ApplicationError("invalid_credentials", message, fields={"password": message})


def staff_password_check(*, login_name: str, password: str) -> User:
    """The first step of a staff sign-in: login name and password.

    Wrong answers count towards the same lock as wrong TOTP codes; only a complete sign-in
    clears the count, so knowing the password does not buy unlimited TOTP guesses.
    """
    key = login_name_key(login_name)
    now = timezone.now()
    failure: ApplicationError | None = None
    with transaction.atomic():
        guard = guard_for_update(scope=GuardScope.STAFF, key=key)
        guard_raise_if_locked(guard=guard, field="login_name", now=now)
        user = User.objects.filter(login_name=login_name.strip().lower(), is_active=True).first()
        if user is None:
            # Hash anyway, so that an unknown name takes as long as a wrong password.
            make_password(password)
            ok = False
        else:
            ok = user.check_password(password)
        if not ok:
            failure = guard_wrong_answer(
                guard=guard, field="login_name", now=now, wrong=_wrong_credentials
            )
    if failure is not None or user is None:
        log.info("staff.password_rejected")
        raise failure or _wrong_credentials(0)
    return user


def _totp_step(secret: str, code: str, now: datetime, after: int | None) -> int | None:
    """The time step `code` belongs to, within the allowed drift and after `after`."""
    totp = pyotp.TOTP(secret, interval=TOTP_STEP_SECONDS)
    current = totp.timecode(now)
    for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def staff_totp_verify(*, user: User, code: str) -> None:
    """The second step: the current code of the person's authenticator app, used once."""
    submitted = code.strip().replace(" ", "")
    now = timezone.now()
    failure: ApplicationError | None = None
    with transaction.atomic():
        guard = guard_for_update(scope=GuardScope.STAFF, key=login_name_key(user.login_name or ""))
        guard_raise_if_locked(guard=guard, field="login_name", now=now)
        locked = User.objects.select_for_update().get(pk=user.pk)
        step = None
        # ASCII only: compare_digest refuses other digits ("１２３４５６") with a TypeError.
        if (
            locked.totp_secret
            and submitted.isascii()
            and submitted.isdigit()
            and len(submitted) == 6
        ):
            step = _totp_step(locked.totp_secret, submitted, now, locked.totp_last_step)
        if step is None:
            failure = guard_wrong_answer(
                guard=guard, field="login_name", now=now, wrong=_wrong_totp
            )
        else:
            locked.totp_last_step = step
            locked.save(update_fields=["totp_last_step"])
            guard_reset(guard=guard, now=now)
    if failure is not None:
        log.info("staff.totp_rejected", user_id=str(user.pk))
        raise failure
    log.info("staff.signed_in", user_id=str(user.pk))


def _wrong_totp(left: int) -> ApplicationError:
    message = ngettext(
        "The code is not correct. Use the current code of your authenticator app. "
        "%(count)d attempt left.",
        "The code is not correct. Use the current code of your authenticator app. "
        "%(count)d attempts left.",
        left,
    ) % {"count": left}
    return ApplicationError("code_invalid", message, fields={"code": message})
