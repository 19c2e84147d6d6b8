"""The inbox's own templates: a general notice from the city, for what has no template yet."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from citygate.inbox.models import Kind
from citygate.inbox.templates import MessageTemplate, register

SYSTEM_NOTICE = register(
    MessageTemplate(
        name="system.notice",
        kind=Kind.OFFICIAL,
        title=_("Notice: %(subject)s"),
        body=_(
            "CityGate has a notice for you about %(subject)s. Open it for the details; for "
            "questions, call the government service hotline 12345."
        ),
    )
)
