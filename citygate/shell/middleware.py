"""Per-visitor display preferences: elderly mode and language.

A device remembers them in cookies; a signed-in account that has saved preferences overrides
the device, and the device's cookies are brought in line so the choice survives signing out.
Signing in on a device that is in elderly mode turns elderly mode on for the account, so that
a person who switched to 长辈版 before signing up or in does not lose it at that step.
This middleware runs before Django's LocaleMiddleware (see settings.MIDDLEWARE), so the
account's language is in place when the request's language is chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, cast

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.middleware import get_user
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from citygate.accounts.models import User
from citygate.accounts.services import user_preferences_update
from citygate.core.middleware import API_PREFIX
from citygate.shell.selectors import display_preferences_for

ELDERLY_COOKIE = "citygate_elderly"
# A year, like the language cookie: the choice belongs to the device until changed.
ELDERLY_COOKIE_AGE = 60 * 60 * 24 * 365


def set_elderly_cookie(response: HttpResponse, *, elderly_mode: bool) -> None:
    response.set_cookie(
        ELDERLY_COOKIE,
        "1" if elderly_mode else "0",
        max_age=ELDERLY_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def set_language_cookie(response: HttpResponse, *, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=cast(Literal["Lax", "Strict", "None"], settings.LANGUAGE_COOKIE_SAMESITE),
    )


def _signed_in_user(request: HttpRequest) -> User | None:
    # Only sessions that carry a signed-in user cost a query; AuthenticationMiddleware later
    # reuses the user cached on the request by `get_user`.
    if SESSION_KEY not in request.session:
        return None
    user = get_user(request)
    return user if isinstance(user, User) and user.is_active else None


def _keep_elderly_mode_on_sign_in(request: HttpRequest) -> None:
    """After a request that signed someone in on a device in elderly mode."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated or user.elderly_mode:
        return
    user_preferences_update(user=user, elderly_mode=True)


class PreferenceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            # The API renders no pages and sets no display cookies; its clients send
            # Accept-Language.
            request.elderly_mode = False  # type: ignore[attr-defined]
            return self.get_response(request)

        device_elderly = request.COOKIES.get(ELDERLY_COOKIE) == "1"
        device_language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        user = _signed_in_user(request)
        preferences = display_preferences_for(user=user, device_elderly=device_elderly)
        request.elderly_mode = preferences.elderly_mode  # type: ignore[attr-defined]
        if preferences.language:
            # LocaleMiddleware reads the language from this cookie first.
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = preferences.language

        response = self.get_response(request)

        if user is None and device_elderly:
            _keep_elderly_mode_on_sign_in(request)
        # A view that just set a cookie (the switches) knows better than the request did.
        if preferences.elderly_mode != device_elderly and ELDERLY_COOKIE not in response.cookies:
            set_elderly_cookie(response, elderly_mode=preferences.elderly_mode)
        if (
            preferences.language
            and preferences.language != device_language
            and settings.LANGUAGE_COOKIE_NAME not in response.cookies
        ):
            set_language_cookie(response, language=preferences.language)
        patch_vary_headers(response, ("Cookie",))
        return response
