"""The app shell's pages: home, services, messages, search, offline, and the two switches."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language

from citygate.accounts.models import User
from citygate.accounts.services import user_preferences_update
from citygate.catalog import selectors as catalog_selectors
from citygate.catalog.api import SearchIn, search_out, search_run
from citygate.directory.selectors import department_list, district_list
from citygate.shell import selectors
from citygate.shell.forms import SearchForm
from citygate.shell.middleware import set_elderly_cookie

THEME_COLOUR = "#0b5c6b"
BACKGROUND_COLOUR = "#f3f5f6"

# What the service worker keeps for offline use: the frame's static files and nothing
# personal. Pages are never stored; the offline page is added by the worker itself.
SHELL_STATIC_FILES = (
    "citygate/app.css",
    "citygate/app.js",
    "citygate/icons.svg",
    "citygate/logo.svg",
    "citygate/img/chevron.svg",
    "citygate/img/error.svg",
    "citygate/img/info.svg",
    "citygate/img/success.svg",
    "citygate/img/warning.svg",
)
SEARCH_PAGE_LIMIT = 20

# Raise when the offline page changes, so installed workers fetch it again.
OFFLINE_PAGE_VERSION = "1"


def _signed_in_user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    elderly = bool(getattr(request, "elderly_mode", False))
    context = {
        "categories": selectors.service_category_list(elderly=elderly),
        "life_events": catalog_selectors.life_event_list(),
    }
    return render(request, "shell/home.html", context)


@require_GET
def services_index(request: HttpRequest) -> HttpResponse:
    context = {
        "categories": selectors.service_category_list(),
        "life_events": catalog_selectors.life_event_list(),
    }
    return render(request, "shell/services.html", context)


@require_GET
def service_category(request: HttpRequest, slug: str) -> HttpResponse:
    category = selectors.service_category_get(slug=slug)
    if category is None:
        raise Http404
    items = catalog_selectors.item_list_for_category(category=category.slug)
    return render(request, "shell/category.html", {"category": category, "items": items})


@never_cache
@require_GET
def messages_index(request: HttpRequest) -> HttpResponse:
    """The signed-in person's inbox, a page at a time; the empty state otherwise."""
    from citygate.core.validation import small_positive_int
    from citygate.inbox.selectors import inbox_page
    from citygate.inbox.sources import bring_in

    user = _signed_in_user(request)
    if user is None:
        return render(request, "shell/messages.html")
    bring_in(user=user)
    page = small_positive_int(request.GET.get("page", ""), maximum=10_000) or 1
    return render(request, "shell/messages.html", {"inbox": inbox_page(user=user, page=page)})


@require_http_methods(["GET", "POST"])
@never_cache
def search(request: HttpRequest) -> HttpResponse:
    """The catalogue search, ranked exactly as the API ranks.

    The form posts, so what a person types (an ID number, say) never sits in a URL; the page
    shows the query back only inside the form's own field.
    """
    form = SearchForm(request.POST if request.method == "POST" else None)
    context: dict[str, object] = {
        "form": form,
        "categories": selectors.service_category_list(),
        "departments": department_list(),
        "districts": district_list(),
    }
    if form.is_bound and form.is_valid():
        params = SearchIn(
            q=form.cleaned_data["q"],
            limit=SEARCH_PAGE_LIMIT,
            department=form.cleaned_data["department"],
            district=form.cleaned_data["district"],
            audience=form.cleaned_data["audience"],
        )
        result = search_run(params)
        context["result"] = search_out(result, english=not _current_language().startswith("zh"))
    return render(request, "shell/search.html", context)


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "shell/offline.html")


@require_GET
def styleguide(request: HttpRequest) -> HttpResponse:
    """The design system's components on one page, for development and the browser tests."""
    if not (settings.DEBUG or settings.TESTING):
        raise Http404
    return render(request, "shell/styleguide.html")


def _safe_next(request: HttpRequest) -> str:
    candidate = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        url=candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("shell:home")


@require_POST
def elderly_switch(request: HttpRequest) -> HttpResponse:
    """Turns elderly mode on or off: `elderly` = "1" or "0"; without it, toggles."""
    wanted = request.POST.get("elderly")
    current = bool(getattr(request, "elderly_mode", False))
    elderly_mode = wanted == "1" if wanted in {"0", "1"} else not current

    response = HttpResponseRedirect(_safe_next(request))
    set_elderly_cookie(response, elderly_mode=elderly_mode)
    user = _signed_in_user(request)
    if user is not None:
        user_preferences_update(user=user, elderly_mode=elderly_mode)
    return response


def _current_language() -> str:
    language = get_language() or "zh-hans"
    return language if language in selectors.supported_languages() else "zh-hans"


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Django's set_language, and for a signed-in person the choice saved to the account."""
    response = set_language(request)
    language = request.POST.get("language", "")
    user = _signed_in_user(request)
    if user is not None and language in selectors.supported_languages():
        user_preferences_update(user=user, language=language)
    return response


@require_GET
@cache_control(max_age=60 * 60 * 24, public=True)
def manifest(request: HttpRequest) -> HttpResponse:
    def icon(name: str, size: int, purpose: str) -> dict[str, str]:
        return {
            "src": staticfiles_storage.url(f"citygate/icons/{name}"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": purpose,
        }

    body = {
        "id": "/",
        "name": _("CityGate"),
        "short_name": _("CityGate"),
        "description": _("Suzhou's one-stop app for government services, utilities and news."),
        "lang": "zh-Hans" if _current_language().startswith("zh") else "en",
        "dir": "ltr",
        "start_url": reverse("shell:home"),
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            icon("icon-192.png", 192, "any"),
            icon("icon-512.png", 512, "any"),
            icon("maskable-192.png", 192, "maskable"),
            icon("maskable-512.png", 512, "maskable"),
        ],
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=2),
        content_type="application/manifest+json; charset=utf-8",
    )


def _shell_version(names: tuple[str, ...]) -> str:
    """Changes whenever a cached file changes, so browsers replace the old cache."""
    digest = hashlib.sha256()
    for name in names:
        digest.update(staticfiles_storage.url(name).encode())
        # In development the URLs carry no content hash; hash the files themselves.
        found = finders.find(name)
        if isinstance(found, str):
            digest.update(Path(found).read_bytes())
    digest.update(OFFLINE_PAGE_VERSION.encode())
    return digest.hexdigest()[:16]


@never_cache
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    context = {
        "version": _shell_version(SHELL_STATIC_FILES),
        "offline_url": reverse("shell:offline"),
        "static_prefix": staticfiles_storage.url(""),
        "shell_urls": [staticfiles_storage.url(name) for name in SHELL_STATIC_FILES],
    }
    response = render(request, "shell/sw.js", context, content_type="text/javascript")
    # Served from the root rather than /static/, and allowed the root scope, so that it can
    # answer for every page of the site.
    response["Service-Worker-Allowed"] = "/"
    return response
