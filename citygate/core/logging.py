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
    }
)
REDACTED = "[redacted]"

# A mainland mobile number or an 18-character resident ID number, standing alone in the text.
_PHONE_RE = re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)")
_ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def scrub_text(text: str) -> str:
    """Mask phone and ID numbers found anywhere in free text."""
    text = _ID_RE.sub(REDACTED, text)
    return _PHONE_RE.sub(REDACTED, text)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {
            k: (REDACTED if str(k).lower() in PERSONAL_KEYS else _scrub(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def redact_personal_data(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        if key.lower() in PERSONAL_KEYS:
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


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger
