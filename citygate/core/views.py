from __future__ import annotations

import time

from django.db import connection
from django.db.utils import Error as DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from citygate.core.middleware import API_PREFIX, api_error


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database readiness, for load balancers and monitors."""
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse(
            {"status": "error", "database": {"status": "unavailable", "vendor": connection.vendor}},
            status=503,
        )
    elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    return JsonResponse(
        {
            "status": "ok",
            "database": {"status": "ok", "vendor": connection.vendor, "latency_ms": elapsed_ms},
        }
    )


def _wants_envelope(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_envelope(request):
        return api_error("not_found", _("Not found."), 404)
    return render(request, "404.html", status=404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_envelope(request):
        return api_error("bad_request", _("The request could not be understood."), 400)
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_envelope(request):
        return api_error("forbidden", _("You are not allowed to do this."), 403)
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_envelope(request):
        return api_error("server_error", _("Something went wrong on our side."), 500)
    # No template context: the error may have come from anything a context would touch.
    return HttpResponse(
        loader.get_template("500.html").render(), status=500, content_type="text/html"
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if _wants_envelope(request):
        return api_error("csrf_failed", _("The security token is missing or out of date."), 403)
    return render(request, "403_csrf.html", status=403)
