"""Whole-page caching for public pages that are the same for everyone who sees them alike.

A service guide reads the same for every visitor with the same language, display mode and
signed-in state, and changes only when its catalogue changes. Rendering it (the frame and the
guide) costs several times what serving it from the cache does, so `public_page` keeps the
rendered page in the cache under the page's address, those three display facts and a version
the view names (the catalogue's state token), and serves it again until the version changes.

The frame's forms carry CSRF tokens, which are per visitor. The page is rendered with a
placeholder instead, and each response gets this visitor's token put in its place, so a
cached page never carries anyone else's token. Pages with a pending flash message are never
cached or served from the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

CSRF_PLACEHOLDER = "csrf-placeholder-0b5c6b"
TIMEOUT = 60 * 60
View = Callable[..., HttpResponse]


def _has_flash_messages(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    # Counting the messages does not mark them as seen (only iterating does).
    return storage is not None and len(storage) > 0


def _key(request: HttpRequest, version: str) -> str:
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    elderly = bool(getattr(request, "elderly_mode", False))
    parts = f"{request.get_full_path()}|{get_language()}|{elderly}|{signed_in}|{version}"
    return "page:" + hashlib.sha256(parts.encode()).hexdigest()


def public_page(version: Callable[[], str]) -> Callable[[View], View]:
    """Caches a GET view's successful pages under `version()` (see the module docstring).

    The view must render its template with `csrf_token` set to `CSRF_PLACEHOLDER` in its
    context when `request.page_cache_rendering` is true; `page_context()` does that.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "GET" or _has_flash_messages(request):
                return view(request, *args, **kwargs)

            key = _key(request, version())
            cache = caches["pages"]
            cached = cache.get(key)
            if cached is None:
                request.page_cache_rendering = True  # type: ignore[attr-defined]
                response = view(request, *args, **kwargs)
                if response.status_code != 200 or response.has_header("Set-Cookie"):
                    return _with_token(request, response.content, response)
                cached = (response.content, response.get("Content-Type", "text/html"))
                cache.set(key, cached, TIMEOUT)
            content, content_type = cached
            return _with_token(request, content, HttpResponse(content_type=content_type))

        return wrapped

    return decorate


def _with_token(request: HttpRequest, content: bytes, response: HttpResponse) -> HttpResponse:
    if CSRF_PLACEHOLDER.encode() in content:
        content = content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    response.content = content
    return response


def page_context(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    """The view's context, with the CSRF placeholder when the page is rendered for caching."""
    if getattr(request, "page_cache_rendering", False):
        return {**context, "csrf_token": CSRF_PLACEHOLDER}
    return context
