"""Telling a person something: `notify`, and the reader's own changes (read, archive).

Any module calls ``notify(recipient=..., template="halls.appointment_booked", params={...})``
inside its own transaction: the message is saved with the change that caused it, or not at all.
A `dedupe_key` names the event, so the same event reported from two places (a service and a
background task, say) reaches the person once.

What notify refuses is a programming error, not a person's mistake, so it raises
`ValueError` (or `KeyError` for an unknown template) rather than an `ApplicationError`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import time

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from citygate.accounts.models import User
from citygate.core.errors import InvalidInput, NotFound
from citygate.core.logging import get_logger, is_personal_key, scrub_text
from citygate.inbox import delivery, preferences, selectors, templates, webpush
from citygate.inbox.models import (
    DEDUPE_KEY_MAX_LENGTH,
    LINK_MAX_LENGTH,
    SUBJECT_MAX_LENGTH,
    Digest,
    Kind,
    Message,
    NotificationSettings,
    PushSubscription,
)
from citygate.privacy.fields import BlindIndexField

log = get_logger(__name__)

PARAM_VALUE_MAX_LENGTH = 200
_PARAM_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# A record's id ("…/3f2a1390-4123-845a-…/") can hold a run of digits that reads like a phone
# number across its hyphens: ids are taken out before looking for personal numbers.
_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-?(?:[0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}")
# Beyond what the log redaction already treats as personal (name, phone, id_number, address
# and their variants): a name of one of the people a message might be tempted to name...
_PERSON_WORDS = frozenset(
    {"applicant", "resident", "person", "citizen", "contact", "recipient", "owner", "agent"}
)
# ...and parts that are personal wherever they appear.
_PERSONAL_PARTS = frozenset({"surname", "birth", "birthday", "birthdate", "passport", "idcard"})


def _holds_personal_number(text: str) -> bool:
    text = _UUID_RE.sub("", text)
    return scrub_text(text) != text


def _personal_key(key: str) -> bool:
    parts = set(key.split("_"))
    if parts & _PERSONAL_PARTS:
        return True
    if "name" in parts and parts & _PERSON_WORDS:
        return True
    return is_personal_key(key)


def _clean_params(
    template: templates.MessageTemplate, params: Mapping[str, str | int]
) -> dict[str, str | int]:
    blanks = template.blanks()
    values: dict[str, str | int] = {}
    for key, value in params.items():
        if not isinstance(key, str) or not _PARAM_KEY_RE.match(key):
            raise ValueError(f"{template.name}: parameter names are lower_case words")
        if _personal_key(key):
            raise ValueError(
                f"{template.name}: parameter {key!r} is named like personal data; a message "
                "never carries a person's name, phone, ID number or address"
            )
        if key not in blanks:
            raise ValueError(f"{template.name}: the template has no blank {key!r}")
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValueError(f"{template.name}: parameter {key!r} must be text or a whole number")
        text = str(value)
        if len(text) > PARAM_VALUE_MAX_LENGTH:
            raise ValueError(f"{template.name}: parameter {key!r} is too long")
        if _holds_personal_number(text):
            raise ValueError(
                f"{template.name}: parameter {key!r} holds what looks like a phone or ID number"
            )
        values[key] = value
    missing = blanks - values.keys()
    if missing:
        raise ValueError(f"{template.name}: missing parameters {sorted(missing)}")
    return values


def _clean_link(link: str) -> str:
    link = link.strip()
    if not link:
        return ""
    if (
        len(link) > LINK_MAX_LENGTH
        or not link.startswith("/")
        or link.startswith("//")
        or any(ch.isspace() or not ch.isprintable() for ch in link)
        or not url_has_allowed_host_and_scheme(link, allowed_hosts=set())
    ):
        raise ValueError("a message link is a path on this site, such as /account/")
    if _holds_personal_number(link):
        raise ValueError("a message link must not hold a phone or ID number")
    return link


def _clean_dedupe_key(dedupe_key: str) -> str:
    dedupe_key = dedupe_key.strip()
    if len(dedupe_key) > DEDUPE_KEY_MAX_LENGTH:
        raise ValueError(f"a dedupe key has at most {DEDUPE_KEY_MAX_LENGTH} characters")
    if _holds_personal_number(dedupe_key):
        raise ValueError("a dedupe key must not hold a phone or ID number")
    return dedupe_key


def _clean_subject(subject: str) -> str:
    subject = subject.strip()
    if len(subject) > SUBJECT_MAX_LENGTH or any(ch.isspace() for ch in subject):
        raise ValueError(f"a subject is '<module>.<thing>:<id>' of at most {SUBJECT_MAX_LENGTH}")
    if _holds_personal_number(subject):
        raise ValueError("a subject must not hold a phone or ID number")
    return subject


def notify(
    *,
    recipient: User,
    template: str,
    params: Mapping[str, str | int] | None = None,
    link: str = "",
    dedupe_key: str = "",
    subject: str = "",
) -> Message | None:
    """Delivers a message to the person's inbox; None when this dedupe key already was.

    `subject` names what the message is about ("news.story:<id>") so that its module can find
    the people it told, say to send them a correction.

    Safe inside another service's transaction: a repeated event is absorbed in a savepoint and
    leaves the caller's transaction usable.
    """
    found = templates.get(template)
    values = _clean_params(found, params or {})
    link = _clean_link(link)
    dedupe_key = _clean_dedupe_key(dedupe_key)
    subject = _clean_subject(subject)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                recipient=recipient,
                kind=found.kind,
                template=found.name,
                params=values,
                link=link,
                dedupe_key=dedupe_key,
                subject=subject,
            )
            delivery.in_app_delivered(message)
    except IntegrityError:
        if not dedupe_key:
            raise
        if not Message.objects.filter(recipient=recipient, dedupe_key=dedupe_key).exists():
            raise
        log.info("inbox.message_repeated", recipient_id=str(recipient.pk), template=found.name)
        return None
    log.info(
        "inbox.message_delivered",
        message_id=str(message.pk),
        recipient_id=str(recipient.pk),
        template=found.name,
        kind=found.kind,
    )
    delivery.plan_on_commit(message)
    return message


def _own_message(user: User, message_id: uuid.UUID | str) -> Message:
    try:
        key = message_id if isinstance(message_id, uuid.UUID) else uuid.UUID(str(message_id))
    except ValueError:
        raise NotFound(_("There is no such message.")) from None
    message = Message.objects.select_for_update().filter(pk=key, recipient=user).first()
    if message is None:
        # Another person's message is answered like one that does not exist.
        raise NotFound(_("There is no such message."))
    return message


def message_mark_read(*, user: User, message_id: uuid.UUID | str) -> Message:
    with transaction.atomic():
        message = _own_message(user, message_id)
        if message.read_at is None:
            message.read_at = timezone.now()
            message.save(update_fields=["read_at"])
            delivery.in_app_opened(message=message, now=message.read_at)
            log.info("inbox.message_read", message_id=str(message.pk), user_id=str(user.pk))
    return message


def message_archive(*, user: User, message_id: uuid.UUID | str) -> Message:
    """Moves the message out of the inbox; archiving it also counts as reading it."""
    with transaction.atomic():
        message = _own_message(user, message_id)
        if message.archived_at is None:
            now = timezone.now()
            message.archived_at = now
            message.read_at = message.read_at or now
            message.save(update_fields=["archived_at", "read_at"])
            delivery.in_app_opened(message=message, now=message.read_at)
            log.info("inbox.message_archived", message_id=str(message.pk), user_id=str(user.pk))
    return message


_HOURS_MINUTES_RE = re.compile(r"^[0-9]{2}:[0-9]{2}$")


def _clean_time(value: object, field: str, errors: dict[str, str | Promise]) -> time | None:
    """A local time of day in hours and minutes, as the page's time fields give it.

    A time with a zone ("22:00Z") means nothing for a wall clock that follows the person's
    day, and the quiet hours end on the minute: both are refused like any other wrong time.
    """
    found: time | None = value if isinstance(value, time) else None
    if found is None and _HOURS_MINUTES_RE.match(str(value)):
        try:
            found = time.fromisoformat(str(value))
        except ValueError:
            found = None
    if found is None or found.tzinfo is not None or found.second or found.microsecond:
        errors[field] = _("Enter a time such as 22:00.")
        return None
    return found


def notification_settings_update(
    *,
    user: User,
    channels: Mapping[str, Sequence[str]] | None = None,
    quiet_start: object = None,
    quiet_end: object = None,
    news_daily_cap: object = None,
    news_digest: str | None = None,
) -> preferences.Choices:
    """Changes what is given and keeps the rest; every wrong value is named by its field."""
    current = selectors.notification_choices(user=user)
    errors: dict[str, str | Promise] = {}
    new_channels = dict(current.channels)
    if channels is not None:
        for kind, chosen in channels.items():
            if kind not in Kind.values:
                errors[f"channels.{str(kind)[:20]}"] = _("There is no such kind of message.")
                continue
            if not isinstance(chosen, Sequence) or isinstance(chosen, str):
                errors[f"channels.{kind}"] = _("Choose from the listed channels.")
                continue
            unknown = [c for c in chosen if c not in preferences.PUSH_CHANNELS]
            if unknown:
                # The inbox is always on; only the push channels are a choice.
                errors[f"channels.{kind}"] = _("Choose from the listed channels.")
                continue
            new_channels[kind] = [c for c in preferences.PUSH_CHANNELS if c in chosen]
    start = (
        current.quiet_start
        if quiet_start is None
        else _clean_time(quiet_start, "quiet_start", errors)
    )
    end = current.quiet_end if quiet_end is None else _clean_time(quiet_end, "quiet_end", errors)
    cap = current.news_daily_cap
    if news_daily_cap is not None:
        if (
            isinstance(news_daily_cap, bool)
            or not isinstance(news_daily_cap, int)
            or not 0 <= news_daily_cap <= preferences.NEWS_DAILY_CAP_MAX
        ):
            errors["news_daily_cap"] = _("Enter a whole number from 0 to %(max)d.") % {
                "max": preferences.NEWS_DAILY_CAP_MAX
            }
        else:
            cap = news_daily_cap
    digest = current.news_digest if news_digest is None else news_digest
    if digest not in Digest.values:
        errors["news_digest"] = _("Choose one of the listed answers.")
    if errors:
        raise InvalidInput(errors)
    # No errors, so both were read.
    assert start is not None  # noqa: S101
    assert end is not None  # noqa: S101
    NotificationSettings.objects.update_or_create(
        user=user,
        defaults={
            "channels": new_channels,
            "quiet_start": start,
            "quiet_end": end,
            "news_daily_cap": cap,
            "news_digest": digest,
            "updated_at": timezone.now(),
        },
    )
    log.info("inbox.notification_settings_changed", user_id=str(user.pk))
    return selectors.notification_choices(user=user)


# --- Devices for Web Push ---------------------------------------------------------------------

PUSH_ENDPOINT_MAX_LENGTH = 1024
PUSH_DEVICES_MAX = 10
PUSH_LABEL_MAX_LENGTH = 64


def _clean_endpoint(endpoint: str, errors: dict[str, str | Promise]) -> str:
    endpoint = endpoint.strip()
    if (
        not endpoint
        or len(endpoint) > PUSH_ENDPOINT_MAX_LENGTH
        or any(ch.isspace() or not ch.isprintable() for ch in endpoint)
        or not webpush.endpoint_acceptable(endpoint)
    ):
        errors["endpoint"] = _("This is not the address of a push service.")
    return endpoint


def push_subscription_add(
    *, user: User, endpoint: str, p256dh: str, auth: str, label: str = ""
) -> PushSubscription:
    """Turns notifications on for a device; the same device again only renews its keys.

    A browser has one subscription whoever is signed in: when another person signs in on it
    and turns notifications on, the device becomes theirs, so it no longer shows the first
    person's messages.
    """
    errors: dict[str, str | Promise] = {}
    endpoint = _clean_endpoint(endpoint, errors)
    try:
        webpush.device_keys(p256dh, auth)
    except webpush.WebPushKeyError:
        errors["keys"] = _("The browser's keys for this device could not be read.")
    if errors:
        raise InvalidInput(errors)
    label = "".join(ch for ch in label if ch.isprintable()).strip()[:PUSH_LABEL_MAX_LENGTH]
    index = PushSubscription._meta.get_field("endpoint_index")
    assert isinstance(index, BlindIndexField)  # noqa: S101
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        found = PushSubscription.objects.filter(endpoint_index=index.compute(endpoint)).first()
        if found is None and user.push_subscriptions.count() >= PUSH_DEVICES_MAX:
            raise InvalidInput(
                {"endpoint": _("Notifications are on for ten devices already: remove one first.")}
            )
        subscription = found or PushSubscription(user=user, endpoint=endpoint)
        moved = found is not None and found.user_id != user.pk
        subscription.user = user
        subscription.p256dh = p256dh.strip()
        subscription.auth = auth.strip()
        subscription.label = label
        subscription.save()
    log.info(
        "inbox.push_subscription_saved",
        subscription_id=str(subscription.pk),
        user_id=str(user.pk),
        renewed=found is not None,
        moved=moved,
    )
    return subscription


def push_subscription_remove(*, user: User, subscription_id: uuid.UUID | str) -> None:
    try:
        key = uuid.UUID(str(subscription_id))
    except ValueError:
        raise NotFound(_("There is no such device.")) from None
    deleted, _rows = PushSubscription.objects.filter(pk=key, user=user).delete()
    if not deleted:
        raise NotFound(_("There is no such device."))
    log.info("inbox.push_subscription_removed", subscription_id=str(key), user_id=str(user.pk))


def push_subscription_forget(*, user: User, endpoint: str) -> bool:
    """Turns notifications off for the browser the person signs out of, found by its endpoint
    (which its page's script read before signing out); True if there was one of theirs.

    Another person's device of the same endpoint is left alone: it is not this person's to
    turn off. Nothing is said either way, so an endpoint cannot be probed.
    """
    endpoint = endpoint.strip()
    if not endpoint or len(endpoint) > PUSH_ENDPOINT_MAX_LENGTH:
        return False
    index = PushSubscription._meta.get_field("endpoint_index")
    assert isinstance(index, BlindIndexField)  # noqa: S101
    found = PushSubscription.objects.filter(user=user, endpoint_index=index.compute(endpoint))
    deleted, _rows = found.delete()
    if deleted:
        log.info("inbox.push_subscription_signed_out", user_id=str(user.pk))
    return bool(deleted)
