"""The shell in a real browser: elderly mode measured, the switches, the skip link, offline."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from citygate.shell.tests.browser.helpers import (
    DESKTOP,
    AxeCheck,
    assert_elderly_mode_measures_up,
    new_context,
    open_page,
    set_display,
    watch_errors,
)

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed data. Every transactional test restores the database
    # the same way: one that let flush re-create content types under new ids would break the
    # serialized rollback of the next.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = ["zh-hans", "en"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_elderly_mode_measures_up_in_the_browser(
    context: BrowserContext, page: Page, live_server: Any, language: str
) -> None:
    # given
    set_display(context, live_server.url, language=language, elderly=True)

    paths = ["/", "/services/", "/services/health/", "/messages/", "/search/", "/offline/"]
    for path in [*paths, "/styleguide/"]:
        # when
        open_page(page, path)

        # then
        assert_elderly_mode_measures_up(page)


@pytest.mark.parametrize("elderly", [False, True])
def test_not_found_page_passes_axe(
    context: BrowserContext, live_server: Any, axe_check: AxeCheck, elderly: bool
) -> None:
    # given
    set_display(context, live_server.url, language="zh-hans", elderly=elderly)
    page = context.new_page()
    errors = watch_errors(page)

    # when
    response = page.goto("/no-such-page/")

    # then
    assert response is not None
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("页面不存在")
    axe_check(page)
    # The browser reports the 404 itself as a failed load; nothing else may go wrong.
    assert [e for e in errors if "status of 404" not in e] == []


def test_standard_mode_body_text_is_smaller_than_elderly_mode(
    context: BrowserContext, page: Page, live_server: Any
) -> None:
    # given
    open_page(page, "/")
    standard = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    set_display(context, live_server.url, language="zh-hans", elderly=True)

    # when
    page.reload()
    elderly = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")

    # then
    assert standard < 24 <= elderly


def test_language_switch_turns_the_page_english_with_one_tap(page: Page) -> None:
    # given
    open_page(page, "/services/")
    expect(page.locator("h1")).to_have_text("办事")

    # when
    page.get_by_role("button", name="English").click()

    # then
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Services")
    assert page.url.endswith("/services/")

    # when
    page.get_by_role("button", name="中文").click()

    # then
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("h1")).to_have_text("办事")


def test_elderly_switch_on_the_home_page_is_one_tap(page: Page) -> None:
    # given
    open_page(page, "/")

    # when
    page.get_by_role("button", name="切换到长辈版").click()

    # then
    expect(page.locator("html")).to_have_class(re.compile(r"\belderly\b"))
    assert page.url.endswith("/")

    # when
    page.get_by_role("button", name="标准版").click()

    # then
    expect(page.locator("html")).not_to_have_class(re.compile(r"\belderly\b"))


def test_skip_link_moves_focus_to_the_main_content(page: Page) -> None:
    # given
    open_page(page, "/")

    # when
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要内容")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")

    # then
    expect(page.locator("main")).to_be_focused()


def test_offline_page_is_shown_when_the_network_is_gone(browser: Browser, live_server: Any) -> None:
    # given: a visitor whose browser installed the service worker on the first visit
    context = new_context(browser, live_server.url, service_workers="allow", viewport=DESKTOP)
    page = context.new_page()
    errors = watch_errors(page)
    open_page(page, "/")
    page.evaluate("() => navigator.serviceWorker.ready")
    page.reload()
    assert page.evaluate("() => navigator.serviceWorker.controller !== null")
    cached = page.evaluate(
        """async () => {
          const urls = [];
          for (const key of await caches.keys()) {
            const cache = await caches.open(key);
            for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
          }
          return urls;
        }"""
    )

    # when
    context.set_offline(True)
    page.goto("/services/")

    # then
    expect(page.locator("h1")).to_have_text("网络未连接")
    assert cached
    assert all(url.startswith("/static/") or url == "/offline/" for url in cached), cached
    context.set_offline(False)
    context.close()
    assert not [e for e in errors if "net::ERR_INTERNET_DISCONNECTED" not in e], errors


def test_search_from_the_home_page_keeps_what_was_typed_out_of_the_url(page: Page) -> None:
    # given
    open_page(page, "/")
    typed = "320508198001010024"

    # when
    page.get_by_role("searchbox").fill(typed)
    page.get_by_role("button", name="搜索", exact=True).click()

    # then the query is in the search box only: not in the address, not shown elsewhere
    expect(page.locator("h1")).to_have_text("搜索")
    assert page.url.endswith("/search/")
    assert page.locator("#id_q").input_value() == typed
    assert typed not in page.inner_text("body")
