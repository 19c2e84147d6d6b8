"""The accounts app's errors, each with a stable code and a message that names the field."""

from __future__ import annotations

import math

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from citygate.core.errors import ApplicationError, InvalidInput, RateLimited


def invalid_field(field: str, reason: str | Promise) -> ApplicationError:
    """Bad input in one field: code ``invalid_<field>`` (``invalid_phone``, ...)."""
    error = InvalidInput({field: reason})
    error.code = f"invalid_{field}"
    return error


def invalid_fields(fields: dict[str, str | Promise]) -> ApplicationError:
    """Bad input in one field (``invalid_<field>``) or in several (``invalid``)."""
    if len(fields) == 1:
        ((field, reason),) = fields.items()
        return invalid_field(field, reason)
    return InvalidInput(fields)


def minutes_left(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def wait_message(seconds: int) -> str:
    if seconds <= 90:
        return ngettext(
            "Please wait %(count)d second before asking again.",
            "Please wait %(count)d seconds before asking again.",
            seconds,
        ) % {"count": seconds}
    minutes = minutes_left(seconds)
    return ngettext(
        "Please try again in %(count)d minute.",
        "Please try again in %(count)d minutes.",
        minutes,
    ) % {"count": minutes}


def too_many_codes(*, retry_after: int, reason: str) -> RateLimited:
    # Joined by a translated pattern: Chinese puts no space between sentences.
    # Translators: why no code was sent, then how long to wait.
    message = _("%(reason)s %(wait)s") % {"reason": reason, "wait": wait_message(retry_after)}
    error = RateLimited(message, retry_after=retry_after)
    error.fields = {"phone": message}
    return error


class Locked(RateLimited):
    """Too many wrong answers in a row: the number or staff login is locked for a while.

    423 Locked with a Retry-After header, so clients know the time left.
    """

    status = 423

    def __init__(self, *, field: str, retry_after: int) -> None:
        minutes = minutes_left(retry_after)
        message = ngettext(
            "Too many wrong attempts. Try again in %(count)d minute.",
            "Too many wrong attempts. Try again in %(count)d minutes.",
            minutes,
        ) % {"count": minutes}
        super().__init__(message, retry_after=retry_after)
        self.code = {"phone": "phone_locked", "id_number": "real_name_locked"}.get(
            field, "login_locked"
        )
        self.fields = {field: message}


def code_invalid(attempts_left: int) -> ApplicationError:
    message = ngettext(
        "The code is not correct. You can try %(count)d more time.",
        "The code is not correct. You can try %(count)d more times.",
        attempts_left,
    ) % {"count": attempts_left}
    return ApplicationError("code_invalid", message, fields={"code": message})


def code_expired() -> ApplicationError:
    message = _("This code is no longer valid. Please ask for a new code.")
    return ApplicationError("code_expired", message, fields={"code": message})
