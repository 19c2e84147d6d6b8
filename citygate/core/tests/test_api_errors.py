"""Every API error reaches the client in the one envelope, whatever raised it."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def assert_envelope(body: dict[str, object], code: str) -> None:
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    assert isinstance(body["message"], str)
    assert body["message"]


def test_api_unknown_path_answers_not_found_envelope(client: Client) -> None:
    # when
    response = client.get("/api/v1/no-such-thing")

    # then
    assert response.status_code == 404
    assert_envelope(response.json(), "not_found")


def test_api_body_not_utf8_answers_400_envelope(client: Client) -> None:
    # when
    response = client.post(
        "/api/v1/auth/sms-code", data=b"\xff\xfe\x00{", content_type="application/json"
    )

    # then
    assert response.status_code == 400
    assert_envelope(response.json(), "body_not_utf8")


def test_api_body_over_limit_answers_413_envelope(client: Client) -> None:
    # given
    body = b'{"phone": "' + b"1" * 300_000 + b'"}'

    # when
    response = client.post("/api/v1/auth/sms-code", data=body, content_type="application/json")

    # then
    assert response.status_code == 413
    assert_envelope(response.json(), "body_too_large")


def test_api_body_not_json_answers_400_envelope(client: Client) -> None:
    # when
    response = client.post(
        "/api/v1/auth/sms-code", data=b"phone=13800138000", content_type="application/json"
    )

    # then
    assert response.status_code == 400
    assert_envelope(response.json(), "body_not_json")


def test_api_form_encoded_body_answers_415_envelope(client: Client) -> None:
    # when
    response = client.post(
        "/api/v1/auth/sms-code",
        data="phone=13800138000",
        content_type="application/x-www-form-urlencoded",
    )

    # then
    assert response.status_code == 415
    assert_envelope(response.json(), "unsupported_media_type")


def test_api_error_message_follows_accept_language(client: Client) -> None:
    # when
    english = client.get("/api/v1/no-such-thing", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/api/v1/no-such-thing", HTTP_ACCEPT_LANGUAGE="zh-CN")

    # then
    assert english.json()["message"] == "Not found."
    assert chinese.json()["message"] != english.json()["message"]


def test_openapi_schema_is_served(client: Client) -> None:
    # when
    response = client.get("/api/v1/openapi.json")

    # then
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "CityGate API"


def test_page_unknown_path_answers_html_not_found(client: Client) -> None:
    # when
    response = client.get("/no-such-page/")

    # then
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_responses_carry_security_headers(client: Client) -> None:
    # when
    response = client.get("/healthz")

    # then
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Request-ID"]


def test_api_writes_chinese_as_utf8_not_escapes(client: Client) -> None:
    # when
    response = client.post(
        "/api/v1/auth/sms-code",
        data=b'{"phone": "12"}',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-CN",
    )

    # then
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert b"\\u" not in response.content
    assert response.json()["message"] in response.content.decode("utf-8")


def test_api_deeply_nested_json_answers_400_envelope(client: Client) -> None:
    # given: small, but nested far deeper than any parser should follow
    body = b"[" * 3000 + b"]" * 3000

    # when
    response = client.post("/api/v1/services/search", data=body, content_type="application/json")

    # then
    assert response.status_code == 400
    assert_envelope(response.json(), "body_not_json")


@pytest.mark.parametrize(
    ("size", "status", "code"),
    [(300_000, 413, "body_too_large"), (100, 415, "unsupported_media_type")],
)
def test_api_multipart_body_to_a_json_operation_is_refused_with_an_envelope(
    client: Client, size: int, status: int, code: str
) -> None:
    # given: only the catalogue import takes uploads
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="q"\r\n\r\n'.encode()
        + b"x" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )

    # when
    response = client.post(
        "/api/v1/services/search",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )

    # then
    assert response.status_code == status
    assert_envelope(response.json(), code)
