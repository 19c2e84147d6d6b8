"""Staff sign-in: login name and password, then a TOTP code; and `manage.py create_staff`."""

from __future__ import annotations

import io
import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest
from django.core.management import CommandError, call_command
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from citygate.accounts import services
from citygate.accounts.auth import STAFF_SESSION_KEY, staff_session_valid
from citygate.accounts.models import AttemptGuard, StaffRole, User

pytestmark = pytest.mark.django_db

LOGIN = "/account/staff/login/"
VERIFY = "/account/staff/login/verify/"
PASSWORD = "a-long-development-passphrase"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def clerk() -> User:
    created = services.staff_create(
        login_name="clerk.zhang",
        password=PASSWORD,
        role="clerk",
        department_code="public-security",
        totp_secret=SECRET,
    )
    return created.user


def current_code(offset_steps: int = 0) -> str:
    """The code `offset_steps` steps from now, not within 2 s of the step's end.

    Near the end of a step the code would move one step further away before it reaches the
    server, and a test of "one step old" would test "two steps old".
    """
    if time.time() % 30 > 28:
        time.sleep(30 - time.time() % 30 + 0.05)
    return pyotp.TOTP(SECRET).at(time.time() + 30 * offset_steps)


def password_step(client: Client, password: str = PASSWORD, login_name: str = "clerk.zhang") -> Any:
    return client.post(LOGIN, {"login_name": login_name, "password": password})


def test_staff_login_with_password_and_totp_marks_the_session(client: Client, clerk: User) -> None:
    # given
    first = password_step(client)

    # when
    second = client.post(VERIFY, {"code": current_code()})

    # then
    assert first.status_code == 302
    assert first["Location"] == VERIFY
    assert second.status_code == 302
    # Staff land on their tools
    assert second["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    session = client.session
    assert session["_auth_user_id"] == str(clerk.pk)
    assert isinstance(session[STAFF_SESSION_KEY], float)
    page = client.get("/account/").content.decode()
    assert "clerk.zhang" in page
    assert "市公安局" in page


def test_staff_login_password_step_alone_does_not_sign_in(client: Client, clerk: User) -> None:
    # when
    password_step(client)

    # then
    assert "_auth_user_id" not in client.session
    assert client.get("/api/v1/me").status_code == 401


def test_staff_login_accepts_a_code_one_step_old(client: Client, clerk: User) -> None:
    # given
    password_step(client)

    # when
    response = client.post(VERIFY, {"code": current_code(-1)})

    # then
    assert response.status_code == 302


def test_staff_login_refuses_a_code_two_steps_old(client: Client, clerk: User) -> None:
    # given
    password_step(client)
    old = current_code(-2)
    if old in {current_code(-1), current_code(), current_code(1)}:
        pytest.skip("the old code happens to equal a current one")

    # when
    response = client.post(VERIFY, {"code": old})

    # then
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_staff_login_refuses_the_same_code_twice(clerk: User) -> None:
    # given
    first, second = Client(), Client()
    code = current_code()
    password_step(first)
    first.post(VERIFY, {"code": code})
    password_step(second)

    # when
    replay = second.post(VERIFY, {"code": code})

    # then
    assert replay.status_code == 400
    assert "_auth_user_id" not in second.session


def test_staff_login_with_wrong_password_shows_error_with_attempts_left(
    client: Client, clerk: User
) -> None:
    # when
    response = password_step(client, password="not-the-password")

    # then
    assert response.status_code == 400
    html = response.content.decode()
    assert "4" in html
    assert 'aria-invalid="true"' in html


def test_staff_login_with_unknown_name_answers_like_a_wrong_password(client: Client) -> None:
    # when
    response = password_step(client, login_name="nobody")

    # then
    assert response.status_code == 400


def test_staff_login_after_five_wrong_answers_is_locked_even_with_the_right_ones(
    client: Client, clerk: User
) -> None:
    # given: three wrong passwords, then two wrong codes
    for _ in range(3):
        password_step(client, password="wrong")
    password_step(client)
    client.post(VERIFY, {"code": "000000" if current_code() != "000000" else "111111"})
    client.post(VERIFY, {"code": "000000" if current_code() != "000000" else "111111"})

    # when
    response = password_step(client)

    # then
    assert response.status_code == 423
    assert AttemptGuard.objects.get(scope="staff").locked_until is not None
    assert "_auth_user_id" not in client.session


def test_staff_login_right_password_does_not_clear_the_count(client: Client, clerk: User) -> None:
    # given
    for _ in range(4):
        password_step(client, password="wrong")

    # when
    password_step(client)

    # then
    assert AttemptGuard.objects.get(scope="staff").failures == 4


def test_staff_login_success_clears_the_count(client: Client, clerk: User) -> None:
    # given
    password_step(client, password="wrong")
    password_step(client)

    # when
    client.post(VERIFY, {"code": current_code()})

    # then
    assert AttemptGuard.objects.get(scope="staff").failures == 0


def test_staff_verify_page_without_password_step_sends_back(client: Client, clerk: User) -> None:
    # when
    response = client.post(VERIFY, {"code": current_code()})

    # then
    assert response.status_code == 302
    assert response["Location"] == LOGIN


def test_staff_verify_page_after_five_minutes_sends_back(client: Client, clerk: User) -> None:
    # given
    password_step(client)
    session = client.session
    session["citygate_staff_pending"]["at"] -= 301
    session.save()

    # when
    response = client.post(VERIFY, {"code": current_code()})

    # then
    assert response["Location"] == LOGIN


def test_staff_session_valid_after_nine_hours_is_false() -> None:
    # given
    request = HttpRequest()
    request.session = {STAFF_SESSION_KEY: time.time() - 9 * 3600 - 1}  # type: ignore[assignment]

    # when / then
    assert staff_session_valid(request) is False
    request.session = {STAFF_SESSION_KEY: time.time() - 60}  # type: ignore[assignment]
    assert staff_session_valid(request) is True


def test_staff_lock_runs_out_after_thirty_minutes(client: Client, clerk: User) -> None:
    # given
    for _ in range(5):
        password_step(client, password="wrong")
    AttemptGuard.objects.update(locked_until=timezone.now() - timedelta(seconds=1))

    # when
    response = password_step(client)

    # then
    assert response.status_code == 302


# --- create_staff -----------------------------------------------------------------------------


def test_create_staff_prints_the_otpauth_uri_once_and_creates_the_role(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    out = io.StringIO()

    # when
    call_command(
        "create_staff",
        "admin.li",
        "--role",
        "department_admin",
        "--department",
        "human-resources",
        "--password-stdin",
        stdout=out,
    )

    # then
    uri = next(line for line in out.getvalue().splitlines() if line.startswith("otpauth://"))
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    user = User.objects.get(login_name="admin.li")
    assert user.totp_secret == secret
    assert user.check_password(PASSWORD)
    role = StaffRole.objects.get(user=user)
    assert (role.role, role.department.code if role.department else None) == (
        "department_admin",
        "human-resources",
    )
    assert "issuer=CityGate" in uri


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x", "--role", "clerk", "--department", "public-security"], "login_name"),
        (["clerk.wang", "--role", "clerk"], "department"),
        (["clerk.wang", "--role", "clerk", "--department", "nowhere"], "department"),
    ],
)
def test_create_staff_with_bad_arguments_fails_clearly(
    monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    # given
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))

    # when
    with pytest.raises(CommandError) as caught:
        call_command("create_staff", *args, "--password-stdin", stdout=io.StringIO())

    # then
    assert message in str(caught.value)
    assert not User.objects.filter(login_name__isnull=False).exists()


def test_create_staff_with_weak_password_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    monkeypatch.setattr("sys.stdin", io.StringIO("12345678\n"))

    # when / then
    with pytest.raises(CommandError, match="password"):
        call_command(
            "create_staff",
            "auditor.wu",
            "--role",
            "auditor",
            "--password-stdin",
            stdout=io.StringIO(),
        )


def test_create_staff_with_taken_login_name_fails(
    monkeypatch: pytest.MonkeyPatch, clerk: User
) -> None:
    # given
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))

    # when / then
    with pytest.raises(CommandError, match="login_name"):
        call_command(
            "create_staff",
            "clerk.zhang",
            "--role",
            "auditor",
            "--password-stdin",
            stdout=io.StringIO(),
        )


def test_staff_verify_with_full_width_digits_is_a_wrong_code_not_an_error(
    client: Client, clerk: User
) -> None:
    # given
    password_step(client)
    full_width = "".join(chr(ord(digit) + 0xFEE0) for digit in current_code())

    # when
    response = client.post(VERIFY, {"code": full_width})

    # then
    assert response.status_code == 400
    assert STAFF_SESSION_KEY not in client.session
    assert AttemptGuard.objects.get().failures == 1
