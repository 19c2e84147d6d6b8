"""The catalogue in the browser: a guide, a life event, searching as you type, and the back
office's list, editor and history, through axe in both languages and both modes.
"""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from citygate.accounts.services import staff_create
from citygate.catalog import demo
from citygate.catalog.services import item_publish_demo
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

DISPLAYS = [("zh-hans", False), ("en", True), ("zh-hans", True), ("en", False)]
# A few demo items of different kinds: bookable, online, a life event's, a complaint.
CODES = ("SZ-GA-0003",)
NAMES = ("居民身份证补领", "水费缴纳", "出生登记", "12345热线投诉建议", "住房公积金提取（租房）")
PASSWORD = "a-long-admin-passphrase-42"
TOTP_SECRET = pyotp.random_base32()


@pytest.fixture
def items() -> dict[str, str]:
    """name -> code of the demo items the tests open."""
    codes = {}
    for record in demo.records():
        if record.content.name in NAMES or record.code in CODES:
            item_publish_demo(record=record)
            codes[record.content.name] = record.code
    return codes


@pytest.mark.parametrize(("language", "elderly"), DISPLAYS)
def test_guide_life_event_and_search_pages_pass_axe(
    context: BrowserContext,
    page: Page,
    live_server: Any,
    items: dict[str, str],
    axe_check: AxeCheck,
    screenshot: Screenshot,
    language: str,
    elderly: bool,
) -> None:
    # given
    set_display(context, live_server.url, language=language, elderly=elderly)
    errors = watch_errors(page)
    label = f"{language}-{'elderly' if elderly else 'standard'}"

    for name in ("居民身份证补领", "12345热线投诉建议"):
        # when
        open_page(page, f"/services/item/{items[name]}/")

        # then
        axe_check(page)
        if elderly:
            assert_elderly_mode_measures_up(page)
        screenshot(page, f"guide-{items[name]}-{label}")

    open_page(page, "/services/events/newborn/")
    expect(page.locator("main a[href^='/services/item/']").first).to_be_visible()
    axe_check(page)
    open_page(page, "/services/id-residence/")
    axe_check(page)
    assert not errors


@pytest.mark.parametrize(("language", "elderly"), [("zh-hans", False), ("en", True)])
def test_search_answers_while_typing_and_the_form_works_without_script(
    browser: Browser,
    live_server: Any,
    items: dict[str, str],
    axe_check: AxeCheck,
    screenshot: Screenshot,
    language: str,
    elderly: bool,
) -> None:
    # given
    context = new_context(browser, live_server.url)
    set_display(context, live_server.url, language=language, elderly=elderly)
    page = context.new_page()
    errors = watch_errors(page)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    open_page(page, "/search/")

    # when a resident types in their own words, without pressing search
    page.locator("#id_q").press_sequentially("身份证丢了", delay=40)

    # then the right service shows up, and nothing typed went into an address
    first = page.locator("[data-search-results] .results a").first
    expect(first).to_contain_text("身份证" if language == "zh-hans" else "ID card")
    assert not any("%E8%BA%AB" in url or "身份证" in url for url in requests)
    axe_check(page)
    if elderly:
        assert_elderly_mode_measures_up(page)
    screenshot(page, f"search-typing-{language}")

    # and without JavaScript the form posts and shows the same first result
    plain = new_context(browser, live_server.url, java_script_enabled=False)
    set_display(plain, live_server.url, language=language, elderly=elderly)
    plain_page = plain.new_page()
    open_page(plain_page, "/search/")
    plain_page.fill("#id_q", "身份证丢了")
    plain_page.click("main form button[type=submit]")
    plain_first = plain_page.locator("[data-search-results] .results a").first
    assert plain_first.inner_text() == first.inner_text()
    assert not errors


def _staff_sign_in(page: Page, login_name: str) -> None:
    page.goto("/account/staff/login/")
    page.fill("input[name=login_name]", login_name)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("input[name=code]")).to_be_visible()
    page.fill("input[name=code]", pyotp.TOTP(TOTP_SECRET).now())
    page.click("main button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize(("language", "elderly"), [("zh-hans", False), ("en", True)])
def test_back_office_list_editor_and_history_pass_axe(
    browser: Browser,
    live_server: Any,
    items: dict[str, str],
    axe_check: AxeCheck,
    screenshot: Screenshot,
    language: str,
    elderly: bool,
) -> None:
    # given an administrator of the department that owns the guide
    staff_create(
        login_name="ps.admin",
        password=PASSWORD,
        role="department_admin",
        department_code="public-security",
        totp_secret=TOTP_SECRET,
    )
    context = new_context(browser, live_server.url)
    set_display(context, live_server.url, language=language, elderly=elderly)
    page = context.new_page()
    errors = watch_errors(page)
    _staff_sign_in(page, "ps.admin")
    code = items["居民身份证补领"]

    # when
    for path in (
        "/staff/catalog/",
        f"/staff/catalog/{code}/",
        f"/staff/catalog/{code}/edit/",
        "/staff/catalog/import/",
    ):
        open_page(page, path)

        # then
        axe_check(page)
        screenshot(page, f"staff-catalog-{path.strip('/').replace('/', '-')}-{language}")

    # and a draft with a promise longer than the law's limit is refused beside the field
    open_page(page, f"/staff/catalog/{code}/edit/")
    page.fill("input[name=content-promised_limit_days]", "365")
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.locator("main form button[type=submit]").first.click()
    assert answer.value.status == 400
    invalid = page.locator("[aria-invalid=true]")
    expect(invalid.first).to_be_visible()
    axe_check(page)
    # The refused form's own 400 is the only failed load.
    assert [error for error in errors if "status of 400" not in error] == []
    assert len(errors) <= 1
