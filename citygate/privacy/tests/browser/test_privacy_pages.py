"""Every privacy page through axe-core, signed in as the person each page is for."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext, Page

from citygate.accounts.auth import STAFF_SESSION_KEY
from citygate.accounts.models import StaffRole, User, VerificationLevel
from citygate.accounts.roles import Role
from citygate.directory.models import Department
from citygate.privacy.services import consent_grant, personal_data_reveal
from citygate.privacy.testing import access_records_clear
from citygate.shell.tests.browser.helpers import AxeCheck, Screenshot, open_page, set_display

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Fictional numbers; the ID number carries a valid check character for 姑苏区 (320508).
PHONE = "19999990401"
ID_NUMBER = "320508198005170025"


@pytest.fixture
def people() -> Iterator[dict[str, User]]:
    department = Department.objects.order_by("order", "code").first()
    resident = User.objects.create_user(
        phone=PHONE,
        name="林晓梅",
        id_number=ID_NUMBER,
        verification_level=VerificationLevel.REAL_NAME,
    )
    consent_grant(user=resident, kinds=["terms", "privacy", "real_name"], channel="app")
    newcomer = User.objects.create_user(phone="19999990402")
    clerk = User.objects.create_user(login_name="clerk.browser", name="王建国")
    StaffRole.objects.create(user=clerk, role=Role.CLERK, department=department)
    auditor = User.objects.create_user(login_name="auditor.browser", name="李审计")
    StaffRole.objects.create(user=auditor, role=Role.AUDITOR, department=department)
    personal_data_reveal(
        actor=clerk,
        subject=resident,
        field="phone",
        purpose="handle_application",
        detail="办件号 2026-0001",
        channel="web",
    )
    yield {"resident": resident, "newcomer": newcomer, "clerk": clerk, "auditor": auditor}
    access_records_clear()


def sign_in(context: BrowserContext, base_url: str, user: User, *, staff: bool = False) -> None:
    client = Client()
    client.force_login(user)
    if staff:
        session = client.session
        session[STAFF_SESSION_KEY] = int(time.time())
        session.save()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}])


@pytest.mark.parametrize(("language", "elderly"), [("zh-hans", False), ("en", True)])
def test_privacy_pages_pass_axe(
    context: BrowserContext,
    page: Page,
    live_server: Any,
    axe_check: AxeCheck,
    screenshot: Screenshot,
    people: dict[str, User],
    language: str,
    elderly: bool,
) -> None:
    set_display(context, live_server.url, language=language, elderly=elderly)
    suffix = f"{language}-{'elderly' if elderly else 'standard'}"

    # given: a newcomer who has not agreed yet is sent to the consent page
    sign_in(context, live_server.url, people["newcomer"])
    open_page(page, "/privacy/access-log/")
    assert "/privacy/consent/" in page.url
    axe_check(page)
    screenshot(page, f"privacy-consent-{suffix}")
    page.click("button[type=submit]")  # nothing ticked: the errors are shown
    axe_check(page)
    context.clear_cookies()

    # when: the resident goes through their own pages
    set_display(context, live_server.url, language=language, elderly=elderly)
    sign_in(context, live_server.url, people["resident"])
    for name, path in {
        "consents": "/privacy/consents/",
        "withdraw": "/privacy/consents/real_name/withdraw/",
        "access-log": "/privacy/access-log/",
        "agreement": "/privacy/agreements/real_name/",
    }.items():
        open_page(page, path)
        axe_check(page)
        screenshot(page, f"privacy-{name}-{suffix}")
    context.clear_cookies()

    # and: a clerk searches and reveals
    set_display(context, live_server.url, language=language, elderly=elderly)
    sign_in(context, live_server.url, people["clerk"], staff=True)
    open_page(page, "/privacy/staff/people/")
    axe_check(page)
    page.fill("input[name=number]", PHONE)
    page.select_option("#id_purpose", "service_hall_assist")
    page.click("form[action='/privacy/staff/people/'] button[type=submit]")
    page.wait_for_selector("#results-title")
    axe_check(page)
    screenshot(page, f"privacy-staff-people-{suffix}")
    page.click("details summary >> nth=0")
    page.select_option("#id_phone_purpose", "identity_check")
    page.click("form[action$='/reveal/'] button[type=submit] >> nth=0")
    page.wait_for_selector("dl.summary")
    assert PHONE in page.content()
    axe_check(page)
    screenshot(page, f"privacy-staff-reveal-{suffix}")
    context.clear_cookies()

    # then: the auditor sees the records and an intact chain
    set_display(context, live_server.url, language=language, elderly=elderly)
    sign_in(context, live_server.url, people["auditor"], staff=True)
    open_page(page, "/privacy/staff/audit/")
    assert page.locator(".alert--success").count() == 1
    axe_check(page)
    screenshot(page, f"privacy-staff-audit-{suffix}")
