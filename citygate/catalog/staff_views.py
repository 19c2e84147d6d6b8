"""The catalogue's back office: items of my departments, their drafts, review and history,
and import and export.

Only staff who passed the TOTP step see these pages, and only the items of the departments in
which they are clerks or administrators; any other item is not found. Every form works without
JavaScript; the services decide what may be done, and their errors are shown on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from citygate.accounts.decorators import staff_required
from citygate.accounts.models import User
from citygate.accounts.roles import Role
from citygate.catalog import exchange, selectors, services
from citygate.catalog.forms import (
    CommentForm,
    ContentEditor,
    ExportForm,
    ImportForm,
    PlaceForm,
    ReturnForm,
    RevisionStateFilter,
    SummaryForm,
    WithdrawForm,
)
from citygate.catalog.models import ItemRevision, ItemStatus, RevisionState, ServiceItem
from citygate.core.errors import ApplicationError
from citygate.core.forms import PageForm
from citygate.core.validation import small_positive_int
from citygate.directory.models import Department

PAGE_SIZE = 50


# The operators' report of missed searches covers this many days.
MISS_REPORT_DAYS = 30


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - guaranteed by staff_required
    # Every check of roles on this request reads the same rows.
    prefetch_related_objects([user], "staff_roles")
    return user


def _departments(user: User) -> list[Department]:
    return list(
        Department.objects.filter(pk__in=selectors.editable_department_ids(user=user)).order_by(
            "order", "code"
        )
    )


def _item(user: User, code: str) -> ServiceItem:
    item = selectors.staff_item_get(user=user, code=code)
    if item is None:
        raise Http404
    return item


def _open_revision(item: ServiceItem) -> ItemRevision | None:
    return item.revisions.filter(state__in=selectors.OPEN_REVISION_STATES).first()


def _display_name(item: ServiceItem, revision: ItemRevision | None) -> str:
    content = revision.content if revision is not None else item.content
    name = str((content or {}).get("name") or item.name_zh)
    english = str((content or {}).get("name_en") or item.name_en)
    return english if (get_language() or "").startswith("en") and english else name


# --- The list ---------------------------------------------------------------------------------


@never_cache
@staff_required
@require_GET
def item_list_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    departments = _departments(user)
    filters = RevisionStateFilter(request.GET or None)
    state = filters.cleaned_data["state"] if filters.is_valid() else ""
    items = selectors.staff_item_rows(user=user, state=state)
    page = Paginator(items, PAGE_SIZE).get_page(
        small_positive_int(request.GET.get("page", "1"), maximum=100_000) or 1
    )
    rows = []
    for item in page.object_list:
        opened: list[ItemRevision] = getattr(item, "open_revisions", [])
        revision = opened[0] if opened else None
        rows.append({"item": item, "revision": revision, "name": _display_name(item, revision)})
    admin = bool(selectors.admin_department_ids(user=user))
    context = {
        "departments": departments,
        "filters": filters,
        "state": state,
        "page": page,
        "rows": rows,
        "is_admin": admin,
        "review_count": selectors.staff_review_count(user=user) if admin else 0,
    }
    return render(request, "catalog/staff/list.html", context)


# --- Creating and editing ---------------------------------------------------------------------


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def item_create_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    departments = _departments(user)
    if not departments:
        return render(request, "catalog/staff/no_department.html", status=403)
    data = request.POST if request.method == "POST" else None
    place = PlaceForm(data, departments=departments, prefix="item")
    editor = ContentEditor(data)
    summary = SummaryForm(data)
    if data is not None:
        place_valid = place.is_valid()
        content_valid = editor.is_valid()
        if place_valid and content_valid and summary.is_valid() and editor.content is not None:
            record = place.record(editor.content)
            if record is not None:
                try:
                    revision = services.item_create(
                        record=record, by=user, summary=summary.cleaned_data["summary"]
                    )
                    if request.POST.get("action") == "submit":
                        services.revision_submit(revision_id=revision.pk, by=user)
                except ApplicationError as error:
                    place.add_application_error(error)
                else:
                    messages.success(request, _saved_message(request))
                    return redirect("catalog_staff:detail", code=record.code)
    errors = (
        [*_form_errors(place), *editor.error_list(), *_form_errors(summary)]
        if data is not None
        else []
    )
    context = {
        "editor": editor,
        "place": place,
        "summary_form": summary,
        "errors": errors,
        "creating": True,
    }
    status = 400 if errors else 200
    return render(request, "catalog/staff/edit.html", context, status=status)


def _form_errors(form: PageForm) -> list[tuple[str, str, str]]:
    """(anchor, label, message) of a form's errors, for the summary at the top of the page."""
    found = [("", "", str(message)) for message in form.non_field_errors()]
    for bound in form.visible_fields():
        found += [(bound.id_for_label, str(bound.label), str(m)) for m in bound.errors]
    return found


def _saved_message(request: HttpRequest) -> str:
    if request.POST.get("action") == "submit":
        return _("Saved and submitted for review.")
    return _("Saved as a draft.")


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def item_edit_page(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    item = _item(user, code)
    revision = _open_revision(item)
    base = revision.content if revision is not None else item.content
    if revision is not None and revision.state == RevisionState.SUBMITTED:
        status = 409 if request.method == "POST" else 200
        waiting = {"item": item, "revision": revision}
        return render(request, "catalog/staff/in_review.html", waiting, status=status)

    data = request.POST if request.method == "POST" else None
    editor = ContentEditor(data, initial=base)
    summary = SummaryForm(data, initial={"summary": revision.summary if revision else ""})
    if data is not None and editor.is_valid() and summary.is_valid():
        assert editor.content is not None  # noqa: S101 - set by is_valid
        try:
            saved = services.revision_save(
                item=item,
                content=editor.content,
                by=user,
                summary=summary.cleaned_data["summary"],
            )
            if request.POST.get("action") == "submit":
                services.revision_submit(revision_id=saved.pk, by=user)
        except ApplicationError as error:
            editor.add_application_error(error)
        else:
            messages.success(request, _saved_message(request))
            return redirect("catalog_staff:detail", code=item.code)
    errors = [*editor.error_list(), *_form_errors(summary)] if data is not None else []
    context: dict[str, Any] = {
        "item": item,
        "revision": revision,
        "editor": editor,
        "summary_form": summary,
        "errors": errors,
        "creating": False,
    }
    return render(request, "catalog/staff/edit.html", context, status=400 if errors else 200)


# --- One item and its history -----------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    revision: ItemRevision
    changes: list[exchange.FieldChange]
    first: bool
    may_review: bool


def _history(item: ServiceItem, user: User, is_admin: bool) -> list[HistoryEntry]:
    revisions = list(selectors.item_history(item=item))
    entries = []
    for position, revision in enumerate(revisions):
        previous = revisions[position + 1] if position + 1 < len(revisions) else None
        changes = exchange.content_changes(
            previous.content if previous is not None else None, revision.content
        )
        entries.append(
            HistoryEntry(
                revision=revision,
                changes=changes if previous is not None else [],
                first=previous is None,
                may_review=is_admin
                and revision.state == RevisionState.SUBMITTED
                and revision.created_by_id != user.pk
                and str(user.pk) not in revision.editors,
            )
        )
    return entries


def _render_detail(
    request: HttpRequest,
    user: User,
    item: ServiceItem,
    *,
    status: int = 200,
    problem: str = "",
    forms: dict[str, Any] | None = None,
) -> HttpResponse:
    is_admin = item.department_id in selectors.admin_department_ids(user=user)
    history = _history(item, user, is_admin)
    opened = next(
        (e.revision for e in history if e.revision.state in selectors.OPEN_REVISION_STATES), None
    )
    context = {
        "item": item,
        "name": _display_name(item, opened),
        "history": history,
        "open_revision": opened,
        "is_admin": is_admin,
        "may_submit": opened is not None
        and opened.state in {RevisionState.DRAFT, RevisionState.RETURNED},
        "may_withdraw": is_admin and item.status == ItemStatus.PUBLISHED,
        "problem": problem,
        "publish_form": CommentForm(prefix="publish"),
        "return_form": ReturnForm(prefix="return"),
        "withdraw_form": WithdrawForm(prefix="withdraw"),
        **(forms or {}),
    }
    return render(request, "catalog/staff/detail.html", context, status=status)


@never_cache
@staff_required
@require_GET
def item_detail_page(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    return _render_detail(request, user, _item(user, code))


def _revision(item: ServiceItem, number: int) -> ItemRevision:
    # The path takes any run of digits; one past any database integer must not reach a query.
    if number > 1_000_000:
        raise Http404
    revision = item.revisions.filter(number=number).first()
    if revision is None:
        raise Http404
    return revision


@never_cache
@staff_required
@require_POST
def revision_submit_view(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    item = _item(user, code)
    number = small_positive_int(request.POST.get("number", ""), maximum=1_000_000)
    revision = _open_revision(item)
    if revision is None or revision.number != number:
        return _render_detail(
            request, user, item, status=409, problem=_("This item has changed; look again.")
        )
    try:
        services.revision_submit(revision_id=revision.pk, by=user)
    except ApplicationError as error:
        return _render_detail(request, user, item, status=error.status, problem=str(error.message))
    messages.success(request, _("Submitted for review."))
    return redirect("catalog_staff:detail", code=item.code)


@never_cache
@staff_required
@require_POST
def revision_publish_view(request: HttpRequest, code: str, number: int) -> HttpResponse:
    user = _user(request)
    item = _item(user, code)
    revision = _revision(item, number)
    form = CommentForm(request.POST, prefix="publish")
    if not form.is_valid():
        return _render_detail(request, user, item, status=400, forms={"publish_form": form})
    try:
        services.revision_publish(
            revision_id=revision.pk, by=user, comment=form.cleaned_data["comment"]
        )
    except ApplicationError as error:
        return _render_detail(request, user, item, status=error.status, problem=str(error.message))
    messages.success(request, _("Published. Residents now see this version."))
    return redirect("catalog_staff:detail", code=item.code)


@never_cache
@staff_required
@require_POST
def revision_return_view(request: HttpRequest, code: str, number: int) -> HttpResponse:
    user = _user(request)
    item = _item(user, code)
    revision = _revision(item, number)
    form = ReturnForm(request.POST, prefix="return")
    if form.is_valid():
        try:
            services.revision_return(
                revision_id=revision.pk, by=user, comment=form.cleaned_data["comment"]
            )
        except ApplicationError as error:
            if not error.fields:
                return _render_detail(
                    request, user, item, status=error.status, problem=str(error.message)
                )
            form.add_application_error(error)
        else:
            messages.success(request, _("Returned to the author with your comment."))
            return redirect("catalog_staff:detail", code=item.code)
    return _render_detail(request, user, item, status=400, forms={"return_form": form})


@never_cache
@staff_required
@require_POST
def item_withdraw_view(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    item = _item(user, code)
    form = WithdrawForm(request.POST, prefix="withdraw")
    if form.is_valid():
        try:
            services.item_withdraw(item=item, by=user, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            return _render_detail(
                request, user, item, status=error.status, problem=str(error.message)
            )
        messages.success(request, _("Withdrawn. Residents see the guide marked as withdrawn."))
        return redirect("catalog_staff:detail", code=item.code)
    return _render_detail(request, user, item, status=400, forms={"withdraw_form": form})


# --- Review queue -----------------------------------------------------------------------------


@never_cache
@staff_required
@require_GET
def review_queue_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not selectors.admin_department_ids(user=user):
        return render(request, "catalog/staff/no_department.html", {"review": True}, status=403)
    rows = [
        {
            "revision": revision,
            "name": str(revision.content.get("name", "")),
            "own": revision.created_by_id == user.pk,
        }
        for revision in selectors.staff_review_queue(user=user)[:500]
    ]
    return render(request, "catalog/staff/review.html", {"rows": rows})


# --- Import and export ------------------------------------------------------------------------

# The request may be a little larger than the file: the form's other fields and boundaries.
_UPLOAD_OVERHEAD = 64 * 1024


@csrf_exempt
def import_page(request: HttpRequest) -> HttpResponse:
    """The size of an upload is checked before anything reads its body, then the CSRF token."""
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > exchange.MAX_FILE_SIZE + _UPLOAD_OVERHEAD:
            return _import_too_large(request)
    return _import_page(request)


@never_cache
@staff_required
def _import_too_large(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ImportForm()
    message = _("The file is larger than %(size)s MB.") % {"size": exchange.MAX_FILE_SIZE // 2**20}
    context = _import_context(user, form, None)
    context["problem"] = message
    # The body is not read: the file never reaches the server's memory or disk.
    return render(request, "catalog/staff/import.html", context, status=413)


def _import_context(
    user: User, form: ImportForm, report: exchange.ImportReport | None
) -> dict[str, Any]:
    return {
        "form": form,
        "report": report,
        "departments": _departments(user),
        "max_size": exchange.MAX_FILE_SIZE // 2**20,
        "max_items": exchange.MAX_ITEMS,
    }


@never_cache
@staff_required
@csrf_protect
@require_http_methods(["GET", "POST"])
def _import_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not selectors.editable_department_ids(user=user):
        return render(request, "catalog/staff/no_department.html", status=403)
    if request.method != "POST":
        return render(
            request, "catalog/staff/import.html", _import_context(user, ImportForm(), None)
        )
    form = ImportForm(request.POST, request.FILES)
    report: exchange.ImportReport | None = None
    status = 400
    if form.is_valid():
        upload = form.cleaned_data["file"]
        dry_run = request.POST.get("action") != "import"
        if upload.size is not None and upload.size > exchange.MAX_FILE_SIZE:
            data = b""
            report = exchange.ImportReport(dry_run=dry_run)
            report.problems.append(
                exchange.Problem(
                    message=_("The file is larger than %(size)s MB.")
                    % {"size": exchange.MAX_FILE_SIZE // 2**20},
                    field="file",
                )
            )
        else:
            data = upload.read()
            report = exchange.items_import(
                data=data,
                by=user,
                dry_run=dry_run,
                submit=form.cleaned_data["submit_for_review"],
                name=upload.name or "",
            )
        status = 200 if report.ok else 400
        if report.imported:
            messages.success(request, _("Imported. Nothing else is needed for unchanged items."))
    context = _import_context(user, form, report)
    return render(request, "catalog/staff/import.html", context, status=status)


@never_cache
@staff_required
@require_GET
def export_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    departments = _departments(user)
    if not departments:
        return render(request, "catalog/staff/no_department.html", status=403)
    form = ExportForm(request.GET or None, departments=departments)
    if request.GET and form.is_valid():
        department = form.cleaned_data["department"]
        chosen = form.cleaned_data["format"]
        if chosen == "json":
            body = exchange.items_export_json(user=user, department=department)
            response = HttpResponse(body, content_type="application/json; charset=utf-8")
        else:
            body = exchange.items_export_xlsx(user=user, department=department)
            response = HttpResponse(body, content_type=exchange.XLSX_CONTENT_TYPE)
        name = exchange.export_filename(chosen, department)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    status = 400 if form.is_bound else 200
    return render(request, "catalog/staff/export.html", {"form": form}, status=status)


# --- Searches that found nothing --------------------------------------------------------------


@never_cache
@staff_required
@require_GET
def search_misses_page(request: HttpRequest) -> HttpResponse:
    """For operators: what residents searched for and did not find, to add aliases from."""
    user = _user(request)
    if not user.staff_roles.filter(role=Role.OPERATOR).exists():
        raise Http404
    context = {
        "rows": selectors.search_miss_report(days=MISS_REPORT_DAYS),
        "days": MISS_REPORT_DAYS,
        "threshold": selectors.MISS_REPORT_THRESHOLD,
    }
    return render(request, "catalog/staff/misses.html", context)
