"""No input produces a 500: every operation of the OpenAPI schema, fed generated bodies.

For each operation the schema lists, hypothesis builds JSON bodies (the declared fields with
values of every JSON type, missing fields, extra fields, very long and odd Unicode strings) and
path parameters, and sends them as a visitor, a resident and a clerk. Every answer must be
below 500 and, when it is an error, in the envelope.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citygate.accounts.auth import STAFF_SESSION_KEY
from citygate.accounts.models import StaffRole, User
from citygate.directory.models import Department
from citygate.privacy.testing import consent_all_required

pytestmark = pytest.mark.django_db

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False)
    | st.text(max_size=40)
    | st.sampled_from(["13800138000", "110105194912310021", "91350100M000100Y43", "", " "])
    | st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=3000)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            ref = body.get("schema", {}).get("$ref", "")
            properties: list[str] = []
            if ref:
                component = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
                properties = list(component.get("properties", {}))
            found.append((method.upper(), path, properties))
    return found


def _bodies(properties: list[str]) -> st.SearchStrategy[Any]:
    declared = st.fixed_dictionaries({}, optional={name: JSON_VALUES for name in properties})
    return declared | JSON_VALUES


def _resident() -> User:
    # Examples share the test's transaction: reuse the person made by an earlier example.
    existing = User.objects.filter(login_name=None, staff_roles=None).first()
    if existing is not None:
        return existing
    user = User.objects.create_user(phone="13900000001")
    consent_all_required(user)
    return user


def _clerk() -> User:
    existing = User.objects.filter(login_name="fuzz.clerk").first()
    if existing is not None:
        return existing
    user = User.objects.create_user(login_name="fuzz.clerk")
    department = Department.objects.get(code="public-security")
    StaffRole.objects.create(user=user, role="clerk", department=department)
    return user


def _signed_in(user: User | None, staff: bool = False) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
        if staff:
            session = client.session
            session[STAFF_SESSION_KEY] = time.time()
            session.save()
    return client


def test_api_schema_lists_operations(client: Client) -> None:
    assert len(_operations(client.get("/api/v1/openapi.json").json())) >= 15


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_api_any_body_to_any_operation_never_answers_500(client: Client, data: Any) -> None:
    # given
    schema = client.get("/api/v1/openapi.json").json()
    method, path, properties = data.draw(st.sampled_from(_operations(schema)), label="operation")
    who = data.draw(st.sampled_from(["visitor", "resident", "clerk"]), label="who")
    user = None if who == "visitor" else (_resident() if who == "resident" else _clerk())
    caller = _signed_in(user, staff=who == "clerk")
    segment = st.one_of(st.uuids().map(str), st.text(alphabet="abc-_0123456789", min_size=1))
    url = re.sub(r"\{[^}]+\}", lambda _: data.draw(segment, label="path part"), path)
    body = data.draw(_bodies(properties), label="body")

    # when
    response = caller.generic(method, url, data=_dump(body), content_type="application/json")

    # then
    assert response.status_code < 500, (method, url, response.content[:300])
    if response.status_code >= 400 and response["Content-Type"].startswith("application/json"):
        envelope = response.json()
        assert set(envelope) == {"code", "message", "fields"}, envelope


def _dump(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False)
