"""The inbox's page is read from its index in the page's order, not sorted row by row.

A person who never archives gathers thousands of messages over the years; a page must stay
one range of `message_inbox_order_idx`, cut at the page's length, however long the inbox.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from citygate.accounts.models import User
from citygate.inbox.selectors import INBOX_PAGE_SIZE, inbox_for
from citygate.inbox.services import notify

pytestmark = pytest.mark.django_db


def _plan(sql: str, params: Any) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test's tables are tiny: without this the planner reads them whole.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


def test_a_page_of_the_inbox_is_one_ordered_range_of_its_index(resident: User) -> None:
    for _ in range(3):
        notify(recipient=resident, template="inbox_tests.news")
    page = inbox_for(user=resident)[:INBOX_PAGE_SIZE]
    sql, params = page.query.sql_with_params()

    plan = _plan(sql, params)

    assert "message_inbox_order_idx" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # SQLite's sort
    assert "Sort" not in plan, plan  # PostgreSQL's
