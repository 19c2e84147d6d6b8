"""The notification preferences page in the browser: a resident turns news pushes off and
moves the quiet hours; the page passes axe in both languages and in elderly mode."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from playwright.sync_api import Browser

from citygate.accounts.models import User
from citygate.accounts.services import user_preferences_update, user_register
from citygate.inbox import selectors
from citygate.inbox.models import Channel, Kind
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


@pytest.mark.parametrize(("language", "elderly"), DISPLAYS)
def test_a_resident_turns_news_pushes_off_and_moves_the_quiet_hours(
    browser: Browser,
    live_server: Any,
    axe_check: AxeCheck,
    screenshot: Screenshot,
    language: str,
    elderly: bool,
) -> None:
    # given a signed-in resident on the messages page
    resident: User = user_register(phone="19999990711", language=language, channel="app")
    user_preferences_update(user=resident, language=language, elderly_mode=elderly)
    page = signed_in_page(browser, live_server.url, resident, language=language, elderly=elderly)
    errors = watch_errors(page)
    open_page(page, "/messages/")

    # when they follow the link to their choices, untick news on the device, change the hours
    page.click('a[href="/messages/preferences/"]')
    axe_check(page)
    if elderly:
        assert_elderly_mode_measures_up(page)
    screenshot(page, f"notification-preferences-{language}-{'elderly' if elderly else 'standard'}")
    page.uncheck('input[name="channels_news"][value="web_push"]')
    page.fill('input[name="quiet_start"]', "21:00")
    page.click('main button[type="submit"]')

    # then the choices hold, and the page says so
    assert page.locator(".alert--success").count() == 1
    choices = selectors.notification_choices(user=resident)
    assert choices.channels_for(Kind.NEWS) == [Channel.IN_APP]
    assert choices.quiet_start == time(21)
    axe_check(page)
    assert not errors, errors
