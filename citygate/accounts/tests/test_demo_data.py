import io
from pathlib import Path

import pyotp
import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from citygate.accounts.management.commands.load_demo_data import RESIDENTS, STAFF
from citygate.accounts.models import Enterprise, EnterpriseAgent, StaffRole, User, VerificationLevel
from citygate.accounts.roles import STAFF_ROLES, Role
from citygate.accounts.selectors import user_roles

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
PERSONAS_DOCS = [ROOT / "docs" / "personas.md", ROOT / "README.md"]


def load() -> str:
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def test_load_demo_data_without_debug_refuses() -> None:
    # when / then
    with pytest.raises(CommandError, match="DEBUG"):
        load()
    assert not User.objects.exists()


@override_settings(DEBUG=True)
def test_load_demo_data_creates_a_persona_for_every_role() -> None:
    # when
    output = load()

    # then
    assert "Loaded demo data" in output
    assert User.objects.filter(phone_index__isnull=False).count() == len(RESIDENTS)
    staff_roles = set(StaffRole.objects.values_list("role", flat=True))
    assert staff_roles == {r.value for r in STAFF_ROLES}
    wang = User.objects.get(name__isnull=False, elderly_mode=True)
    assert wang.name == "王秀英"
    assert wang.verification_level == VerificationLevel.REAL_NAME
    assert User.objects.filter(preferred_language="en", name__isnull=True).count() == 1
    enterprise = Enterprise.objects.get()
    assert enterprise.legal_rep.name == "周建华"
    agent = EnterpriseAgent.objects.get()
    assert agent.user.name == "吴婷"
    assert Role.ENTERPRISE_AGENT.value in user_roles(user=agent.user)


@override_settings(DEBUG=True)
def test_load_demo_data_twice_says_it_is_already_loaded() -> None:
    # given
    load()
    users = User.objects.count()

    # when
    output = load()

    # then
    assert "already loaded" in output
    assert User.objects.count() == users


@override_settings(DEBUG=True)
def test_load_demo_data_staff_persona_signs_in_with_the_documented_secrets(client: Client) -> None:
    # given
    load()
    clerk = STAFF[0]

    # when
    client.post(
        "/account/staff/login/", {"login_name": clerk.login_name, "password": clerk.password}
    )
    response = client.post(
        "/account/staff/login/verify/", {"code": pyotp.TOTP(clerk.totp_secret).now()}
    )

    # then
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize("doc", PERSONAS_DOCS, ids=lambda path: path.name)
def test_personas_doc_lists_every_persona_with_its_secrets(doc: Path) -> None:
    # given
    text = doc.read_text(encoding="utf-8")

    # then
    for resident in RESIDENTS:
        assert resident.phone in text
    for staff in STAFF:
        assert staff.login_name in text
        assert staff.password in text
        assert staff.totp_secret in text
