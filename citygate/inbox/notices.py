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

# The news digests (inbox/delivery.py news_digests_send): how many stories wait in the inbox.
NEWS_DIGEST_DAILY = register(
    MessageTemplate(
        name="inbox.news_digest_daily",
        kind=Kind.NEWS,
        title=_("Today's news: %(count)s new stories"),
        body=_("%(count)s news stories came today. They are in your inbox, newest first."),
    )
)
NEWS_DIGEST_WEEKLY = register(
    MessageTemplate(
        name="inbox.news_digest_weekly",
        kind=Kind.NEWS,
        title=_("This week's news: %(count)s new stories"),
        body=_("%(count)s news stories came this week. They are in your inbox, newest first."),
    )
)
