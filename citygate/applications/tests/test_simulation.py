"""Each procedure simulated: given these actions on these days, expect these states, due dates
and messages to the applicant.

The days are real: the National Day holiday of 2026 (10-01 to 10-07) and the exchanged working
Saturday 10-10 move every due date, so a wrong working-day count shows here.
"""

from __future__ import annotations

from datetime import date

import pytest

from citygate.accounts.models import User
from citygate.applications.models import Application, Phase
from citygate.applications.services import ActionInput, application_act
from citygate.applications.tests.conftest import (
    FOOD_LICENCE,
    MINIMUM_LIVING,
    MONDAY_MORNING,
    PASSPORT,
    RESIDENCE_PERMIT,
    Submit,
    at,
    make_staff,
)
from citygate.core.errors import InvalidInput
from citygate.inbox.models import Message

pytestmark = pytest.mark.django_db


def templates_of(user: User) -> list[str]:
    return list(
        Message.objects.filter(recipient=user)
        .order_by("created_at")
        .values_list("template", flat=True)
    )


def act(
    actor: User, application: Application, action: str, day: date, hour: int = 10, **given: object
) -> Application:
    return application_act(
        actor=actor,
        application_id=application.pk,
        action=action,
        given=ActionInput(**given),  # type: ignore[arg-type]
        now=at(day, hour),
    )


def test_default_procedure_from_submission_to_completion_with_a_supplement_pausing_the_clock(
    resident: User, police_clerk: User, submit: Submit
) -> None:
    # Given an application for 居住证申领 (7 working days) on Monday 2026-09-28
    application = submit(resident, RESIDENCE_PERMIT)

    # Then it is submitted, due 7 working days later across the holiday: 09-29, 09-30, 10-08,
    # 10-09, 10-10 (the exchanged Saturday), 10-12, 10-13; warned at 6 of 7 (ceil of 80%).
    assert application.state == "submitted"
    assert application.number.startswith("SQ20260928")
    assert application.due_on == date(2026, 10, 13)
    assert application.warn_on == date(2026, 10, 12)
    # Acceptance has 2 working days of its own.
    assert application.step_due_on == date(2026, 9, 30)

    # When the clerk accepts on Tuesday and asks for more materials on Wednesday
    application = act(police_clerk, application, "accept", date(2026, 9, 29))
    assert (application.state, application.stage, application.step_due_on) == (
        "review",
        "review",
        None,
    )
    application = act(
        police_clerk,
        application,
        "request_supplement",
        date(2026, 9, 30),
        reason="租赁合同缺少出租人签名",
        materials=["签名完整的房屋租赁合同"],
    )

    # Then the clock pauses
    assert application.state == "supplement"
    assert application.phase == Phase.PAUSED
    assert application.paused_since == date(2026, 9, 30)

    # When the resident answers on Friday 10-09 (working days waited: 10-08 and 10-09)
    application = act(resident, application, "supplement", date(2026, 10, 9), comment="已补签名")

    # Then the due date moves two working days later: 10-13 becomes 10-15
    assert application.phase == Phase.RUNNING
    assert application.paused_days == 2
    assert application.due_on == date(2026, 10, 15)

    # When the clerk approves and completes on Monday 10-12
    application = act(police_clerk, application, "approve", date(2026, 10, 12))
    assert application.state == "approved"
    application = act(
        police_clerk,
        application,
        "complete",
        date(2026, 10, 12),
        hour=15,
        result="居住证已制证，邮寄送达",
    )

    # Then it is closed on time: 09-29, 09-30, 10-08, 10-09, 10-10, 10-12 are six working days,
    # less the two waited for the resident
    assert application.phase == Phase.STOPPED
    assert application.outcome == "approved"
    assert application.late is False
    assert application.handling_days == 4
    assert list(application.events.values_list("action", flat=True)) == [
        "submit",
        "accept",
        "request_supplement",
        "supplement",
        "approve",
        "complete",
    ]
    # And the applicant heard of each step, the receipt first
    assert templates_of(resident) == [
        "applications.submitted",
        "applications.progressed",
        "applications.supplement_requested",
        "applications.progressed",
        "applications.progressed",
        "applications.completed",
    ]


def test_a_refusal_to_accept_needs_reason_and_legal_basis_and_can_be_appealed_once(
    resident: User, police_clerk: User, submit: Submit
) -> None:
    from citygate.core.errors import ApplicationError, InvalidInput

    application = submit(resident, RESIDENCE_PERMIT)
    with pytest.raises(InvalidInput) as missing:
        act(police_clerk, application, "refuse", date(2026, 9, 29))
    assert set(missing.value.fields) == {"reason", "legal_basis"}

    application = act(
        police_clerk,
        application,
        "refuse",
        date(2026, 9, 29),
        reason="不在本市居住满半年",
        legal_basis="《居住证暂行条例》第九条",
    )
    assert (application.state, application.outcome, application.phase) == (
        "not_accepted",
        "not_accepted",
        Phase.STOPPED,
    )
    assert templates_of(resident)[-1] == "applications.refused"

    # The appeal reopens it with a fresh promise from the day of the appeal
    application = act(
        resident, application, "appeal", date(2026, 10, 8), reason="已居住满半年，附租房备案"
    )
    assert application.state == "submitted"
    assert application.phase == Phase.RUNNING
    assert application.outcome == ""
    assert application.clock_started_on == date(2026, 10, 8)
    # 10-09, 10-10 (the exchanged Saturday), 10-12, 10-13, 10-14, 10-15, 10-16: seven days
    assert application.due_on == date(2026, 10, 16)
    assert templates_of(resident)[-1] == "applications.reopened"

    application = act(
        police_clerk,
        application,
        "refuse",
        date(2026, 10, 9),
        reason="备案时间不足半年",
        legal_basis="《居住证暂行条例》第九条",
    )
    with pytest.raises(ApplicationError) as again:
        act(resident, application, "appeal", date(2026, 10, 12), reason="再次申诉")
    assert again.value.code == "appeal_used"


def test_the_appeal_window_closes_sixty_days_after_the_refusal(
    resident: User, police_clerk: User, submit: Submit
) -> None:
    from citygate.core.errors import ApplicationError

    application = submit(resident, RESIDENCE_PERMIT)
    act(
        police_clerk,
        application,
        "refuse",
        date(2026, 9, 29),
        reason="材料不符",
        legal_basis="第九条",
    )
    with pytest.raises(ApplicationError) as late:
        act(resident, application, "appeal", date(2026, 11, 30), reason="申诉")
    assert late.value.code == "window_closed"


def test_two_level_procedure_needs_a_second_administrator_to_approve(
    resident: User, civil_clerk: User, civil_admin: User, civil_admin_two: User, submit: Submit
) -> None:
    from citygate.core.errors import ApplicationError, PermissionDenied

    # 最低生活保障申请: 20 working days, first review by a clerk, approval by an administrator
    application = submit(resident, MINIMUM_LIVING)
    # 09-29, 09-30, 10-08, 10-09, 10-10, then three weeks of five: 10-30
    assert application.due_on == date(2026, 10, 30)
    act(civil_clerk, application, "accept", date(2026, 9, 29))

    # A clerk cannot approve in the second review; the admin who passed it on cannot either
    with pytest.raises(PermissionDenied):
        act(civil_admin, application, "propose_approval", date(2026, 9, 30))
    application = act(civil_clerk, application, "propose_approval", date(2026, 9, 30))
    assert application.state == "second_review"
    assert application.step_due_on == date(2026, 10, 13)  # 5 working days from 09-30
    with pytest.raises(PermissionDenied):
        act(civil_clerk, application, "approve", date(2026, 10, 8))

    application = act(
        civil_admin, application, "send_back", date(2026, 10, 8), reason="请核实家庭收入"
    )
    assert application.state == "review"
    application = act(civil_clerk, application, "propose_approval", date(2026, 10, 9))
    application = act(civil_admin, application, "approve", date(2026, 10, 10))
    assert application.state == "approved"

    # An administrator who passed it on is not the second person
    second = submit(resident, MINIMUM_LIVING)
    act(civil_admin, second, "accept", date(2026, 9, 29))
    promoted = make_staff("clerk.civil.admin", "civil-affairs")
    act(promoted, second, "propose_approval", date(2026, 9, 30))
    from citygate.accounts.models import StaffRole
    from citygate.accounts.roles import Role
    from citygate.directory.models import Department

    StaffRole.objects.create(
        user=promoted,
        role=Role.DEPARTMENT_ADMIN,
        department=Department.objects.get(code="civil-affairs"),
    )
    promoted.refresh_from_db()
    with pytest.raises(ApplicationError) as same:
        act(promoted, second, "approve", date(2026, 10, 8))
    assert same.value.code == "second_person_needed"
    act(civil_admin_two, second, "approve", date(2026, 10, 8))


def test_inspection_procedure_visits_the_site_before_approval(
    resident: User, submit: Submit
) -> None:
    clerk = make_staff("clerk.market", "market-regulation")
    application = submit(resident, FOOD_LICENCE)
    assert application.due_on == date(2026, 10, 8)  # 09-29, 09-30, 10-08
    act(clerk, application, "accept", date(2026, 9, 28), hour=11)
    application = act(clerk, application, "send_to_inspection", date(2026, 9, 29))
    assert application.state == "inspection"
    assert application.step_due_on == date(2026, 10, 9)  # 3 working days from 09-29
    with pytest.raises(InvalidInput) as findings:
        act(clerk, application, "inspection_passed", date(2026, 9, 30))
    assert set(findings.value.fields) == {"reason"}
    application = act(
        clerk, application, "inspection_passed", date(2026, 9, 30), reason="现场布局与平面图一致"
    )
    application = act(
        clerk, application, "complete", date(2026, 10, 8), result="食品经营许可证 JY13205080012345"
    )
    assert application.outcome == "approved"
    assert application.late is False


def test_fee_procedure_asks_for_the_fee_and_its_clock_keeps_running(
    resident: User, police_clerk: User, submit: Submit
) -> None:
    # 普通护照签发: 7 working days from 09-28, due 10-13
    application = submit(resident, PASSPORT, destination="other", purpose="tourism")
    act(police_clerk, application, "accept", date(2026, 9, 28), hour=14)
    application = act(police_clerk, application, "ask_for_fee", date(2026, 9, 29), amount="120")
    # Waiting for a payment that staff confirm does not stop the promise: only the
    # applicant's own answer to 补正 does
    assert (application.state, application.phase) == ("payment", Phase.RUNNING)
    # 5 working days from 09-29: 09-30, 10-08, 10-09, 10-10 (the exchanged Saturday), 10-12
    assert application.step_due_on == date(2026, 10, 12)
    assert templates_of(resident)[-1] == "applications.fee_requested"
    fee_message = Message.objects.filter(recipient=resident).order_by("-created_at").first()
    assert fee_message is not None
    assert fee_message.params["amount"] == "120.00"
    application = act(police_clerk, application, "confirm_payment", date(2026, 10, 8))
    assert application.state == "approved"
    assert application.paused_days == 0
    assert application.due_on == date(2026, 10, 13)


def test_a_late_first_handling_stays_late_after_an_appeal(
    resident: User, police_clerk: User, submit: Submit
) -> None:
    application = submit(resident, RESIDENCE_PERMIT)
    act(police_clerk, application, "accept", date(2026, 9, 29))
    application = act(
        police_clerk,
        application,
        "reject",
        date(2026, 10, 20),
        reason="材料不实",
        legal_basis="第九条",
    )
    assert application.late is True
    application = act(resident, application, "appeal", date(2026, 10, 21), reason="材料属实")
    application = act(police_clerk, application, "approve", date(2026, 10, 21), hour=15)
    application = act(police_clerk, application, "complete", date(2026, 10, 22), result="已发证")
    assert application.due_on == date(2026, 10, 30)
    assert application.late is True


def test_late_completion_is_counted_late(
    resident: User, police_clerk: User, submit: Submit
) -> None:
    application = submit(resident, RESIDENCE_PERMIT)
    act(police_clerk, application, "accept", date(2026, 9, 29))
    act(police_clerk, application, "approve", date(2026, 10, 13))
    application = act(police_clerk, application, "complete", date(2026, 10, 14), result="已发证")
    assert application.late is True
    assert application.handling_days == 8


def test_the_applicant_may_withdraw_while_it_is_open_but_not_after(
    resident: User, police_clerk: User, submit: Submit
) -> None:
    from citygate.core.errors import ApplicationError

    application = submit(resident, RESIDENCE_PERMIT)
    application = act(resident, application, "withdraw", date(2026, 9, 28), hour=11)
    assert application.outcome == "withdrawn"
    with pytest.raises(ApplicationError) as closed:
        act(resident, application, "withdraw", date(2026, 9, 28), hour=12)
    assert closed.value.code == "action_not_available"


def test_submission_time_is_taken_from_now(resident: User, submit: Submit) -> None:
    application = submit(resident, RESIDENCE_PERMIT, now=MONDAY_MORNING)
    assert application.clock_started_on == date(2026, 9, 28)


def test_taking_or_being_assigned_an_application_does_not_make_one_the_second_person(
    resident: User, civil_admin: User, civil_admin_two: User, submit: Submit
) -> None:
    from citygate.accounts.models import StaffRole
    from citygate.accounts.roles import Role
    from citygate.applications.services import application_assign, applications_deadlines_sweep
    from citygate.core.errors import ApplicationError
    from citygate.directory.models import Department

    # given one who is clerk and administrator, who passes the application to the approver
    both = make_staff("clerk.and.admin", "civil-affairs")
    StaffRole.objects.create(
        user=both,
        role=Role.DEPARTMENT_ADMIN,
        department=Department.objects.get(code="civil-affairs"),
    )
    application = submit(resident, MINIMUM_LIVING)
    act(civil_admin, application, "accept", date(2026, 9, 29))
    act(both, application, "propose_approval", date(2026, 9, 30))

    # when another administrator assigns it back to them, and the sweep escalates it
    application_assign(actor=civil_admin_two, application_id=application.pk, assignee_id=both.pk)
    applications_deadlines_sweep(now=at(date(2026, 11, 2), 8))

    # then they still cannot approve their own proposal
    with pytest.raises(ApplicationError) as same:
        act(both, application, "approve", date(2026, 11, 2))
    assert same.value.code == "second_person_needed"
    act(civil_admin_two, application, "approve", date(2026, 11, 2))
