"""The feed in the browser: a resident turns personalisation off on the settings page and the
feed then shows the "Latest" and "Most read" reasons; the reading beacon reports a view. Both
pages pass axe in both languages and in elderly mode."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

from citygate.accounts.models import User
from citygate.accounts.services import user_preferences_update, user_register
from citygate.feed import selectors, services
from citygate.feed.models import StoryOpen
from citygate.feed.tests.conftest import story, tag
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
REASONS = {"zh-hans": {"最新", "热门"}, "en": {"Latest", "Most read"}}


def _resident(phone: str, language: str, elderly: bool) -> User:
    resident: User = user_register(phone=phone, language=language, channel="app")
    user_preferences_update(user=resident, language=language, elderly_mode=elderly)
    return resident


@pytest.mark.parametrize(("language", "elderly"), DISPLAYS)
def test_a_resident_turns_personalisation_off_and_the_feed_shows_latest_and_most_read(
    browser: Browser,
    live_server: Any,
    axe_check: AxeCheck,
    screenshot: Screenshot,
    language: str,
    elderly: bool,
) -> None:
    # given a resident who follows education and lives in 吴中区, and a few stories
    resident = _resident("19999990811", language, elderly)
    education = tag("education", "教育", "Education")
    tag("transport", "交通", "Transport")
    services.interest_tag_follow(user=resident, slug="education")
    services.home_district_set(user=resident, code="320506")
    story("学校开学", author=resident, hours_ago=20, tags=[education])
    story("地铁新线", author=resident, hours_ago=1, channel_slug="traffic")
    story("上周的热门", author=resident, hours_ago=100, opens=40, channel_slug="culture")
    page = signed_in_page(browser, live_server.url, resident, language=language, elderly=elderly)
    errors = watch_errors(page)
    display = f"{language}-{'elderly' if elderly else 'standard'}"

    # the feed first says why each story is there
    open_page(page, "/news/for-you/")
    axe_check(page)
    if elderly:
        assert_elderly_mode_measures_up(page)
    screenshot(page, f"feed-personalised-{display}")
    assert page.locator(".feed-item").first.locator(".feed-reason .badge").inner_text() in {
        "因为您关注了教育",
        "Because you follow Education",
    }

    # when they follow "why am I seeing this" and switch personalisation off
    page.click('main a[href="/me/recommendation/"]')
    axe_check(page)
    if elderly:
        assert_elderly_mode_measures_up(page)
    screenshot(page, f"recommendation-settings-{display}")
    page.check('input[name="personalized"][value="0"]')
    page.locator('form:has(input[name="action"][value="switch"]) button[type="submit"]').click()
    assert page.locator(".alert--success").count() == 1
    axe_check(page)

    # then the very next feed is the one that is the same for everyone
    assert not selectors.personalisation(user=resident).active
    open_page(page, "/news/for-you/")
    reasons = set(page.locator(".feed-reason .badge").all_inner_texts())
    assert reasons == REASONS[language]
    axe_check(page)
    screenshot(page, f"feed-common-{display}")
    assert not errors, errors


def test_the_reading_beacon_reports_the_seconds_a_story_was_visible(
    browser: Browser, live_server: Any
) -> None:
    # given a signed-in reader on a page that carries the beacon of a story (the story page
    # itself belongs to the newsroom: the include is added to the feed page here)
    resident = _resident("19999990812", "zh-hans", False)
    read_story = story("地铁新线", author=resident, tags=[tag("transport")])
    view = services.view_token(user=resident, story_id=read_story.pk)
    page = signed_in_page(browser, live_server.url, resident, language="zh-hans", elderly=False)
    errors = watch_errors(page)
    open_page(page, "/news/for-you/")
    page.evaluate(
        """([url, view]) => {
          const beacon = document.createElement("div");
          beacon.hidden = true;
          beacon.setAttribute("data-reading-beacon", "");
          beacon.setAttribute("data-url", url);
          beacon.setAttribute("data-view", view);
          document.body.append(beacon);
          const script = document.createElement("script");
          script.src = "/static/feed/reading.js";
          return new Promise((done) => { script.onload = done; document.body.append(script); });
        }""",
        [f"/api/v1/news/stories/{read_story.pk}/reading", view],
    )

    # when the story stays visible a moment, then the page is left
    page.wait_for_timeout(1200)
    with page.expect_request(f"**/news/stories/{read_story.pk}/reading") as sent:
        page.evaluate("window.dispatchEvent(new Event('pagehide'))")
    response = sent.value.response()

    # then
    assert response is not None
    assert response.status == 200
    opened = StoryOpen.objects.get(user=resident, story=read_story)
    assert opened.seconds >= 1
    assert not errors, errors


def test_the_street_list_follows_the_chosen_district(browser: Browser, live_server: Any) -> None:
    # given a resident of 吴中区 on the settings page
    resident = _resident("19999990813", "zh-hans", False)
    services.home_district_set(user=resident, code="320506")
    page = signed_in_page(browser, live_server.url, resident, language="zh-hans", elderly=False)
    errors = watch_errors(page)
    open_page(page, "/me/recommendation/")
    shown = 'select[name="street"] optgroup option'
    assert page.locator(shown).all_inner_texts()[:2] == ["长桥街道", "越溪街道"]

    # when they pick a street, then move to 苏州工业园区
    page.select_option('select[name="street"]', "320506103")
    page.select_option('select[name="district"]', "320576")

    # then only the park's streets are offered and the street of 吴中区 is let go
    assert page.locator(shown).all_inner_texts() == [
        "娄葑街道",
        "斜塘街道",
        "唯亭街道",
        "胜浦街道",
        "金鸡湖街道",
    ]
    assert page.locator('select[name="street"]').input_value() == ""
    page.select_option('select[name="street"]', "320576054")
    page.locator('form:has(input[name="action"][value="district"]) button').click()
    assert page.locator(".alert--success").count() == 1
    resident.refresh_from_db()
    assert resident.home_street is not None
    assert resident.home_street.code == "320576054"
    assert not errors, errors
