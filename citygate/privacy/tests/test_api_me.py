"""The resident's side of the API: the access log, agreements, consent and the consent gate."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from citygate.accounts.models import User, VerificationLevel
from citygate.accounts.roles import Role
from citygate.directory.models import Department
from citygate.privacy.models import Consent
from citygate.privacy.services import (
    access_record_append,
    agreement_publish,
    consent_withdraw,
    personal_data_reveal,
)
from citygate.privacy.tests.conftest import ID_NUMBER, PHONE, signed_in


def post(client: Client, path: str, body: object) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def reveal(actor: User, subject: User, field: str = "phone", purpose: str = "audit") -> None:
    personal_data_reveal(
        actor=actor, subject=subject, field=field, purpose=purpose, detail="", channel="api"
    )


def publish_terms_v2() -> None:
    agreement_publish(
        kind="terms",
        title_zh="城市通用户服务协议",
        title_en="CityGate Terms of Service",
        body_zh="第二版。",
        body_en="Version two.",
    )


# --- Access log ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_access_log_lists_who_viewed_my_data_newest_first_without_their_phone(
    resident_client: Client, resident: User, clerk: User, department: Department
) -> None:
    # given
    clerk.phone = "19999990277"
    clerk.save()
    reveal(clerk, resident, "phone", "handle_application")
    reveal(clerk, resident, "id_number", "identity_check")

    # when
    response = resident_client.get("/api/v1/me/access-log")

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["page"], body["has_next"]) == (2, 1, False)
    newest, oldest = body["items"]
    assert (newest["field"], newest["purpose"]) == ("id_number", "identity_check")
    assert (oldest["field"], oldest["purpose"]) == ("phone", "handle_application")
    assert newest["department"] == department.name_zh
    assert newest["actor_role"] == Role.CLERK
    assert newest["actor"] == "王**"
    assert newest["purpose_label"]
    text = response.content.decode()
    assert "19999990277" not in text
    assert "王建国" not in text


@pytest.mark.django_db
def test_access_log_shows_only_my_own_records(
    resident_client: Client, resident: User, clerk: User
) -> None:
    # given
    other = User.objects.create_user(phone="19999990266")
    reveal(clerk, other)

    # when
    response = resident_client.get("/api/v1/me/access-log")

    # then
    assert response.json()["items"] == []


@pytest.mark.django_db
def test_access_log_pages_hold_twenty_records_each_in_a_fixed_number_of_queries(
    resident_client: Client, resident: User, clerk: User
) -> None:
    # given
    for _ in range(25):
        reveal(clerk, resident)

    # when
    with CaptureQueriesContext(connection) as queries:
        first = resident_client.get("/api/v1/me/access-log").json()
    second = resident_client.get("/api/v1/me/access-log?page=2").json()

    # then
    assert (len(first["items"]), first["has_next"]) == (20, True)
    assert (len(second["items"]), second["has_next"]) == (5, False)
    assert len(queries) <= 10


@pytest.mark.django_db
def test_access_log_of_a_system_read_names_no_person(
    resident_client: Client, resident: User
) -> None:
    # given
    access_record_append(
        subject=resident,
        actor=None,
        actor_role="system",
        actor_department=None,
        field="name",
        purpose="identity_check",
        detail="",
        channel="system",
    )

    # when
    (item,) = resident_client.get("/api/v1/me/access-log").json()["items"]

    # then
    assert item["actor"] == "系统"
    assert item["department"] == ""


@pytest.mark.django_db
def test_access_log_signed_out_is_unauthenticated(client: Client) -> None:
    assert client.get("/api/v1/me/access-log").status_code == 401


# --- Agreements and consent ---------------------------------------------------------------------


@pytest.mark.django_db
def test_agreements_lists_the_current_version_of_each_kind_publicly(client: Client) -> None:
    # given
    publish_terms_v2()

    # when
    response = client.get("/api/v1/agreements")

    # then
    assert response.status_code == 200
    body = response.json()
    assert [(a["kind"], a["version"], a["required"]) for a in body] == [
        ("terms", 2, True),
        ("privacy", 1, True),
        ("real_name", 1, False),
    ]
    assert body[0]["body"] == "第二版。"


@pytest.mark.django_db
def test_agreements_in_english_gives_the_english_texts(client: Client) -> None:
    response = client.get("/api/v1/agreements", HTTP_ACCEPT_LANGUAGE="en")

    assert response.json()[1]["title"] == "CityGate Privacy Policy"


@pytest.mark.django_db
def test_my_consents_shows_each_agreement_with_my_standing(
    resident_client: Client, resident: User
) -> None:
    # given
    publish_terms_v2()

    # when
    response = resident_client.get("/api/v1/me/consents")

    # then
    assert response.status_code == 200
    standing = {c["kind"]: (c["version"], c["granted"], c["last_version"]) for c in response.json()}
    assert standing == {"terms": (2, False, 1), "privacy": (1, True, 1), "real_name": (1, True, 1)}


@pytest.mark.django_db
def test_my_consents_post_grants_the_current_versions_once(
    resident_client: Client, resident: User
) -> None:
    # given
    publish_terms_v2()

    # when
    first = post(resident_client, "/api/v1/me/consents", {"kinds": ["terms", "terms"]})
    again = post(resident_client, "/api/v1/me/consents", {"kinds": ["terms"]})

    # then
    assert first.status_code == again.status_code == 200
    terms = next(c for c in again.json() if c["kind"] == "terms")
    assert (terms["version"], terms["granted"]) == (2, True)
    granted = Consent.objects.filter(user=resident, agreement__kind="terms", agreement__version=2)
    assert granted.count() == 1
    assert granted.get().channel == "api"


@pytest.mark.django_db
@pytest.mark.parametrize("kinds", [[], ["marketing"], "terms", [1]])
def test_my_consents_post_with_bad_kinds_is_refused(
    resident_client: Client, resident: User, kinds: object
) -> None:
    response = post(resident_client, "/api/v1/me/consents", {"kinds": kinds})

    assert response.status_code in {400, 422}
    assert any(name.startswith("kinds") for name in response.json()["fields"])


@pytest.mark.django_db
def test_my_consents_delete_real_name_erases_name_and_id_number(
    resident_client: Client, resident: User
) -> None:
    # when
    response = resident_client.delete("/api/v1/me/consents/real_name")

    # then
    assert response.status_code == 204
    resident.refresh_from_db()
    assert (resident.name, resident.id_number, resident.id_number_index) == (None, None, None)
    assert resident.verification_level == VerificationLevel.PHONE
    assert resident.phone == PHONE
    consent = Consent.objects.get(user=resident, agreement__kind="real_name")
    assert (consent.withdrawal_channel, consent.is_active) == ("api", False)


@pytest.mark.django_db
def test_my_consents_delete_of_an_unknown_kind_is_not_found(
    resident_client: Client, resident: User
) -> None:
    assert resident_client.delete("/api/v1/me/consents/marketing").status_code == 404


# --- The gate -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_call_after_new_terms_are_published_is_refused_until_agreed(
    resident_client: Client, resident: User
) -> None:
    # given
    publish_terms_v2()

    # when
    refused = resident_client.get("/api/v1/me/access-log")
    post(resident_client, "/api/v1/me/consents", {"kinds": ["terms"]})
    allowed = resident_client.get("/api/v1/me/access-log")

    # then
    assert refused.status_code == 403
    assert refused.json()["code"] == "consent_required"
    assert allowed.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/me"),
        ("get", "/api/v1/me/consents"),
        ("get", "/api/v1/agreements"),
        ("post", "/api/v1/auth/logout"),
    ],
)
def test_api_calls_needed_to_give_consent_stay_open_while_it_is_pending(
    resident_client: Client, resident: User, method: str, path: str
) -> None:
    # given
    consent_withdraw(user=resident, kind="privacy", channel="app")

    # when
    response = getattr(resident_client, method)(path)

    # then
    assert response.status_code in {200, 204}


@pytest.mark.django_db
def test_withdrawing_the_privacy_policy_over_the_api_stays_possible_while_pending(
    resident_client: Client, resident: User
) -> None:
    # given
    consent_withdraw(user=resident, kind="terms", channel="app")

    # when
    response = resident_client.delete("/api/v1/me/consents/privacy")

    # then
    assert response.status_code == 204


@pytest.mark.django_db
def test_api_gate_does_not_apply_to_staff(clerk: User, resident: User) -> None:
    # given: a clerk who never accepted the residents' terms
    client = signed_in(clerk, staff=True)

    # when
    body = {"id_number": ID_NUMBER, "purpose": "identity_check"}
    response = post(client, "/api/v1/staff/people/search", body)

    # then
    assert response.status_code == 200
