"""The messages a campaign leaves in an inbox: its headline and summary in the reader's
language, as the editors wrote them (the Chinese text stands in where no English was given)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from citygate.inbox.models import Kind
from citygate.inbox.templates import MessageTemplate, register

# Translators: keep the blanks as they are; the Chinese names the Chinese text.
CAMPAIGN_NEWS = register(
    MessageTemplate(
        name="campaigns.news",
        kind=Kind.NEWS,
        # xgettext:no-python-format
        title=_("%(headline_en)s"),
        # xgettext:no-python-format
        body=_("%(summary_en)s"),
    )
)
CAMPAIGN_NOTICE = register(
    MessageTemplate(
        name="campaigns.notice",
        kind=Kind.OFFICIAL,
        # xgettext:no-python-format
        title=_("%(headline_en)s"),
        # xgettext:no-python-format
        body=_("%(summary_en)s"),
    )
)
