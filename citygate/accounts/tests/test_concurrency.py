"""Two requests at once on PostgreSQL: the database keeps one answer."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from citygate.accounts import services
from citygate.accounts.models import EnterpriseAgent, User, VerificationLevel

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def _verified(phone: str, id_number: str) -> User:
    user = services.user_register(phone=phone, language="zh-hans", channel="app")
    user.name = "测试"
    user.id_number = id_number
    user.verification_level = VerificationLevel.REAL_NAME
    user.save()
    return user


def test_enterprise_agent_authorised_from_four_requests_at_once_is_one_agent() -> None:
    # given
    rep = _verified("13900000011", "320506199001010022")
    _verified("13900000012", "320508198001010024")
    enterprise = services.enterprise_register(
        user=rep, credit_code="91350100M000100Y43", name="苏州示例科技有限公司"
    )
    until = timezone.localdate() + timedelta(days=30)
    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def authorise() -> None:
        try:
            start.wait()
            services.enterprise_agent_authorise(
                enterprise=enterprise, by=rep, phone="13900000012", valid_until=until
            )
        except BaseException as exc:  # collected and reported below
            failures.append(exc)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=authorise) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert not failures, failures
    assert EnterpriseAgent.objects.filter(enterprise=enterprise, revoked_at=None).count() == 1
