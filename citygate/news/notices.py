"""What the newsroom tells people: that a story they were sent was corrected or retracted.

The one blank is the story's title (checked when saved to hold no phone or ID number); what
changed is read on the story's page, which the message links to.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from citygate.inbox.models import Kind
from citygate.inbox.templates import MessageTemplate, register

STORY_CORRECTED = register(
    MessageTemplate(
        name="news.story_corrected",
        kind=Kind.NEWS,
        title=_("Correction: %(title)s"),
        body=_(
            "A story you were sent has been corrected. Open it to read the correction at the "
            "top of the story."
        ),
    )
).name
STORY_RETRACTED = register(
    MessageTemplate(
        name="news.story_retracted",
        kind=Kind.NEWS,
        title=_("Retracted: %(title)s"),
        body=_(
            "A story you were sent has been retracted and should not be relied on. Open it to "
            "read why."
        ),
    )
).name
