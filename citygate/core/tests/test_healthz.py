import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_with_database_up_reports_ok(client: Client) -> None:
    # when
    response = client.get("/healthz")

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
