"""The campaign desk's pages: write, count the audience, approve as a second person, results."""

from __future__ import annotations

import re

import pytest

from citygate.accounts.models import User
from citygate.accounts.testing import signed_in_client
from citygate.campaigns import services
from citygate.campaigns.models import Campaign, CampaignState
from citygate.campaigns.segments import profile_of
from citygate.campaigns.selectors import segment_of
from citygate.campaigns.tests.conftest import make_campaigner, make_resident
from citygate.directory.models import Street
from citygate.news.models import Story

pytestmark = pytest.mark.django_db

FORM = {
    "kind": "official",
    "story": "",
    "headline_zh": "明日停水通知",
    "headline_en": "Water off tomorrow",
    "summary_zh": "因管网维修，明日9时至17时停水。",
    "summary_en": "",
    "districts": ["320508"],
    "min_level": "1",
    "send_at": "",
}


def test_the_audience_is_counted_before_anything_is_saved(editor: User) -> None:
    make_resident(1, district="320508")
    make_resident(2, district="320508")
    make_resident(3, district="320506")
    client = signed_in_client(editor, staff=True)
    page = client.post("/staff/campaigns/new/", {**FORM, "action": "preview"})
    assert page.status_code == 200
    assert "按当前条件，可送达 2 人。" in page.content.decode()
    assert Campaign.objects.count() == 0


def test_a_campaign_written_by_one_is_approved_by_another_and_reaches_inboxes(
    editor: User, operator: User
) -> None:
    resident = make_resident(1, district="320508")
    writer = signed_in_client(editor, staff=True, language="en")
    saved = writer.post("/staff/campaigns/new/", {**FORM, "action": "submit"})
    campaign = Campaign.objects.get()
    assert saved.status_code == 302
    assert saved["Location"] == f"/staff/campaigns/{campaign.pk}/"
    assert campaign.state == CampaignState.AWAITING_APPROVAL
    detail = writer.get(saved["Location"])
    assert "someone else approves it" in detail.content.decode()
    refused = writer.post(f"/staff/campaigns/{campaign.pk}/approve/")
    assert refused.status_code == 403
    approver = signed_in_client(operator, staff=True)
    approved = approver.post(f"/staff/campaigns/{campaign.pk}/approve/")
    assert approved.status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.SENT

    reader = signed_in_client(resident)
    assert "明日停水通知" in reader.get("/messages/").content.decode()
    results = approver.get(f"/staff/campaigns/{campaign.pk}/").content.decode()
    assert "结果" in results


def test_a_street_is_aimed_at_on_its_own_and_named_with_its_district(editor: User) -> None:
    in_loufeng = make_resident(1, district="320576", street="320576050")
    make_resident(2, district="320576", street="320576051")
    make_resident(3, district="320576")
    client = signed_in_client(editor, staff=True)
    form = {**FORM, "districts": [], "streets": ["320576050"]}

    page = client.post("/staff/campaigns/new/", {**form, "action": "preview"}).content.decode()
    assert "按当前条件，可送达 1 人。" in page
    # The boxes of 苏州工业园区 are open, since one of them is ticked.
    assert re.search(
        r"<details open>\s*<summary id=\"streets-of-\d+\">苏州工业园区</summary>", page
    )
    saved = client.post("/staff/campaigns/new/", {**form, "action": "save"})

    campaign = Campaign.objects.get()
    assert campaign.segment["streets"] == ["320576050"]
    assert campaign.segment["districts"] == []
    detail = client.get(saved["Location"]).content.decode()
    assert "娄葑街道 (苏州工业园区)" in detail
    edit = client.get(f"/staff/campaigns/{campaign.pk}/edit/").content.decode()
    assert re.search(r'<input type="checkbox" name="streets" value="320576050"[^>]* checked>', edit)
    assert not re.search(r'value="320576051"[^>]* checked>', edit)
    assert list(User.objects.filter(segment_of(campaign).q())) == [in_loufeng]
    unknown = client.post(
        "/staff/campaigns/new/", {**form, "streets": ["999999999"], "action": "save"}
    )
    assert unknown.status_code == 400
    assert 'id="id_streets_error"' in unknown.content.decode()


def test_a_draft_aimed_at_a_street_retired_since_keeps_it_when_saved_again(editor: User) -> None:
    kept = make_resident(1, district="320576", street="320576050")
    make_resident(2, district="320576")
    client = signed_in_client(editor, staff=True)
    client.post(
        "/staff/campaigns/new/",
        {**FORM, "districts": [], "streets": ["320576050"], "action": "save"},
    )
    campaign = Campaign.objects.get()
    Street.objects.filter(code="320576050").update(retired_in=2024)

    edit = client.get(f"/staff/campaigns/{campaign.pk}/edit/").content.decode()
    assert "娄葑街道（已不在名录中）" in edit
    saved = client.post(
        f"/staff/campaigns/{campaign.pk}/edit/",
        {**FORM, "districts": [], "streets": ["320576050"], "action": "save"},
    )

    assert saved.status_code == 302, saved.content.decode()[:2000]
    campaign.refresh_from_db()
    assert campaign.segment["streets"] == ["320576050"]
    assert list(User.objects.filter(segment_of(campaign).q())) == [kept]


def test_a_campaign_stored_before_streets_existed_reads_as_its_districts() -> None:
    gusu = make_resident(1, district="320508", street="320508018")
    make_resident(2, district="320506")
    campaign = Campaign(segment={"districts": ["320508"], "min_level": 1})
    segment = segment_of(campaign)
    assert segment.streets == ()
    assert list(User.objects.filter(segment.q())) == [gusu]
    assert segment.matches(profile_of(gusu))


def test_wrong_values_are_shown_beside_their_fields(editor: User) -> None:
    client = signed_in_client(editor, staff=True, language="en")
    page = client.post(
        "/staff/campaigns/new/", {**FORM, "headline_zh": "", "districts": [], "action": "save"}
    )
    assert page.status_code == 400
    assert "Write a headline, or choose a story." in page.content.decode()
    assert Campaign.objects.count() == 0


def test_a_story_campaign_takes_its_headline_and_link_from_the_story(
    editor: User, operator: User, story: Story
) -> None:
    client = signed_in_client(editor, staff=True)
    client.post(
        "/staff/campaigns/new/",
        {**FORM, "kind": "news", "story": str(story.pk), "headline_zh": "", "action": "save"},
    )
    campaign = Campaign.objects.get()
    assert campaign.headline_zh == story.title
    assert campaign.link == f"/news/{story.pk}/"


def test_only_editors_and_operators_see_the_desk(editor: User) -> None:
    auditor = signed_in_client(make_campaigner("auditor.one", "auditor"), staff=True)
    resident = signed_in_client(make_resident(9))
    campaign = services.campaign_create(by=editor, data={"headline_zh": "通知"})
    for path in ("/staff/campaigns/", "/staff/campaigns/new/", f"/staff/campaigns/{campaign.pk}/"):
        assert auditor.get(path).status_code == 404
        # Not staff: sent to the staff sign-in.
        assert resident.get(path).status_code == 302
    assert auditor.post(f"/staff/campaigns/{campaign.pk}/cancel/").status_code == 404


def test_a_draft_can_be_edited_and_a_sent_one_cannot(editor: User, operator: User) -> None:
    campaign = services.campaign_create(by=editor, data={"headline_zh": "通知"})
    client = signed_in_client(editor, staff=True)
    edited = client.post(
        f"/staff/campaigns/{campaign.pk}/edit/", {**FORM, "headline_zh": "新通知", "action": "save"}
    )
    assert edited.status_code == 302
    campaign.refresh_from_db()
    assert campaign.headline_zh == "新通知"
    services.campaign_submit(by=editor, campaign_id=campaign.pk)
    services.campaign_approve(by=operator, campaign_id=campaign.pk)
    assert client.get(f"/staff/campaigns/{campaign.pk}/edit/").status_code == 302
    again = client.post(f"/staff/campaigns/{campaign.pk}/cancel/")
    assert again.status_code == 409


def test_the_link_of_a_story_campaign_opens_the_story(
    editor: User, operator: User, story: Story
) -> None:
    resident = make_resident(1)
    campaign = services.campaign_create(by=editor, data={"kind": "news", "story_id": story.pk})
    services.campaign_submit(by=editor, campaign_id=campaign.pk)
    services.campaign_approve(by=operator, campaign_id=campaign.pk)
    services.campaigns_bring_in(resident)
    message = resident.inbox_messages.get()
    page = signed_in_client(resident).get(message.link)
    assert page.status_code == 200
    assert story.title in page.content.decode()
