"""好差评: one rating per completed application or hall visit; a poor one is followed up by
the department within its deadline, and the resident may reopen it once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time

import pytest
from django.test import override_settings
from django.utils import translation

from citygate.accounts.models import User
from citygate.applications import ratings, selectors
from citygate.applications.models import Application, FollowUpState, Grade
from citygate.applications.services import ActionInput, application_act
from citygate.applications.tests.conftest import RESIDENCE_PERMIT, Submit, at
from citygate.core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from citygate.inbox.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def completed(resident: User, police_clerk: User, submit: Submit) -> Application:
    application = submit(resident, RESIDENCE_PERMIT)
    for action, given in (
        ("accept", None),
        ("approve", None),
        ("complete", ActionInput(result="已发证")),
    ):
        application = application_act(
            actor=police_clerk,
            application_id=application.pk,
            action=action,
            given=given,
            now=at(date(2026, 9, 29), 10),
        )
    return application


def test_a_completed_application_is_rated_once(resident: User, completed: Application) -> None:
    rating = ratings.rating_submit(
        rater=resident, grade=Grade.VERY_SATISFIED, tags=["quick"], application_id=completed.pk
    )
    assert rating.department_id == completed.department_id
    assert not hasattr(rating, "follow_up")
    with pytest.raises(ApplicationError) as again:
        ratings.rating_submit(rater=resident, grade=Grade.SATISFIED, application_id=completed.pk)
    assert (again.value.code, again.value.status) == ("already_rated", 409)


def test_an_open_or_withdrawn_application_cannot_be_rated(resident: User, submit: Submit) -> None:
    application = submit(resident, RESIDENCE_PERMIT)
    with pytest.raises(ApplicationError) as open_one:
        ratings.rating_submit(rater=resident, grade=Grade.SATISFIED, application_id=application.pk)
    assert open_one.value.code == "not_closed"
    application_act(
        actor=resident,
        application_id=application.pk,
        action="withdraw",
        now=at(date(2026, 9, 28), 11),
    )
    with pytest.raises(ApplicationError):
        ratings.rating_submit(rater=resident, grade=Grade.SATISFIED, application_id=application.pk)


def test_only_the_applicant_rates(other_resident: User, completed: Application) -> None:
    with pytest.raises(NotFound):
        ratings.rating_submit(
            rater=other_resident, grade=Grade.SATISFIED, application_id=completed.pk
        )


@pytest.mark.parametrize(
    ("grade", "tags", "field"), [(0, [], "grade"), (6, [], "grade"), (5, ["bribe"], "tags")]
)
def test_a_bad_rating_names_its_field(
    resident: User, completed: Application, grade: int, tags: list[str], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        ratings.rating_submit(rater=resident, grade=grade, tags=tags, application_id=completed.pk)
    assert field in refused.value.fields


def test_a_poor_rating_opens_a_follow_up_answered_and_reopened_once(
    resident: User, completed: Application, police_admin: User, police_clerk: User
) -> None:
    # When the resident is dissatisfied on 2026-09-29
    rating = ratings.rating_submit(
        rater=resident,
        grade=Grade.DISSATISFIED,
        tags=["slow"],
        comment="等了很久",
        application_id=completed.pk,
        now=at(date(2026, 9, 29), 16),
    )

    # Then a follow-up is due in 15 working days (09-30, 10-08, 10-09, 10-10, 10-12 ... 10-26),
    # and the admins are told
    follow_up = rating.follow_up
    assert follow_up.state == FollowUpState.OPEN
    assert follow_up.due_on == date(2026, 10, 26)
    assert (
        Message.objects.filter(recipient=police_admin, template="applications.poor_rating").count()
        == 1
    )
    assert list(selectors.staff_follow_ups(user=police_clerk)) == [follow_up]

    # When the department answers in time, the resident hears of it
    ratings.follow_up_answer(
        actor=police_clerk,
        follow_up_id=follow_up.pk,
        answer="已优化预约流程",
        now=at(date(2026, 10, 9), 10),
    )
    follow_up.refresh_from_db()
    assert (follow_up.state, follow_up.late) == (FollowUpState.ANSWERED, False)
    assert (
        Message.objects.filter(
            recipient=resident, template="applications.follow_up_answered"
        ).count()
        == 1
    )

    # The resident may reopen it once; the next answer closes it
    ratings.follow_up_reopen(rater=resident, follow_up_id=follow_up.pk, reason="仍然不满意")
    follow_up.refresh_from_db()
    assert follow_up.state == FollowUpState.REOPENED
    ratings.follow_up_answer(actor=police_admin, follow_up_id=follow_up.pk, answer="已电话回访说明")
    follow_up.refresh_from_db()
    assert follow_up.state == FollowUpState.CLOSED
    with pytest.raises(PermissionDenied):
        ratings.follow_up_reopen(rater=resident, follow_up_id=follow_up.pk, reason="再来一次")


def test_another_department_cannot_answer_a_follow_up(
    resident: User, completed: Application, civil_clerk: User
) -> None:
    rating = ratings.rating_submit(
        rater=resident, grade=Grade.VERY_DISSATISFIED, application_id=completed.pk
    )
    with pytest.raises(NotFound):
        ratings.follow_up_answer(
            actor=civil_clerk, follow_up_id=rating.follow_up.pk, answer="不是我们"
        )


@override_settings(CITYGATE_FOLLOW_UP_DAYS=5)
def test_the_follow_up_deadline_is_configurable_and_a_late_answer_counts_late(
    resident: User, completed: Application, police_clerk: User
) -> None:
    rating = ratings.rating_submit(
        rater=resident,
        grade=Grade.DISSATISFIED,
        application_id=completed.pk,
        now=at(date(2026, 9, 29), 16),
    )
    # 09-30, 10-08, 10-09, 10-10 (the exchanged Saturday), 10-12
    assert rating.follow_up.due_on == date(2026, 10, 12)
    ratings.follow_up_answer(
        actor=police_clerk,
        follow_up_id=rating.follow_up.pk,
        answer="迟到的回复",
        now=at(date(2026, 10, 20), 9),
    )
    rating.follow_up.refresh_from_db()
    assert rating.follow_up.late is True
    police = next(
        r
        for r in selectors.department_records(since=date(2026, 1, 1))
        if r.department.code == "public-security"
    )
    assert (police.ratings, police.satisfied, police.follow_ups, police.follow_ups_on_time) == (
        1,
        0,
        1,
        0,
    )


def test_a_hall_visit_is_rated_once_checked_in(resident: User) -> None:
    from citygate.applications.tests.conftest import demo_item
    from citygate.halls.models import Appointment, AppointmentState, Hall, HallItem, Slot
    from citygate.halls.tests.conftest import make_hall

    hall = make_hall("rating-hall")
    item = demo_item(RESIDENCE_PERMIT)
    HallItem.objects.create(hall=hall, item=item)
    slot = Slot.objects.create(
        hall=hall,
        item=item,
        date=date(2026, 9, 28),
        start=time(9),
        end=time(9, 30),
        capacity=2,
        booked=1,
    )
    appointment = Appointment.objects.create(
        user=resident, slot=slot, hall=hall, item=item, date=slot.date
    )
    with pytest.raises(ApplicationError) as early:
        ratings.rating_submit(rater=resident, grade=Grade.SATISFIED, appointment_id=appointment.pk)
    assert early.value.code == "not_visited"
    Appointment.objects.filter(pk=appointment.pk).update(state=AppointmentState.DONE)
    rating = ratings.rating_submit(
        rater=resident, grade=Grade.SATISFIED, appointment_id=appointment.pk
    )
    assert rating.department_id == item.department_id
    assert not selectors.visits_to_rate(user=resident).exists()
    assert isinstance(hall, Hall)
