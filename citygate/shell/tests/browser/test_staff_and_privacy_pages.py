"""The staff side and the privacy pages in the browser, through axe in both languages and modes.

A clerk signs in with password and TOTP, finds a resident by phone number, sees the record
masked and reveals the ID number with a stated purpose; the resident then sees that access in
their access log. An auditor sees the chain's state. Every page on the way passes axe.
"""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from citygate.accounts.models import User, VerificationLevel
from citygate.accounts.services import enterprise_register, staff_create, user_register
from citygate.privacy.services import agreement_publish, consent_grant
from citygate.privacy.testing import access_records_clear
from citygate.shell.tests.browser.helpers import (
    AxeCheck,
    Screenshot,
    new_context,
    open_page,
    set_display,
    watch_errors,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Fictional: the demo phone range, and an ID number with a valid check character for 吴中区.
PHONE = "19999990077"
ID_NUMBER = "320506199001010022"
# A valid unified social credit code (GB 32100 check character) for the demo enterprise.
CREDIT_CODE = "91350100M000100Y43"
NAME = "林晓梅"
PASSWORD = "a-long-clerk-passphrase-42"
TOTP_SECRET = pyotp.random_base32()
DISPLAYS = [("zh-hans", False), ("en", True), ("zh-hans", True), ("en", False)]


@pytest.fixture
def resident() -> User:
    user = user_register(phone=PHONE, language="zh-hans", channel="app")
    consent_grant(user=user, kinds=["real_name"], channel="app")
    user.name = NAME
    user.id_number = ID_NUMBER
    user.verification_level = VerificationLevel.REAL_NAME
    user.save()
    return user


@pytest.fixture(autouse=True)
def _clear_access_records() -> Any:
    # The table refuses DELETE, which the flush after a transactional test would send.
    yield
    access_records_clear()


def _staff_sign_in(page: Page, login_name: str) -> None:
    page.goto("/account/staff/login/")
    page.fill("input[name=login_name]", login_name)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("input[name=code]")).to_be_visible()
    page.fill("input[name=code]", pyotp.TOTP(TOTP_SECRET).now())
    page.click("main button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize(("language", "elderly"), DISPLAYS)
def test_clerk_reveals_with_purpose_and_resident_sees_it_every_page_passes_axe(
    browser: Browser,
    live_server: Any,
    resident: User,
    axe_check: AxeCheck,
    screenshot: Screenshot,
    language: str,
    elderly: bool,
) -> None:
    # given
    staff_create(
        login_name="test.clerk",
        password=PASSWORD,
        role="clerk",
        department_code="public-security",
        totp_secret=TOTP_SECRET,
    )
    context = new_context(browser, live_server.url)
    set_display(context, live_server.url, language=language, elderly=elderly)
    page = context.new_page()
    errors = watch_errors(page)
    label = f"{language}-{'elderly' if elderly else 'standard'}"

    # when: the clerk signs in and looks the resident up
    open_page(page, "/account/staff/login/")
    axe_check(page)
    _staff_sign_in(page, "test.clerk")
    open_page(page, "/privacy/staff/people/")
    axe_check(page)
    page.fill("input[name=number]", PHONE)
    page.select_option("select[name=purpose]", "resident_request")
    page.fill("textarea[name=detail], input[name=detail]", "来电咨询")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()

    # then: the record is masked, and revealing the ID number needs the purpose
    html = page.content()
    assert ID_NUMBER not in html
    assert NAME not in html
    assert "199****0077" in html
    axe_check(page)
    screenshot(page, f"staff-people-{label}")

    # when
    details = page.locator("details", has=page.locator("input[name=field][value=id_number]"))
    details.locator("summary").click()
    reveal = details.locator("form")
    reveal.locator("select[name=purpose]").select_option("identity_check")
    reveal.locator("button[type=submit]").click()
    page.wait_for_load_state()

    # then
    assert ID_NUMBER in page.content()
    axe_check(page)
    screenshot(page, f"staff-revealed-{label}")

    # when: the resident opens their access log
    resident_context = new_context(browser, live_server.url)
    set_display(resident_context, live_server.url, language=language, elderly=elderly)
    client = Client()
    client.force_login(resident)
    resident_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    resident_page = resident_context.new_page()
    resident_errors = watch_errors(resident_page)
    open_page(resident_page, "/privacy/access-log/")

    # then
    rows = resident_page.locator("main ul.list > li")
    assert rows.count() >= 2, "the search and the reveal are both shown to the resident"
    axe_check(resident_page)
    screenshot(resident_page, f"resident-access-log-{label}")
    enterprise = enterprise_register(
        user=resident, credit_code=CREDIT_CODE, name="苏州示例科技有限公司"
    )
    for path in [
        "/privacy/consents/",
        "/privacy/consents/real_name/withdraw/",
        f"/account/enterprises/{enterprise.pk}/",
    ]:
        open_page(resident_page, path)
        axe_check(resident_page)

    # when: a new privacy policy is published, the next page asks the resident again
    agreement_publish(
        kind="privacy",
        title_zh="隐私政策（第二版）",
        title_en="Privacy policy (version 2)",
        body_zh="第二版正文。",
        body_en="The text of version 2.",
    )
    resident_page.goto("/account/")

    # then
    assert "/privacy/consent/" in resident_page.url
    axe_check(resident_page)
    screenshot(resident_page, f"resident-consent-again-{label}")
    assert not errors, errors
    assert not resident_errors, resident_errors
    context.close()
    resident_context.close()


def test_auditor_sees_the_chain_state_and_cannot_reveal(
    browser: Browser, live_server: Any, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    # given
    staff_create(
        login_name="test.auditor", password=PASSWORD, role="auditor", totp_secret=TOTP_SECRET
    )
    context = new_context(browser, live_server.url)
    page = context.new_page()
    errors = watch_errors(page)

    # when
    _staff_sign_in(page, "test.auditor")
    open_page(page, "/privacy/staff/audit/")

    # then
    axe_check(page)
    screenshot(page, "staff-audit-zh-hans-standard")
    assert not errors, errors
    response = page.goto("/privacy/staff/people/")
    assert response is not None
    assert response.status in {403, 404}
    context.close()
