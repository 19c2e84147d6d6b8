"""Changes the app shell makes: a signed-in person's display preferences."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from citygate.accounts.models import User
from citygate.core.errors import InvalidInput
from citygate.core.logging import get_logger
from citygate.shell.selectors import supported_languages

log = get_logger(__name__)


def display_preferences_save(*, user: User, language: str, elderly_mode: bool) -> None:
    """Saves language and elderly mode together.

    Both are always written: a set `preferred_language` is what tells the preference
    middleware that the account, not the device, decides from now on.
    """
    if language not in supported_languages():
        raise InvalidInput({"language": _("Choose one of the offered languages.")})

    with transaction.atomic():
        changed = user.preferred_language != language or user.elderly_mode != elderly_mode
        if not changed:
            return
        user.preferred_language = language
        user.elderly_mode = elderly_mode
        user.save(update_fields=["preferred_language", "elderly_mode"])

    log.info(
        "shell.display_preferences_saved",
        user_id=str(user.pk),
        language=language,
        elderly_mode=elderly_mode,
    )
