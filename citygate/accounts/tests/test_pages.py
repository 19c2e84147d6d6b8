"""The account pages over HTTP, as a browser without JavaScript uses them."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from citygate.accounts.models import EnterpriseAgent, SmsCode, User
from citygate.accounts.tests.helpers import (
    ID_NUMBER,
    NAME,
    OTHER_PHONE,
    PHONE,
    Api,
    CaptureOnCommit,
    latest_code,
)
from citygate.privacy.models import Consent

pytestmark = pytest.mark.django_db

LOGIN = "/account/login/"
CREDIT_CODE = "91320594MA1QDEM01A"


class Browser:
    """A browser session on the pages; tasks enqueued on commit run at once."""

    def __init__(self, client: Client, capture: CaptureOnCommit) -> None:
        self.client = client
        self.capture = capture

    def get(self, path: str, **extra: Any) -> Any:
        return self.client.get(path, **extra)

    def post(self, path: str, data: dict[str, Any], **extra: Any) -> Any:
        with self.capture(execute=True):
            return self.client.post(path, data, **extra)

    def send_code(self, phone: str = PHONE, **extra: Any) -> Any:
        return self.post(LOGIN, {"action": "send", "phone": phone}, **extra)

    def enter_code(self, phone: str = PHONE, code: str | None = None, **data: Any) -> Any:
        body = {"action": "login", "phone": phone, "code": code or latest_code(), **data}
        return self.post(LOGIN, body)

    def sign_up(self, phone: str = PHONE) -> User:
        self.send_code(phone)
        response = self.enter_code(phone, agree="on")
        assert response.status_code == 302, response.content
        return User.objects.get(phone_index__isnull=False, pk=self.client.session["_auth_user_id"])


@pytest.fixture
def browser(client: Client, django_capture_on_commit_callbacks: CaptureOnCommit) -> Browser:
    return Browser(client, django_capture_on_commit_callbacks)


def input_tag(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert found is not None, f"no input named {name}"
    return found.group(0)


# --- Sign-in ----------------------------------------------------------------------------------


def test_login_page_shows_a_labelled_phone_field(browser: Browser) -> None:
    # when
    response = browser.get(LOGIN)

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_phone">' in html
    assert 'autocomplete="tel"' in input_tag(html, "phone")
    assert 'name="action" value="send"' in html


def test_login_page_send_code_shows_the_code_step_with_the_number_masked(browser: Browser) -> None:
    # when
    response = browser.send_code()

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "199****0101" in html
    assert 'autocomplete="one-time-code"' in input_tag(html, "code")
    assert SmsCode.objects.count() == 1
    assert 'data-resend-after="60"' in html


def test_login_page_with_malformed_number_ties_the_error_to_the_field(browser: Browser) -> None:
    # when
    response = browser.send_code("12345", HTTP_ACCEPT_LANGUAGE="zh-hans")

    # then
    assert response.status_code == 400
    html = response.content.decode()
    phone = input_tag(html, "phone")
    assert 'aria-invalid="true"' in phone
    assert "id_phone_error" in phone
    assert 'id="id_phone_error"' in html
    assert "大陆手机号码为 11 位数字。" in html
    assert 'href="#id_phone"' in html


def test_login_page_send_again_at_once_shows_the_wait(browser: Browser) -> None:
    # given
    browser.send_code()

    # when
    response = browser.send_code(HTTP_ACCEPT_LANGUAGE="en")

    # then
    assert response.status_code == 429
    assert "a moment ago" in response.content.decode()


def test_login_page_new_number_is_asked_to_agree_and_then_signed_up(browser: Browser) -> None:
    # given
    browser.send_code()
    code = latest_code()

    # when
    asked = browser.enter_code(code=code)
    agreed = browser.enter_code(code=code, agree="on")

    # then
    assert asked.status_code == 200
    html = asked.content.decode()
    assert 'href="/privacy/agreements/terms/"' in html
    assert 'href="/privacy/agreements/privacy/"' in html
    assert "id_agree_error" not in html, "being asked to agree is a step, not a mistake"
    assert agreed.status_code == 302
    assert agreed["Location"] == "/account/"
    user = User.objects.get()
    channels = set(Consent.objects.filter(user=user).values_list("channel", flat=True))
    assert channels == {"app"}


def test_login_page_new_number_that_does_not_tick_agree_is_told_why(browser: Browser) -> None:
    # given
    browser.send_code()
    code = latest_code()
    browser.enter_code(code=code)

    # when
    refused = browser.enter_code(code=code, agreements_shown="1")

    # then
    assert refused.status_code == 400
    assert "id_agree_error" in input_tag(refused.content.decode(), "agree")
    assert not User.objects.exists()


def test_login_page_known_number_signs_in_to_the_next_page(
    browser: Browser, client: Client
) -> None:
    # given
    browser.sign_up()
    client.logout()
    SmsCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    browser.send_code()

    # when
    response = browser.enter_code(next="/account/enterprises/")

    # then
    assert response.status_code == 302
    assert response["Location"] == "/account/enterprises/"


def test_login_page_ignores_a_next_page_on_another_site(browser: Browser) -> None:
    # given
    browser.send_code()

    # when
    response = browser.enter_code(agree="on", next="https://evil.example/")

    # then
    assert response["Location"] == "/account/"


def test_login_page_wrong_code_marks_the_code_field(browser: Browser) -> None:
    # given
    browser.send_code()
    wrong = f"{(int(latest_code()) + 1) % 1_000_000:06d}"

    # when
    response = browser.enter_code(code=wrong, agree="on")

    # then
    assert response.status_code == 400
    assert 'aria-invalid="true"' in input_tag(response.content.decode(), "code")
    assert not User.objects.exists()


def test_login_page_resend_at_once_stays_on_the_code_step_with_the_wait(
    browser: Browser,
) -> None:
    # given
    browser.send_code()

    # when
    response = browser.post(LOGIN, {"action": "resend", "phone": PHONE})

    # then
    html = response.content.decode()
    assert 'name="code"' in html
    assert "error-summary" in html


def test_logout_page_post_signs_out(browser: Browser) -> None:
    # given
    browser.sign_up()

    # when
    response = browser.post("/account/logout/", {})

    # then
    assert response.status_code == 302
    assert browser.get("/account/").status_code == 302


def test_logout_page_get_asks_before_signing_out(browser: Browser) -> None:
    # given
    browser.sign_up()

    # when
    response = browser.get("/account/logout/")

    # then
    assert response.status_code == 200
    assert browser.get("/account/").status_code == 200


# --- My account -------------------------------------------------------------------------------


def test_account_page_without_sign_in_redirects_to_login_with_path_only(browser: Browser) -> None:
    # when
    response = browser.get("/account/")

    # then
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/account/"


def test_account_page_shows_level_and_masked_phone_only(browser: Browser) -> None:
    # given
    browser.sign_up()

    # when
    response = browser.get("/account/")

    # then
    html = response.content.decode()
    assert "手机号已验证" in html
    assert "199****0101" in html
    assert PHONE not in html
    assert 'href="/account/real-name/"' in html


def test_real_name_page_with_valid_identity_verifies_and_shows_it_masked(
    browser: Browser,
) -> None:
    # given
    browser.sign_up()

    # when
    response = browser.post(
        "/account/real-name/", {"name": NAME, "id_number": ID_NUMBER, "consent": "on"}
    )
    account = browser.get("/account/")

    # then
    assert response.status_code == 302
    html = account.content.decode()
    assert "已实名认证" in html
    assert "林**" in html
    assert ID_NUMBER not in html
    assert NAME not in html


def test_real_name_page_with_bad_check_character_shows_the_reason_by_the_field(
    browser: Browser,
) -> None:
    # given
    browser.sign_up()
    wrong = ID_NUMBER[:17] + ("1" if ID_NUMBER[17] != "1" else "2")

    # when
    response = browser.post(
        "/account/real-name/",
        {"name": NAME, "id_number": wrong, "consent": "on"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    # then
    assert response.status_code == 400
    html = response.content.decode()
    assert "校验位不正确。" in html
    assert 'aria-invalid="true"' in input_tag(html, "id_number")
    assert not User.objects.get().is_real_name_verified


def test_real_name_page_without_consent_marks_the_consent_box(browser: Browser) -> None:
    # given
    browser.sign_up()

    # when
    response = browser.post("/account/real-name/", {"name": NAME, "id_number": ID_NUMBER})

    # then
    assert response.status_code == 400
    assert "id_consent_error" in input_tag(response.content.decode(), "consent")


# --- Enterprises ------------------------------------------------------------------------------


def verified_legal_rep(browser: Browser) -> str:
    browser.sign_up()
    browser.post("/account/real-name/", {"name": NAME, "id_number": ID_NUMBER, "consent": "on"})
    response = browser.post(
        "/account/enterprises/", {"credit_code": CREDIT_CODE, "name": "苏州金鸡湖精密制造有限公司"}
    )
    assert response.status_code == 302, response.content
    location: str = response["Location"]
    return location


def test_enterprises_page_registers_and_redirects_to_the_enterprise(browser: Browser) -> None:
    # when
    location = verified_legal_rep(browser)

    # then
    assert re.fullmatch(r"/account/enterprises/[0-9a-f-]{36}/", location)
    page = browser.get(location).content.decode()
    assert CREDIT_CODE in page
    assert 'name="valid_until"' in page


def test_enterprises_page_without_real_name_offers_verification(browser: Browser) -> None:
    # given
    browser.sign_up()

    # when
    response = browser.get("/account/enterprises/")

    # then
    html = response.content.decode()
    assert 'href="/account/real-name/"' in html
    assert 'name="credit_code"' not in html


def test_enterprise_page_authorises_and_revokes_an_agent(
    browser: Browser, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    # given
    agent_browser = Browser(Client(), django_capture_on_commit_callbacks)
    agent_browser.sign_up(OTHER_PHONE)
    location = verified_legal_rep(browser)
    until = (timezone.localdate() + timedelta(days=30)).isoformat()

    # when
    added = browser.post(location, {"phone": OTHER_PHONE, "valid_until": until})
    page = browser.get(location).content.decode()
    agent = EnterpriseAgent.objects.get()
    revoked = browser.post(f"{location}agents/{agent.pk}/revoke/", {})

    # then
    assert added.status_code == 302
    assert "199****0102" in page
    assert OTHER_PHONE not in page
    assert revoked.status_code == 302
    agent.refresh_from_db()
    assert agent.revoked_at is not None


def test_enterprise_page_with_unknown_agent_number_shows_the_error(browser: Browser) -> None:
    # given
    location = verified_legal_rep(browser)
    until = (timezone.localdate() + timedelta(days=30)).isoformat()

    # when
    response = browser.post(location, {"phone": "19999990199", "valid_until": until})

    # then
    assert response.status_code == 400
    html = response.content.decode()
    assert "没有账号使用这个号码，请先让对方注册。" in html
    assert 'aria-invalid="true"' in input_tag(html, "phone")


def test_enterprise_page_of_someone_else_is_not_found(
    browser: Browser, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    # given
    location = verified_legal_rep(browser)
    stranger = Browser(Client(), django_capture_on_commit_callbacks)
    stranger.sign_up(OTHER_PHONE)

    # when
    response = stranger.get(location)

    # then
    assert response.status_code == 404


def test_api_and_pages_share_one_account(browser: Browser, api: Api) -> None:
    # given
    browser.sign_up()

    # when
    me = browser.get("/api/v1/me")

    # then
    assert me.status_code == 200
    assert me.json()["phone"] == "199****0101"


def test_account_page_for_english_account_is_english_on_a_chinese_device(
    browser: Browser,
) -> None:
    # given
    user = browser.sign_up()
    User.objects.filter(pk=user.pk).update(preferred_language="en")

    # when
    response = browser.get("/account/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    # then
    html = response.content.decode()
    assert "Phone verified" in html
    assert "My account" in html


def test_login_page_for_english_account_greets_in_english(browser: Browser, client: Client) -> None:
    # given
    user = browser.sign_up()
    User.objects.filter(pk=user.pk).update(preferred_language="en")
    client.logout()
    SmsCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    browser.send_code(HTTP_ACCEPT_LANGUAGE="zh-hans")

    # when
    response = browser.enter_code()
    page = browser.get(response["Location"])

    # then
    assert "You are signed in." in page.content.decode()
