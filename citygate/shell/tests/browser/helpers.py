"""What the browser tests share: how Chromium is started, visitors, error watching, axe output."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, ViewportSize

from citygate.shell import icons

# The same quiet headless Chromium, making no network calls of its own, that draws the icons.
CHROMIUM = Path(icons.CHROMIUM)
CHROMIUM_ARGS = icons.CHROMIUM_ARGS
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"

PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=800)
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
LANGUAGE_COOKIE = "citygate_lang"

AxeCheck = Callable[[Page], None]
Screenshot = Callable[[Page, str], Path]


def new_context(browser: Browser, base_url: str, **options: Any) -> BrowserContext:
    """A fresh visitor: no cookies, a phone screen, Chinese, no service worker unless asked."""
    defaults: dict[str, Any] = {
        "base_url": base_url,
        "viewport": PHONE,
        "locale": "zh-CN",
        "service_workers": "block",
    }
    context = browser.new_context(**{**defaults, **options})
    context.set_default_timeout(10_000)
    return context


def signed_in_page(
    browser: Browser,
    base_url: str,
    user: Any,
    *,
    language: str,
    elderly: bool,
    staff: bool = False,
    **options: Any,
) -> Page:
    """A page of a visitor signed in as `user` (through the session cookie), in a display;
    for staff, past the TOTP step too."""
    from citygate.accounts.testing import signed_in_client

    client = signed_in_client(user, staff=staff)
    context = new_context(browser, base_url, **options)
    set_display(context, base_url, language=language, elderly=elderly)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )
    return context.new_page()


def watch_errors(page: Page) -> list[str]:
    """Collects what the page reports as errors: console errors and uncaught exceptions."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    return errors


def set_display(context: BrowserContext, base_url: str, *, language: str, elderly: bool) -> None:
    """Starts a visitor in a language and mode, as the switches would have left them."""
    context.add_cookies(
        [
            {"name": LANGUAGE_COOKIE, "value": language, "url": base_url},
            {"name": "citygate_elderly", "value": "1" if elderly else "0", "url": base_url},
        ]
    )


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {' '.join(node['target'])}")
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"       {summary[:300]}")
    return "\n".join(lines)


def open_page(page: Page, path: str, *, status: int = 200) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status == status, f"{path} answered {response.status}"


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


def assert_elderly_mode_measures_up(page: Page) -> None:
    measured = page.evaluate(MEASURE)
    where = page.url
    small = [t for t in measured["texts"] if t["size"] < 24]
    assert not small, f"{where}: text under 24px: {small[:5]}"
    tight = [t for t in measured["texts"] if t["leading"] < 1.3]
    assert not tight, f"{where}: line height under 1.3: {tight[:5]}"
    tiny = [t for t in measured["targets"] if t["height"] < 60 or t["width"] < 60]
    assert not tiny, f"{where}: targets under 60x60px: {tiny[:5]}"
    assert measured["targets"], f"{where}: the page has targets to measure"
    assert "maximum-scale" not in measured["viewport"]
    assert "user-scalable" not in measured["viewport"]
