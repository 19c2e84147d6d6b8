from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from citygate.accounts.identity import EnterpriseVerificationResult, EnterpriseVerifier
from citygate.accounts.models import Enterprise, EnterpriseAgent
from citygate.accounts.tests.helpers import (
    OTHER_ID_NUMBER,
    OTHER_PHONE,
    Api,
    FakeService,
)
from citygate.accounts.validators import credit_check_char, organisation_check_char

pytestmark = pytest.mark.django_db

CREDIT_CODE = "91320594MA1QDEM01A"
COMPANY = "苏州金鸡湖精密制造有限公司"
THIRD_PHONE = "19999990103"


def credit_code(body: str) -> str:
    first17 = "91320594" + body + organisation_check_char(body)
    return first17 + credit_check_char(first17)


class NotTheLegalRepVerifier(EnterpriseVerifier):
    def verify(
        self, *, credit_code: str, name: str, legal_rep_name: str, legal_rep_id_number: str
    ) -> EnterpriseVerificationResult:
        return EnterpriseVerificationResult(matched=True, legal_rep_confirmed=False)


def legal_rep(api: Api) -> dict[str, Any]:
    """A verified person who has registered the company; returns the enterprise."""
    api.sign_up()
    api.verify_real_name()
    response = api.post("/api/v1/enterprises", {"credit_code": CREDIT_CODE, "name": COMPANY})
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def authorise(api: Api, enterprise_id: str, phone: str = OTHER_PHONE, days: int = 90) -> Any:
    return api.post(
        f"/api/v1/enterprises/{enterprise_id}/agents",
        {"phone": phone, "valid_until": in_days(days)},
    )


# --- Registering --------------------------------------------------------------------------------


def test_enterprise_register_by_verified_person_makes_them_legal_rep(api: Api) -> None:
    # when
    enterprise = legal_rep(api)

    # then
    assert enterprise["name"] == COMPANY
    assert enterprise["credit_code"] == CREDIT_CODE
    assert enterprise["relation"] == "legal_rep"
    assert enterprise["agents"] == []
    listed = api.get("/api/v1/enterprises").json()
    assert [e["id"] for e in listed] == [enterprise["id"]]
    me = api.get("/api/v1/me").json()
    assert "enterprise_agent" in me["roles"]
    assert me["enterprises"][0]["relation"] == "legal_rep"


def test_enterprise_register_with_lower_case_code_and_spaces_normalises(api: Api) -> None:
    # given
    api.sign_up()
    api.verify_real_name()

    # when
    response = api.post(
        "/api/v1/enterprises", {"credit_code": " 91320594ma1qdem01a ", "name": f"  {COMPANY} "}
    )

    # then
    assert response.status_code == 201
    stored = Enterprise.objects.get()
    assert (stored.credit_code, stored.name) == (CREDIT_CODE, COMPANY)


def test_enterprise_register_without_real_name_is_refused(api: Api) -> None:
    # given
    api.sign_up()

    # when
    response = api.post("/api/v1/enterprises", {"credit_code": CREDIT_CODE, "name": COMPANY})

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "real_name_required"
    assert not Enterprise.objects.exists()


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91310115MA1H8R7C6D", "组织机构代码（第 9 至 17 位）不正确。"),
        ("91350100M000100Y44", "校验位不正确。"),
        ("91350100M000I00Y43", "请只输入数字和大写字母，代码中不使用字母 I、O、S、V、Z。"),
        ("9135", "统一社会信用代码为 18 位。"),
    ],
)
def test_enterprise_register_with_bad_credit_code_names_the_reason(
    api: Api, code: str, reason: str
) -> None:
    # given
    api.sign_up()
    api.verify_real_name()

    # when
    response = api.post(
        "/api/v1/enterprises",
        {"credit_code": code, "name": COMPANY},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credit_code"
    assert response.json()["fields"] == {"credit_code": reason}


@pytest.mark.parametrize("name", ["", "x", "公司\x00名称", "公" * 101])
def test_enterprise_register_with_bad_name_answers_field_error(api: Api, name: str) -> None:
    # given
    api.sign_up()
    api.verify_real_name()

    # when
    response = api.post("/api/v1/enterprises", {"credit_code": CREDIT_CODE, "name": name})

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_name"


def test_enterprise_register_twice_answers_enterprise_exists(api: Api, other_api: Api) -> None:
    # given
    legal_rep(api)
    other_api.sign_up(OTHER_PHONE)
    other_api.verify_real_name("赵大伟", OTHER_ID_NUMBER)

    # when
    response = other_api.post("/api/v1/enterprises", {"credit_code": CREDIT_CODE, "name": COMPANY})

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "enterprise_exists"
    assert Enterprise.objects.count() == 1


@override_settings(
    CITYGATE_ENTERPRISE_VERIFIER=(
        "citygate.accounts.tests.test_api_enterprises.NotTheLegalRepVerifier"
    )
)
def test_enterprise_register_by_someone_not_in_the_register_is_refused(api: Api) -> None:
    # given
    api.sign_up()
    api.verify_real_name()

    # when
    response = api.post("/api/v1/enterprises", {"credit_code": CREDIT_CODE, "name": COMPANY})

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "not_legal_rep"
    assert not Enterprise.objects.exists()


def test_enterprise_register_with_http_verifier_sends_the_legal_rep_and_keeps_registered_name(
    api: Api, gateway: FakeService
) -> None:
    # given
    api.sign_up()
    api.verify_real_name()
    gateway.answer = (
        200,
        '{"match": true, "legal_rep_match": true, "registered_name": "苏州金鸡湖精密制造有限公司",'
        ' "reference": "SAMR-7"}'.encode(),
        0.0,
    )

    # when
    with override_settings(
        CITYGATE_ENTERPRISE_VERIFIER="citygate.accounts.identity.HttpEnterpriseVerifier",
        CITYGATE_ENTERPRISE_URL=gateway.url,
    ):
        response = api.post(
            "/api/v1/enterprises", {"credit_code": CREDIT_CODE, "name": "金鸡湖精密"}
        )

    # then
    assert response.status_code == 201
    assert response.json()["name"] == COMPANY
    (request,) = gateway.received
    assert request["body"]["credit_code"] == CREDIT_CODE
    assert request["body"]["legal_rep_name"] == "林晓梅"
    assert Enterprise.objects.get().verification_reference == "SAMR-7"


# --- Agents -------------------------------------------------------------------------------------


def test_agent_authorise_by_phone_lets_the_agent_act_until_the_date(
    api: Api, other_api: Api
) -> None:
    # given
    enterprise = legal_rep(api)
    other_api.sign_up(OTHER_PHONE)

    # when
    response = authorise(api, enterprise["id"], days=30)

    # then
    assert response.status_code == 201
    agent = response.json()
    assert agent["phone"] == "199****0102"
    assert agent["valid_until"] == in_days(30)
    seen_by_agent = other_api.get("/api/v1/enterprises").json()
    assert [(e["id"], e["relation"]) for e in seen_by_agent] == [(enterprise["id"], "agent")]
    assert seen_by_agent[0]["valid_until"] == in_days(30)
    assert seen_by_agent[0]["agents"] == []
    assert "enterprise_agent" in other_api.get("/api/v1/me").json()["roles"]
    listed = api.get("/api/v1/enterprises").json()
    assert [a["id"] for a in listed[0]["agents"]] == [agent["id"]]


def test_agent_authorise_again_changes_the_end_date(api: Api, other_api: Api) -> None:
    # given
    enterprise = legal_rep(api)
    other_api.sign_up(OTHER_PHONE)
    first = authorise(api, enterprise["id"], days=30).json()

    # when
    again = authorise(api, enterprise["id"], days=60).json()

    # then
    assert again["id"] == first["id"]
    assert EnterpriseAgent.objects.get().valid_until.isoformat() == in_days(60)


def test_agent_authorise_for_number_without_account_answers_agent_not_found(api: Api) -> None:
    # given
    enterprise = legal_rep(api)

    # when
    response = authorise(api, enterprise["id"], phone=THIRD_PHONE)

    # then
    assert response.status_code == 404
    assert response.json()["code"] == "agent_not_found"
    assert set(response.json()["fields"]) == {"phone"}


def test_agent_authorise_of_oneself_is_refused(api: Api) -> None:
    # given
    enterprise = legal_rep(api)

    # when
    response = authorise(api, enterprise["id"], phone="19999990101")

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "agent_is_legal_rep"


@pytest.mark.parametrize("days", [-1, 3 * 366 + 1])
def test_agent_authorise_with_date_out_of_range_answers_field_error(
    api: Api, other_api: Api, days: int
) -> None:
    # given
    enterprise = legal_rep(api)
    other_api.sign_up(OTHER_PHONE)

    # when
    response = authorise(api, enterprise["id"], days=days)

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_valid_until"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phone": OTHER_PHONE, "valid_until": "2027-02-30"}, "valid_until"),
        ({"phone": OTHER_PHONE, "valid_until": "next week"}, "valid_until"),
        ({"phone": OTHER_PHONE}, "valid_until"),
        ({"valid_until": "2027-01-01"}, "phone"),
    ],
)
def test_agent_authorise_with_malformed_body_answers_field_error(
    api: Api, body: dict[str, object], field: str
) -> None:
    # given
    enterprise = legal_rep(api)

    # when
    response = api.post(f"/api/v1/enterprises/{enterprise['id']}/agents", body)

    # then
    assert response.status_code == 422
    assert field in response.json()["fields"]


def test_agent_authorise_by_an_agent_is_refused(api: Api, other_api: Api) -> None:
    # given
    enterprise = legal_rep(api)
    other_api.sign_up(OTHER_PHONE)
    authorise(api, enterprise["id"])

    # when
    response = authorise(other_api, enterprise["id"], phone="19999990101")

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "not_legal_rep"


def test_agent_authorise_by_a_stranger_answers_not_found(api: Api, other_api: Api) -> None:
    # given
    enterprise = legal_rep(api)
    other_api.sign_up(OTHER_PHONE)

    # when
    response = authorise(other_api, enterprise["id"], phone="19999990101")

    # then
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_agent_revoke_ends_the_authorisation(api: Api, other_api: Api) -> None:
    # given
    enterprise = legal_rep(api)
    other_api.sign_up(OTHER_PHONE)
    agent = authorise(api, enterprise["id"]).json()

    # when
    response = api.delete(f"/api/v1/enterprises/{enterprise['id']}/agents/{agent['id']}")

    # then
    assert response.status_code == 204
    assert other_api.get("/api/v1/enterprises").json() == []
    assert "enterprise_agent" not in other_api.get("/api/v1/me").json()["roles"]
    assert api.get("/api/v1/enterprises").json()[0]["agents"] == []
    stored = EnterpriseAgent.objects.get()
    assert stored.revoked_by_id == stored.granted_by_id


def test_agent_revoke_then_authorise_again_creates_a_new_authorisation(
    api: Api, other_api: Api
) -> None:
    # given
    enterprise = legal_rep(api)
    other_api.sign_up(OTHER_PHONE)
    first = authorise(api, enterprise["id"]).json()
    api.delete(f"/api/v1/enterprises/{enterprise['id']}/agents/{first['id']}")

    # when
    second = authorise(api, enterprise["id"]).json()

    # then
    assert second["id"] != first["id"]
    assert EnterpriseAgent.objects.count() == 2


def test_agent_revoke_of_unknown_agent_answers_not_found(api: Api) -> None:
    # given
    enterprise = legal_rep(api)

    # when
    response = api.delete(
        f"/api/v1/enterprises/{enterprise['id']}/agents/00000000-0000-0000-0000-000000000000"
    )

    # then
    assert response.status_code == 404


def test_enterprise_path_with_malformed_id_answers_invalid(api: Api) -> None:
    # given
    api.sign_up()

    # when
    response = api.post("/api/v1/enterprises/not-a-uuid/agents", {"phone": OTHER_PHONE})

    # then
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_agent_after_the_end_date_no_longer_acts(api: Api, other_api: Api) -> None:
    # given
    enterprise = legal_rep(api)
    other_api.sign_up(OTHER_PHONE)
    authorise(api, enterprise["id"])
    EnterpriseAgent.objects.update(valid_until=timezone.localdate() - timedelta(days=1))

    # when
    listed = other_api.get("/api/v1/enterprises").json()

    # then
    assert listed == []
    assert api.get("/api/v1/enterprises").json()[0]["agents"] == []


def test_enterprise_list_query_count_does_not_grow_with_agents(
    api: Api, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # given
    enterprise = legal_rep(api)
    phones = [f"1999999020{n}" for n in range(4)]
    for phone in phones:
        Api(Client(), api.capture).sign_up(phone)
    authorise(api, enterprise["id"], phone=phones[0])
    with CaptureQueriesContext(connection) as one:
        api.get("/api/v1/enterprises")
    # read now: the next request clears the connection's query log
    with_one_agent = len(one)

    # when
    for phone in phones[1:]:
        authorise(api, enterprise["id"], phone=phone)
    with django_assert_num_queries(with_one_agent):
        response = api.get("/api/v1/enterprises")

    # then
    assert len(response.json()[0]["agents"]) == 4
