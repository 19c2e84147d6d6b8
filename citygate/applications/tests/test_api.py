"""The applications API over HTTP: forms, materials, idempotent submission, state and
history, 补正, ratings, the workbench, and the public figures."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from citygate.accounts.models import User
from citygate.applications.models import Application
from citygate.applications.tests.conftest import (
    MINIMUM_LIVING,
    PDF,
    PNG,
    RESIDENCE_PERMIT,
    Submit,
    demo_item,
    signed_in,
    upload,
)

pytestmark = pytest.mark.django_db

LIVING = {"household_size": 3, "monthly_income": "2500", "address": "苏州市姑苏区人民路100号"}


def post(client: Client, path: str, body: object, **headers: str) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def upload_material(
    client: Client, code: str, key: str, content: bytes = PDF, name: str = "scan.pdf"
) -> Any:
    return client.post(
        "/api/v1/applications/materials", {"item": code, "key": key, "file": upload(content, name)}
    )


def required_materials(client: Client, code: str) -> list[str]:
    form = client.get(f"/api/v1/applications/forms/{code}").json()
    return [
        upload_material(client, code, u["key"]).json()["id"]
        for u in form["uploads"]
        if u["required"]
    ]


@pytest.fixture
def client(resident: User) -> Client:
    demo_item(MINIMUM_LIVING)
    return signed_in(resident, language="en")


def test_the_form_describes_fields_uploads_and_what_the_account_fills_in(client: Client) -> None:
    answer = client.get(f"/api/v1/applications/forms/{MINIMUM_LIVING}")
    assert answer.status_code == 200
    form = answer.json()
    assert form["procedure"] == "Procedure with a second reviewer"
    assert form["promised_limit_days"] == 20
    assert form["prefill"] == ["name", "id_number", "phone"]
    assert [f["name"] for f in form["fields"]] == [
        "household_size",
        "monthly_income",
        "address",
        "note",
    ]
    assert any(u["required"] for u in form["uploads"])
    assert Client().get("/api/v1/applications/forms/SZ-NOPE-0000").json()["code"] == "not_found"


def test_submitting_twice_with_one_key_makes_one_application(client: Client) -> None:
    body = {
        "item": MINIMUM_LIVING,
        "answers": LIVING,
        "material_ids": required_materials(client, MINIMUM_LIVING),
    }

    first = post(client, "/api/v1/applications", body, **{"Idempotency-Key": "abc-1"})
    again = post(client, "/api/v1/applications", body, **{"Idempotency-Key": "abc-1"})

    assert first.status_code == 201, first.content
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert Application.objects.count() == 1
    data = first.json()
    assert data["number"].startswith("SQ")
    assert data["state"] == "submitted"
    assert data["due_on"]
    assert [e["action"] for e in data["history"]] == ["submit"]
    assert {a["name"] for a in data["actions"]} == {"withdraw"}
    conflict = post(
        client,
        "/api/v1/applications",
        {**body, "answers": {**LIVING, "household_size": 4}},
        **{"Idempotency-Key": "abc-1"},
    )
    assert (conflict.status_code, conflict.json()["code"]) == (409, "idempotency_conflict")


def test_a_submission_without_a_key_or_with_bad_answers_names_the_field(client: Client) -> None:
    body = {
        "item": MINIMUM_LIVING,
        "answers": {**LIVING, "household_size": "2.5"},
        "material_ids": [],
    }
    no_key = post(client, "/api/v1/applications", body)
    assert (no_key.status_code, no_key.json()["code"]) == (400, "invalid")
    assert "idempotency_key" in no_key.json()["fields"]
    bad = post(client, "/api/v1/applications", body, **{"Idempotency-Key": "k"})
    assert bad.status_code == 400
    assert bad.json()["fields"]["answers.household_size"] == "Enter a whole number."
    unknown = post(
        client, "/api/v1/applications", {**body, "surprise": 1}, **{"Idempotency-Key": "k2"}
    )
    assert unknown.status_code == 422


def test_materials_are_checked_and_served_only_to_their_owner_and_the_department(
    client: Client, other_resident: User, civil_clerk: User, police_clerk: User
) -> None:
    key = client.get(f"/api/v1/applications/forms/{MINIMUM_LIVING}").json()["uploads"][0]["key"]
    disguised = upload_material(client, MINIMUM_LIVING, key, PNG, "scan.pdf")
    assert (disguised.status_code, disguised.json()["fields"]["file"]) == (
        400,
        "The file's name does not match what it contains.",
    )
    material_id = upload_material(client, MINIMUM_LIVING, key).json()["id"]
    mine = client.get(f"/api/v1/applications/materials/{material_id}")
    assert mine.status_code == 200
    assert mine["Content-Disposition"].startswith("attachment")
    assert b"".join(mine.streaming_content) == PDF  # type: ignore[attr-defined]
    # Not handed in yet: no clerk sees it, nor anyone else
    assert (
        signed_in(other_resident).get(f"/api/v1/applications/materials/{material_id}").status_code
        == 404
    )
    assert (
        signed_in(civil_clerk, staff=True)
        .get(f"/api/v1/applications/materials/{material_id}")
        .status_code
        == 404
    )
    material_ids = required_materials(client, MINIMUM_LIVING)
    body = {"item": MINIMUM_LIVING, "answers": LIVING, "material_ids": material_ids}
    post(client, "/api/v1/applications", body, **{"Idempotency-Key": "m-1"})
    handed = material_ids[0]
    # A clerk's session without the TOTP step opens nothing of the department's
    assert signed_in(civil_clerk).get(f"/api/v1/applications/materials/{handed}").status_code == 404
    assert signed_in(civil_clerk).get(f"/applications/materials/{handed}/").status_code == 404
    assert (
        signed_in(civil_clerk, staff=True)
        .get(f"/api/v1/applications/materials/{handed}")
        .status_code
        == 200
    )
    assert (
        signed_in(police_clerk, staff=True)
        .get(f"/api/v1/applications/materials/{handed}")
        .status_code
        == 404
    )
    assert Client().get(f"/api/v1/applications/materials/{handed}").status_code == 401


def test_an_upload_elsewhere_in_the_api_is_refused_by_the_body_guard(client: Client) -> None:
    answer = client.post("/api/v1/applications", {"item": MINIMUM_LIVING, "file": upload()})
    assert answer.status_code == 415


def test_drafts_are_kept_and_discarded(client: Client) -> None:
    put = client.put(
        f"/api/v1/applications/drafts/{MINIMUM_LIVING}",
        json.dumps({"answers": {"household_size": "2"}}),
        content_type="application/json",
    )
    assert put.status_code == 200
    assert client.get(f"/api/v1/applications/drafts/{MINIMUM_LIVING}").json()["answers"] == {
        "household_size": 2
    }
    assert client.delete(f"/api/v1/applications/drafts/{MINIMUM_LIVING}").status_code == 204
    assert client.get(f"/api/v1/applications/drafts/{MINIMUM_LIVING}").status_code == 404


def test_the_supplement_answers_a_request_for_materials_and_the_clock_restarts(
    resident: User, client: Client, submit: Submit, police_clerk: User
) -> None:
    application = submit(resident, RESIDENCE_PERMIT)
    clerk = signed_in(police_clerk, staff=True, language="en")
    assert (
        post(clerk, f"/api/v1/staff/applications/{application.pk}/actions/accept", {}).status_code
        == 200
    )
    asked = post(
        clerk,
        f"/api/v1/staff/applications/{application.pk}/actions/request_supplement",
        {"reason": "租赁合同缺页", "materials": ["完整的租赁合同"]},
    )
    assert asked.status_code == 200
    assert asked.json()["paused"] is True

    mine = client.get(f"/api/v1/applications/{application.pk}").json()
    assert mine["state"] == "supplement"
    assert mine["history"][-1]["details"] == {
        "reason": "租赁合同缺页",
        "materials": ["完整的租赁合同"],
    }
    assert {a["name"] for a in mine["actions"]} == {"supplement", "withdraw"}

    empty = post(client, f"/api/v1/applications/{application.pk}/supplement", {})
    assert empty.status_code == 400
    material = upload_material(client, RESIDENCE_PERMIT, services_key(application))
    answered = post(
        client,
        f"/api/v1/applications/{application.pk}/supplement",
        {"material_ids": [material.json()["id"]], "comment": "已补充"},
    )
    assert answered.status_code == 200, answered.content
    assert answered.json()["state"] == "review"
    assert answered.json()["paused"] is False


def services_key(application: Application) -> str:
    from citygate.applications import services

    return services.form_of(application.item).uploads[0].key


def test_the_workbench_queue_and_a_staff_action_over_the_api(
    resident: User, submit: Submit, police_clerk: User
) -> None:
    application = submit(resident, RESIDENCE_PERMIT)
    clerk = signed_in(police_clerk, staff=True, language="en")
    queue = clerk.get("/api/v1/staff/applications?queue=new").json()
    assert queue["total"] == 1
    assert queue["items"][0]["number"] == application.number
    assert queue["items"][0]["applicant"] == "林**"
    assert queue["counts"]["new"] == 1
    assert clerk.get("/api/v1/staff/applications?queue=bogus").json()["fields"] == {
        "queue": "Choose one of the listed queues."
    }
    missing = post(clerk, f"/api/v1/staff/applications/{application.pk}/actions/refuse", {})
    assert set(missing.json()["fields"]) == {"reason", "legal_basis"}
    wrong_step = post(
        clerk, f"/api/v1/staff/applications/{application.pk}/actions/complete", {"result": "x"}
    )
    assert (wrong_step.status_code, wrong_step.json()["code"]) == (409, "action_not_available")
    claimed = post(clerk, f"/api/v1/staff/applications/{application.pk}/assign", {})
    assert claimed.status_code == 200
    detail = clerk.get(f"/api/v1/staff/applications/{application.pk}").json()
    assert detail["verified"]["name"] == "林**"
    assert "320508199001011232" not in json.dumps(detail)


def test_rating_over_the_api_and_the_public_figures(
    resident: User, client: Client, submit: Submit, police_clerk: User
) -> None:
    application = submit(resident, RESIDENCE_PERMIT)
    clerk = signed_in(police_clerk, staff=True)
    for action, body in (("accept", {}), ("approve", {}), ("complete", {"result": "已发证"})):
        assert (
            post(
                clerk, f"/api/v1/staff/applications/{application.pk}/actions/{action}", body
            ).status_code
            == 200
        )
    rated = post(
        client, f"/api/v1/applications/{application.pk}/rating", {"grade": 2, "tags": ["slow"]}
    )
    assert rated.status_code == 201
    assert rated.json()["follow_up"] is True
    twice = post(client, f"/api/v1/applications/{application.pk}/rating", {"grade": 5})
    assert twice.json()["code"] == "already_rated"
    figures = Client().get("/api/v1/departments/performance").json()
    police = next(f for f in figures if f["department"] == "public-security")
    assert police["closed"] == 1
    assert police["ratings"] == 1
    assert police["satisfaction_rate"] == 0.0


def test_my_applications_list_pages_newest_first(
    resident: User, client: Client, submit: Submit
) -> None:
    made = [submit(resident, RESIDENCE_PERMIT) for _ in range(3)]
    listed = client.get("/api/v1/applications").json()
    assert listed["total"] == 3
    assert [i["number"] for i in listed["items"]] == sorted((a.number for a in made), reverse=True)


def test_the_schema_documents_the_applications_endpoints() -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/applications",
        "/api/v1/applications/{application_id}",
        "/api/v1/applications/{application_id}/supplement",
        "/api/v1/applications/materials",
        "/api/v1/staff/applications",
    ):
        assert path in paths


def test_a_lone_surrogate_in_an_answer_names_the_field(client: Client) -> None:
    # json.dumps would refuse the lone surrogate: the body is written as a client might send it
    answers = '{"household_size": 2, "monthly_income": "1", "address": "\\ud800"}'
    body = '{"item": "' + MINIMUM_LIVING + '", "answers": ' + answers + "}"
    answer = client.post(
        "/api/v1/applications",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "s-1"},
    )
    assert answer.status_code == 400
    assert "answers.address" in answer.json()["fields"]
    draft = client.put(
        f"/api/v1/applications/drafts/{MINIMUM_LIVING}",
        '{"answers": {"address": "\\ud800"}}',
        content_type="application/json",
    )
    assert draft.status_code == 400
    assert "answers.address" in draft.json()["fields"]


def test_a_malformed_upload_is_answered_with_an_envelope_not_a_crash(client: Client) -> None:
    no_boundary = client.generic(
        "POST", "/api/v1/applications/materials", b"--x\r\n", content_type="multipart/form-data"
    )
    assert no_boundary.status_code == 400
    assert no_boundary.json()["code"] == "body_not_multipart"
