"""The inbox's actions on the messages page (the page itself is the shell's ``messages``).

Plain POST forms, so they work without JavaScript; each sends the person back to the page
they were on.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from citygate.accounts.models import User
from citygate.core.errors import ApplicationError
from citygate.core.validation import small_positive_int
from citygate.inbox import services


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - guaranteed by login_required
    return user


def _back(request: HttpRequest) -> HttpResponse:
    target = reverse("shell:messages")
    page = small_positive_int(request.POST.get("page", ""), maximum=10_000)
    return redirect(f"{target}?page={page}" if page and page > 1 else target)


@login_required
@require_POST
def message_read(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    try:
        services.message_mark_read(user=_user(request), message_id=message_id)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return _back(request)


@login_required
@require_POST
def message_archive(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    try:
        services.message_archive(user=_user(request), message_id=message_id)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Message archived."))
    return _back(request)
