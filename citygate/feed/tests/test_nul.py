"""Values PostgreSQL refuses (a NUL character) or that no key can match (too long) are turned
away with the field's message before any query carries them: SQLite would accept a NUL, so
these tests look at the queries sent, not at the database's answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from citygate.feed.tests.conftest import channel, tag

pytestmark = pytest.mark.django_db

# The text before the NUL is searched in the queries: SQLite shows a query only up to a NUL.
NUL = "nulslug\x00x"


@contextmanager
def no_query_carries(value: str) -> Iterator[None]:
    with CaptureQueriesContext(connection) as queries:
        yield
    shown = value.split("\x00")[0]
    assert [q["sql"] for q in queries.captured_queries if shown in q["sql"]] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tags": ["education", NUL]}, "tags.1"),
        ({"tags": ["x" * 5000]}, "tags.0"),
        ({"district": "nuldist\x00x"}, "district"),
    ],
)
def test_putting_a_nul_or_an_overlong_value_names_the_field(
    resident_client: Client, body: dict[str, object], field: str
) -> None:
    tag("education")
    given = body.get("tags") or [body.get("district")]
    assert isinstance(given, list)
    value = str(given[-1])

    with no_query_carries(value):
        response = resident_client.put(
            "/api/v1/me/recommendation", data=json.dumps(body), content_type="application/json"
        )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


def test_deleting_a_tag_named_with_a_nul_says_there_is_no_such_tag(
    resident_client: Client,
) -> None:
    tag("education")

    with no_query_carries(NUL):
        response = resident_client.post(
            "/me/recommendation/", {"action": "delete", "tag": NUL}, follow=True
        )

    assert response.status_code == 200
    assert "没有这个标签。" in response.content.decode()


@pytest.mark.parametrize("value", ["nulchan\x00x", "c" * 500])
def test_the_news_api_refuses_a_channel_with_a_nul_or_too_long(value: str) -> None:
    channel("city")

    with no_query_carries(value):
        response = Client().get("/api/v1/news/stories", {"channel": value})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["channel"]
