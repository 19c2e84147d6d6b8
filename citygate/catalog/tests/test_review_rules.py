"""Four eyes on every guide, and a withdrawal that stays in the history."""

from __future__ import annotations

import pytest

from citygate.catalog import services
from citygate.catalog.content import ItemContent
from citygate.catalog.models import ItemStatus, ServiceItem
from citygate.catalog.tests.staff_helpers import guide, published, record, signed_in, staff
from citygate.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db


def test_publish_by_someone_who_saved_the_revision_is_refused_even_after_a_colleague_saved_it() -> (
    None
):
    # given: an administrator drafts a text, and a clerk saves it again unchanged and submits
    people = staff()
    revision = services.item_create(record=record("SZ-T-0001"), by=people.admin)
    services.revision_save(
        item=revision.item, content=ItemContent.model_validate(guide()), by=people.clerk
    )
    services.revision_submit(revision_id=revision.pk, by=people.clerk)

    # when / then: the administrator may not publish what they wrote
    with pytest.raises(PermissionDenied) as refused:
        services.revision_publish(revision_id=revision.pk, by=people.admin)
    assert refused.value.code == "review_own_revision"

    # and another administrator may
    services.revision_publish(revision_id=revision.pk, by=people.other_admin)
    assert ServiceItem.objects.get(code="SZ-T-0001").status == ItemStatus.PUBLISHED


def test_withdrawal_keeps_who_when_and_why_and_shows_in_the_history() -> None:
    # given
    people = staff()
    item = published("SZ-T-0002", people)

    # when
    services.item_withdraw(item=item, by=people.admin, reason="职能调整，改由区级办理")

    # then
    item.refresh_from_db()
    assert item.status == ItemStatus.WITHDRAWN
    assert item.withdrawn_by == people.admin
    assert item.withdrawn_reason == "职能调整，改由区级办理"
    html = signed_in(people.clerk).get("/staff/catalog/SZ-T-0002/").content.decode()
    assert "职能调整，改由区级办理" in html
    assert "admin.wang" in html


def test_operators_see_the_searches_that_found_nothing_and_others_do_not() -> None:
    from citygate.accounts.roles import Role
    from citygate.catalog.tests.staff_helpers import staff_member

    # given three residents who searched for the same thing, and one who typed a name
    for _ in range(3):
        services.search_miss_record(query="天气预报 12345678")
    services.search_miss_record(query="张三丰")
    operator = staff_member("op.li", Role.OPERATOR, "big-data")

    # when
    html = signed_in(operator).get("/staff/catalog/misses/").content.decode()

    # then
    assert "天气预报 #" in html
    assert "张三丰" not in html
    assert signed_in(staff().clerk).get("/staff/catalog/misses/").status_code == 404
