"""The consent gate: a signed-in resident with pending required agreements is asked first.

Pages redirect to ``/privacy/consent/?next=...``; API calls answer 403 ``consent_required``
(see ``citygate.accounts.auth.after_authentication``). What a person needs in order to read,
give or withdraw consent, sign in or out, or switch language or elderly mode stays open.

Staff are not gated: they work under their employment (PIPL Art.13(2)), not under the terms
residents accept.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from citygate.accounts.models import User

CONSENT_REQUIRED_MESSAGE = _("Please read and agree to the current terms and privacy policy first.")

API_PREFIX = "/api/v1/"
# Paths under the API a person with pending consents may still call.
_API_OPEN = ("me", "me/consents", "agreements")
_API_OPEN_PREFIXES = ("me/consents/", "auth/")

# Page paths that stay open, by prefix.
_PAGE_OPEN_PREFIXES = (
    "/privacy/consent/",
    "/privacy/consents/",
    "/privacy/agreements/",
    "/healthz",
    "/dev/",
    "/i18n/",
    "/elderly/",
    "/api/",
)
# Named pages that stay open, wherever their owners mount them.
_PAGE_OPEN_NAMES = (
    "accounts:login",
    "accounts:logout",
    "accounts:staff_login",
    "accounts:staff_verify",
    "shell:elderly",
    "shell:set_language",
    "shell:offline",
)


def consent_exempt_api_path(path: str) -> bool:
    """Whether an API call at this path is answered even while consent is pending."""
    if not path.startswith(API_PREFIX):
        return False
    rest = path[len(API_PREFIX) :].rstrip("/")
    return rest in _API_OPEN or rest.startswith(_API_OPEN_PREFIXES)


@lru_cache(maxsize=1)
def _open_page_prefixes() -> tuple[str, ...]:
    named = []
    for name in _PAGE_OPEN_NAMES:
        try:
            named.append(reverse(name))
        except NoReverseMatch:
            continue
    return (*_PAGE_OPEN_PREFIXES, settings.STATIC_URL or "/static/", *named)


def consent_exempt_page_path(path: str) -> bool:
    if path.startswith(_open_page_prefixes()):
        return True
    # Files rather than pages (the web manifest, the service worker, icons) are never gated.
    return "." in path.rsplit("/", 1)[-1]


def consent_gate_applies(user: object) -> bool:
    return isinstance(user, User) and user.is_active and not user.is_staff_member


class ConsentGateMiddleware:
    """Sends a signed-in resident with pending required consents to the consent page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if consent_gate_applies(user) and not consent_exempt_page_path(request.path_info):
            from citygate.privacy.selectors import consent_pending

            if consent_pending(user=user):  # type: ignore[arg-type]
                target = reverse("privacy:consent")
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{target}?{query}")
        return self.get_response(request)
