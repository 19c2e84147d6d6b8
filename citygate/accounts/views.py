"""The account pages: sign-in by SMS code, my account, real name, enterprises, staff sign-in.

Thin, like the API: each view reads a form, calls a service and shows its errors beside the
fields. Personal values travel only in POST bodies, never in a URL.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from citygate.accounts import selectors, services
from citygate.accounts.auth import STAFF_SESSION_KEY
from citygate.accounts.forms import (
    AgentForm,
    CodeForm,
    EnterpriseForm,
    PhoneForm,
    RealNameForm,
    StaffCodeForm,
    StaffLoginForm,
)
from citygate.accounts.models import SmsOutboxMessage, User
from citygate.core.errors import ApplicationError
from citygate.core.http import address_hash
from citygate.inbox.services import push_subscription_forget
from citygate.privacy.masking import mask_phone
from citygate.privacy.models import ConsentChannel

# The outbox is for reading the last few codes during development, not an archive.
OUTBOX_LIMIT = 50
# Between the password and the TOTP step: long enough to open the authenticator app.
STAFF_PENDING_SECONDS = 5 * 60
STAFF_PENDING_KEY = "citygate_staff_pending"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _safe_next(request: HttpRequest, candidate: str | None, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise Http404
    return user


# --- Sign-in by SMS code ----------------------------------------------------------------------


def _code_step(
    request: HttpRequest,
    form: CodeForm,
    *,
    show_agreements: bool,
    resend_after: int = 0,
    status: int | None = None,
) -> HttpResponse:
    phone = form.data.get("phone") if form.is_bound else form.initial.get("phone")
    return render(
        request,
        "accounts/login_code.html",
        {
            "form": form,
            "masked_phone": mask_phone(str(phone or "")),
            "show_agreements": show_agreements,
            "resend_after": resend_after,
        },
        status=form.status if status is None else status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def login_page(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action", "")
    if request.method == "POST" and action in {"send", "resend"}:
        return _login_send(request)
    if request.method == "POST" and action == "login":
        return _login_verify(request)
    form = PhoneForm(initial={"next": _safe_next(request, request.GET.get("next"), "")})
    return render(request, "accounts/login_phone.html", {"form": form})


def _login_send(request: HttpRequest) -> HttpResponse:
    form = PhoneForm(request.POST)
    resending = request.POST.get("action") == "resend"
    if not form.is_valid():
        return render(request, "accounts/login_phone.html", {"form": form}, status=form.status)
    phone = form.cleaned_data["phone"]
    next_url = form.cleaned_data["next"]
    try:
        sent = services.sms_code_send(phone=phone, address_hash=address_hash(request))
    except ApplicationError as error:
        if resending:
            code_form = CodeForm({"phone": phone, "next": next_url})
            code_form.is_valid()
            code_form.add_application_error(error)
            return _code_step(request, code_form, show_agreements=False)
        form.add_application_error(error)
        return render(request, "accounts/login_phone.html", {"form": form}, status=form.status)
    messages.info(request, _("We sent a code to %(phone)s.") % {"phone": mask_phone(phone)})
    code_form = CodeForm(initial={"phone": phone, "next": next_url})
    return _code_step(request, code_form, show_agreements=False, resend_after=sent.resend_after)


def _login_verify(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if not form.is_valid():
        return redirect("accounts:login")
    data = form.cleaned_data
    try:
        result = services.user_sign_in(
            phone=data["phone"],
            code=data["code"],
            agree=data["agree"],
            channel=ConsentChannel.APP,
        )
    except ApplicationError as error:
        if error.code == "agreement_required" and not request.POST.get("agreements_shown"):
            # Not a mistake: the code was right and the number is new, so the agreements are
            # the next step, shown without an error the person could not have avoided.
            return _code_step(request, form, show_agreements=True, status=200)
        form.add_application_error(error)
        return _code_step(
            request, form, show_agreements=error.code == "agreement_required" or data["agree"]
        )

    login(request, result.user, backend=MODEL_BACKEND)
    # The next page is shown in the account's language, so the message is written in it too.
    with translation.override(result.user.preferred_language or translation.get_language()):
        if result.created:
            messages.success(request, _("Welcome to CityGate. Your account is ready."))
        else:
            messages.success(request, _("You are signed in."))
    return redirect(_safe_next(request, data["next"], reverse("accounts:account")))


@never_cache
@require_http_methods(["GET", "POST"])
def logout_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if isinstance(request.user, User):
            # The page's script sends this browser's push endpoint (and unsubscribes it), so
            # that the device stops showing the person's messages once they are signed out.
            push_subscription_forget(
                user=request.user, endpoint=request.POST.get("push_endpoint", "")[:2048]
            )
        logout(request)
        messages.info(request, _("You are signed out."))
        return redirect("shell:home")
    return render(request, "accounts/logout.html")


# --- My account -------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def account_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    summary = selectors.account_summary(user=user)
    staff_roles = user.staff_roles.select_related("department").order_by("role")
    return render(
        request, "accounts/account.html", {"summary": summary, "staff_roles": staff_roles}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def real_name_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.is_real_name_verified:
        summary = selectors.account_summary(user=user)
        return render(request, "accounts/real_name_done.html", {"summary": summary})

    form = RealNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_real_name_verify(
                user=user,
                name=form.cleaned_data["name"],
                id_number=form.cleaned_data["id_number"],
                consent=form.cleaned_data["consent"],
                channel=ConsentChannel.APP,
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, _("Your real name is verified."))
            return redirect("accounts:account")
    return render(request, "accounts/real_name.html", {"form": form}, status=form.status)


# --- Enterprises ------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enterprises_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = EnterpriseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = services.enterprise_register(
                user=user,
                credit_code=form.cleaned_data["credit_code"],
                name=form.cleaned_data["name"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, _("The enterprise is registered."))
            return redirect("accounts:enterprise", enterprise_id=enterprise.pk)
    context = {
        "form": form,
        "memberships": selectors.enterprise_list_for_user(user=user),
        "verified": user.is_real_name_verified,
    }
    return render(request, "accounts/enterprises.html", context, status=form.status)


def _membership(request: HttpRequest, enterprise_id: uuid.UUID) -> selectors.Membership:
    membership = selectors.enterprise_for_user(user=_user(request), enterprise_id=enterprise_id)
    if membership is None:
        raise Http404
    return membership


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enterprise_page(request: HttpRequest, enterprise_id: uuid.UUID) -> HttpResponse:
    membership = _membership(request, enterprise_id)
    form = AgentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enterprise_agent_authorise(
                enterprise=membership.enterprise,
                by=_user(request),
                phone=form.cleaned_data["phone"],
                valid_until=form.cleaned_data["valid_until"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, _("The agent is authorised."))
            return redirect("accounts:enterprise", enterprise_id=enterprise_id)
    context = {"membership": membership, "form": form}
    return render(request, "accounts/enterprise.html", context, status=form.status)


@login_required
@require_POST
def agent_revoke(
    request: HttpRequest, enterprise_id: uuid.UUID, agent_id: uuid.UUID
) -> HttpResponse:
    membership = _membership(request, enterprise_id)
    try:
        services.enterprise_agent_revoke(
            enterprise=membership.enterprise, by=_user(request), agent_id=agent_id
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The authorisation is revoked."))
    return redirect("accounts:enterprise", enterprise_id=enterprise_id)


# --- Staff sign-in ----------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def staff_login_page(request: HttpRequest) -> HttpResponse:
    initial = {"next": _safe_next(request, request.GET.get("next"), "")}
    form = StaffLoginForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.staff_password_check(
                login_name=form.cleaned_data["login_name"], password=form.cleaned_data["password"]
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            request.session[STAFF_PENDING_KEY] = {
                "user_id": str(user.pk),
                "at": time.time(),
                "next": form.cleaned_data["next"],
            }
            return redirect("accounts:staff_verify")
    return render(request, "accounts/staff_login.html", {"form": form}, status=form.status)


def _staff_pending(request: HttpRequest) -> tuple[User, str] | None:
    pending: Any = request.session.get(STAFF_PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > STAFF_PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=str(pending.get("user_id")), is_active=True).first()
    if user is None or not user.is_staff_member:
        return None
    return user, str(pending.get("next") or "")


@never_cache
@require_http_methods(["GET", "POST"])
def staff_verify_page(request: HttpRequest) -> HttpResponse:
    pending = _staff_pending(request)
    if pending is None:
        request.session.pop(STAFF_PENDING_KEY, None)
        messages.info(request, _("Please enter your login name and password first."))
        return redirect("accounts:staff_login")
    user, next_url = pending

    form = StaffCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_totp_verify(user=user, code=form.cleaned_data["code"])
        except ApplicationError as error:
            form.add_application_error(error)
            if error.code == "login_locked":
                request.session.pop(STAFF_PENDING_KEY, None)
        else:
            login(request, user, backend=MODEL_BACKEND)
            request.session.pop(STAFF_PENDING_KEY, None)
            request.session[STAFF_SESSION_KEY] = time.time()
            messages.success(request, _("You are signed in as staff."))
            return redirect(_safe_next(request, next_url, reverse("shell:staff_home")))
    return render(request, "accounts/staff_verify.html", {"form": form}, status=form.status)


# --- Development outbox -----------------------------------------------------------------------


@never_cache
@require_GET
def dev_outbox(request: HttpRequest) -> JsonResponse:
    """The development SMS outbox, newest first; there is no such page unless DEBUG is on."""
    if not settings.DEBUG:
        raise Http404
    outbox = SmsOutboxMessage.objects.order_by("-created_at")[:OUTBOX_LIMIT]
    return JsonResponse(
        {
            "messages": [
                {"phone": m.phone, "text": m.text, "sent_at": m.created_at.isoformat()}
                for m in outbox
            ]
        },
        json_dumps_params={"ensure_ascii": False},
    )
