"""The one error type of the application layer, and its mapping to HTTP.

Services raise `ApplicationError` with a stable machine `code`, a `message` in the current
language and, for bad input, `fields` naming each field at fault. The API turns it into the
envelope ``{"code": ..., "message": ..., "fields": {...}}``; pages show the same messages.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise


class ApplicationError(Exception):
    status = 400

    def __init__(
        self,
        code: str,
        message: str | Promise,
        *,
        fields: Mapping[str, str | Promise] | None = None,
        status: int | None = None,
    ) -> None:
        # The exception text is the code alone: messages may be shown to people, but an
        # exception text reaches tracebacks and must never hold what a person typed.
        super().__init__(code)
        self.code = code
        self.message = message
        self.fields = dict(fields or {})
        if status is not None:
            self.status = status

    def envelope(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {key: str(value) for key, value in self.fields.items()},
        }


class InvalidInput(ApplicationError):
    def __init__(self, fields: Mapping[str, str | Promise], message: str | Promise = "") -> None:
        from django.utils.translation import gettext_lazy as _

        super().__init__(
            "invalid", message or _("Please check the highlighted fields."), fields=fields
        )


class NotFound(ApplicationError):
    status = 404

    def __init__(self, message: str | Promise = "") -> None:
        from django.utils.translation import gettext_lazy as _

        super().__init__("not_found", message or _("Not found."))


class PermissionDenied(ApplicationError):
    status = 403

    def __init__(self, message: str | Promise = "", *, code: str = "forbidden") -> None:
        from django.utils.translation import gettext_lazy as _

        super().__init__(code, message or _("You are not allowed to do this."))


class RateLimited(ApplicationError):
    status = 429

    def __init__(self, message: str | Promise, *, retry_after: int) -> None:
        super().__init__("rate_limited", message)
        self.retry_after = retry_after
