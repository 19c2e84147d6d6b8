"""Campaigns pushed, a batch of the audience at a time, to those who chose a channel that
pushes; everyone else finds the campaign when they open the inbox, and nobody gets it twice."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from citygate.accounts.models import SmsOutboxMessage, User
from citygate.campaigns import selectors, services
from citygate.campaigns.models import Campaign
from citygate.campaigns.tests.conftest import make_resident
from citygate.directory.models import District
from citygate.inbox.models import Channel, Delivery, DeliveryState, Message, WebPushOutboxMessage
from citygate.inbox.services import notification_settings_update, push_subscription_add
from citygate.inbox.tests.pushservice import Device

pytestmark = pytest.mark.django_db

NOTICE = {
    "kind": "official",
    "headline_zh": "明日停水通知",
    "headline_en": "Water off tomorrow",
    "summary_zh": "因管网维修，明日9时至17时停水。",
}
CaptureOnCommit = Callable[..., Any]


def with_device(number: int) -> User:
    person = make_resident(number, language="en")
    device = Device()
    push_subscription_add(
        user=person,
        endpoint=f"https://push.example.org/send/device{number:04d}",
        p256dh=device.p256dh,
        auth=device.auth,
    )
    return person


@pytest.fixture
def send(
    editor: User, operator: User, django_capture_on_commit_callbacks: CaptureOnCommit
) -> Callable[..., Campaign]:
    """Writes, submits and approves a campaign, with what follows the commit (the push tasks,
    which run at once in the tests)."""

    def sending(data: Mapping[str, object] = NOTICE) -> Campaign:
        campaign = services.campaign_create(by=editor, data=data)
        services.campaign_submit(by=editor, campaign_id=campaign.pk)
        with django_capture_on_commit_callbacks(execute=True):
            services.campaign_approve(by=operator, campaign_id=campaign.pk)
        campaign.refresh_from_db()
        return campaign

    return sending


def test_people_with_a_device_are_pushed_the_rest_read_it_in_the_inbox(
    send: Callable[..., Campaign],
) -> None:
    device_owner = with_device(1)
    texter = make_resident(2)
    notification_settings_update(user=texter, channels={"official": ["sms"]})
    by_default = make_resident(3)

    campaign = send()

    pushed = WebPushOutboxMessage.objects.get()
    assert pushed.payload["title"] == "Water off tomorrow"
    assert SmsOutboxMessage.objects.count() == 1
    assert set(Message.objects.values_list("recipient", flat=True)) == {device_owner.pk, texter.pk}
    # Defaults alone never bring a campaign by text message: the third finds it in the inbox.
    assert services.campaigns_bring_in(by_default) == 1
    assert services.campaigns_bring_in(device_owner) == 0
    assert Message.objects.filter(dedupe_key=campaign.dedupe_key).count() == 3

    results = selectors.results(campaign=campaign)
    assert results.delivered == 3
    assert results.by_channel[Channel.WEB_PUSH] == {DeliveryState.SENT: 1}
    assert results.by_channel[Channel.SMS] == {DeliveryState.SENT: 1}


def test_the_push_walks_the_audience_in_batches(
    send: Callable[..., Campaign], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "PUSH_BATCH", 2)
    people = [with_device(number) for number in range(5)]
    send()
    assert WebPushOutboxMessage.objects.count() == len(people)
    assert Delivery.objects.filter(channel=Channel.WEB_PUSH).count() == len(people)


def test_a_person_outside_the_segment_is_not_pushed(send: Callable[..., Campaign]) -> None:
    inside, outside = with_device(1), with_device(2)
    User.objects.filter(pk=inside.pk).update(home_district=District.objects.get(code="320508"))
    User.objects.filter(pk=outside.pk).update(home_district=District.objects.get(code="320506"))
    send({**NOTICE, "segment": {"districts": ["320508"]}})
    assert list(Message.objects.values_list("recipient", flat=True)) == [inside.pk]


def test_a_batch_done_again_sends_nothing_twice(send: Callable[..., Campaign]) -> None:
    with_device(1)
    campaign = send()
    assert WebPushOutboxMessage.objects.count() == 1
    # As if the walk's place had been lost after the batch committed.
    Campaign.objects.filter(pk=campaign.pk).update(push_after="", push_done_at=None)
    assert services.campaign_push_batch(campaign_id=campaign.pk) is False
    assert WebPushOutboxMessage.objects.count() == 1
    assert Delivery.objects.filter(channel=Channel.WEB_PUSH).count() == 1


def test_a_push_that_stopped_short_is_restarted_by_the_sweep(
    send: Callable[..., Campaign],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    # given: the release's push task never ran (its worker died), one batch of two done
    monkeypatch.setattr(services, "_push_enqueue", lambda campaign_id: None)
    monkeypatch.setattr(services, "PUSH_BATCH", 2)
    people = [with_device(number) for number in range(5)]
    campaign = send()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.campaign_push_batch(campaign_id=campaign.pk) is True
    assert WebPushOutboxMessage.objects.count() == 2
    monkeypatch.undo()
    monkeypatch.setattr(services, "PUSH_BATCH", 2)

    # when: the sweep runs before the walk is stalled, then after
    assert services.campaigns_push_resume() == 0
    later = timezone.now() + services.PUSH_STALLED + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.campaigns_push_resume(now=later) == 1

    # then: everyone was pushed once, and the walk is done
    assert WebPushOutboxMessage.objects.count() == len(people)
    campaign.refresh_from_db()
    assert campaign.push_done_at is not None
    assert services.campaigns_push_resume(now=later) == 0
