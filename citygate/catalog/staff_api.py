"""The catalogue back office's API: import and export of the items of my departments.

`POST /staff/catalog/import` takes the file as multipart form data (field `file`) and answers
the same report whether it was a dry run or not: problems with where they are, or what happens
to each item. A file with any problem imports nothing and still answers 200 with ``ok`` false:
the report is the answer, not an error of the request.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, UploadedFile

from citygate.accounts.auth import staff_auth
from citygate.accounts.models import User
from citygate.catalog import exchange
from citygate.catalog.selectors import editable_department_ids
from citygate.core.errors import PermissionDenied
from citygate.core.schemas import ErrorOut

router = Router(tags=["catalog back office"])

ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}


class ImportProblemOut(Schema):
    # The sheet of an Excel file; empty for JSON and for the file as a whole.
    sheet: str
    # The row as Excel numbers it (header is row 1), or the item's position in the JSON list
    # counting from 1; null for the file as a whole.
    row: int | None
    # The column header of an Excel file.
    column: str
    # The field path in the item record ("content.materials.0.form"), or "file".
    field: str
    message: str


class ImportChangeOut(Schema):
    code: str
    # "create": a new item; "update": a new draft revision; "unchanged".
    action: Literal["create", "update", "unchanged"]
    changed_fields: list[str]


class ImportOut(Schema):
    ok: bool
    dry_run: bool
    # Whether anything was written.
    imported: bool
    errors: list[ImportProblemOut]
    changes: list[ImportChangeOut]


def _staff(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)  # noqa: S101 - guaranteed by staff_auth
    if not editable_department_ids(user=user):
        raise PermissionDenied(
            _("Only clerks and administrators of a department import and export its items."),
            code="not_your_department",
        )
    return user


@router.post("/staff/catalog/import", auth=staff_auth, response={200: ImportOut, **ERRORS})
def import_items(
    request: HttpRequest,
    file: File[UploadedFile],
    dry_run: Query[bool] = True,
    format: Query[Literal["json", "xlsx"] | None] = None,
    submit: Query[bool] = False,
) -> ImportOut:
    user = _staff(request)
    if file.size is not None and file.size > exchange.MAX_FILE_SIZE:
        report = exchange.ImportReport(dry_run=dry_run)
        report.problems.append(
            exchange.Problem(
                message=_("The file is larger than %(size)s MB.")
                % {"size": exchange.MAX_FILE_SIZE // 2**20},
                field="file",
            )
        )
    else:
        report = exchange.items_import(
            data=file.read(),
            by=user,
            dry_run=dry_run,
            submit=submit,
            file_format=format or "",
            name=file.name or "",
        )
    return ImportOut(
        ok=report.ok,
        dry_run=report.dry_run,
        imported=report.imported,
        errors=[ImportProblemOut(**problem) for problem in exchange.iter_problems(report)],
        changes=[
            ImportChangeOut(
                code=change.code,
                action=change.action,
                changed_fields=list(change.changed_fields),
            )
            for change in report.changes
        ],
    )


@router.get("/staff/catalog/export", auth=staff_auth, response=ERRORS)
def export_items(
    request: HttpRequest,
    format: Query[Literal["json", "xlsx"]] = "json",
    department: Query[str] = "",
) -> HttpResponse:
    """The items of my departments (or of one, by its code) as a JSON list or a workbook."""
    user = _staff(request)
    if format == "xlsx":
        body = exchange.items_export_xlsx(user=user, department=department[:32])
        response = HttpResponse(body, content_type=exchange.XLSX_CONTENT_TYPE)
    else:
        body = exchange.items_export_json(user=user, department=department[:32])
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    name = exchange.export_filename(format, department[:32] if department else "")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
