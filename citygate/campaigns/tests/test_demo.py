"""The demo campaigns: what the demo residents find in their inboxes."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils.translation import override

from citygate.accounts.models import User
from citygate.campaigns.models import Campaign, CampaignState
from citygate.campaigns.services import campaigns_bring_in

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_the_demo_sends_notices_to_everyone_and_to_a_street_and_a_story_to_the_over_sixties() -> (
    None
):
    call_command("load_demo_data", stdout=io.StringIO())
    assert list(Campaign.objects.values_list("state", flat=True).distinct()) == [CampaignState.SENT]
    wang = User.objects.get(name__isnull=False, elderly_mode=True)
    emma = User.objects.get(preferred_language="en", login_name__isnull=True)
    # 王秀英 lives in 平江街道 and is over sixty; Emma lives in 金鸡湖街道.
    assert campaigns_bring_in(wang) == 3
    assert campaigns_bring_in(emma) == 1
    with override("zh-hans"):
        assert any("平江街道" in m.title_text for m in wang.inbox_messages.all())
    with override("en"):
        assert emma.inbox_messages.get(dedupe_key__startswith="campaign:").title_text == (
            "Winter gas safety checks at home begin"
        )
