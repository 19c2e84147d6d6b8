"""The shell in a real browser: elderly mode measured, the switches, the skip link, offline."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from citygate.shell.tests.browser.helpers import (
    DESKTOP,
    AxeCheck,
    new_context,
    open_page,
    set_display,
    watch_errors,
)

# The live server needs committed data; these pages need none of the seeded reference data,
# so the slower serialized rollback is left to the tests that read it.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["zh-hans", "en"]


# What elderly mode has to measure up to (MIIT 2021 age-friendly app rules): main text of
# 18pt (24px) or more, line spacing of 1.3 or more, tap targets of 60x60 or more.
MEASURE = """
() => {
  const main = document.querySelector("main");
  const texts = [];
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    if (!node.textContent.trim() || !element.getClientRects().length) continue;
    const style = getComputedStyle(element);
    if (element.closest(".visually-hidden")) continue;
    texts.push({
      text: node.textContent.trim().slice(0, 30),
      size: parseFloat(style.fontSize),
      leading: parseFloat(style.lineHeight) / parseFloat(style.fontSize),
    });
  }
  // A checkbox or radio button inside its label is tapped through the label.
  const targets = [...document.querySelectorAll(
    "main a, main button, main input:not([type=hidden]), main select, main textarea, " +
    "main label.check, main summary, .header-tools a, .header-tools button, .tabbar a"
  )].filter((el) => el.getClientRects().length && !el.closest(".visually-hidden"))
    .filter((el) => !(el.matches("input[type=checkbox], input[type=radio]") && el.closest("label")))
    .map((el) => {
      const box = el.getBoundingClientRect();
      return {what: el.outerHTML.slice(0, 80), width: box.width, height: box.height};
    });
  const viewport = document.querySelector("meta[name=viewport]").content;
  return {texts, targets, viewport};
}
"""


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
        measured = page.evaluate(MEASURE)

        # then
        small = [t for t in measured["texts"] if t["size"] < 24]
        assert not small, f"{path}: text under 24px: {small[:5]}"
        tight = [t for t in measured["texts"] if t["leading"] < 1.3]
        assert not tight, f"{path}: line height under 1.3: {tight[:5]}"
        tiny = [t for t in measured["targets"] if t["height"] < 60 or t["width"] < 60]
        assert not tiny, f"{path}: targets under 60x60px: {tiny[:5]}"
        assert measured["targets"], f"{path}: the page has targets to measure"
        assert "maximum-scale" not in measured["viewport"]
        assert "user-scalable" not in measured["viewport"]


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
