"""Privacy pages: agreements and consent for everyone, the access log for residents, the
person lookup and reveal for clerks, and the access records for auditors.

Every page works without JavaScript. Personal data is only ever sent in POST bodies, and
every page that shows any (masked or not) is marked never_cache, which includes no-store.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from citygate.accounts.decorators import staff_required
from citygate.accounts.models import User
from citygate.core.errors import ApplicationError
from citygate.core.validation import small_positive_int
from citygate.privacy import selectors, services
from citygate.privacy.forms import ConsentForm, GrantForm, PersonSearchForm, RevealForm
from citygate.privacy.masking import mask_id_number, mask_name, mask_phone
from citygate.privacy.models import AccessChannel, AgreementKind, ConsentChannel, PersonalField

View = Callable[..., HttpResponse]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - guaranteed by the login decorators
    return user


def _safe_next(request: HttpRequest, target: str | None) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("shell:home")


# --- Agreements and consent -------------------------------------------------------------------


@require_GET
def agreement_page(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in AgreementKind.values:
        raise Http404
    requested = request.GET.get("version", "")
    version = small_positive_int(requested, maximum=1_000_000)
    if requested and version is None:
        raise Http404
    if version is not None:
        agreement = selectors.agreement_version(kind=kind, version=version)
    else:
        agreement = selectors.agreement_current(kind=kind)
    if agreement is None:
        raise Http404
    current = selectors.agreement_current(kind=kind)
    return render(
        request,
        "privacy/agreement.html",
        {"agreement": agreement, "is_current": current is not None and current.pk == agreement.pk},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def consent_page(request: HttpRequest) -> HttpResponse:
    """The "we updated our terms" page the consent gate sends people to."""
    user = _user(request)
    pending = selectors.consent_pending(user=user)
    target = request.POST.get("next") or request.GET.get("next")
    if not pending:
        return redirect(_safe_next(request, target))

    form = ConsentForm(request.POST or None, agreements=pending, initial={"next": target})
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_grant(
                user=user, kinds=[a.kind for a in pending], channel=ConsentChannel.APP
            )
        except ApplicationError as error:
            form.add_application_error(error, {})
        else:
            messages.success(request, _("Thank you. Your consent is recorded."))
            return redirect(_safe_next(request, form.cleaned_data["next"]))
    updated = any(a.version > 1 for a in pending)
    status = 400 if form.errors else 200
    return render(
        request, "privacy/consent.html", {"form": form, "updated": updated}, status=status
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def consents_page(request: HttpRequest) -> HttpResponse:
    """My consents: what I agreed to and when, with a way to give or withdraw each."""
    user = _user(request)
    if request.method == "POST":
        form = GrantForm(request.POST)
        if form.is_valid():
            try:
                services.consent_grant(
                    user=user, kinds=[form.cleaned_data["kind"]], channel=ConsentChannel.APP
                )
            except ApplicationError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("Your consent is recorded."))
        return redirect("privacy:consents")
    statuses = selectors.consent_overview(user=user)
    return render(request, "privacy/consents.html", {"statuses": statuses})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def consent_withdraw_page(request: HttpRequest, kind: str) -> HttpResponse:
    """A confirmation step before withdrawing, since real-name withdrawal erases data."""
    if kind not in AgreementKind.values:
        raise Http404
    user = _user(request)
    agreement = selectors.agreement_current(kind=kind)
    if agreement is None:
        raise Http404
    if request.method == "POST":
        services.consent_withdraw(user=user, kind=kind, channel=ConsentChannel.APP)
        if kind == AgreementKind.REAL_NAME:
            messages.success(
                request, _("Consent withdrawn. Your name and ID number have been erased.")
            )
        else:
            messages.success(request, _("Consent withdrawn."))
        return redirect("privacy:consents")
    return render(request, "privacy/consent_withdraw.html", {"agreement": agreement})


# --- The resident's access log ----------------------------------------------------------------


def _page_number(request: HttpRequest) -> int:
    return small_positive_int(request.GET.get("page", "1"), maximum=10_000) or 1


@never_cache
@login_required
@require_GET
def access_log_page(request: HttpRequest) -> HttpResponse:
    found = selectors.access_log_for_subject(subject=_user(request), page=_page_number(request))
    return render(request, "privacy/access_log.html", {"log": found})


# --- Staff: person lookup and reveal ----------------------------------------------------------

MASKS: dict[str, Callable[[str | None], str]] = {
    PersonalField.PHONE: mask_phone,
    PersonalField.NAME: mask_name,
    PersonalField.ID_NUMBER: mask_id_number,
}


def _person_rows(person: User) -> list[dict[str, Any]]:
    rows = []
    for field, mask in MASKS.items():
        value = getattr(person, field)
        rows.append(
            {
                "field": field,
                "label": PersonalField(field).label,
                "masked": mask(value),
                "form": RevealForm(auto_id=f"id_{field}_%s", initial={"field": field})
                if value
                else None,
            }
        )
    return rows


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def staff_people_page(request: HttpRequest) -> HttpResponse:
    actor = _user(request)
    if not selectors.staff_may_reveal(user=actor):
        return render(request, "privacy/staff_forbidden.html", status=403)

    form = PersonSearchForm(request.POST or None)
    people: list[dict[str, Any]] | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_phone = data["by"] == PersonalField.PHONE
        try:
            found = services.person_search(
                actor=actor,
                phone=data["number"] if by_phone else None,
                id_number=None if by_phone else data["number"],
                purpose=data["purpose"],
                detail=data["detail"],
                channel=AccessChannel.WEB,
            )
        except ApplicationError as error:
            form.add_application_error(error, PersonSearchForm.ALIASES)
        else:
            people = [{"person": person, "rows": _person_rows(person)} for person in found]
            # The results stand on their own: the number typed is not echoed back in clear.
            form = PersonSearchForm(initial={"by": data["by"], "purpose": data["purpose"]})
    status = 400 if form.errors else 200
    context = {"form": form, "people": people}
    return render(request, "privacy/staff_people.html", context, status=status)


@never_cache
@staff_required
@require_POST
def staff_reveal_page(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    actor = _user(request)
    subject = User.objects.filter(pk=user_id).first()
    if subject is None:
        raise Http404
    field = request.POST.get("field", "")
    form = RevealForm(request.POST)
    value = None
    if form.is_valid():
        try:
            value = services.personal_data_reveal(
                actor=actor,
                subject=subject,
                field=form.cleaned_data["field"],
                purpose=form.cleaned_data["purpose"],
                detail=form.cleaned_data["detail"],
                channel=AccessChannel.WEB,
            )
        except ApplicationError as error:
            if error.status == 403:
                return render(request, "privacy/staff_forbidden.html", status=403)
            form.add_application_error(error, {})
    context = {
        "subject": subject,
        "field_label": PersonalField(field).label if field in PersonalField.values else "",
        "form": form,
        "value": value,
    }
    status = 200 if value is not None else 400
    return render(request, "privacy/staff_reveal.html", context, status=status)


# --- Auditors ---------------------------------------------------------------------------------


@never_cache
@staff_required
@require_GET
def staff_audit_page(request: HttpRequest) -> HttpResponse:
    if not selectors.staff_may_audit(user=_user(request)):
        return render(request, "privacy/staff_forbidden.html", status=403)
    report = selectors.access_chain_verify()
    rows = [
        {"record": record, "role": selectors.role_label(record.actor_role)}
        for record in selectors.access_records_recent(limit=50)
    ]
    context = {
        "report": report,
        "problem": selectors.CHAIN_PROBLEMS.get(report.reason, ""),
        "rows": rows,
    }
    return render(request, "privacy/staff_audit.html", context)
