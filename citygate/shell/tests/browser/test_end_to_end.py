"""A resident's first visit, end to end in the browser, with axe on every page on the way.

Sign up with a phone number and the SMS code, agree to the terms, verify the real name,
then switch language and elderly mode with one tap each; the account keeps the choices.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, expect

from citygate.accounts.models import SmsOutboxMessage, User, VerificationLevel, normalise_phone
from citygate.privacy import crypto
from citygate.privacy.services import consent_grant
from citygate.shell.tests.browser.helpers import (
    AxeCheck,
    Screenshot,
    assert_elderly_mode_measures_up,
    new_context,
    open_page,
    set_display,
    watch_errors,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Fictional: a number from the demo range, and an ID number with a valid check character for
# 姑苏区 (320508) that belongs to nobody.
PHONE = "13800138123"
ID_NUMBER = "320508198001010024"
NAME = "陈静"
ACCOUNT_PAGES = [
    "/account/",
    "/account/real-name/",
    "/account/enterprises/",
    "/privacy/consents/",
    "/privacy/access-log/",
]


def _latest_code() -> str:
    message = SmsOutboxMessage.objects.order_by("-created_at").first()
    assert message is not None, "no text message was sent"
    found = re.search(r"(?<!\d)\d{6}(?!\d)", message.text)
    assert found is not None
    return found.group(0)


def _sign_up(page: Page, phone: str, axe_check: AxeCheck | None = None) -> None:
    page.goto("/account/login/")
    if axe_check:
        axe_check(page)
    page.fill("input[name=phone]", phone)
    page.click("button[value=send]")
    expect(page.locator("input[name=code]")).to_be_visible()
    if axe_check:
        axe_check(page)
    page.fill("input[name=code]", _latest_code())
    page.click("button[value=login]")
    # A new number is asked to agree to the terms and privacy policy before the account exists.
    expect(page.locator("input[name=agree]")).to_be_visible()
    if axe_check:
        axe_check(page)
    page.check("input[name=agree]")
    page.click("button[value=login]")
    page.wait_for_url("**/account/")


def test_resident_signs_up_verifies_real_name_and_switches_language_and_mode(
    context: BrowserContext, page: Page, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    # given: every address the browser asks for, to check that none carries personal data
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    # when: sign up with the phone number and the code from the text message
    page.goto("/")
    page.get_by_role("link", name="我的").click()
    _sign_up(page, PHONE, axe_check)

    # then
    expect(page.locator("h1")).to_have_text("我的账户")
    axe_check(page)
    user = User.objects.get(phone_index=crypto.blind_index("phone", normalise_phone(PHONE)))
    assert user.verification_level == VerificationLevel.PHONE

    # when: verify the real name, with the separate consent
    page.goto("/account/real-name/")
    axe_check(page)
    page.fill("input[name=name]", NAME)
    page.fill("input[name=id_number]", ID_NUMBER)
    page.check("input[name=consent]")
    page.locator("form[action='/account/real-name/'] button[type=submit]").click()

    # then
    page.wait_for_url("**/account/")
    axe_check(page)
    user.refresh_from_db()
    assert user.verification_level == VerificationLevel.REAL_NAME
    assert NAME not in page.content()
    assert ID_NUMBER not in page.content()

    # when: the account's other pages
    for path in ACCOUNT_PAGES[2:]:
        open_page(page, path)
        axe_check(page)

    # when: one tap to English, one tap to elderly mode, one tap back to Chinese
    open_page(page, "/account/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("My account")
    axe_check(page)
    page.get_by_role("button", name="Senior mode").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\belderly\b"))
    axe_check(page)
    screenshot(page, "sign-up-done-en-elderly-phone")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    axe_check(page)
    screenshot(page, "sign-up-done-zh-hans-elderly-phone")

    # then: the account remembers both choices, and no address carried personal data
    user.refresh_from_db()
    assert user.preferred_language == "zh-hans"
    assert user.elderly_mode is True
    for url in requested:
        for personal in (PHONE, ID_NUMBER, NAME):
            assert personal not in url, url


def _signed_in_context(browser: Browser, base_url: str, user: User) -> BrowserContext:
    client = Client()
    client.force_login(user)
    context = new_context(browser, base_url)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}])
    return context


# The sign-up test above has been through every page in Chinese and the standard mode.
@pytest.mark.parametrize(
    ("language", "mode"), [("zh-hans", "elderly"), ("en", "standard"), ("en", "elderly")]
)
def test_account_pages_pass_axe_in_each_language_and_mode(
    browser: Browser,
    live_server: Any,
    axe_check: AxeCheck,
    screenshot: Screenshot,
    language: str,
    mode: str,
) -> None:
    # given: a visitor signing up, and a resident already signed in
    elderly = mode == "elderly"
    visitor = new_context(browser, live_server.url)
    set_display(visitor, live_server.url, language=language, elderly=elderly)
    resident = User.objects.create_user(phone="13800138124")
    consent_grant(user=resident, kinds=["terms", "privacy"], channel="app")
    signed_in = _signed_in_context(browser, live_server.url, resident)
    set_display(signed_in, live_server.url, language=language, elderly=elderly)

    try:
        # when / then: the sign-up pages
        page = visitor.new_page()
        errors = watch_errors(page)
        _sign_up(page, "13800138125", axe_check)
        page.goto("/account/staff/login/")
        axe_check(page)

        # when / then: the signed-in pages
        page = signed_in.new_page()
        errors += watch_errors(page)
        for path in ACCOUNT_PAGES:
            open_page(page, path)
            axe_check(page)
            if elderly:
                assert_elderly_mode_measures_up(page)
            name = path.strip("/").replace("/", "-")
            screenshot(page, f"{name}-{language}-{mode}-phone")
        assert not errors, errors
    finally:
        visitor.close()
        signed_in.close()
