"""The promised time: warned at 80%, escalated and counted late at the limit, once each; the
clock of an application waiting for its applicant does not run."""

from __future__ import annotations

from datetime import date

import pytest

from citygate.accounts.models import User
from citygate.applications import selectors, services
from citygate.applications.models import Application
from citygate.applications.services import (
    ActionInput,
    application_act,
    applications_deadlines_sweep,
)
from citygate.applications.tests.conftest import RESIDENCE_PERMIT, Submit, at, make_staff
from citygate.inbox.models import Message

pytestmark = pytest.mark.django_db


def received(user: User, template: str) -> int:
    return Message.objects.filter(recipient=user, template=template).count()


@pytest.fixture
def application(resident: User, submit: Submit) -> Application:
    # 居住证申领 on 2026-09-28: warned on 10-12, due on 10-13
    return submit(resident, RESIDENCE_PERMIT)


def test_warning_at_eighty_percent_reaches_the_clerks_and_admins_once(
    application: Application, police_clerk: User, police_admin: User
) -> None:
    assert applications_deadlines_sweep(now=at(date(2026, 10, 9), 8)).warned == 0

    report = applications_deadlines_sweep(now=at(date(2026, 10, 12), 8))

    assert report.warned == 1
    assert received(police_clerk, "applications.deadline_near") == 1
    assert received(police_admin, "applications.deadline_near") == 1
    assert applications_deadlines_sweep(now=at(date(2026, 10, 12), 9)).warned == 0
    assert received(police_clerk, "applications.deadline_near") == 1


def test_an_assigned_application_warns_its_clerk_not_the_others(
    application: Application, police_clerk: User, police_admin: User
) -> None:
    other_clerk = make_staff("clerk.police2", "public-security")
    services.application_assign(actor=police_clerk, application_id=application.pk)

    applications_deadlines_sweep(now=at(date(2026, 10, 12), 8))

    assert received(police_clerk, "applications.deadline_near") == 1
    assert received(other_clerk, "applications.deadline_near") == 0
    assert received(police_admin, "applications.deadline_near") == 1


def test_past_the_limit_it_is_escalated_to_the_admins_and_counted_late(
    application: Application, police_clerk: User, police_admin: User
) -> None:
    # On the due day itself it is not late yet
    assert applications_deadlines_sweep(now=at(date(2026, 10, 13), 18)).escalated == 0

    report = applications_deadlines_sweep(now=at(date(2026, 10, 14), 8))

    application.refresh_from_db()
    assert report.escalated == 1
    assert application.late is True
    assert application.escalated_at is not None
    assert received(police_admin, "applications.deadline_passed") == 1
    assert received(police_clerk, "applications.deadline_passed") == 0
    assert application.events.filter(action="escalate", actor_role="system").count() == 1
    assert applications_deadlines_sweep(now=at(date(2026, 10, 15), 8)).escalated == 0
    # Completed later, it stays late in the figures
    application_act(
        actor=police_clerk,
        application_id=application.pk,
        action="accept",
        now=at(date(2026, 10, 15), 9),
    )
    application_act(
        actor=police_clerk,
        application_id=application.pk,
        action="approve",
        now=at(date(2026, 10, 15), 10),
    )
    application_act(
        actor=police_clerk,
        application_id=application.pk,
        action="complete",
        given=ActionInput(result="已发证"),
        now=at(date(2026, 10, 15), 11),
    )
    records = selectors.department_records(since=date(2026, 1, 1))
    police = next(r for r in records if r.department.code == "public-security")
    assert (police.closed, police.on_time, police.on_time_rate) == (1, 0, 0.0)


def test_an_application_waiting_for_its_applicant_is_neither_warned_nor_escalated(
    application: Application, police_clerk: User, police_admin: User
) -> None:
    application_act(
        actor=police_clerk,
        application_id=application.pk,
        action="accept",
        now=at(date(2026, 9, 29), 9),
    )
    application_act(
        actor=police_clerk,
        application_id=application.pk,
        action="request_supplement",
        given=ActionInput(reason="缺少租赁合同", materials=["房屋租赁合同"]),
        now=at(date(2026, 9, 29), 10),
    )

    report = applications_deadlines_sweep(now=at(date(2026, 11, 2), 8))

    assert (report.warned, report.escalated) == (0, 0)
    application.refresh_from_db()
    assert application.late is False


def test_the_queues_sort_applications_by_their_clock(
    resident: User, submit: Submit, police_clerk: User
) -> None:
    from citygate.applications.selectors import Queue, queue_counts, staff_queue

    new = submit(resident, RESIDENCE_PERMIT)
    waiting = submit(resident, RESIDENCE_PERMIT)
    application_act(
        actor=police_clerk, application_id=waiting.pk, action="accept", now=at(date(2026, 9, 29), 9)
    )
    application_act(
        actor=police_clerk,
        application_id=waiting.pk,
        action="request_supplement",
        given=ActionInput(reason="缺材料", materials=["租赁合同"]),
        now=at(date(2026, 9, 29), 10),
    )
    reviewing = submit(resident, RESIDENCE_PERMIT)
    application_act(
        actor=police_clerk,
        application_id=reviewing.pk,
        action="accept",
        now=at(date(2026, 9, 29), 9),
    )
    services.application_assign(actor=police_clerk, application_id=reviewing.pk)

    def queue(name: str, day: date) -> list[Application]:
        return list(staff_queue(user=police_clerk, queue=name, today=day))

    assert queue(Queue.NEW, date(2026, 9, 30)) == [new]
    assert queue(Queue.WAITING, date(2026, 9, 30)) == [waiting]
    assert queue(Queue.MINE, date(2026, 9, 30)) == [reviewing]
    assert queue(Queue.DUE_SOON, date(2026, 10, 9)) == []
    assert set(queue(Queue.DUE_SOON, date(2026, 10, 12))) == {new, reviewing}
    assert set(queue(Queue.LATE, date(2026, 10, 14))) == {new, reviewing}
    assert queue_counts(user=police_clerk, today=date(2026, 10, 14)) == {
        "new": 1,
        "due_soon": 0,
        "late": 2,
        "waiting": 1,
        "mine": 1,
        "open": 3,
    }


def test_a_step_past_its_own_limit_is_reported_to_its_handlers_once(
    application: Application, police_clerk: User, police_admin: User
) -> None:
    # 受理 has 2 working days of its own: due 09-30, reported on the next working day's sweep
    assert application.step_due_on == date(2026, 9, 30)
    assert applications_deadlines_sweep(now=at(date(2026, 9, 30), 18)).steps == 0

    assert applications_deadlines_sweep(now=at(date(2026, 10, 8), 8)).steps == 1

    assert received(police_clerk, "applications.step_overdue") == 1
    assert received(police_admin, "applications.step_overdue") == 0
    applications_deadlines_sweep(now=at(date(2026, 10, 8), 9))
    assert received(police_clerk, "applications.step_overdue") == 1
    # The next step starts its own count
    application_act(
        actor=police_clerk,
        application_id=application.pk,
        action="accept",
        now=at(date(2026, 10, 8), 10),
    )
    application.refresh_from_db()
    assert application.step_due_on is None
    assert application.step_warned_at is None
