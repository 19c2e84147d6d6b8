"""The demo residents get a district and followed topics, once."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from citygate.accounts.models import User
from citygate.accounts.services import phone_index
from citygate.feed import demo, selectors
from citygate.news.models import NewsTag

pytestmark = pytest.mark.django_db


def test_demo_residents_get_a_district_and_topics_and_a_second_load_changes_nothing() -> None:
    # when
    call_command("load_demo_data", force=True, verbosity=0)
    again = demo.load()

    # then
    wang = User.objects.get(phone_index=phone_index("19999990001"))
    assert wang.home_district is not None
    assert wang.home_district.code == "320508"
    assert [t.slug for t in selectors.interest_tags(user=wang)] == ["health", "elderly-care"]
    assert again == 0
    assert NewsTag.objects.filter(slug__in=[t[0] for t in demo.TAGS]).count() == len(demo.TAGS)
