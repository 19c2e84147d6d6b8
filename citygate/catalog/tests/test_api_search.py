"""The search API: its shape, its limits, bad input, misses and query counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from citygate.catalog.models import SearchMiss
from citygate.catalog.selectors import search_miss_report
from citygate.catalog.tests.factories import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def items() -> None:
    publish("居民身份证补领", name_en="Replacing a lost resident ID card", aliases=["身份证丢了"])
    publish("居民身份证换领", name_en="Renewing a resident ID card")
    publish("水费缴纳", department="water-group", name_en="Paying the water bill")


def post(client: Client, body: dict[str, Any]) -> Any:
    return client.post(
        "/api/v1/services/search", data=json.dumps(body), content_type="application/json"
    )


def test_search_get_returns_items_best_first_with_total(client: Client, items: None) -> None:
    # when
    response = client.get("/api/v1/services/search", {"q": "身份证丢了", "limit": "5"})

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["total"] >= 1
    first = body["items"][0]
    assert first["name"] == "居民身份证补领"
    assert first["department"] == "市公安局"
    assert first["url"] == f"/services/item/{first['code']}/"
    assert set(first) >= {"code", "name", "department", "department_code", "summary"}


def test_search_in_english_answers_english_names(client: Client, items: None) -> None:
    response = client.get("/api/v1/services/search", {"q": "water bill"}, HTTP_ACCEPT_LANGUAGE="en")
    first = response.json()["items"][0]
    assert first["name"] == "Paying the water bill"
    assert first["department"] == "Suzhou Water Group"


def test_search_post_ranks_as_get_does(client: Client, items: None) -> None:
    by_get = client.get("/api/v1/services/search", {"q": "身份证"}).json()
    by_post = post(client, {"q": "身份证"}).json()
    assert by_get == by_post


def test_search_limit_is_honoured_and_bounded(client: Client, items: None) -> None:
    assert (
        len(client.get("/api/v1/services/search", {"q": "身份证", "limit": "1"}).json()["items"])
        == 1
    )
    response = client.get("/api/v1/services/search", {"q": "身份证", "limit": "1000"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert "limit" in response.json()["fields"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "x" * 201},
        {"q": "身份证", "limit": "abc"},
        {"q": "身份证", "limit": "１０"},
        {"q": "身份证", "audience": "alien"},
        {"q": "身份证", "department": "d" * 40},
    ],
)
def test_search_bad_input_gets_an_envelope_naming_the_field(
    client: Client, items: None, params: dict[str, str]
) -> None:
    response = client.get("/api/v1/services/search", params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"]


@pytest.mark.parametrize("text", ["😀😀", "\u200b", "%00", "<script>", "1" * 200, "ʃ" * 50])
def test_search_odd_text_never_fails(client: Client, items: None, text: str) -> None:
    response = client.get("/api/v1/services/search", {"q": text})
    assert response.status_code == 200
    assert response.json()["total"] >= 0


def test_search_miss_is_counted_without_digits_and_not_while_typing(
    client: Client, items: None
) -> None:
    # when someone types, then submits, a query that finds nothing, with a number in it
    post(client, {"q": "天气预报 13912345678", "typing": True})
    assert not SearchMiss.objects.exists()
    post(client, {"q": "天气预报 13912345678"})

    # then only the wording is kept
    miss = SearchMiss.objects.get()
    assert miss.query == "天气预报 #"
    assert "139" not in miss.query


def test_search_miss_report_shows_a_wording_only_once_several_people_typed_it(
    client: Client, items: None
) -> None:
    post(client, {"q": "张三丰"})
    for _ in range(3):
        post(client, {"q": "天气预报"})
    assert search_miss_report() == [("天气预报", 3)]


def test_search_query_count_does_not_grow_with_the_catalogue(client: Client) -> None:
    def count() -> int:
        client.get("/api/v1/services/search", {"q": "身份证"})  # builds the index
        with CaptureQueriesContext(connection) as queries:
            client.get("/api/v1/services/search", {"q": "身份证"})
        return len(queries)

    publish("居民身份证补领")
    few = count()
    for number in range(40):
        publish(f"身份证相关事项{number}")
    assert count() == few
    assert few <= 2


def test_search_answer_matches_its_published_schema(client: Client, items: None) -> None:
    from citygate.catalog.api import SearchOut

    body = client.get("/api/v1/services/search", {"q": "身份证"}).json()
    assert SearchOut.model_validate(body).model_dump() == body
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/services/search" in schema["paths"]
