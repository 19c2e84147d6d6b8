"""The logging safety net: `redact_personal_data` and `scrub_text`, and the formatter that
every log line (ours, Django's, libraries') passes through."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from citygate.core.logging import REDACTED, get_logger, redact_personal_data, scrub_text

PHONE = "13912345678"
ID_NUMBER = "320508198005170025"


def redact(**event: Any) -> dict[str, Any]:
    return dict(redact_personal_data(None, "info", dict(event)))


# --- scrub_text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"call {PHONE} now",
        f"tel:{PHONE}",
        "+8613912345678",
        "+86 139 1234 5678",
        "139-1234-5678",
        "139 1234 5678",
        f"电话{PHONE}。",
        f"ID {ID_NUMBER}",
        f"身份证号{ID_NUMBER}，",
        "id=11010519491231002X",
        "11010519491231002x",
        f"ID{ID_NUMBER}",
        f"number={ID_NUMBER}&x=1",
    ],
)
def test_scrub_text_masks_phone_and_id_numbers_wherever_they_stand(text: str) -> None:
    # when
    scrubbed = scrub_text(text)

    # then
    digits = "".join(ch for ch in scrubbed if ch.isdigit())
    assert REDACTED in scrubbed
    assert "1234" not in digits
    assert "19800517" not in digits
    assert "19491231" not in digits


@pytest.mark.parametrize(
    "text",
    [
        "request 5f0c2a9e took 12 ms",
        "2026-12-03T11:05:35.658666Z",
        "order 1234567890",  # ten digits: not a mobile number
        "12345678901",  # starts with 12: no mainland mobile range
        "1391234567890",  # thirteen digits: part of something longer
        "sequence 00000000000000000000042",
        "e235231d-4a90-4407-afb7-b61b1aecc43a",
    ],
)
def test_scrub_text_leaves_other_numbers_alone(text: str) -> None:
    assert scrub_text(text) == text


# --- redact_personal_data ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "phone",
        "Phone",
        "phone_number",
        "user_phone",
        "mobile",
        "id_number",
        "id_card",
        "name",
        "real_name",
        "first_name",
        "username",
        "address",
        "home_address",
        "code",
        "sms_code",
        "password",
        "api_token",
        "detail",
    ],
)
def test_redact_drops_values_under_personal_keys(key: str) -> None:
    assert redact(event="e", **{key: "张三 somewhere"})[key] == REDACTED


@pytest.mark.parametrize(
    "key",
    ["user_id", "token_id", "purpose", "field", "kind", "status", "event_type", "count", "hotel"],
)
def test_redact_keeps_identifiers_and_codes(key: str) -> None:
    assert redact(event="e", **{key: "abc-123"})[key] == "abc-123"


def test_redact_scrubs_nested_values_and_personal_keys_inside_them() -> None:
    # when
    event = redact(
        event="e",
        payload={"phone": "x", "items": [{"note": f"call {PHONE}"}], "ok": 1},
        pairs=("id", ID_NUMBER),
        numbers={PHONE},
    )

    # then
    assert event["payload"]["phone"] == REDACTED
    assert PHONE not in repr(event)
    assert ID_NUMBER not in repr(event)
    assert event["payload"]["ok"] == 1


def test_redact_masks_a_phone_number_given_as_an_integer() -> None:
    assert redact(event="e", target=int(PHONE))["target"] == REDACTED


def test_redact_masks_phone_numbers_in_exception_values() -> None:
    event = redact(event="e", error=ValueError(f"bad number {PHONE}"))

    assert PHONE not in str(event["error"])


def test_redact_masks_the_event_text_itself() -> None:
    assert PHONE not in redact(event=f"sent to {PHONE}")["event"]


# --- The formatter on every handler -----------------------------------------------------------


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Output through the same formatter the configured root handler uses."""
    root = logging.getLogger()
    ours = [h for h in root.handlers if type(h.formatter).__name__ == "_ScrubbingFormatter"]
    assert ours, "configure_logging installed no scrubbing handler"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ours[0].formatter)
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def test_structlog_exception_text_in_a_log_line_is_scrubbed(captured: io.StringIO) -> None:
    # given
    log = get_logger("citygate.tests")

    # when
    try:
        raise ValueError(f"no account for {PHONE} / {ID_NUMBER}")
    except ValueError:
        log.exception("tests.failed", user_id="u-1")

    # then
    output = captured.getvalue()
    assert "tests.failed" in output
    assert "ValueError" in output
    assert PHONE not in output
    assert ID_NUMBER not in output


def test_standard_library_logger_with_arguments_and_traceback_is_scrubbed(
    captured: io.StringIO,
) -> None:
    # given: a library logging the way Django's own loggers do
    library = logging.getLogger("django.security.tests")

    # when
    try:
        raise KeyError(f"{PHONE}")
    except KeyError:
        library.error("Lookup failed for %s", "139 1234 5678", exc_info=True)

    # then
    output = captured.getvalue()
    assert "Lookup failed" in output
    assert "1234" not in output.replace(REDACTED, "")


def test_django_sql_debug_logging_is_off_even_at_debug_level() -> None:
    # Django's SQL log carries query parameters; at DEBUG it would write them all.
    assert logging.getLogger("django.db.backends").getEffectiveLevel() > logging.DEBUG
