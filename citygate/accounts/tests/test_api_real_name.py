import json

import pytest
from django.db import connection
from django.test import Client, override_settings

from citygate.accounts.identity import (
    HttpIdentityVerifier,
    IdentityVerifier,
    VerificationResult,
    VerifierUnavailable,
)
from citygate.accounts.models import User, VerificationLevel
from citygate.accounts.tests.helpers import (
    ID_NUMBER,
    NAME,
    OTHER_ID_NUMBER,
    OTHER_PHONE,
    Api,
    FakeService,
)
from citygate.accounts.validators import id_check_char
from citygate.privacy.models import Consent

pytestmark = pytest.mark.django_db

REAL_NAME = "/api/v1/me/real-name"


class RejectingVerifier(IdentityVerifier):
    """The public security records know the number under another name."""

    def verify(self, *, name: str, id_number: str) -> VerificationResult:
        return VerificationResult(matched=False)


def real_name_consents(user: User) -> int:
    return Consent.objects.filter(user=user, agreement__kind="real_name").count()


def test_real_name_with_matching_identity_stores_it_encrypted_and_records_consent(
    api: Api,
) -> None:
    # given
    user = api.sign_up()

    # when
    response = api.post(REAL_NAME, {"name": NAME, "id_number": ID_NUMBER, "consent": True})

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["verification"] == {
        "level": 2,
        "code": "real_name",
        "label": str(VerificationLevel.REAL_NAME.label),
    }
    assert body["name"] == "林**"
    assert body["id_number"] == ID_NUMBER[:6] + "********" + ID_NUMBER[-4:]
    assert body["verified_at"] is not None
    user.refresh_from_db()
    assert (user.name, user.id_number) == (NAME, ID_NUMBER)
    assert real_name_consents(user) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, id_number FROM accounts_user")
        raw_name, raw_id = cursor.fetchone()
    assert NAME not in raw_name
    assert ID_NUMBER not in raw_id


def test_real_name_with_lower_case_x_and_spaces_normalises(api: Api) -> None:
    # given
    api.sign_up()
    first17 = "32050819480305002"
    number = first17 + id_check_char(first17)
    assert number.endswith("X")
    spaced = f" {number[:6]} {number[6:14]} {number[14:].lower()} "

    # when
    response = api.post(REAL_NAME, {"name": " 王 秀英", "id_number": spaced, "consent": True})

    # then
    assert response.status_code == 200
    assert User.objects.get().id_number == number


def test_real_name_without_consent_is_refused_and_stores_nothing(api: Api) -> None:
    # given
    user = api.sign_up()

    # when
    response = api.post(REAL_NAME, {"name": NAME, "id_number": ID_NUMBER, "consent": False})

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_consent"
    assert set(response.json()["fields"]) == {"consent"}
    user.refresh_from_db()
    assert user.id_number is None
    assert real_name_consents(user) == 0


@pytest.mark.parametrize(
    ("id_number", "reason"),
    [
        (ID_NUMBER[:17] + ("1" if ID_NUMBER[17] != "1" else "2"), "校验位不正确。"),
        ("32050819800230001" + id_check_char("32050819800230001"), "出生日期无效。"),
        ("99999919800101001" + id_check_char("99999919800101001"), "地区代码无效。"),
        ("3205081980", "居民身份证号码为 18 位。"),
    ],
)
def test_real_name_with_bad_id_number_names_the_reason_in_chinese(
    api: Api, id_number: str, reason: str
) -> None:
    # given
    api.sign_up()

    # when
    response = api.post(
        REAL_NAME,
        {"name": NAME, "id_number": id_number, "consent": True},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_id_number"
    assert response.json()["fields"] == {"id_number": reason}


def test_real_name_with_bad_id_number_in_english_names_the_reason_in_english(api: Api) -> None:
    # given
    api.sign_up()

    # when
    response = api.post(
        REAL_NAME,
        {"name": NAME, "id_number": ID_NUMBER[:17] + "0", "consent": True},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    # then
    assert response.json()["fields"] == {"id_number": "The check character is incorrect."}


def test_real_name_with_several_problems_names_every_field(api: Api) -> None:
    # given
    api.sign_up()

    # when
    response = api.post(REAL_NAME, {"name": "X1", "id_number": "123", "consent": False})

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == {"name", "id_number", "consent"}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"name": NAME, "id_number": ID_NUMBER}, {"consent"}),
        ({"id_number": ID_NUMBER, "consent": True}, {"name"}),
        ({"name": NAME, "id_number": 320508198005170020, "consent": True}, {"id_number"}),
        ({"name": NAME, "id_number": ID_NUMBER, "consent": [True]}, {"consent"}),
        ({"name": "林" * 65, "id_number": ID_NUMBER, "consent": True}, {"name"}),
    ],
)
def test_real_name_with_missing_or_mistyped_fields_answers_field_errors(
    api: Api, body: dict[str, object], fields: set[str]
) -> None:
    # given
    api.sign_up()

    # when
    response = api.post(REAL_NAME, body)

    # then
    assert response.status_code == 422
    assert set(response.json()["fields"]) == fields


def test_real_name_with_id_number_of_another_account_is_refused_without_saying_whose(
    api: Api, other_api: Api
) -> None:
    # given
    other_api.sign_up(OTHER_PHONE)
    other_api.verify_real_name("赵大伟", ID_NUMBER)
    user = api.sign_up()

    # when
    response = api.post(REAL_NAME, {"name": NAME, "id_number": ID_NUMBER, "consent": True})

    # then
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "id_number_taken"
    assert "赵" not in json.dumps(body, ensure_ascii=False)
    assert "19999990102" not in json.dumps(body)
    user.refresh_from_db()
    assert user.id_number is None
    assert real_name_consents(user) == 0


def test_real_name_twice_answers_already_verified(api: Api) -> None:
    # given
    api.sign_up()
    api.verify_real_name()

    # when
    response = api.post(REAL_NAME, {"name": NAME, "id_number": OTHER_ID_NUMBER, "consent": True})

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "already_verified"
    assert User.objects.get().id_number == ID_NUMBER


@override_settings(
    CITYGATE_IDENTITY_VERIFIER="citygate.accounts.tests.test_api_real_name.RejectingVerifier"
)
def test_real_name_rejected_by_verifier_answers_mismatch_and_stores_nothing(api: Api) -> None:
    # given
    user = api.sign_up()

    # when
    response = api.post(REAL_NAME, {"name": NAME, "id_number": ID_NUMBER, "consent": True})

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "identity_mismatch"
    assert set(response.json()["fields"]) == {"name", "id_number"}
    user.refresh_from_db()
    assert user.verification_level == VerificationLevel.PHONE
    assert real_name_consents(user) == 0


class CountingRejectingVerifier(RejectingVerifier):
    calls = 0

    def verify(self, *, name: str, id_number: str) -> VerificationResult:
        CountingRejectingVerifier.calls += 1
        return super().verify(name=name, id_number=id_number)


@override_settings(
    CITYGATE_IDENTITY_VERIFIER=(
        "citygate.accounts.tests.test_api_real_name.CountingRejectingVerifier"
    )
)
def test_real_name_five_refusals_in_a_row_lock_further_attempts(api: Api) -> None:
    # given: someone trying names against an ID number
    api.sign_up()
    CountingRejectingVerifier.calls = 0
    body = {"name": NAME, "id_number": ID_NUMBER, "consent": True}
    answers = [api.post(REAL_NAME, body) for _ in range(5)]

    # when
    locked = api.post(REAL_NAME, body)

    # then
    assert [a.json()["code"] for a in answers[:4]] == ["identity_mismatch"] * 4
    assert answers[4].json()["code"] == "real_name_locked"
    assert locked.status_code == 423
    assert locked.json()["code"] == "real_name_locked"
    assert int(locked["Retry-After"]) > 0
    assert CountingRejectingVerifier.calls == 5, "a locked account no longer asks the verifier"


def test_real_name_with_http_verifier_down_answers_unavailable(
    api: Api, gateway: FakeService
) -> None:
    # given
    user = api.sign_up()
    gateway.answer = (502, b"", 0.0)

    # when
    with override_settings(
        CITYGATE_IDENTITY_VERIFIER="citygate.accounts.identity.HttpIdentityVerifier",
        CITYGATE_IDENTITY_URL=gateway.url,
    ):
        response = api.post(REAL_NAME, {"name": NAME, "id_number": ID_NUMBER, "consent": True})

    # then
    assert response.status_code == 503
    assert response.json()["code"] == "verifier_unavailable"
    user.refresh_from_db()
    assert user.id_number is None


def test_real_name_with_http_verifier_sends_name_and_number_and_keeps_its_reference(
    api: Api, gateway: FakeService
) -> None:
    # given
    api.sign_up()
    gateway.answer = (200, b'{"match": true, "reference": "PSB-42"}', 0.0)

    # when
    with override_settings(
        CITYGATE_IDENTITY_VERIFIER="citygate.accounts.identity.HttpIdentityVerifier",
        CITYGATE_IDENTITY_URL=gateway.url,
        CITYGATE_IDENTITY_TOKEN="identity-token",
    ):
        response = api.post(REAL_NAME, {"name": NAME, "id_number": ID_NUMBER, "consent": True})

    # then
    assert response.status_code == 200
    (request,) = gateway.received
    assert request["body"] == {"name": NAME, "id_number": ID_NUMBER}
    assert request["authorization"] == "Bearer identity-token"


@pytest.mark.parametrize("answer", [b'{"reference": "x"}', b'{"match": "yes"}', b"[]"])
def test_http_identity_verifier_with_unreadable_answer_raises_unavailable(
    gateway: FakeService, answer: bytes
) -> None:
    # given
    gateway.answer = (200, answer, 0.0)
    verifier = HttpIdentityVerifier(url=gateway.url, token="t")

    # when
    with pytest.raises(VerifierUnavailable) as caught:
        verifier.verify(name=NAME, id_number=ID_NUMBER)

    # then
    assert ID_NUMBER not in str(caught.value)
    assert NAME not in str(caught.value)


def test_real_name_without_sign_in_answers_unauthenticated(client: Client) -> None:
    # when
    response = client.post(
        REAL_NAME,
        data=json.dumps({"name": NAME, "id_number": ID_NUMBER, "consent": True}),
        content_type="application/json",
    )

    # then
    assert response.status_code == 401
