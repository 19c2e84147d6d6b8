"""The resident's profile beside the account: birth year from verification, minors."""

from __future__ import annotations

import datetime

import pytest

from citygate.accounts import services
from citygate.accounts.models import User
from citygate.accounts.selectors import is_minor
from citygate.accounts.validators import id_check_char
from citygate.privacy.models import ConsentChannel
from citygate.privacy.services import consent_withdraw

pytestmark = pytest.mark.django_db


def _number(birth: str) -> str:
    first17 = f"320508{birth}002"
    return first17 + id_check_char(first17)


def test_verification_keeps_the_birth_year_only_and_erasure_forgets_it() -> None:
    user = services.user_register(phone="13800138000", language="zh-hans", channel="app")
    assert user.birth_year is None
    verified = services.user_real_name_verify(
        user=user,
        name="张三",
        id_number=_number("19800517"),
        consent=True,
        channel=ConsentChannel.APP,
    )
    assert verified.birth_year == 1980
    consent_withdraw(user=verified, kind="real_name", channel=ConsentChannel.APP)
    assert User.objects.get(pk=user.pk).birth_year is None


@pytest.mark.parametrize(
    ("birth", "today", "minor"),
    [
        ("20081204", datetime.date(2026, 12, 3), True),
        ("20081203", datetime.date(2026, 12, 3), False),
        ("20080229", datetime.date(2026, 2, 28), True),
        ("20080229", datetime.date(2026, 3, 1), False),
        ("19480305", datetime.date(2026, 12, 3), False),
    ],
)
def test_a_minor_is_under_18_on_the_day(birth: str, today: datetime.date, minor: bool) -> None:
    user = User(id_number=_number(birth))
    assert is_minor(user=user, today=today) is minor


def test_someone_who_told_no_age_is_not_treated_as_a_minor() -> None:
    assert is_minor(user=User(), today=datetime.date(2026, 12, 3)) is False
