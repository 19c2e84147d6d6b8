"""Reads about accounts."""

from __future__ import annotations

from citygate.accounts.models import User


def user_for_api_token(*, token: str) -> User | None:
    """The active user a bearer token belongs to, or None (filled in with the token model)."""
    return None
