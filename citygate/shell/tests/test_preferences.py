"""Elderly mode and language: the switches, and the account's saved preferences."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from citygate.accounts.models import SmsOutboxMessage, User
from citygate.shell.middleware import ELDERLY_COOKIE, ELDERLY_COOKIE_AGE

pytestmark = pytest.mark.django_db

CaptureOnCommit = Callable[..., AbstractContextManager[Any]]


def test_elderly_switch_sets_a_long_lived_cookie_and_returns_to_next(client: Client) -> None:
    # when
    response = client.post("/elderly/", {"elderly": "1", "next": "/services/"})

    # then
    assert response.status_code == 302
    assert response["Location"] == "/services/"
    cookie = response.cookies[ELDERLY_COOKIE]
    assert cookie.value == "1"
    assert int(cookie["max-age"]) == ELDERLY_COOKIE_AGE >= 60 * 60 * 24 * 365
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"]


def test_elderly_switch_then_pages_render_in_elderly_mode(client: Client) -> None:
    # given
    client.post("/elderly/", {"elderly": "1", "next": "/"})

    # when
    html = client.get("/").content.decode()

    # then
    assert 'class="elderly"' in html


def test_elderly_switch_without_a_value_toggles(client: Client) -> None:
    # given
    client.cookies[ELDERLY_COOKIE] = "1"

    # when
    response = client.post("/elderly/", {"next": "/"})

    # then
    assert response.cookies[ELDERLY_COOKIE].value == "0"


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "", "http:///x"],
)
def test_elderly_switch_with_unsafe_next_returns_home(client: Client, next_url: str) -> None:
    # when
    response = client.post("/elderly/", {"elderly": "1", "next": next_url})

    # then
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_elderly_switch_refuses_get(client: Client) -> None:
    # when
    response = client.get("/elderly/", {"elderly": "1"})

    # then
    assert response.status_code == 405
    assert ELDERLY_COOKIE not in response.cookies


def test_elderly_switch_without_csrf_token_is_refused() -> None:
    # given
    client = Client(enforce_csrf_checks=True)

    # when
    response = client.post("/elderly/", {"elderly": "1", "next": "/"})

    # then
    assert response.status_code == 403
    assert ELDERLY_COOKIE not in response.cookies


def test_elderly_switch_signed_in_saves_both_preferences_and_only_those(
    resident_client: Client, resident: User
) -> None:
    # when
    with CaptureQueriesContext(connection) as queries:
        resident_client.post("/elderly/", {"elderly": "1", "next": "/"})

    # then
    resident.refresh_from_db()
    assert resident.elderly_mode is True
    assert resident.preferred_language == "zh-hans"
    updates = [
        q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "accounts_user" in q["sql"]
    ]
    assert len(updates) == 1
    assert "phone" not in updates[0]
    assert "elderly_mode" in updates[0]


def test_account_preference_wins_over_this_devices_cookie(
    resident_client: Client, resident: User
) -> None:
    # given
    resident.elderly_mode = False
    resident.preferred_language = "zh-hans"
    resident.save()
    resident_client.cookies[ELDERLY_COOKIE] = "1"

    # when
    response = resident_client.get("/")

    # then
    assert 'class="elderly"' not in response.content.decode()
    assert response.cookies[ELDERLY_COOKIE].value == "0"


def test_account_saved_elderly_mode_follows_the_person_to_a_new_device(
    resident_client: Client, resident: User
) -> None:
    # given
    resident.elderly_mode = True
    resident.save()

    # when
    response = resident_client.get("/")

    # then
    assert 'class="elderly"' in response.content.decode()
    assert response.cookies[ELDERLY_COOKIE].value == "1"


def test_account_without_saved_preferences_keeps_the_devices_choice(
    client: Client, resident: User
) -> None:
    # given: elderly mode turned on before signing up; the new account has saved nothing
    client.cookies[ELDERLY_COOKIE] = "1"
    client.force_login(resident)

    # when
    response = client.get("/")

    # then
    assert 'class="elderly"' in response.content.decode()
    assert ELDERLY_COOKIE not in response.cookies


def test_language_switch_to_english_sets_cookie_and_pages_are_english(client: Client) -> None:
    # when
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/services/"})

    # then
    assert response.status_code == 302
    assert response["Location"] == "/services/"
    assert response.cookies["citygate_lang"].value == "en"
    html = client.get("/services/").content.decode()
    assert '<html lang="en"' in html
    assert "Services" in html


def test_language_switch_signed_in_saves_the_preferred_language(
    resident_client: Client, resident: User
) -> None:
    # when
    resident_client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    # then
    resident.refresh_from_db()
    assert resident.preferred_language == "en"
    assert resident.elderly_mode is False


def test_language_switch_unsupported_language_saves_nothing(
    resident_client: Client, resident: User
) -> None:
    # when
    response = resident_client.post("/i18n/setlang/", {"language": "fr", "next": "/"})

    # then
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.preferred_language == ""


def test_language_switch_with_unsafe_next_returns_home(client: Client) -> None:
    # when
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})

    # then
    assert response["Location"] == "/"


def test_account_language_applies_on_a_device_without_the_cookie(
    resident_client: Client, resident: User
) -> None:
    # given
    resident.preferred_language = "en"
    resident.save()

    # when
    response = resident_client.get("/")

    # then
    assert '<html lang="en"' in response.content.decode()
    assert response.cookies["citygate_lang"].value == "en"


def test_api_requests_get_no_display_cookies(resident_client: Client, resident: User) -> None:
    # given
    resident.elderly_mode = True
    resident.save()

    # when
    response = resident_client.get("/api/v1/no-such-thing")

    # then
    assert ELDERLY_COOKIE not in response.cookies


def test_switches_return_to_the_page_keeping_only_its_next_parameter(client: Client) -> None:
    # when
    html = client.get("/search/", {"q": "13912345678", "next": "/services/"}).content.decode()

    # then
    assert 'name="next" value="/search/?next=%2Fservices%2F"' in html
    assert "13912345678" not in html


def test_elderly_switch_works_while_consent_is_pending(client: Client) -> None:
    # given: a person signed in who has not agreed to the current terms yet
    client.force_login(User.objects.create_user(phone="13800138001"))

    # when
    response = client.post("/elderly/", {"elderly": "1", "next": "/"})

    # then
    assert response.status_code == 302
    assert response.cookies[ELDERLY_COOKIE].value == "1"


def _sign_up_through_the_pages(client: Client, phone: str, capture: CaptureOnCommit) -> None:
    with capture(execute=True):
        client.post("/account/login/", {"action": "send", "phone": phone})
    message = SmsOutboxMessage.objects.order_by("-created_at").first()
    assert message is not None
    code = re.search(r"(?<!\d)\d{6}(?!\d)", message.text)
    assert code is not None
    form = {"action": "login", "phone": phone, "code": code.group(0), "agree": "on"}
    with capture(execute=True):
        response = client.post("/account/login/", form)
    assert response.status_code == 302, "signed up"


def test_signing_up_on_a_device_in_elderly_mode_keeps_elderly_mode(
    client: Client, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    # given: elderly mode switched on before the account exists
    client.post("/elderly/", {"elderly": "1", "next": "/"})

    # when
    _sign_up_through_the_pages(client, "13800138002", django_capture_on_commit_callbacks)

    # then
    user = User.objects.get()
    assert user.elderly_mode is True
    assert user.preferred_language == "zh-hans"
    assert 'class="elderly"' in client.get("/").content.decode()


def test_signing_up_on_a_device_in_standard_mode_leaves_elderly_mode_off(
    client: Client, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    # when
    _sign_up_through_the_pages(client, "13800138003", django_capture_on_commit_callbacks)

    # then
    assert User.objects.get().elderly_mode is False
    assert 'class="elderly"' not in client.get("/").content.decode()
