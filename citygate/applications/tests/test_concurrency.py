"""Submissions racing each other on a real database, each thread with its own connection.

The same Idempotency-Key sent twice at once (a double tap, a retry after a timeout) makes one
application; different keys at once get numbers with no gaps and no repeats.
"""

from __future__ import annotations

import pytest

from citygate.applications import services
from citygate.applications.models import Application, DailyCounter
from citygate.applications.tests.conftest import (
    MINIMUM_LIVING,
    MONDAY,
    MONDAY_MORNING,
    demo_item,
    make_resident,
    materials_for,
)
from citygate.core.tests.threads import run_at_once

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LIVING = {"household_size": 2, "monthly_income": "1800", "address": "苏州市相城区元和街道1号"}


@pytest.fixture(autouse=True)
def _no_access_records_left() -> object:
    from citygate.privacy.testing import access_records_clear

    yield
    access_records_clear()


def test_one_key_sent_from_six_threads_at_once_makes_one_application() -> None:
    # given: one resident's complete request, sent six times at the same moment
    resident = make_resident("19999990471")
    item = demo_item(MINIMUM_LIVING)
    material_ids = [m.pk for m in materials_for(resident, item)]

    # when
    results, errors = run_at_once(
        6,
        lambda i: services.application_submit(
            applicant=resident,
            item_code=MINIMUM_LIVING,
            answers=LIVING,
            material_ids=material_ids,
            idempotency_key="tap-tap",
            now=MONDAY_MORNING,
        ),
    )

    # then: one made it, the others were handed the same application
    assert not errors, errors
    assert Application.objects.count() == 1
    assert len({r.application.pk for r in results}) == 1
    assert sorted(r.created for r in results) == [False] * 5 + [True]
    assert DailyCounter.objects.get(day=MONDAY).last == 1


def test_eight_people_submitting_at_once_get_consecutive_numbers() -> None:
    item = demo_item(MINIMUM_LIVING)
    people = [make_resident(f"199999904{80 + i}") for i in range(8)]
    materials = [[m.pk for m in materials_for(p, item)] for p in people]

    results, errors = run_at_once(
        8,
        lambda i: (
            services.application_submit(
                applicant=people[i],
                item_code=MINIMUM_LIVING,
                answers=LIVING,
                material_ids=materials[i],
                idempotency_key=f"key-{i}",
                now=MONDAY_MORNING,
            ).application.number
        ),
    )

    assert not errors, errors
    assert sorted(results) == [f"SQ20260928{n:06d}" for n in range(1, 9)]
