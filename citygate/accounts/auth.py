"""Authentication for the JSON API: the app's session cookie, or a bearer token.

``user_auth`` admits any signed-in person; ``staff_auth`` admits staff who signed in with
password and TOTP in this session. ``request.auth`` is then the `User`.
"""

from __future__ import annotations

import time
from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from citygate.accounts.models import User

# Set in the session when a staff member has passed the TOTP step (a timestamp).
STAFF_SESSION_KEY = "citygate_staff_mfa_at"
# A staff sign-in lasts one working day; then password and TOTP are asked again. GB/T
# 22239-2019 (等保 2.0) asks for identity checks that end sessions after a timeout.
STAFF_SESSION_MAX_AGE = 60 * 60 * 9


def staff_session_valid(request: HttpRequest) -> bool:
    """Whether this session passed the TOTP step within the staff session's lifetime."""
    passed_at = request.session.get(STAFF_SESSION_KEY)
    if not isinstance(passed_at, int | float):
        return False
    return 0 <= time.time() - passed_at < STAFF_SESSION_MAX_AGE


def after_authentication(request: HttpRequest, user: User) -> None:
    """Checks that apply to every authenticated API call (pending consents, for one).

    A resident who has not accepted the current terms or privacy policy gets 403
    ``consent_required`` from every call but those needed to read and give consent, to see
    their own account and to sign in or out (PIPL Art.14: consent given before processing).
    """
    # Imported here: this one function belongs to the privacy app, the module does not.
    from citygate.core.errors import PermissionDenied
    from citygate.privacy.middleware import (
        CONSENT_REQUIRED_MESSAGE,
        consent_exempt_api_path,
        consent_gate_applies,
    )
    from citygate.privacy.selectors import consent_pending

    if not consent_gate_applies(user) or consent_exempt_api_path(request.path_info):
        return
    if consent_pending(user=user):
        raise PermissionDenied(code="consent_required", message=CONSENT_REQUIRED_MESSAGE)


class _Session(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if isinstance(user, User) and user.is_active:
            after_authentication(request, user)
            return user
        return None


class _Bearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from citygate.accounts.selectors import user_for_api_token

        user = user_for_api_token(token=token)
        if user is None or not user.is_active:
            return None
        request.user = user
        after_authentication(request, user)
        return user


class _StaffSession(_Session):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None or not user.is_staff_member:
            return None
        if not staff_session_valid(request):
            return None
        return user


user_auth = [_Bearer(), _Session()]
staff_auth = [_StaffSession()]
