"""The JSON API at /api/v1/: one NinjaAPI, its routers, and the one error envelope.

Every error, whatever raised it, reaches the client as
``{"code": "...", "message": "...", "fields": {"field": "message"}}`` with a stable code.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from citygate.core.errors import ApplicationError, RateLimited
from citygate.core.validation import field_errors_from_pydantic


class Utf8JSONRenderer(JSONRenderer):
    # Chinese text as UTF-8, not \u escapes: a third of the bytes, and readable in logs of
    # the clients that consume it.
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=Utf8JSONRenderer(),
    title="CityGate API",
    version="1",
    description="One entrance to the city's government services, utilities and news.",
    urls_namespace="api",
)


def _envelope(
    request: HttpRequest, code: str, message: str, status: int, fields: dict[str, str] | None = None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "fields": fields or {}}, status=status
    )


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    response = api.create_response(request, exc.envelope(), status=exc.status)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields = field_errors_from_pydantic(exc.errors)
    return _envelope(request, "invalid", _("Please check the highlighted fields."), 422, fields)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _envelope(request, "unauthenticated", _("Please sign in first."), 401)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {404: "not_found", 405: "method_not_allowed", 403: "forbidden", 429: "rate_limited"}
    code = codes.get(exc.status_code, "http_error")
    return _envelope(request, code, str(exc.message), exc.status_code)


@api.exception_handler(RequestDataTooBig)
def on_body_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _envelope(request, "body_too_large", _("The request body is too large."), 413)


@api.exception_handler(MultiPartParserError)
def on_bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return _envelope(request, "body_not_multipart", _("The uploaded form could not be read."), 400)


@api.exception_handler(SuspiciousOperation)
def on_suspicious_body(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    # Too many fields, too many files: a form no client of ours sends.
    return _envelope(request, "body_refused", _("The request could not be read."), 400)


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    from citygate.core.logging import get_logger

    get_logger(__name__).exception("api.unexpected_error", error_type=type(exc).__name__)
    return _envelope(request, "server_error", _("Something went wrong on our side."), 500)


def register_routers() -> None:
    from citygate.accounts.api import router as accounts_router
    from citygate.applications.api import router as applications_router
    from citygate.catalog.api import router as catalog_router
    from citygate.catalog.staff_api import router as catalog_staff_router
    from citygate.feed.api import router as feed_router
    from citygate.halls.api import router as halls_router
    from citygate.inbox.api import router as inbox_router
    from citygate.news.api import router as news_router
    from citygate.privacy.api import router as privacy_router

    api.add_router("", accounts_router)
    api.add_router("", privacy_router)
    api.add_router("", catalog_router)
    api.add_router("", catalog_staff_router)
    api.add_router("", halls_router)
    api.add_router("", inbox_router)
    api.add_router("", applications_router)
    api.add_router("", feed_router)
    api.add_router("", news_router)


register_routers()
