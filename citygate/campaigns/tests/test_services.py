"""Campaigns: the two-person rule, scheduling, cancelling, and bringing them into inboxes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.translation import override

from citygate.accounts.models import User
from citygate.campaigns import selectors, services
from citygate.campaigns.models import Campaign, CampaignState
from citygate.campaigns.tests.conftest import make_campaigner, make_resident
from citygate.core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from citygate.inbox.models import Message
from citygate.inbox.selectors import inbox_page
from citygate.inbox.sources import bring_in
from citygate.news.models import Story, StoryState

pytestmark = pytest.mark.django_db

NOTICE = {
    "kind": "official",
    "headline_zh": "明日停水通知",
    "headline_en": "Water off tomorrow",
    "summary_zh": "因管网维修，明日9时至17时停水。",
    "summary_en": "Mains repairs: no water from 9:00 to 17:00 tomorrow.",
}


def sent(by: User, approver: User, data: Mapping[str, object] | None = None) -> Campaign:
    campaign = services.campaign_create(by=by, data=data or NOTICE)
    services.campaign_submit(by=by, campaign_id=campaign.pk)
    return services.campaign_approve(by=approver, campaign_id=campaign.pk)


def test_a_campaign_goes_out_only_after_a_second_person_approves(
    editor: User, operator: User
) -> None:
    make_resident(1)
    make_resident(2)
    campaign = services.campaign_create(by=editor, data=NOTICE)
    assert campaign.state == CampaignState.DRAFT
    submitted = services.campaign_submit(by=editor, campaign_id=campaign.pk)
    assert submitted.state == CampaignState.AWAITING_APPROVAL
    assert submitted.audience_size == 2
    with pytest.raises(PermissionDenied) as refused:
        services.campaign_approve(by=editor, campaign_id=campaign.pk)
    assert refused.value.code == "second_person_required"
    approved = services.campaign_approve(by=operator, campaign_id=campaign.pk)
    assert approved.state == CampaignState.SENT
    assert approved.approved_by == operator
    assert approved.release_seq == 1
    assert approved.sent_at is not None
    assert approved.expires_at == approved.sent_at + timedelta(days=services.live_days())


def test_releasing_to_everyone_writes_no_message_until_an_inbox_is_read(
    editor: User, operator: User
) -> None:
    people = [make_resident(n) for n in range(5)]
    campaign = sent(editor, operator)
    assert Message.objects.count() == 0
    bring_in(user=people[0])
    assert Message.objects.filter(recipient=people[0], dedupe_key=campaign.dedupe_key).count() == 1
    assert Message.objects.count() == 1


def test_each_person_sees_a_campaign_once_and_can_mark_it_read(
    editor: User, operator: User, client: Client
) -> None:
    person = make_resident(1, language="en")
    campaign = sent(editor, operator)
    for _ in range(3):
        services.campaigns_bring_in(person)
    [message] = Message.objects.filter(recipient=person)
    assert message.kind == "official"
    assert message.created_at == campaign.sent_at
    with override("en"):
        assert message.title_text == "Water off tomorrow"
    with override("zh-hans"):
        assert message.title_text == "明日停水通知"
    client.force_login(person)
    listed = client.get("/api/v1/inbox", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [item["title"] for item in listed["items"]] == ["Water off tomorrow"]
    assert listed["unread"] == 1
    client.post(f"/api/v1/inbox/{message.pk}/read")
    again = client.get("/api/v1/inbox").json()
    assert again["unread"] == 0
    assert again["total"] == 1


def test_only_people_in_the_segment_are_brought_a_campaign(editor: User, operator: User) -> None:
    year = timezone.localdate().year
    elder_in_gusu = make_resident(1, district="320508", birth_year=year - 70)
    young_in_gusu = make_resident(2, district="320508", birth_year=year - 30)
    elder_elsewhere = make_resident(3, district="320506", birth_year=year - 70)
    unknown_age = make_resident(4, district="320508")
    segment = {"districts": ["320508"], "age_bands": ["60_plus"]}
    campaign = sent(editor, operator, {**NOTICE, "segment": segment})
    assert campaign.audience_size == 1
    for person in (elder_in_gusu, young_in_gusu, elder_elsewhere, unknown_age):
        services.campaigns_bring_in(person)
    assert list(Message.objects.values_list("recipient", flat=True)) == [elder_in_gusu.pk]


def test_a_scheduled_campaign_waits_for_its_time_and_can_be_cancelled_before(
    editor: User, operator: User
) -> None:
    person = make_resident(1)
    later = timezone.now() + timedelta(hours=2)
    campaign = services.campaign_create(by=editor, data={**NOTICE, "send_at": later.isoformat()})
    services.campaign_submit(by=editor, campaign_id=campaign.pk)
    scheduled = services.campaign_approve(by=operator, campaign_id=campaign.pk)
    assert scheduled.state == CampaignState.SCHEDULED
    assert services.campaigns_release_due() == 0
    assert services.campaigns_bring_in(person) == 0
    assert services.campaigns_release_due(now=later + timedelta(seconds=1)) == 1
    assert services.campaigns_release_due(now=later + timedelta(seconds=2)) == 0
    assert services.campaigns_bring_in(person) == 1

    other = services.campaign_create(by=editor, data={**NOTICE, "send_at": later.isoformat()})
    services.campaign_submit(by=editor, campaign_id=other.pk)
    services.campaign_approve(by=operator, campaign_id=other.pk)
    cancelled = services.campaign_cancel(by=operator, campaign_id=other.pk)
    assert cancelled.state == CampaignState.CANCELLED
    assert services.campaigns_release_due(now=later + timedelta(days=1)) == 0
    with pytest.raises(ApplicationError) as late:
        services.campaign_cancel(by=operator, campaign_id=campaign.pk)
    assert late.value.code == "campaign_state"


def test_an_expired_campaign_is_not_brought_to_a_late_reader(editor: User, operator: User) -> None:
    person = make_resident(1)
    campaign = sent(editor, operator)
    assert campaign.sent_at is not None
    later = campaign.sent_at + timedelta(days=services.live_days(), seconds=1)
    assert services.campaigns_bring_in(person, now=later) == 0
    assert services.campaigns_bring_in(person) == 1


def test_a_story_taken_down_is_not_brought_to_anyone_new(
    editor: User, operator: User, story: Story
) -> None:
    first, second = make_resident(1), make_resident(2)
    campaign = sent(editor, operator, {"kind": "news", "story_id": str(story.pk)})
    assert campaign.headline_zh == story.title
    assert campaign.link == f"/news/{story.pk}/"
    services.campaigns_bring_in(first)
    [message] = Message.objects.filter(recipient=first)
    assert message.subject == f"news.story:{story.pk}"
    assert message.kind == "news"
    Story.objects.filter(pk=story.pk).update(state=StoryState.RETRACTED)
    assert services.campaigns_bring_in(second) == 0


def test_staff_accounts_are_in_no_audience(editor: User, operator: User) -> None:
    sent(editor, operator)
    assert services.campaigns_bring_in(editor) == 0
    assert inbox_page(user=editor).total == 0


def test_results_count_inboxes_reached_and_messages_opened(editor: User, operator: User) -> None:
    people = [make_resident(n) for n in range(3)]
    campaign = sent(editor, operator)
    for person in people[:2]:
        services.campaigns_bring_in(person)
    Message.objects.filter(recipient=people[0]).update(read_at=timezone.now())
    found = selectors.results(campaign=campaign)
    assert (found.audience, found.delivered, found.opened) == (3, 2, 1)


def test_only_editors_and_operators_write_campaigns(editor: User) -> None:
    clerk = make_campaigner("clerk.someone", "auditor")
    resident = make_resident(1)
    for person in (clerk, resident):
        with pytest.raises(NotFound):
            services.campaign_create(by=person, data=NOTICE)


def test_every_wrong_value_is_named_by_its_field(editor: User) -> None:
    with pytest.raises(InvalidInput) as wrong:
        services.campaign_create(
            by=editor,
            data={
                "kind": "gossip",
                "headline_zh": "",
                "send_at": "tomorrow",
                "story_id": "not-a-story",
                "segment": {"districts": ["999999"], "age_bands": "60_plus", "min_level": 9},
            },
        )
    assert set(wrong.value.fields) == {
        "kind",
        "send_at",
        "story_id",
        "segment.districts",
        "segment.age_bands",
        "segment.min_level",
    }


def test_a_sent_campaign_cannot_be_edited_or_sent_again(editor: User, operator: User) -> None:
    campaign = sent(editor, operator)
    with pytest.raises(ApplicationError) as refused:
        services.campaign_update(by=editor, campaign_id=campaign.pk, data=NOTICE)
    assert refused.value.code == "campaign_state"
    with pytest.raises(ApplicationError) as refused:
        services.campaign_submit(by=editor, campaign_id=campaign.pk)
    assert refused.value.code == "campaign_state"
    with pytest.raises(ApplicationError) as refused:
        services.campaign_approve(by=operator, campaign_id=campaign.pk)
    assert refused.value.code == "campaign_state"


def test_a_notice_may_give_the_city_s_hotline_numbers(editor: User, operator: User) -> None:
    # A notice is the same text for everyone: a public telephone number in it is no one's
    # personal data, unlike a number in a message about one person.
    person = make_resident(1)
    text = {**NOTICE, "summary_zh": "如有疑问请拨打 0512-65223456 或 12345。"}
    sent(editor, operator, text)
    assert services.campaigns_bring_in(person) == 1
    with override("zh-hans"):
        assert "0512-65223456" in Message.objects.get(recipient=person).body_text


def test_followers_of_a_topic_are_those_who_chose_to_follow_it(
    editor: User, operator: User
) -> None:
    from citygate.feed.models import InterestTag, TagSource
    from citygate.feed.services import interest_tag_follow
    from citygate.news.models import NewsTag

    education, _ = NewsTag.objects.get_or_create(
        slug="education", defaults={"name_zh": "教育", "name_en": "Education"}
    )
    follower, reader = make_resident(1), make_resident(2)
    interest_tag_follow(user=follower, slug="education")
    # Learned from what the second person read: it ranks their feed, it targets nothing.
    InterestTag.objects.create(user=reader, tag=education, source=TagSource.LEARNED, weight=0.9)
    campaign = sent(editor, operator, {**NOTICE, "segment": {"tags": ["education"]}})
    assert campaign.audience_size == 1
    assert services.campaigns_bring_in(reader) == 0
    assert services.campaigns_bring_in(follower) == 1


def test_no_one_who_wrote_or_submitted_a_campaign_approves_it(editor: User, operator: User) -> None:
    rewriter = make_campaigner("editor.second")
    campaign = services.campaign_create(by=editor, data=NOTICE)
    services.campaign_update(
        by=rewriter, campaign_id=campaign.pk, data={**NOTICE, "headline_zh": "改写的通知"}
    )
    services.campaign_submit(by=rewriter, campaign_id=campaign.pk)
    for person in (editor, rewriter):
        with pytest.raises(PermissionDenied) as refused:
            services.campaign_approve(by=person, campaign_id=campaign.pk)
        assert refused.value.code == "second_person_required"
    approved = services.campaign_approve(by=operator, campaign_id=campaign.pk)
    assert approved.state == CampaignState.SENT


def test_the_audience_is_counted_again_when_the_campaign_goes(editor: User, operator: User) -> None:
    make_resident(1)
    campaign = services.campaign_create(by=editor, data=NOTICE)
    assert services.campaign_submit(by=editor, campaign_id=campaign.pk).audience_size == 1
    make_resident(2)
    assert services.campaign_approve(by=operator, campaign_id=campaign.pk).audience_size == 2


def test_an_inbox_opened_for_the_first_time_brings_in_only_the_last_days_campaigns(
    editor: User, operator: User
) -> None:
    older, recent = sent(editor, operator), sent(editor, operator, {**NOTICE, "headline_zh": "新"})
    assert older.sent_at is not None
    Campaign.objects.filter(pk=older.pk).update(
        sent_at=older.sent_at - services.new_reader_window() - timedelta(days=1)
    )
    newcomer = make_resident(1)
    assert services.campaigns_bring_in(newcomer) == 1
    assert Message.objects.get(recipient=newcomer).dedupe_key == recent.dedupe_key


def test_aiming_by_topic_leaves_out_the_switched_off_and_possible_minors(
    editor: User, operator: User
) -> None:
    from citygate.feed.models import RecommendationSettings
    from citygate.feed.services import interest_tag_follow
    from citygate.news.models import NewsTag

    NewsTag.objects.get_or_create(slug="education", defaults={"name_zh": "教育", "name_en": "Ed"})
    year = timezone.localdate().year
    adult = make_resident(1, birth_year=year - 40)
    switched_off = make_resident(2, birth_year=year - 40)
    pupil = make_resident(3, birth_year=year - 16)
    for person in (adult, switched_off, pupil):
        interest_tag_follow(user=person, slug="education")
    RecommendationSettings.objects.create(user=switched_off, personalized=False)
    campaign = sent(editor, operator, {**NOTICE, "segment": {"tags": ["education"]}})
    assert campaign.audience_size == 1
    assert [services.campaigns_bring_in(p) for p in (adult, switched_off, pupil)] == [1, 0, 0]


def test_only_campaigns_a_person_may_approve_wait_for_them(editor: User, operator: User) -> None:
    rewriter = make_campaigner("editor.third")
    campaign = services.campaign_create(by=editor, data=NOTICE)
    services.campaign_update(by=rewriter, campaign_id=campaign.pk, data=NOTICE)
    services.campaign_submit(by=rewriter, campaign_id=campaign.pk)
    assert selectors.awaiting_approval_for(user=editor) == []
    assert selectors.awaiting_approval_for(user=rewriter) == []
    assert [c.pk for c in selectors.awaiting_approval_for(user=operator)] == [campaign.pk]
