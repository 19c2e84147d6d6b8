"""Inboxes read at the same moment, each thread with its own connection, on a real database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from citygate.accounts.models import User
from citygate.campaigns import services
from citygate.campaigns.models import CampaignCursor
from citygate.campaigns.tests.conftest import make_resident
from citygate.campaigns.tests.test_services import NOTICE, sent
from citygate.core.tests.threads import run_at_once
from citygate.inbox.models import Message

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _no_access_records_left() -> Iterator[None]:
    from citygate.privacy.testing import access_records_clear

    yield
    access_records_clear()


def test_reads_racing_each_other_still_bring_a_campaign_in_once(
    editor: User, operator: User
) -> None:
    person = make_resident(1)
    sent(editor, operator)
    sent(editor, operator, {**NOTICE, "headline_zh": "第二条通知"})
    _results, errors = run_at_once(4, lambda _i: services.campaigns_bring_in(person))
    assert errors == []
    assert Message.objects.filter(recipient=person).count() == 2
    assert CampaignCursor.objects.get(user=person).seen_seq == 2
