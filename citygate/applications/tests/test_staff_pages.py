"""The clerk's workbench over HTTP: the queues, one application and its actions, the
follow-ups of poor ratings, and applying at a service centre for a resident.

Applications are made at moments relative to now (the pages count from today), except where
a test wants one that is long overdue.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from citygate.accounts.models import SmsOutboxMessage, User
from citygate.accounts.validators import id_check_char
from citygate.applications import ratings, services
from citygate.applications.models import (
    Application,
    AssistedSession,
    Channel,
    Confirmation,
    FollowUp,
    FollowUpState,
    Grade,
    Material,
    Phase,
)
from citygate.applications.services import ActionInput, application_act
from citygate.applications.tests.conftest import (
    ID_NUMBER,
    MINIMUM_LIVING,
    NAME,
    OTHER_PHONE,
    PHONE,
    RESIDENCE_PERMIT,
    Submit,
    demo_item,
    make_resident,
    make_staff,
    signed_in,
    upload,
)
from citygate.halls.models import Hall, HallStaff
from citygate.halls.tests.conftest import make_hall
from citygate.privacy.masking import mask_id_number
from citygate.privacy.models import AccessRecord, PersonalField

pytestmark = pytest.mark.django_db

QUEUE = "/staff/applications/"
FOLLOW_UPS = "/staff/follow-ups/"
ASSISTED = "/staff/assisted/"
ADDRESS = "苏州市姑苏区人民路100号"
MASKED_NAME = "林**"


def text(response: Any) -> str:
    return str(response.content.decode())


def detail_url(application: Application) -> str:
    return reverse("applications:staff_detail", args=[application.pk])


def now_minus(days: int) -> Any:
    return timezone.now() - timedelta(days=days)


def act(actor: User, application: Application, action: str, **given: Any) -> Application:
    when = given.pop("now", None)
    return application_act(
        actor=actor,
        application_id=application.pk,
        action=action,
        given=ActionInput(**given),
        now=when,
    )


def refreshed(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def police(police_clerk: User) -> Client:
    return signed_in(police_clerk, staff=True, language="en")


# --- The queues -------------------------------------------------------------------------------


def test_the_queue_shows_each_application_with_the_applicant_masked(
    resident: User, police_clerk: User, police: Client, submit: Submit
) -> None:
    # given
    application = submit(resident, RESIDENCE_PERMIT, now=timezone.now())

    # when
    response = police.get(QUEUE)

    # then
    page = text(response)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert application.number in page
    assert detail_url(application) in page
    assert MASKED_NAME in page
    assert NAME not in page
    assert "Submitted, waiting to be accepted" in page
    assert "Online" in page
    assert 'aria-current="page">All open (1)' in page


def test_the_queue_pages_ask_for_the_staff_sign_in(resident: User) -> None:
    # given: a resident, signed in without the staff step
    client = signed_in(resident)

    # when
    response = client.get(QUEUE)

    # then
    assert response.status_code == 302
    assert "/account/staff/login/" in response["Location"]


def test_an_unknown_queue_is_not_found(police: Client) -> None:
    assert police.get(QUEUE + "?queue=everything").status_code == 404


@pytest.fixture
def queues(resident: User, police_clerk: User, submit: Submit) -> dict[str, Application]:
    """One application of the public security bureau for each queue."""
    fresh = submit(resident, RESIDENCE_PERMIT, now=timezone.now())
    late = submit(resident, RESIDENCE_PERMIT, now=now_minus(60))
    act(police_clerk, late, "accept", now=now_minus(59))
    due_soon = submit(resident, RESIDENCE_PERMIT, now=timezone.now())
    act(police_clerk, due_soon, "accept")
    # Its warning day (80% of the promise) has come.
    Application.objects.filter(pk=due_soon.pk).update(warn_on=timezone.localdate())
    waiting = submit(resident, RESIDENCE_PERMIT, now=timezone.now())
    act(police_clerk, waiting, "accept")
    act(police_clerk, waiting, "request_supplement", reason="缺少租赁合同", materials=["合同"])
    mine = submit(resident, RESIDENCE_PERMIT, now=timezone.now())
    act(police_clerk, mine, "accept")
    services.application_assign(actor=police_clerk, application_id=mine.pk)
    closed = submit(resident, RESIDENCE_PERMIT, now=timezone.now())
    act(police_clerk, closed, "refuse", reason="不属于本部门", legal_basis="第三条")
    return {
        "fresh": fresh,
        "late": late,
        "due_soon": due_soon,
        "waiting": waiting,
        "mine": mine,
        "closed": closed,
    }


@pytest.mark.parametrize(
    ("queue", "expected"),
    [
        ("new", {"fresh"}),
        ("due_soon", {"due_soon"}),
        ("late", {"late"}),
        ("waiting", {"waiting"}),
        ("mine", {"mine"}),
        ("open", {"fresh", "late", "due_soon", "waiting", "mine"}),
        ("closed", {"closed"}),
    ],
)
def test_each_queue_holds_its_applications_and_no_others(
    queues: dict[str, Application], police: Client, queue: str, expected: set[str]
) -> None:
    # when
    response = police.get(f"{QUEUE}?queue={queue}")

    # then
    page = text(response)
    assert response.status_code == 200
    shown = {name for name, application in queues.items() if application.number in page}
    assert shown == expected


def test_the_queue_tabs_count_each_queue_and_mark_late_and_due_soon(
    queues: dict[str, Application], police: Client
) -> None:
    # when
    page = text(police.get(f"{QUEUE}?queue=open"))

    # then
    for label, count in [
        ("New", 1),
        ("Due soon", 1),
        ("Late", 1),
        ("Waiting for the applicant", 1),
        ("Mine", 1),
        ("All open", 5),
    ]:
        assert f"{label} ({count})</a>" in page
    assert '<span class="badge badge--warn">Late</span>' in page
    assert '<span class="badge badge--warn">Due soon</span>' in page


def test_opening_the_queue_lists_late_applications_and_writes_nothing(
    queues: dict[str, Application], police: Client
) -> None:
    # given: an application past its due day, not yet escalated by the sweep
    late = queues["late"]
    assert refreshed(late).escalated_at is None

    # when the clerk opens the late queue
    page = text(police.get(f"{QUEUE}?queue=late"))

    # then it is listed as late, and reading the page changed nothing (the deferred checks
    # and the daily sweep escalate; test_deadlines holds that)
    assert late.number in page
    assert refreshed(late).escalated_at is None


def test_another_departments_applications_are_in_no_queue(
    queues: dict[str, Application], civil_clerk: User
) -> None:
    # when
    page = text(signed_in(civil_clerk, staff=True, language="en").get(f"{QUEUE}?queue=open"))

    # then
    assert not any(application.number in page for application in queues.values())
    assert "All open (0)" in page


def _queue_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{QUEUE}?queue=open")
    assert response.status_code == 200
    return len(queries)


def test_the_queue_costs_the_same_queries_for_3_applications_as_for_30(
    police_clerk: User, police: Client, submit: Submit
) -> None:
    # given: applications of several residents, some assigned, none due for a warning
    people = [make_resident(f"1999999{n:04d}", id_number="") for n in range(3)]
    for person in people:
        submit(person, RESIDENCE_PERMIT, now=timezone.now())
    police.get(QUEUE)  # the first request of the process warms caches
    few = _queue_queries(police)
    for n in range(27):
        application = submit(people[n % 3], RESIDENCE_PERMIT, now=timezone.now())
        if n % 4 == 0:
            services.application_assign(actor=police_clerk, application_id=application.pk)

    # when
    many = _queue_queries(police)

    # then
    assert few == many
    assert Application.objects.count() == 30


def test_the_queue_pages_by_fifty(resident: User, police: Client, submit: Submit) -> None:
    # given
    for _ in range(51):
        submit(resident, RESIDENCE_PERMIT, now=timezone.now())

    # when
    first = text(police.get(f"{QUEUE}?queue=new"))
    second = text(police.get(f"{QUEUE}?queue=new&page=2"))

    # then
    assert first.count("<tr>") == 51  # the head row and fifty
    assert second.count("<tr>") == 2
    assert "?queue=new&amp;page=2" in first


# --- One application: scoping ----------------------------------------------------------------


@pytest.fixture
def police_application(resident: User, submit: Submit) -> Application:
    return submit(resident, RESIDENCE_PERMIT, now=timezone.now())


@pytest.mark.parametrize("outsider", ["civil_clerk", "civil_admin"])
@pytest.mark.parametrize(
    "posted",
    [
        None,
        {"op": "act", "action": "accept"},
        {"op": "edit", "action": "refuse", "refuse-reason": "x", "refuse-legal_basis": "y"},
        {"op": "act", "action": "refuse", "refuse-reason": "x", "refuse-legal_basis": "y"},
        {"op": "claim"},
        {"op": "assign", "assign-assignee": "00000000-0000-0000-0000-000000000000"},
        {"op": "reveal", "reveal-purpose": "handle_application"},
        {"op": "unknown"},
    ],
)
def test_another_departments_application_is_not_found_on_the_page_and_every_post(
    police_application: Application,
    request: pytest.FixtureRequest,
    outsider: str,
    posted: dict[str, str] | None,
) -> None:
    # given: a clerk or an administrator of the civil affairs bureau
    user: User = request.getfixturevalue(outsider)
    client = signed_in(user, staff=True)
    url = detail_url(police_application)

    # when
    response = client.get(url) if posted is None else client.post(url, posted)

    # then
    assert response.status_code == 404
    found = refreshed(police_application)
    assert (found.state, found.assignee_id) == ("submitted", None)
    assert not AccessRecord.objects.exists()


def test_an_unknown_application_is_not_found(police: Client) -> None:
    assert police.get(f"{QUEUE}{uuid.uuid4()}/").status_code == 404


# --- One application: what it shows --------------------------------------------------------


@pytest.fixture
def living_application(resident: User, submit: Submit) -> Application:
    """最低生活保障: its form's address and income are personal."""
    return submit(
        resident, MINIMUM_LIVING, now=timezone.now(), address=ADDRESS, monthly_income="900"
    )


def test_the_detail_page_masks_the_applicant_and_the_personal_answers(
    living_application: Application, civil_clerk: User
) -> None:
    # when
    response = signed_in(civil_clerk, staff=True, language="en").get(detail_url(living_application))

    # then
    page = text(response)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert NAME not in page
    assert ID_NUMBER not in page
    assert PHONE not in page
    assert ADDRESS not in page
    assert MASKED_NAME in page
    assert mask_id_number(ID_NUMBER) in page
    assert "苏州********" in page
    assert "People in the household" in page
    assert "Show the answers in full" in page


def test_the_detail_page_lists_materials_history_and_time(
    living_application: Application, civil_clerk: User
) -> None:
    # when
    page = text(
        signed_in(civil_clerk, staff=True, language="en").get(detail_url(living_application))
    )

    # then: each material links to its file, named by its slot, never by the person's name
    materials = list(living_application.materials.all())
    assert materials
    for material in materials:
        assert reverse("applications:material", args=[material.pk]) in page
    assert "scan.pdf" not in page
    assert "家庭经济状况核对授权书" in page
    assert "Submitted" in page
    assert living_application.due_on.isoformat() in page
    assert "working days left" in page or "working day left" in page
    assert "This step is due" in page
    assert 'name="op" value="claim"' in page
    # A clerk does not assign work to others.
    assert 'name="op" value="assign"' not in page


def test_the_detail_page_offers_only_the_inputs_each_action_requires(
    police_application: Application, police: Client
) -> None:
    # when
    page = text(police.get(detail_url(police_application)))

    # then: accept asks for nothing but a comment; refuse for a reason and its legal basis
    assert 'name="accept-comment"' in page
    assert 'name="accept-reason"' not in page
    assert 'name="refuse-reason"' in page
    assert 'name="refuse-legal_basis"' in page
    assert 'name="refuse-result"' not in page
    assert "Withdraw" not in page  # the applicant's action is not the clerk's
    assert "Refuse or reject" in page


def test_a_paused_application_shows_since_when_it_waits(
    police_application: Application, police_clerk: User, police: Client
) -> None:
    # given
    act(police_clerk, police_application, "accept")
    act(police_clerk, police_application, "request_supplement", reason="r", materials=["合同"])

    # when
    page = text(police.get(detail_url(police_application)))

    # then
    assert "Paused since" in page
    assert timezone.localdate().isoformat() in page
    assert "The clock is stopped" in page


# --- Revealing the answers ------------------------------------------------------------------


def test_revealing_the_answers_records_the_access_and_shows_them_on_that_response_only(
    living_application: Application, resident: User, civil_clerk: User
) -> None:
    # given
    client = signed_in(civil_clerk, staff=True, language="en")
    url = detail_url(living_application)

    # when
    response = client.post(
        url, {"op": "reveal", "reveal-purpose": "handle_application", "reveal-detail": "核对"}
    )

    # then: shown on this very response, not behind a redirect
    assert response.status_code == 200
    assert ADDRESS in text(response)
    assert "no-store" in response["Cache-Control"]
    record = AccessRecord.objects.get()
    assert record.field == PersonalField.APPLICATION
    assert (record.subject_id, record.actor_id) == (resident.pk, civil_clerk.pk)
    assert record.purpose == "handle_application"
    assert record.channel == "web"
    # Not kept in the session, not shown again.
    assert ADDRESS not in str(dict(client.session.items()))
    assert ADDRESS not in text(client.get(url))


def test_revealing_without_a_purpose_says_so_and_records_nothing(
    living_application: Application, civil_clerk: User
) -> None:
    # when
    response = signed_in(civil_clerk, staff=True, language="en").post(
        detail_url(living_application), {"op": "reveal", "reveal-purpose": ""}
    )

    # then
    page = text(response)
    assert response.status_code == 400
    assert 'id="id_reveal-purpose_error"' in page
    assert ADDRESS not in page
    assert not AccessRecord.objects.exists()


# --- Working through an application -------------------------------------------------------


def post_action(client: Client, application: Application, action: str, **fields: str) -> Any:
    data = {"op": "act", "action": action}
    data.update({f"{action}-{name}": value for name, value in fields.items()})
    return client.post(detail_url(application), data)


def test_accept_supplement_approve_and_complete_from_the_pages(
    police_application: Application, resident: User, police: Client
) -> None:
    # when: the clerk accepts
    response = post_action(police, police_application, "accept")

    # then
    assert response.status_code == 302
    assert response["Location"] == detail_url(police_application)
    assert refreshed(police_application).state == "review"
    assert "Done: Accept." in text(police.get(detail_url(police_application)))

    # when: the clerk asks for two more materials
    response = post_action(
        police,
        police_application,
        "request_supplement",
        reason="租赁合同缺少出租人签名",
        materials="签名完整的房屋租赁合同\n\n出租人身份证复印件\n",
    )

    # then
    assert response.status_code == 302
    found = refreshed(police_application)
    assert (found.state, found.phase) == ("supplement", Phase.PAUSED)
    event = found.events.order_by("-seq").first()
    assert event is not None
    assert '"materials": ["签名完整的房屋租赁合同", "出租人身份证复印件"]' in event.details
    page = text(police.get(detail_url(police_application)))
    assert "出租人身份证复印件" in page
    assert "Nothing for the department to do now" in page

    # when: the resident answers (through the services, as their own pages do)
    key = services.form_of(demo_item(RESIDENCE_PERMIT)).uploads[0].key
    handed = services.material_upload(
        owner=resident, upload=upload(), item_code=RESIDENCE_PERMIT, key=key
    )
    act(resident, police_application, "supplement", material_ids=[handed.pk])
    assert refreshed(police_application).state == "review"

    # and the clerk approves and completes with the result issued
    assert post_action(police, police_application, "approve").status_code == 302
    assert refreshed(police_application).state == "approved"
    response = post_action(police, police_application, "complete", result="居住证 No. 320500001")

    # then
    assert response.status_code == 302
    found = refreshed(police_application)
    assert (found.state, found.phase, found.outcome) == ("done", Phase.STOPPED, "approved")
    page = text(police.get(detail_url(police_application)))
    assert "居住证 No. 320500001" in page
    assert 'name="op" value="act"' not in page


def test_a_missing_required_input_is_shown_beside_its_field(
    police_application: Application, police_clerk: User, police: Client
) -> None:
    # given
    act(police_clerk, police_application, "accept")

    # when
    response = post_action(police, police_application, "request_supplement", reason="  ")

    # then
    page = text(response)
    assert response.status_code == 400
    assert refreshed(police_application).state == "review"
    assert 'id="id_request_supplement-reason_error"><li>This field is required.</li>' in page
    assert 'id="id_request_supplement-materials_error"><li>This field is required.</li>' in page
    assert 'aria-invalid="true"' in page
    assert 'class="error-summary"' in page


def test_a_missing_input_is_shown_in_chinese_to_a_chinese_reader(
    police_application: Application, police_clerk: User
) -> None:
    # given
    act(police_clerk, police_application, "accept")
    client = signed_in(police_clerk, staff=True, language="zh-hans")

    # when
    response = post_action(client, police_application, "request_supplement", reason="r")

    # then
    page = text(response)
    assert response.status_code == 400
    assert 'id="id_request_supplement-materials_error"' in page
    assert "This field is required." not in page


def test_a_service_refusal_is_shown_above_the_form(
    police_application: Application, police: Client
) -> None:
    # when: a step the application is not at (approving before it is accepted)
    response = post_action(police, police_application, "approve")

    # then
    assert response.status_code == 409
    assert "This cannot be done at the application" in text(response)
    assert refreshed(police_application).state == "submitted"


def test_refusing_asks_for_confirmation_on_a_second_step(
    police_application: Application, police: Client
) -> None:
    # when: the clerk fills in the refusal
    response = post_action(
        police, police_application, "refuse", reason="不属于本部门受理", legal_basis="第五条"
    )

    # then: nothing is done yet; the next page asks to confirm
    page = text(response)
    assert response.status_code == 200
    assert refreshed(police_application).state == "submitted"
    assert "Confirm: Refuse to accept" in page
    assert 'name="confirmed" value="yes"' in page
    assert 'value="不属于本部门受理"' in page

    # when: they go back to change it
    response = police.post(
        detail_url(police_application),
        {
            "op": "edit",
            "action": "refuse",
            "refuse-reason": "不属于本部门受理",
            "refuse-legal_basis": "第五条",
        },
    )

    # then: the form holds what they wrote
    assert response.status_code == 200
    assert "不属于本部门受理</textarea>" in text(response)
    assert refreshed(police_application).state == "submitted"

    # when: they confirm
    response = police.post(
        detail_url(police_application),
        {
            "op": "act",
            "action": "refuse",
            "confirmed": "yes",
            "refuse-reason": "不属于本部门受理",
            "refuse-legal_basis": "第五条",
        },
    )

    # then
    assert response.status_code == 302
    found = refreshed(police_application)
    assert (found.state, found.outcome) == ("not_accepted", "not_accepted")


def test_a_refusal_without_its_legal_basis_is_not_confirmed(
    police_application: Application, police: Client
) -> None:
    # when
    response = post_action(police, police_application, "refuse", reason="理由")

    # then
    assert response.status_code == 400
    assert 'id="id_refuse-legal_basis_error"' in text(response)
    assert "Confirm:" not in text(response)


# --- Taking and assigning -----------------------------------------------------------------


def test_a_clerk_takes_an_application(
    police_application: Application, police_clerk: User, police: Client
) -> None:
    # when
    response = police.post(detail_url(police_application), {"op": "claim"})

    # then
    assert response.status_code == 302
    assert refreshed(police_application).assignee_id == police_clerk.pk
    page = text(police.get(detail_url(police_application)))
    assert 'name="op" value="claim"' not in page
    assert "clerk.police" in page


def test_a_department_administrator_assigns_an_application_to_a_clerk(
    police_application: Application, police_clerk: User, police_admin: User
) -> None:
    # given
    client = signed_in(police_admin, staff=True, language="en")
    page = text(client.get(detail_url(police_application)))
    assert f'value="{police_clerk.pk}"' in page

    # when
    response = client.post(
        detail_url(police_application), {"op": "assign", "assign-assignee": str(police_clerk.pk)}
    )

    # then
    assert response.status_code == 302
    assert refreshed(police_application).assignee_id == police_clerk.pk


def test_assigning_to_someone_outside_the_department_is_refused_beside_the_field(
    police_application: Application, police_admin: User, civil_clerk: User
) -> None:
    # given: the police administrator also sees the police clerk as a choice
    make_staff("clerk.police2", "public-security")

    # when
    response = signed_in(police_admin, staff=True, language="en").post(
        detail_url(police_application), {"op": "assign", "assign-assignee": str(civil_clerk.pk)}
    )

    # then
    assert response.status_code == 400
    assert 'id="id_assign-assignee_error"' in text(response)
    assert refreshed(police_application).assignee_id is None


def test_a_clerk_cannot_assign_work(
    police_application: Application, police_clerk: User, police: Client
) -> None:
    # when
    response = police.post(
        detail_url(police_application), {"op": "assign", "assign-assignee": str(police_clerk.pk)}
    )

    # then
    assert response.status_code == 403
    assert refreshed(police_application).assignee_id is None


# --- Follow-ups of poor ratings -----------------------------------------------------------


@pytest.fixture
def poor_rating(police_application: Application, police_clerk: User, resident: User) -> FollowUp:
    act(police_clerk, police_application, "refuse", reason="不予受理", legal_basis="第五条")
    rating = ratings.rating_submit(
        rater=resident,
        grade=Grade.DISSATISFIED,
        tags=["slow", "unfriendly"],
        comment="窗口让我跑了三趟",
        application_id=police_application.pk,
    )
    return FollowUp.objects.get(rating=rating)


def test_the_follow_ups_show_the_rating_its_words_and_due_date(
    poor_rating: FollowUp, police: Client
) -> None:
    # when
    response = police.get(FOLLOW_UPS)

    # then
    page = text(response)
    assert response.status_code == 200
    assert "Dissatisfied" in page
    assert "Slow, Unfriendly staff" in page
    assert "窗口让我跑了三趟" in page
    assert poor_rating.due_on.isoformat() in page
    assert f'name="follow-up-{poor_rating.pk}-answer"' in page


def test_a_follow_up_is_answered_from_the_page(
    poor_rating: FollowUp, police_clerk: User, police: Client
) -> None:
    # when
    response = police.post(
        FOLLOW_UPS,
        {"follow_up": str(poor_rating.pk), f"follow-up-{poor_rating.pk}-answer": "已约谈窗口人员"},
    )

    # then
    assert response.status_code == 302
    found = FollowUp.objects.get(pk=poor_rating.pk)
    assert (found.state, found.answer, found.answered_by_id) == (
        FollowUpState.ANSWERED,
        "已约谈窗口人员",
        police_clerk.pk,
    )
    assert "窗口让我跑了三趟" not in text(police.get(FOLLOW_UPS))
    assert "已约谈窗口人员" in text(police.get(FOLLOW_UPS + "?show=all"))


def test_an_empty_follow_up_answer_is_shown_beside_its_field(
    poor_rating: FollowUp, police: Client
) -> None:
    # when
    response = police.post(
        FOLLOW_UPS, {"follow_up": str(poor_rating.pk), f"follow-up-{poor_rating.pk}-answer": ""}
    )

    # then
    assert response.status_code == 400
    assert f'id="id_follow-up-{poor_rating.pk}-answer_error"' in text(response)
    assert FollowUp.objects.get(pk=poor_rating.pk).state == FollowUpState.OPEN


@pytest.mark.parametrize("follow_up", ["theirs", "unknown", "garbage"])
def test_another_departments_follow_up_is_not_found(
    poor_rating: FollowUp, civil_clerk: User, follow_up: str
) -> None:
    # given
    posted = {"theirs": str(poor_rating.pk), "unknown": "999999", "garbage": "1e9"}[follow_up]
    client = signed_in(civil_clerk, staff=True)

    # when
    response = client.post(
        FOLLOW_UPS, {"follow_up": posted, f"follow-up-{posted}-answer": "与我无关"}
    )

    # then
    assert response.status_code == 404
    assert FollowUp.objects.get(pk=poor_rating.pk).state == FollowUpState.OPEN
    assert "窗口让我跑了三趟" not in text(client.get(FOLLOW_UPS))


# --- Applying at a centre for a resident ----------------------------------------------------


@pytest.fixture
def centre(db: None) -> Hall:
    return make_hall("street-centre")


@pytest.fixture
def centre_clerk(centre: Hall) -> User:
    clerk = make_staff("clerk.centre", "civil-affairs")
    HallStaff.objects.create(user=clerk, hall=centre)
    return clerk


@pytest.fixture
def desk(centre_clerk: User) -> Client:
    return signed_in(centre_clerk, staff=True, language="en")


CaptureOnCommit = Callable[..., Any]


def sent_code() -> str:
    message = SmsOutboxMessage.objects.order_by("-created_at").first()
    assert message is not None, "no text message was sent"
    found = re.search(r"(?<!\d)(\d{6})(?!\d)", message.text)
    assert found is not None
    return found.group(1)


def session_of(response: Any) -> str:
    assert response.status_code == 302, text(response)
    found = re.search(r"session=([0-9a-f-]{36})", response["Location"])
    assert found is not None
    return found.group(1)


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None, name
    return found.group(1)


def apply_for(
    client: Client, session: str, code: str, answers: dict[str, str], key: str = ""
) -> Any:
    """Opens the form for the item and sends it with one PDF per required upload."""
    form = services.form_of(demo_item(code))
    page = text(client.get(f"{ASSISTED}?session={session}&item={code}"))
    data: dict[str, Any] = {
        "step": "apply",
        "session": session,
        "item": code,
        "idempotency_key": key or hidden(page, "idempotency_key"),
    }
    data.update({f"answers_{name}": value for name, value in answers.items()})
    for slot in form.uploads:
        if slot.required:
            data[f"upload_{slot.key}"] = upload()
    return client.post(ASSISTED, data)


LIVING = {"household_size": "2", "monthly_income": "900", "address": ADDRESS}


def test_a_clerk_without_a_centre_sees_why_they_cannot_apply_for_residents(
    police: Client,
) -> None:
    # when
    response = police.get(ASSISTED)

    # then
    assert response.status_code == 200
    assert "You are not assigned to a service centre" in text(response)
    assert 'name="step"' not in text(response)


def test_a_clerk_applies_for_a_resident_who_reads_out_the_sms_code(
    resident: User,
    centre: Hall,
    centre_clerk: User,
    desk: Client,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    # given: the start form offers the clerk's centre
    page = text(desk.get(ASSISTED))
    assert f'<option value="{centre.pk}" selected>' in page

    # when: the clerk finds the resident by their mobile number
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(
            ASSISTED, {"step": "start", "centre": centre.pk, "by": "phone", "number": PHONE}
        )
    session = session_of(response)

    # then: a code went to the resident; the page asks for it, showing the resident masked
    code = sent_code()
    page = text(desk.get(f"{ASSISTED}?session={session}"))
    assert 'name="code"' in page
    assert "199****0401" in page
    assert PHONE not in page
    assert NAME not in page

    # when: a wrong code first, then the right one
    wrong = "000000" if code != "000000" else "111111"
    response = desk.post(ASSISTED, {"step": "code", "session": session, "code": wrong})
    assert response.status_code == 400
    assert "The code is not right. 4 tries left." in text(response)
    response = desk.post(ASSISTED, {"step": "code", "session": session, "code": code})
    assert session_of(response) == session

    # and the clerk chooses the item and fills its form with the resident
    demo_item(MINIMUM_LIVING)
    page = text(desk.get(f"{ASSISTED}?session={session}"))
    assert f'<option value="{MINIMUM_LIVING}">' in page
    response = apply_for(desk, session, MINIMUM_LIVING, LIVING)

    # then: the application is the resident's, made at the centre
    assert response.status_code == 302
    assert "receipt=" in response["Location"]
    application = Application.objects.get()
    assert application.applicant_id == resident.pk
    assert application.channel == Channel.ASSISTED
    assert application.centre_id == centre.pk
    assert application.submitted_by_id == centre_clerk.pk
    assert application.confirmation == Confirmation.SMS
    materials = list(application.materials.all())
    assert materials
    assert all(m.owner_id == resident.pk for m in materials)
    assert all(m.uploaded_by_id == centre_clerk.pk for m in materials)

    # and the receipt shows the number and the promised date
    receipt = text(desk.get(response["Location"]))
    assert application.number in receipt
    assert application.due_on.isoformat() in receipt
    assert "Another service for this resident" in receipt

    # when: the same form is sent again (a double click)
    again = apply_for(desk, session, MINIMUM_LIVING, LIVING, key=application.idempotency_key)

    # then: the first application counts
    assert again.status_code == 302
    assert again["Location"] == response["Location"]
    assert Application.objects.count() == 1


def test_a_clerk_applies_for_a_resident_without_a_phone_with_the_signed_paper_form(
    centre: Hall, centre_clerk: User, desk: Client
) -> None:
    # given: a resident whose account has no mobile number
    number = "32050819850202333" + id_check_char("32050819850202333")
    resident = make_resident(OTHER_PHONE, name="赵一", id_number=number)
    resident.phone = None
    resident.save()

    # when: found by ID number, no code can be sent
    response = desk.post(
        ASSISTED,
        {"step": "start", "centre": centre.pk, "by": "id_number", "number": resident.id_number},
    )
    session = session_of(response)
    page = text(desk.get(f"{ASSISTED}?session={session}"))

    # then: the page asks for the scan only
    assert 'name="code"' not in page
    assert 'name="scan"' in page
    assert not SmsOutboxMessage.objects.exists()

    # when: the clerk scans the signed form and applies
    response = desk.post(
        ASSISTED,
        {"step": "paper", "session": session, "scan": upload(name="signed.pdf")},
    )
    assert session_of(response) == session
    response = apply_for(desk, session, MINIMUM_LIVING, LIVING)

    # then
    assert response.status_code == 302
    application = Application.objects.get()
    assert (application.applicant_id, application.channel, application.centre_id) == (
        resident.pk,
        Channel.ASSISTED,
        centre.pk,
    )
    assert application.confirmation == Confirmation.PAPER
    scan = AssistedSession.objects.get(pk=session).paper_form
    assert scan is not None
    assert scan.owner_id == resident.pk


def test_a_paper_scan_that_is_not_a_document_is_refused_beside_the_field(
    centre: Hall, desk: Client
) -> None:
    # given: a resident without a phone, found by ID number
    number = "32050819850202333" + id_check_char("32050819850202333")
    resident = make_resident(OTHER_PHONE, name="赵一", id_number=number)
    resident.phone = None
    resident.save()
    session = session_of(
        desk.post(
            ASSISTED,
            {"step": "start", "centre": centre.pk, "by": "id_number", "number": number},
        )
    )

    # when
    response = desk.post(
        ASSISTED, {"step": "paper", "session": session, "scan": upload(b"MZ...", "signed.pdf")}
    )

    # then
    assert response.status_code == 400
    assert 'id="id_scan_error"' in text(response)
    assert AssistedSession.objects.get(pk=session).confirmed_at is None


def test_the_assisted_form_shows_what_is_missing_and_keeps_the_uploaded_files(
    resident: User,
    centre: Hall,
    centre_clerk: User,
    desk: Client,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    # given: a confirmed session
    with django_capture_on_commit_callbacks(execute=True):
        session = session_of(
            desk.post(
                ASSISTED, {"step": "start", "centre": centre.pk, "by": "phone", "number": PHONE}
            )
        )
    desk.post(ASSISTED, {"step": "code", "session": session, "code": sent_code()})

    # when: the address is left out
    response = apply_for(desk, session, MINIMUM_LIVING, {**LIVING, "address": ""})

    # then: the message is beside the field and the files are kept for the next try
    page = text(response)
    assert response.status_code == 400
    assert 'id="id_answers_address_error"' in page
    assert not Application.objects.exists()
    kept = list(Material.objects.filter(owner=resident, uploaded_by=centre_clerk))
    assert kept
    for material in kept:
        assert f'name="kept" value="{material.pk}"' in page

    # when: sent again with the address and the kept files only
    data = {
        "step": "apply",
        "session": session,
        "item": MINIMUM_LIVING,
        "idempotency_key": hidden(page, "idempotency_key"),
        "kept": [str(m.pk) for m in kept],
        **{f"answers_{name}": value for name, value in LIVING.items()},
    }
    response = desk.post(ASSISTED, data)

    # then
    assert response.status_code == 302
    application = Application.objects.get()
    assert set(application.materials.values_list("pk", flat=True)) == {m.pk for m in kept}


def test_another_clerks_or_an_unknown_session_has_ended(
    resident: User,
    centre: Hall,
    desk: Client,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    # given: a session started by this clerk
    with django_capture_on_commit_callbacks(execute=True):
        session = session_of(
            desk.post(
                ASSISTED, {"step": "start", "centre": centre.pk, "by": "phone", "number": PHONE}
            )
        )
    other = make_staff("clerk.centre2", "civil-affairs")
    HallStaff.objects.create(user=other, hall=centre)
    other_desk = signed_in(other, staff=True, language="en")

    # when
    theirs = other_desk.post(ASSISTED, {"step": "code", "session": session, "code": sent_code()})
    unknown = desk.get(f"{ASSISTED}?session={uuid.uuid4()}")
    garbage = desk.get(f"{ASSISTED}?session=not-an-id")

    # then
    assert theirs.status_code == 404
    assert "This assisted session has ended." in text(theirs)
    assert AssistedSession.objects.get(pk=session).confirmed_at is None
    assert unknown.status_code == 404
    assert garbage.status_code == 404


def test_the_receipt_of_an_application_made_by_another_clerk_is_not_found(
    resident: User, police_application: Application, desk: Client
) -> None:
    # when
    response = desk.get(f"{ASSISTED}?session={uuid.uuid4()}&receipt={police_application.pk}")

    # then
    assert response.status_code == 404
    assert police_application.number not in text(response)


def test_a_resident_with_a_phone_confirms_with_the_code_not_with_a_scan(
    resident: User, centre: Hall, desk: Client, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    # given: a code went to the resident's phone
    with django_capture_on_commit_callbacks(execute=True):
        session = session_of(
            desk.post(
                ASSISTED, {"step": "start", "centre": centre.pk, "by": "phone", "number": PHONE}
            )
        )

    # when the clerk offers a scan instead
    response = desk.post(ASSISTED, {"step": "paper", "session": session, "scan": upload()})

    # then it is refused, and nothing is confirmed
    assert response.status_code == 409
    assert AssistedSession.objects.get(pk=session).confirmed_at is None
