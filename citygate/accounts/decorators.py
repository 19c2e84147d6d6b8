"""Page decorators for who may see a page: staff who passed the TOTP step in this session."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from citygate.accounts.auth import staff_session_valid
from citygate.accounts.models import User

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    """Staff who passed the password and TOTP step in this session; others sign in first."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (isinstance(user, User) and user.is_staff_member and staff_session_valid(request)):
            return redirect_to_login(
                request.get_full_path(), login_url=reverse("accounts:staff_login")
            )
        return view(request, *args, **kwargs)

    return wrapped
