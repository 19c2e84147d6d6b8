"""Per-visitor display preferences: elderly mode and language, remembered in cookies."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

ELDERLY_COOKIE = "citygate_elderly"


class PreferenceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.elderly_mode = request.COOKIES.get(ELDERLY_COOKIE) == "1"  # type: ignore[attr-defined]
        return self.get_response(request)
