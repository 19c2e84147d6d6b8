"""Whole-page caching for public pages that are the same for everyone who sees them alike.

A service guide reads the same for every visitor with the same language, display mode and
signed-in state, and changes only when its catalogue changes. Rendering it (the frame and the
guide) costs several times what serving it from the cache does, so `public_page` keeps the
rendered page in the cache under the page's address, those three display facts and a version
the view names (the catalogue's state token), and serves it again until the version changes.

The frame's forms carry CSRF tokens, which are per visitor. The page is rendered with a
random placeholder instead, and each response gets this visitor's token put in its place,
inside the token fields only, so a cached page never carries anyone else's token and the
token never lands anywhere else in the page. Only pages asked for without a query string are
cached (a query string could make endless variants, or carry text into the page); pages with a
pending flash message are never cached or served from the cache.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

TIMEOUT = 60 * 60
_FIELD = 'name="csrfmiddlewaretoken" value="{}"'

# A first tier in each process's own memory: the most recently served pages, so that a popular
# guide costs no trip to the shared cache (Redis) and no unpickling. The keys carry the
# version, so an entry is never stale; the tier only bounds how many are kept.
LOCAL_PAGES = 256
_local: OrderedDict[str, tuple[bytes, str, str]] = OrderedDict()
_local_lock = threading.Lock()


def _local_get(key: str) -> tuple[bytes, str, str] | None:
    with _local_lock:
        found = _local.get(key)
        if found is not None:
            _local.move_to_end(key)
        return found


def _local_put(key: str, page: tuple[bytes, str, str]) -> None:
    with _local_lock:
        _local[key] = page
        _local.move_to_end(key)
        while len(_local) > LOCAL_PAGES:
            _local.popitem(last=False)


def pages_forget() -> None:
    """Forgets every cached page, in this process's tier and the shared cache."""
    with _local_lock:
        _local.clear()
    caches["pages"].clear()


View = Callable[..., HttpResponse]


def _has_flash_messages(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    # Counting the messages does not mark them as seen (only iterating does).
    return storage is not None and len(storage) > 0


def _key(request: HttpRequest, version: str) -> str:
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    # Staff see another link in the frame (their tools) than residents (their account).
    staff = signed_in and bool(getattr(user, "is_staff_member", False))
    elderly = bool(getattr(request, "elderly_mode", False))
    parts = f"{request.path}|{get_language()}|{elderly}|{signed_in}|{staff}|{version}"
    return "page:" + hashlib.sha256(parts.encode()).hexdigest()


def public_page(version: Callable[[], str]) -> Callable[[View], View]:
    """Caches a GET view's successful pages under `version()` (see the module docstring).

    The view must render its template through `page_context()`, which puts the placeholder
    in the context's `csrf_token` when the page is rendered for the cache.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "GET" or request.GET or _has_flash_messages(request):
                return view(request, *args, **kwargs)

            key = _key(request, version())
            cache = caches["pages"]
            cached = _local_get(key) or cache.get(key)
            if cached is None:
                placeholder = "csrf-" + secrets.token_hex(16)
                request.page_cache_placeholder = placeholder  # type: ignore[attr-defined]
                response = view(request, *args, **kwargs)
                if response.status_code != 200 or response.cookies:
                    return _with_token(request, response.content, placeholder, response)
                cached = (response.content, placeholder, response.get("Content-Type", "text/html"))
                cache.set(key, cached, TIMEOUT)
            _local_put(key, cached)
            content, placeholder, content_type = cached
            response = HttpResponse(content_type=content_type)
            return _with_token(request, content, placeholder, response)

        return wrapped

    return decorate


def _with_token(
    request: HttpRequest, content: bytes, placeholder: str, response: HttpResponse
) -> HttpResponse:
    field = _FIELD.format(placeholder).encode()
    if field in content:
        content = content.replace(field, _FIELD.format(get_token(request)).encode())
    response.content = content
    return response


def page_context(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    """The view's context, with the CSRF placeholder when the page is rendered for caching."""
    placeholder = getattr(request, "page_cache_placeholder", None)
    if placeholder:
        return {**context, "csrf_token": placeholder}
    return context
