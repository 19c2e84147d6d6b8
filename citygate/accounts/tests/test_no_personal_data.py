"""Personal data never reaches a log line or a URL.

The logging configuration masks anything that looks like a phone or ID number, but that is a
safety net: these tests also read what our code hands to the loggers before any masking, and
look for the name and the SMS code, which no net would catch.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, unquote

import pytest
import structlog
from _pytest.logging import LogCaptureHandler
from django.test import Client
from django.utils import timezone

from citygate.accounts.tests.helpers import (
    ID_NUMBER,
    NAME,
    OTHER_PHONE,
    PHONE,
    Api,
    CaptureOnCommit,
    latest_code,
)

pytestmark = pytest.mark.django_db

CREDIT_CODE = "91320594MA1QDEM01A"


PERSONAL_VALUES = [PHONE, OTHER_PHONE, ID_NUMBER, ID_NUMBER.lower(), NAME]

# Random identifiers and timestamps are full of digit runs; a six-digit code can turn up in one
# by chance, so they are blanked out before looking for codes (and only for codes).
_NOISE = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|\b[A-Za-z0-9_-]{24,}\b"
)


def assert_no_personal_data(text: str, codes: list[str]) -> None:
    for value in PERSONAL_VALUES:
        assert value not in text
        assert quote(value) not in text
    quiet = _NOISE.sub("<id>", text)
    for code in codes:
        assert code not in quiet


@pytest.fixture
def formatted_logs(caplog: pytest.LogCaptureFixture) -> Iterator[io.StringIO]:
    """Everything logged, formatted by the root handler's configured (structlog) formatter."""
    caplog.set_level(logging.DEBUG)
    root = logging.getLogger()
    configured = [h for h in root.handlers if not isinstance(h, LogCaptureHandler)]
    assert configured, "configure_logging installs a root handler"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configured[0].formatter)
    handler.setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def everything_logged(caplog: pytest.LogCaptureFixture, stream: io.StringIO) -> str:
    parts = [stream.getvalue(), caplog.text]
    for record in caplog.records:
        parts.append(str(record.msg))
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        parts.append(record.exc_text or "")
    return "\n".join(parts)


def register_and_verify_over_the_api(api: Api, other_api: Api) -> list[str]:
    """Sign up, make mistakes, verify the real name, register an enterprise, add an agent."""
    codes = []
    assert api.request_code().status_code == 202
    codes.append(latest_code())
    wrong = f"{(int(codes[0]) + 1) % 1_000_000:06d}"
    assert api.login(code=wrong, agree=True).status_code == 400
    assert api.login(agree=False).status_code == 400
    assert api.login(agree=True).status_code == 200

    bad = ID_NUMBER[:17] + ("1" if ID_NUMBER[17] != "1" else "2")
    assert api.post("/api/v1/me/real-name", {"name": NAME, "id_number": bad, "consent": True})
    assert api.post(
        "/api/v1/me/real-name", {"name": NAME, "id_number": ID_NUMBER, "consent": False}
    )
    api.verify_real_name()
    api.post("/api/v1/me/real-name", {"name": NAME, "id_number": ID_NUMBER, "consent": True})

    other_api.sign_up(OTHER_PHONE)
    codes.append(latest_code())
    enterprise = api.post("/api/v1/enterprises", {"credit_code": CREDIT_CODE, "name": "测试公司"})
    until = (timezone.localdate().replace(year=timezone.localdate().year + 1)).isoformat()
    api.post(
        f"/api/v1/enterprises/{enterprise.json()['id']}/agents",
        {"phone": OTHER_PHONE, "valid_until": until},
    )
    api.post(
        f"/api/v1/enterprises/{enterprise.json()['id']}/agents",
        {"phone": "19999990177", "valid_until": until},
    )
    api.post("/api/v1/auth/logout", {})
    return codes


def test_logs_of_sign_up_and_real_name_verification_hold_no_personal_data(
    api: Api,
    other_api: Api,
    caplog: pytest.LogCaptureFixture,
    formatted_logs: io.StringIO,
) -> None:
    # when
    codes = register_and_verify_over_the_api(api, other_api)

    # then
    logged = everything_logged(caplog, formatted_logs)
    assert "auth.signed_up" in logged, "the logs were captured"
    assert "account.real_name_verified" in logged
    assert_no_personal_data(logged, codes)


def test_events_our_code_logs_hold_no_personal_data_before_any_masking(
    api: Api, other_api: Api
) -> None:
    # when: structlog hands over each event as our code made it, before redaction
    with structlog.testing.capture_logs() as events:
        codes = register_and_verify_over_the_api(api, other_api)

    # then
    assert any(event["event"] == "auth.code_sent" for event in events)
    assert_no_personal_data(repr(events), codes)


# --- URLs ---------------------------------------------------------------------------------------

URL_ATTRIBUTE = re.compile(r'\b(?:href|action|src|formaction|content)="([^"]*)"')


class Crawler:
    """Follows the pages as a person would and keeps every URL they link or redirect to."""

    def __init__(self, client: Client, capture: CaptureOnCommit) -> None:
        self.client = client
        self.capture = capture
        self.urls: list[str] = []

    def _keep(self, response: Any) -> Any:
        if response.has_header("Location"):
            self.urls.append(response["Location"])
        if "text/html" in response.get("Content-Type", ""):
            self.urls.extend(URL_ATTRIBUTE.findall(response.content.decode()))
        return response

    def get(self, path: str) -> Any:
        self.urls.append(path)
        return self._keep(self.client.get(path))

    def post(self, path: str, data: dict[str, Any]) -> Any:
        self.urls.append(path)
        with self.capture(execute=True):
            return self._keep(self.client.post(path, data))


def test_urls_the_pages_link_or_redirect_to_hold_no_personal_data(
    client: Client, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    # given
    agent = Crawler(Client(), django_capture_on_commit_callbacks)
    agent.post("/account/login/", {"action": "send", "phone": OTHER_PHONE})
    agent_code = latest_code()
    agent.post(
        "/account/login/",
        {"action": "login", "phone": OTHER_PHONE, "code": agent_code, "agree": "on"},
    )
    person = Crawler(client, django_capture_on_commit_callbacks)

    # when
    person.get("/account/real-name/")
    person.get("/account/login/?next=/account/enterprises/")
    person.post("/account/login/", {"action": "send", "phone": PHONE, "next": "/account/"})
    code = latest_code()
    person.post("/account/login/", {"action": "login", "phone": PHONE, "code": code})
    person.post("/account/login/", {"action": "login", "phone": PHONE, "code": code, "agree": "on"})
    person.get("/account/")
    bad = ID_NUMBER[:17] + ("1" if ID_NUMBER[17] != "1" else "2")
    person.post("/account/real-name/", {"name": NAME, "id_number": bad, "consent": "on"})
    person.post("/account/real-name/", {"name": NAME, "id_number": ID_NUMBER, "consent": "on"})
    person.get("/account/real-name/")
    registered = person.post(
        "/account/enterprises/", {"credit_code": CREDIT_CODE, "name": "测试公司"}
    )
    detail = registered["Location"]
    until = timezone.localdate().replace(year=timezone.localdate().year + 1).isoformat()
    person.post(detail, {"phone": "19999990177", "valid_until": until})
    person.post(detail, {"phone": OTHER_PHONE, "valid_until": until})
    page = person.get(detail).content.decode()
    revoke = re.search(r'action="([^"]*/revoke/)"', page)
    assert revoke is not None
    person.post(revoke.group(1), {})
    person.get("/account/enterprises/")
    person.get("/account/")
    person.post("/account/logout/", {})
    person.get("/account/staff/login/")

    # then
    urls = person.urls + agent.urls
    assert len(urls) > 50, "the crawl saw the pages"
    assert_no_personal_data("\n".join(urls + [unquote(url) for url in urls]), [code, agent_code])
    # nor the numbers spread out with separators ("199-9999-0101")
    digits_only = [re.sub(r"\D", "", _NOISE.sub("", url)) for url in urls]
    for number in (PHONE, OTHER_PHONE, ID_NUMBER[:17]):
        assert not any(number in digits for digits in digits_only)
