"""Structured logging that never carries personal data.

Log calls name a constant event and pass identifiers as keyword fields:
``log.info("auth.login_succeeded", user_id=user.pk)``. The `redact_personal_data` processor is
the safety net behind that habit: it drops values under personal keys and masks anything in a
string that looks like a mobile number or a resident ID number.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from itertools import pairwise
from typing import Any

import structlog

# Keys whose values are personal data or secrets, wherever they appear in an event.
PERSONAL_KEYS = frozenset(
    {
        "phone",
        "mobile",
        "id_number",
        "id_no",
        "name",
        "real_name",
        "full_name",
        "address",
        "code",
        "otp",
        "password",
        "token",
        "secret",
        "totp",
        "email",
        "ip",
        "remote_addr",
        # Free text a person typed (an access record's note, a search box) may hold anything.
        "detail",
        "query",
        "username",
    }
)
# Parts of a key (split at "_", "-" or ".") that make it personal wherever they appear:
# "user_phone", "phone_number", "home_address", "api_token", "sms_code".
_PERSONAL_KEY_PARTS = frozenset(
    {
        "phone",
        "mobile",
        "tel",
        "telephone",
        "address",
        "password",
        "passwd",
        "token",
        "secret",
        "otp",
        "totp",
        "email",
        "idcard",
    }
)
_PERSONAL_KEY_PAIRS = frozenset({("id", "number"), ("id", "no"), ("id", "card"), ("sms", "code")})
_NAME_KEY_RE = re.compile(r"^(?:first|last|given|family|full|real|legal|display|user)_?name$")
REDACTED = "[redacted]"

# A mainland mobile number (1[3-9] and 9 more digits, perhaps after +86 or 0086, perhaps
# grouped by spaces or hyphens) or a resident ID number (17 digits and a check character),
# not inside a longer run of digits.
_PHONE_RE = re.compile(r"(?<!\d)(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)")
_ID_RE = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")


def scrub_text(text: str) -> str:
    """Mask phone and ID numbers found anywhere in free text."""
    text = _ID_RE.sub(REDACTED, text)
    return _PHONE_RE.sub(REDACTED, text)


def is_personal_key(key: object) -> bool:
    """Whether values under this key are personal data or secrets, whatever they look like."""
    name = str(key).lower()
    if name in PERSONAL_KEYS or _NAME_KEY_RE.match(name):
        return True
    if name.endswith(("_id", "_ids")):
        # Identifiers are what log lines are meant to carry ("token_id", "user_id").
        return False
    parts = [part for part in re.split(r"[_\-.\s]+", name) if part]
    if any(part in _PERSONAL_KEY_PARTS for part in parts):
        return True
    return any(pair in _PERSONAL_KEY_PAIRS for pair in pairwise(parts))


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        # A mobile number passed as a number is still a mobile number.
        return REDACTED if scrub_text(str(value)) != str(value) else value
    if isinstance(value, dict):
        return {k: (REDACTED if is_personal_key(k) else _scrub(v)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_scrub(v) for v in value]
    if isinstance(value, BaseException):
        # Exception texts are written by code we do not control and may quote input.
        return scrub_text(f"{type(value).__name__}: {value}")
    return value


def redact_personal_data(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        if key == "exc_info":
            continue
        if is_personal_key(key):
            event_dict[key] = REDACTED
        else:
            event_dict[key] = _scrub(event_dict[key])
    return event_dict


class _ScrubbingFormatter(logging.Formatter):
    """Applies the same scrubbing to records from the standard library (Django, libraries)."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self._inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return scrub_text(self._inner.format(record))


def configure_logging(*, level: str = "INFO", fmt: str = "json") -> None:
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_personal_data,
    ]
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=False)
        if fmt == "console"
        else structlog.processors.JSONRenderer(ensure_ascii=False)
    )
    structlog.configure(
        processors=[
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = _ScrubbingFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
            foreign_pre_chain=shared,
        )
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    # Django's request logger writes full URLs and reprs of requests; ours logs ids instead.
    logging.getLogger("django.request").setLevel("ERROR")
    logging.getLogger("django.server").setLevel("WARNING")
    # At DEBUG, Django logs every SQL statement with its parameters.
    logging.getLogger("django.db.backends").setLevel("INFO")


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger
