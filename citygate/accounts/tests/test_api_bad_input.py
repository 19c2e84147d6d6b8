"""Malformed requests to the accounts API get the error envelope with a 4xx, never a 500."""

import json
from typing import Any

import pytest
from django.test import Client

from citygate.accounts.models import SmsCode, User
from citygate.accounts.tests.helpers import PHONE, Api

pytestmark = pytest.mark.django_db

ENDPOINTS = ["/api/v1/auth/sms-code", "/api/v1/auth/login"]


def assert_envelope(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["message"]
    if code is not None:
        assert body["code"] == code
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phone": 19999990101}, "phone"),
        ({"phone": None}, "phone"),
        ({"phone": ["19999990101"]}, "phone"),
        ({"phone": {"number": "19999990101"}}, "phone"),
        ({}, "phone"),
        ({"phone": PHONE, "extra": 1}, "extra"),
        ({"phone": "1" * 33}, "phone"),
    ],
)
def test_sms_code_with_wrong_shape_answers_field_error(
    client: Client, body: dict[str, object], field: str
) -> None:
    # when
    response = client.post(
        "/api/v1/auth/sms-code", data=json.dumps(body), content_type="application/json"
    )

    # then
    envelope = assert_envelope(response, 422, "invalid")
    assert field in envelope["fields"]
    assert not SmsCode.objects.exists()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"phone": PHONE}, {"code"}),
        ({"code": "123456"}, {"phone"}),
        ({}, {"phone", "code"}),
        ({"phone": PHONE, "code": 123456}, {"code"}),
        ({"phone": PHONE, "code": "123456", "agree": "perhaps"}, {"agree"}),
        ({"phone": PHONE, "code": "123456", "token": [1]}, {"token"}),
    ],
)
def test_login_with_missing_or_mistyped_fields_answers_each_field(
    client: Client, body: dict[str, object], fields: set[str]
) -> None:
    # when
    response = client.post(
        "/api/v1/auth/login", data=json.dumps(body), content_type="application/json"
    )

    # then
    envelope = assert_envelope(response, 422, "invalid")
    assert set(envelope["fields"]) == fields
    assert not User.objects.exists()


@pytest.mark.parametrize("path", ENDPOINTS)
def test_post_with_oversized_body_answers_body_too_large(client: Client, path: str) -> None:
    # given
    body = json.dumps({"phone": PHONE, "padding": "x" * 300_000})

    # when
    response = client.post(path, data=body, content_type="application/json")

    # then
    assert_envelope(response, 413, "body_too_large")


@pytest.mark.parametrize("path", ENDPOINTS)
def test_post_with_non_utf8_body_answers_body_not_utf8(client: Client, path: str) -> None:
    # given
    body = '{"phone": "苏州"}'.encode("gb18030")

    # when
    response = client.post(path, data=body, content_type="application/json")

    # then
    assert_envelope(response, 400, "body_not_utf8")


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("body", ['{"phone": ', "phone=19999990101", "{'phone': 1}", "\x00"])
def test_post_with_non_json_body_answers_body_not_json(
    client: Client, path: str, body: str
) -> None:
    # when
    response = client.post(path, data=body, content_type="application/json")

    # then
    assert_envelope(response, 400, "body_not_json")


@pytest.mark.parametrize("path", ENDPOINTS)
def test_post_as_form_answers_unsupported_media_type(client: Client, path: str) -> None:
    # when
    response = client.post(
        path, data="phone=19999990101", content_type="application/x-www-form-urlencoded"
    )

    # then
    assert_envelope(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("body", ["[]", '"19999990101"', "42", "null", "true"])
def test_post_with_json_that_is_not_an_object_answers_invalid(
    client: Client, path: str, body: str
) -> None:
    # when
    response = client.post(path, data=body, content_type="application/json")

    # then
    assert_envelope(response, 422, "invalid")


@pytest.mark.parametrize("path", ENDPOINTS)
def test_post_with_empty_body_answers_invalid(client: Client, path: str) -> None:
    # when
    response = client.post(path, data="", content_type="application/json")

    # then
    assert_envelope(response, 422, "invalid")


@pytest.mark.parametrize(
    ("phone", "status"),
    [
        ("\x00", 400),
        ("1999999\x000101", 400),
        # A lone surrogate is not text at all: pydantic refuses it.
        ("\ud800", 422),
        ("١٩٩٩٩٩٩٠١٠١", 400),
        (" " * 32, 400),
        ("+86+86199999901", 400),
        # Mathematical digits are what some input methods produce; NFKC makes them ASCII.
        ("𝟏𝟗𝟗𝟗𝟗𝟗𝟗𝟎𝟏𝟎𝟏", 202),
    ],
)
def test_sms_code_with_odd_characters_answers_invalid_phone_or_normalises(
    api: Api, phone: str, status: int
) -> None:
    # when
    response = api.post("/api/v1/auth/sms-code", {"phone": phone})

    # then
    assert response.status_code == status
    if status != 202:
        envelope = assert_envelope(response, status)
        assert envelope["code"] in {"invalid_phone", "invalid"}
        assert "phone" in envelope["fields"]


def test_get_on_post_endpoint_answers_method_not_allowed(client: Client) -> None:
    # when
    response = client.get("/api/v1/auth/sms-code")

    # then
    assert response.status_code == 405


def test_preferences_with_mistyped_elderly_mode_answers_field_error(api: Api) -> None:
    # given
    api.sign_up()

    # when
    response = api.put("/api/v1/me/preferences", {"elderly_mode": "sometimes"})

    # then
    envelope = assert_envelope(response, 422, "invalid")
    assert set(envelope["fields"]) == {"elderly_mode"}
