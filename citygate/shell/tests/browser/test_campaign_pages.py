"""The campaign desk in the browser: an editor writes a notice for one district and counts
its audience, an operator approves it, and a resident of that district finds it in their
inbox. Every page passes axe, in Chinese and in English (elderly mode)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from citygate.campaigns.models import Campaign, CampaignState
from citygate.campaigns.tests.conftest import make_campaigner, make_resident
from citygate.privacy.testing import access_records_clear
from citygate.shell.tests.browser.helpers import DESKTOP, AxeCheck, open_page, signed_in_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DISPLAYS = [
    ("zh-hans", False, "计算受众人数", "批准并立即发送"),
    ("en", True, "Count the audience", "Approve and send now"),
]


@pytest.fixture(autouse=True)
def _clear_access_records() -> Iterator[None]:
    yield
    access_records_clear()


@pytest.mark.parametrize(("language", "elderly", "count_label", "approve_label"), DISPLAYS)
def test_a_notice_for_one_district_is_counted_approved_and_read(
    browser: Browser,
    live_server: Any,
    axe_check: AxeCheck,
    language: str,
    elderly: bool,
    count_label: str,
    approve_label: str,
) -> None:
    # given: two residents of 姑苏区 and one of 吴中区
    reader = make_resident(1, district="320508", language=language)
    make_resident(2, district="320508")
    make_resident(3, district="320506")
    editor = make_campaigner("desk.editor")
    operator = make_campaigner("desk.operator", "operator")

    def page_of(user: Any, *, staff: bool = True) -> Page:
        return signed_in_page(
            browser,
            live_server.url,
            user,
            language=language,
            elderly=elderly,
            staff=staff,
            viewport=DESKTOP,
        )

    # when: the editor writes the notice and counts its audience
    page = page_of(editor)
    open_page(page, "/staff/campaigns/new/")
    axe_check(page)
    page.check("input[name=kind][value=official]")
    page.fill("input[name=headline_zh]", "姑苏区明日停水")
    page.fill("input[name=headline_en]", "Water off in Gusu tomorrow")
    page.fill("textarea[name=summary_zh]", "因管网维修，明日9时至17时停水。")
    page.check("input[name=districts][value='320508']")
    page.get_by_role("button", name=count_label).click()

    # then: two people, and nothing saved yet
    expect(page.locator("[role=status]")).to_contain_text("2")
    assert not Campaign.objects.exists()
    axe_check(page)

    # when: saved and put up for approval
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_load_state()
    campaign = Campaign.objects.get()
    assert campaign.state == CampaignState.AWAITING_APPROVAL
    axe_check(page)

    # when: the operator approves it
    approver = page_of(operator)
    open_page(approver, f"/staff/campaigns/{campaign.pk}/")
    axe_check(approver)
    approver.get_by_role("button", name=approve_label).click()
    approver.wait_for_load_state()
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.SENT

    # then: the resident in 姑苏区 reads it in their inbox, in their language
    inbox = page_of(reader, staff=False)
    open_page(inbox, "/messages/")
    headline = "Water off in Gusu tomorrow" if language == "en" else "姑苏区明日停水"
    expect(inbox.locator("main")).to_contain_text(headline)
    axe_check(inbox)

    # and the results count them
    open_page(approver, f"/staff/campaigns/{campaign.pk}/")
    expect(approver.locator("#results-title")).to_be_visible()
    axe_check(approver)
