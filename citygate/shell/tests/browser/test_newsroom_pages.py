"""The newsroom end to end in the browser: an editor writes a story, three other editors
approve it at 初审, 复审 and 终审, the public reads it, and a correction shows on top.
Every page on the way passes axe, in both languages and in elderly mode."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from citygate.accounts.models import User
from citygate.news import services
from citygate.news.models import Story, StoryState
from citygate.news.tests.conftest import editor_named, staff_client, story_input
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
TITLE = "城市通可预约社区卫生服务中心家庭医生"
CORRECTION = "预约时段应为工作日上午，已更正。"


def _staff_page(
    browser: Browser, base_url: str, user: User, *, language: str, elderly: bool
) -> tuple[Page, list[str]]:
    """A page signed in as this member of staff, past the TOTP step."""
    session_key = staff_client(user).session.session_key or ""
    context = new_context(browser, base_url)
    set_display(context, base_url, language=language, elderly=elderly)
    context.add_cookies([{"name": "sessionid", "value": session_key, "url": base_url}])
    page = context.new_page()
    return page, watch_errors(page)


@pytest.mark.parametrize(("language", "elderly"), DISPLAYS)
def test_a_story_is_written_approved_at_three_levels_read_and_corrected(
    browser: Browser,
    live_server: Any,
    axe_check: AxeCheck,
    screenshot: Screenshot,
    language: str,
    elderly: bool,
) -> None:
    # given: an author and three reviewers
    author = editor_named("news.browser.author")
    reviewers = [editor_named(f"news.browser.reviewer{n}") for n in (1, 2, 3)]
    label = f"{language}-{'elderly' if elderly else 'standard'}"

    # when: the author writes the story and sends it for review
    page, errors = _staff_page(browser, live_server.url, author, language=language, elderly=elderly)
    open_page(page, "/staff/news/new/")
    axe_check(page)
    page.fill("input[name=title]", TITLE)
    page.fill("textarea[name=body]", "<p>居民可在城市通预约家庭医生上门随访。</p>")
    page.select_option("select[name=channel]", "services")
    page.check("input[name=tags][value=health]")
    page.click("form[enctype] button[type=submit]")
    expect(page.locator("h1")).to_have_text(TITLE)
    story_id = re.search(r"/staff/news/([0-9a-f-]{36})/", page.url).group(1)  # type: ignore[union-attr]
    axe_check(page)
    page.click(f"form[action='/staff/news/{story_id}/submit/'] button")
    expect(page.locator(".alert--success")).to_be_visible()
    assert not errors, errors

    # and: each reviewer approves at their level, reading the diff first
    for level, reviewer in enumerate(reviewers, start=1):
        review, review_errors = _staff_page(
            browser, live_server.url, reviewer, language=language, elderly=elderly
        )
        open_page(review, f"/staff/news/review/{level}/")
        axe_check(review)
        review.click(f"a[href='/staff/news/{story_id}/review/']")
        expect(review.locator(".diff-added").first).to_be_visible()
        axe_check(review)
        if level == 3:
            screenshot(review, f"news-review-{label}")
        review.check("input[name=decision][value=approve]")
        review.click("main form button[type=submit]")
        expect(review.locator(".alert--success")).to_be_visible()
        assert not review_errors, review_errors
        review.context.close()

    # then: the public reads it
    assert Story.objects.get(pk=story_id).state == StoryState.PUBLISHED
    reader_context = new_context(browser, live_server.url)
    set_display(reader_context, live_server.url, language=language, elderly=elderly)
    reader = reader_context.new_page()
    reader_errors = watch_errors(reader)
    open_page(reader, f"/news/{story_id}/")
    expect(reader.locator("h1")).to_have_text(TITLE)
    expect(reader.locator(".story-body")).to_contain_text("家庭医生上门随访")
    axe_check(reader)
    if elderly:
        assert_elderly_mode_measures_up(reader)

    # when: the author corrects it, confirming
    open_page(page, f"/staff/news/{story_id}/correct/")
    axe_check(page)
    page.fill("textarea[name=notice]", CORRECTION)
    page.check("input[name=confirm]")
    page.click("main form button[type=submit]")
    expect(page.locator(".alert--success")).to_be_visible()

    # then: the notice stands above the story, for the public
    open_page(reader, f"/news/{story_id}/")
    notice = reader.locator(".story-notice")
    expect(notice).to_contain_text(CORRECTION)
    assert reader.evaluate(
        "() => document.querySelector('.story-notice').getBoundingClientRect().top"
        " < document.querySelector('h1').getBoundingClientRect().top"
    )
    axe_check(reader)
    if elderly:
        assert_elderly_mode_measures_up(reader)
    screenshot(reader, f"news-story-corrected-{label}")
    open_page(reader, "/news/")
    axe_check(reader)
    open_page(reader, "/")
    # The home page's strip; elderly mode's simpler home has the hotline in its place.
    strip = reader.locator(f".news-strip a[href='/news/{story_id}/']")
    expect(strip).to_have_count(0 if elderly else 1)
    axe_check(reader)
    assert not reader_errors, reader_errors
    assert not errors, errors


@pytest.mark.parametrize(("language", "elderly"), DISPLAYS)
def test_a_retracted_story_shows_its_title_and_notice_only_and_passes_axe(
    browser: Browser,
    live_server: Any,
    axe_check: AxeCheck,
    screenshot: Screenshot,
    language: str,
    elderly: bool,
) -> None:
    # given: a published story, retracted
    author = editor_named("news.retract.author")
    story = services.story_create(editor=author, data=story_input())
    services.story_submit_for_review(editor=author, story_id=story.pk)
    for level in (1, 2, 3):
        services.story_review(
            reviewer=editor_named(f"news.retract.reviewer{level}"),
            story_id=story.pk,
            level=level,
            decision="approve",
        )
    services.story_retract(editor=author, story_id=story.pk, notice="信息有误，本文已撤回。")

    # when
    context = new_context(browser, live_server.url)
    set_display(context, live_server.url, language=language, elderly=elderly)
    page = context.new_page()
    errors = watch_errors(page)
    open_page(page, f"/news/{story.pk}/")

    # then
    expect(page.locator(".story-notice")).to_contain_text("信息有误，本文已撤回。")
    expect(page.locator(".story-body")).to_have_count(0)
    axe_check(page)
    if elderly:
        assert_elderly_mode_measures_up(page)
    screenshot(page, f"news-story-retracted-{language}-{'elderly' if elderly else 'standard'}")
    assert not errors, errors
    context.close()
