"""Every role against an application of a department it does not serve: not found, always.

The application belongs to public security. Each role below holds no public-security role;
whatever it tries, through the services or the API, the answer is "not found", so nobody can
even learn that the application exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from citygate.accounts.models import StaffRole, User
from citygate.accounts.roles import Role
from citygate.applications import selectors, services
from citygate.applications.models import Application
from citygate.applications.tests.conftest import (
    PDF,
    RESIDENCE_PERMIT,
    Submit,
    demo_item,
    make_resident,
    make_staff,
    signed_in,
    upload,
)
from citygate.core.errors import NotFound
from citygate.directory.models import Department

pytestmark = pytest.mark.django_db


def outsider(role: str) -> User:
    if role == "resident":
        return make_resident("19999990459", name="陈二")
    if role in (Role.CLERK, Role.DEPARTMENT_ADMIN):
        return make_staff(f"{role}.civil", "civil-affairs", role)
    user = User.objects.create_user(login_name=f"{role}.city", name="周三")
    StaffRole.objects.create(user=user, role=role, department=None)
    return user


ROLES = ["resident", Role.CLERK, Role.DEPARTMENT_ADMIN, Role.EDITOR, Role.OPERATOR, Role.AUDITOR]


@pytest.fixture
def application(resident: User, submit: Submit) -> Application:
    return submit(resident, RESIDENCE_PERMIT)


SERVICE_CALLS: dict[str, Callable[[User, Application], Any]] = {
    "read": lambda user, app: selectors.staff_application_get(user=user, application_id=app.pk),
    "accept": lambda user, app: services.application_act(
        actor=user, application_id=app.pk, action="accept"
    ),
    "withdraw": lambda user, app: services.application_act(
        actor=user, application_id=app.pk, action="withdraw"
    ),
    "claim": lambda user, app: services.application_assign(actor=user, application_id=app.pk),
    "reveal": lambda user, app: services.application_answers_reveal(
        actor=user, application_id=app.pk, purpose="handle_application", detail="", channel="web"
    ),
    "mine": lambda user, app: selectors.my_application_get(user=user, application_id=app.pk),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("call", list(SERVICE_CALLS))
def test_each_role_of_another_department_finds_nothing_through_the_services(
    application: Application, role: str, call: str
) -> None:
    user = outsider(role)
    with pytest.raises(NotFound):
        SERVICE_CALLS[call](user, application)
    application.refresh_from_db()
    assert application.state == "submitted"
    assert application.assignee_id is None


@pytest.mark.parametrize("role", ROLES)
def test_each_role_of_another_department_sees_no_material(
    application: Application, role: str
) -> None:
    material = services.material_upload(
        owner=application.applicant,
        upload=upload(PDF),
        item_code=RESIDENCE_PERMIT,
        key=services.form_of(application.item).uploads[0].key,
    )
    with pytest.raises(NotFound):
        selectors.material_visible(
            user=outsider(role), material_id=material.pk, staff_verified=True
        )


@pytest.mark.parametrize("role", ROLES)
def test_each_role_of_another_department_gets_not_found_from_the_api(
    application: Application, role: str
) -> None:
    user = outsider(role)
    client = signed_in(user, staff=role != "resident")
    base = "/api/v1/staff/applications" if role != "resident" else "/api/v1/applications"
    answers = [
        client.get(f"{base}/{application.pk}"),
        client.post(f"{base}/{application.pk}/actions/accept", {}, content_type="application/json"),
        client.post(
            f"/api/v1/applications/{application.pk}/actions/withdraw",
            {},
            content_type="application/json",
        ),
    ]
    if role != "resident":
        answers.append(
            client.post(f"{base}/{application.pk}/assign", {}, content_type="application/json")
        )
    else:
        answers.append(
            client.post(
                f"/api/v1/applications/{application.pk}/supplement",
                {},
                content_type="application/json",
            )
        )
    for answer in answers:
        assert answer.status_code in (401, 404), answer.content
        if answer.status_code == 404:
            assert answer.json()["code"] == "not_found"
    application.refresh_from_db()
    assert application.state == "submitted"


def test_the_own_departments_clerk_and_admin_do_find_it(
    application: Application, police_clerk: User, police_admin: User
) -> None:
    for user in (police_clerk, police_admin):
        assert (
            selectors.staff_application_get(user=user, application_id=application.pk) == application
        )
        answer = signed_in(user, staff=True).get(f"/api/v1/staff/applications/{application.pk}")
        assert answer.status_code == 200
        assert answer.json()["number"] == application.number


def test_a_clerk_of_two_departments_sees_both_and_no_third(
    application: Application, submit: Submit
) -> None:
    from citygate.applications.tests.conftest import MINIMUM_LIVING

    other = submit(make_resident("19999990458", name="吴四"), MINIMUM_LIVING)
    clerk = make_staff("clerk.two", "civil-affairs")
    assert list(selectors.staff_applications(user=clerk)) == [other]
    StaffRole.objects.create(
        user=clerk, role=Role.CLERK, department=Department.objects.get(code="public-security")
    )
    assert set(selectors.staff_applications(user=clerk)) == {application, other}
    StaffRole.objects.filter(user=clerk, department__code="civil-affairs").delete()
    assert list(selectors.staff_applications(user=clerk)) == [application]


def test_a_staff_session_without_the_totp_step_is_refused(
    application: Application, police_clerk: User
) -> None:
    answer = signed_in(police_clerk, staff=False).get(
        f"/api/v1/staff/applications/{application.pk}"
    )
    assert answer.status_code == 401


def test_a_clerk_cannot_handle_their_own_application(police_clerk: User) -> None:
    from citygate.accounts.models import VerificationLevel
    from citygate.applications.tests.conftest import materials_for
    from citygate.core.errors import PermissionDenied

    police_clerk.verification_level = VerificationLevel.REAL_NAME
    police_clerk.id_number = "320508199001011232"
    police_clerk.save()
    item = demo_item(RESIDENCE_PERMIT)
    own = services.application_submit(
        applicant=police_clerk,
        item_code=item.code,
        answers={},
        material_ids=[m.pk for m in materials_for(police_clerk, item)],
        idempotency_key="own",
    ).application
    with pytest.raises(PermissionDenied):
        services.application_act(actor=police_clerk, application_id=own.pk, action="accept")


def test_a_clerk_opening_a_material_is_recorded_for_the_applicant_and_the_owner_is_not(
    application: Application, police_clerk: User
) -> None:
    from citygate.privacy.models import AccessRecord

    material = services.material_upload(
        owner=application.applicant,
        upload=upload(PDF),
        item_code=RESIDENCE_PERMIT,
        key=services.form_of(application.item).uploads[0].key,
    )
    services.material_open(
        user=application.applicant, material_id=material.pk, staff_verified=False
    )
    assert not AccessRecord.objects.exists()
    Material = type(material)
    Material.objects.filter(pk=material.pk).update(application=application)
    with pytest.raises(NotFound):
        services.material_open(user=police_clerk, material_id=material.pk, staff_verified=False)
    services.material_open(user=police_clerk, material_id=material.pk, staff_verified=True)
    record = AccessRecord.objects.get()
    assert (record.subject, record.actor, record.field, record.purpose) == (
        application.applicant,
        police_clerk,
        "application",
        "handle_application",
    )
