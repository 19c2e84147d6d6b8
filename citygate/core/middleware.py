"""Cross-cutting request handling: request ids, security headers, API body checks."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import structlog
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from citygate.core.http import address_hash

Handler = Callable[[HttpRequest], HttpResponse]

API_PREFIX = "/api/"
# A file uploaded to the API (multipart form data, as the catalogue import takes) may be larger
# than a JSON body; the view checks its own limit on the file. Django keeps file parts out of
# DATA_UPLOAD_MAX_MEMORY_SIZE and streams big ones to disk.
API_UPLOAD_MAX_SIZE = 6 * 1024 * 1024
# The API paths that take file uploads, with the largest body each takes (an application's
# material may be up to 50 MB); every other path takes JSON bodies only.
API_UPLOAD_PATHS = {
    "/api/v1/staff/catalog/import": API_UPLOAD_MAX_SIZE,
    "/api/v1/applications/materials": 51 * 1024 * 1024,
}


class RequestContextMiddleware:
    """Gives every request an id that all its log lines carry, with the hashed address."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            request_id=request_id, client=address_hash(request)[:12]
        )
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class SecurityHeadersMiddleware:
    """A strict content security policy: scripts and styles come only from our own files."""

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        return response


def api_error(
    code: str, message: str, status: int, fields: dict[str, str] | None = None
) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "fields": fields or {}}, status=status)


class ApiBodyGuardMiddleware:
    """Answers malformed API bodies in the error envelope before any view reads them.

    Oversized bodies, bodies that are not UTF-8 and bodies that are not JSON get a 4xx with a
    stable code, never a 500 from deep inside a parser.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX) and request.method in {"POST", "PUT", "PATCH"}:
            problem = self._check(request)
            if problem is not None:
                return problem
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if content_type.startswith("multipart/"):
            if request.path_info in API_UPLOAD_PATHS:
                if length > API_UPLOAD_PATHS[request.path_info]:
                    return api_error("body_too_large", _("The request body is too large."), 413)
                return None
            if length <= limit and b"Content-Disposition" not in request.body:
                # A form with no fields at all (a bare POST some clients send as multipart).
                return None
        if length > limit:
            return api_error("body_too_large", _("The request body is too large."), 413)
        body = request.body
        if len(body) > limit:
            return api_error("body_too_large", _("The request body is too large."), 413)
        if not body:
            return None
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return api_error("body_not_utf8", _("The request body must be UTF-8 text."), 400)
        if content_type != "application/json":
            return api_error(
                "unsupported_media_type", _("Send the request body as application/json."), 415
            )
        try:
            json.loads(text)
        except (ValueError, RecursionError):
            # RecursionError: JSON nested thousands of levels deep.
            return api_error("body_not_json", _("The request body is not valid JSON."), 400)
        return None
