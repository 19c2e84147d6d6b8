"""Notifications on the person's devices, on the preferences page in the browser: the device
list with its remove buttons in both languages and in elderly mode, and the "turn on" button
only where the browser can receive pushes."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

from citygate.accounts.models import User
from citygate.accounts.services import user_preferences_update, user_register
from citygate.inbox.models import PushSubscription
from citygate.inbox.services import push_subscription_add
from citygate.inbox.tests.pushservice import Device
from citygate.shell.tests.browser.helpers import (
    AxeCheck,
    Screenshot,
    assert_elderly_mode_measures_up,
    open_page,
    signed_in_page,
    watch_errors,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DISPLAYS = [("zh-hans", False), ("en", True)]
PUSH_SUPPORTED = (
    "'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window"
)
# The page's answer to "turn on": a registered device listed, or a final word in the status.
SETTLED = (
    "(() => { const said = document.querySelector('[data-push-status]').textContent;"
    " return document.querySelectorAll('#devices form').length > 0"
    " || (said.length > 0 && !said.endsWith('…')); })()"
)
TURNED_OFF = {"zh-hans": "已关闭该设备的通知。", "en": "Notifications are off for that device."}
FAILED = {
    "zh-hans": ("无法在此浏览器中开启通知。", "浏览器设置已禁止本网站发送通知。"),
    "en": (
        "Notifications could not be turned on in this browser.",
        "Notifications are blocked for this site in your browser settings.",
    ),
}


def resident_with_a_device(phone: str, language: str, elderly: bool) -> User:
    resident: User = user_register(phone=phone, language=language, channel="app")
    user_preferences_update(user=resident, language=language, elderly_mode=elderly)
    device = Device()
    push_subscription_add(
        user=resident,
        endpoint="https://push.example.org/send/device-0001",
        p256dh=device.p256dh,
        auth=device.auth,
        label="Firefox · Windows",
    )
    return resident


@pytest.mark.parametrize(("language", "elderly"), DISPLAYS)
def test_a_resident_sees_their_devices_and_turns_one_off(
    browser: Browser,
    live_server: Any,
    axe_check: AxeCheck,
    screenshot: Screenshot,
    language: str,
    elderly: bool,
) -> None:
    # given a resident with notifications on for one device
    resident = resident_with_a_device("19999990721", language, elderly)
    page = signed_in_page(browser, live_server.url, resident, language=language, elderly=elderly)
    errors = watch_errors(page)

    # when they open their choices
    open_page(page, "/messages/preferences/")

    # then the device is listed, and "turn on" shows where the browser can receive pushes
    devices = page.locator("#devices")
    assert "Firefox · Windows" in devices.inner_text()
    supported = page.evaluate(PUSH_SUPPORTED)
    assert page.locator("[data-push-enable]").is_visible() == supported
    axe_check(page)
    if elderly:
        assert_elderly_mode_measures_up(page)
    screenshot(page, f"push-devices-{language}-{'elderly' if elderly else 'standard'}")

    # and when they turn it off, it is gone
    devices.locator("form button").click()
    assert page.locator(".alert--success").inner_text().strip() == TURNED_OFF[language]
    assert not PushSubscription.objects.filter(user=resident).exists()
    axe_check(page)
    assert not errors, errors


def test_without_the_push_api_the_turn_on_button_stays_hidden(
    browser: Browser, live_server: Any
) -> None:
    # given a browser without the Push API
    resident = resident_with_a_device("19999990722", "zh-hans", False)
    page = signed_in_page(browser, live_server.url, resident, language="zh-hans", elderly=False)
    page.add_init_script("delete window.PushManager;")
    errors = watch_errors(page)

    # when
    open_page(page, "/messages/preferences/")

    # then
    assert page.evaluate(PUSH_SUPPORTED) is False
    assert page.locator("[data-push-enable]").count() == 1
    assert not page.locator("[data-push-enable]").is_visible()
    assert not errors, errors


def test_turning_notifications_on_subscribes_or_says_why_it_cannot(
    browser: Browser, live_server: Any
) -> None:
    # given a resident in a browser that runs the service worker
    resident: User = user_register(phone="19999990723", language="en", channel="app")
    page = signed_in_page(
        browser,
        live_server.url,
        resident,
        language="en",
        elderly=False,
        service_workers="allow",
        permissions=["notifications"],
    )
    open_page(page, "/messages/preferences/")
    if not page.evaluate(PUSH_SUPPORTED):
        pytest.skip("this Chromium has no Push API")

    # when they turn notifications on
    page.click("[data-push-enable]")

    # then the device is registered, or (headless Chromium has no push service) the page says
    # in words that it could not, and the button can be tried again
    for _ in range(100):
        if page.evaluate(SETTLED):
            break
        page.wait_for_timeout(200)
    if PushSubscription.objects.filter(user=resident).exists():
        assert page.locator("#devices form").count() == 1
    else:
        assert page.locator("[data-push-status]").inner_text() in FAILED["en"]
        assert page.locator("[data-push-enable]").is_enabled()


# The browser's own push subscription, as headless Chromium (which has no push service) cannot
# make one: the endpoint the resident's device was registered with, and a record of
# unsubscribe() that outlives the page.
BROWSER_SUBSCRIPTION = """
(() => {
  const subscription = {
    endpoint: "https://push.example.org/send/device-0001",
    unsubscribe: () => {
      sessionStorage.setItem("unsubscribed", "yes");
      return Promise.resolve(true);
    },
  };
  const registration = { pushManager: { getSubscription: () => Promise.resolve(subscription) } };
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.getRegistration = () => Promise.resolve(registration);
  }
})();
"""


def test_signing_out_unsubscribes_the_browser_and_forgets_its_device(
    browser: Browser, live_server: Any
) -> None:
    # given a resident whose browser has notifications on
    resident = resident_with_a_device("19999990724", "en", False)
    page = signed_in_page(browser, live_server.url, resident, language="en", elderly=False)
    page.add_init_script(BROWSER_SUBSCRIPTION)
    errors = watch_errors(page)
    open_page(page, "/account/")

    # when they sign out
    with page.expect_navigation():
        page.click("form[data-push-signout] button")

    # then the browser is unsubscribed and the server no longer pushes to it
    assert page.evaluate("sessionStorage.getItem('unsubscribed')") == "yes"
    assert not PushSubscription.objects.filter(user=resident).exists()
    assert page.locator(".alert").first.inner_text().strip() == "You are signed out."
    assert not errors, errors


def test_signing_out_without_the_script_still_signs_out(browser: Browser, live_server: Any) -> None:
    # given a browser that runs no script
    resident = resident_with_a_device("19999990725", "en", False)
    page = signed_in_page(
        browser, live_server.url, resident, language="en", elderly=False, java_script_enabled=False
    )
    open_page(page, "/account/")

    # when
    with page.expect_navigation():
        page.click("form[data-push-signout] button")

    # then signed out, the device kept (it can be turned off on the preferences page)
    assert page.locator(".alert").first.inner_text().strip() == "You are signed out."
    assert PushSubscription.objects.filter(user=resident).exists()
