"""What every page's frame needs: display mode, the language switch, the current tab."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language

# Pages of other apps the frame links to. The account pages may not exist yet in every
# checkout, so their URLs are written out rather than reversed.
ACCOUNT_URL = "/account/"
TERMS_URL = "/privacy/agreements/terms/"
PRIVACY_URL = "/privacy/agreements/privacy/"

# (tab, path prefix) for the bottom tab bar; the home tab matches "/" only.
_TABS = (
    ("services", "/services/"),
    ("messages", "/messages/"),
    ("account", ACCOUNT_URL),
    # A person's applications and ratings are theirs, under the account tab.
    ("account", "/applications/"),
    ("account", "/ratings/"),
)
STAFF_HOME_URL = "/staff/"


def _login_url() -> str:
    try:
        return reverse("accounts:login")
    except NoReverseMatch:
        return "/account/login/"


def _return_path(request: HttpRequest) -> str:
    """Where the switches send a person back to: this page, keeping only its `next`.

    Other query parameters are dropped, so that nothing typed into a form (a search, say)
    travels on in a URL; `next` is kept so a sign-in or consent flow is not lost.
    """
    next_url = request.GET.get("next")
    if next_url:
        return f"{request.path}?{urlencode({'next': next_url})}"
    return request.path


def _current_tab(path: str) -> str:
    if path == "/":
        return "home"
    for tab, prefix in _TABS:
        if path.startswith(prefix):
            return tab
    return ""


def _other_language(current: str) -> dict[str, str]:
    # The switch offers the language not shown, named in that language itself.
    if current.startswith("zh"):
        return {"code": "en", "name": "English", "lang": "en"}
    return {"code": "zh-hans", "name": "中文", "lang": "zh-Hans"}


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    staff = signed_in and bool(getattr(user, "is_staff_member", False))
    return {
        "shell_staff": staff,
        "shell_staff_url": STAFF_HOME_URL,
        "elderly_mode": getattr(request, "elderly_mode", False),
        "shell_signed_in": signed_in,
        "shell_next": _return_path(request),
        "shell_tab": _current_tab(request.path),
        "shell_other_language": _other_language(get_language() or "zh-hans"),
        "shell_account_url": ACCOUNT_URL if signed_in else _login_url(),
        "shell_login_url": _login_url(),
        "shell_terms_url": TERMS_URL,
        "shell_privacy_url": PRIVACY_URL,
    }
