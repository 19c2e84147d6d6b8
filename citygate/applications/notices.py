"""What the applications app tells people: applicants about their applications, staff about
deadlines and poor ratings.

The blanks hold the application number, the item's name, dates (YYYY-MM-DD), an amount, a
centre's name; never anything about the person. Reasons and results are read on the
application's page, behind sign-in, not carried in the message.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from citygate.inbox.models import Kind
from citygate.inbox.templates import MessageTemplate, register


def _transactional(name: str, title: object, body: object) -> str:
    template = register(
        MessageTemplate(name=name, kind=Kind.TRANSACTIONAL, title=title, body=body)  # type: ignore[arg-type]
    )
    return template.name


SUBMITTED = _transactional(
    "applications.submitted",
    _("Application received: %(item)s"),
    _(
        "Your application %(number)s is received. The department promises a result by "
        "%(due)s; you can follow every step in the app."
    ),
)
SUBMITTED_FOR_YOU = _transactional(
    "applications.submitted_for_you",
    _("Application made for you: %(item)s"),
    _(
        "%(centre)s made application %(number)s for you, with your confirmation. The "
        "department promises a result by %(due)s. If you did not ask for it, call 12345."
    ),
)
SUBMITTED_BY_FAMILY = _transactional(
    "applications.submitted_by_family",
    _("Application made for you: %(item)s"),
    _(
        "A family member you authorised made application %(number)s for you. The department "
        "promises a result by %(due)s."
    ),
)
ACCEPTED = _transactional(
    "applications.progressed",
    _("Application %(number)s moved on"),
    _("Your application for %(item)s has reached its next step. See where it stands in the app."),
)
SUPPLEMENT_REQUESTED = _transactional(
    "applications.supplement_requested",
    _("More materials needed: %(item)s"),
    _(
        "The clerk needs more materials for application %(number)s. The promised time is "
        "paused until you hand them in; the app says what is needed."
    ),
)
FEE_REQUESTED = _transactional(
    "applications.fee_requested",
    _("Fee to pay: %(item)s"),
    _(
        "Application %(number)s passed review. Please pay the fee of %(amount)s yuan; the "
        "application goes on once the payment is confirmed."
    ),
)
COMPLETED = _transactional(
    "applications.completed",
    _("Completed: %(item)s"),
    _(
        "Application %(number)s is approved and completed. The app shows the result and how "
        "you receive it. Please rate the service."
    ),
)
REFUSED = _transactional(
    "applications.refused",
    _("Not approved: %(item)s"),
    _(
        "Application %(number)s was not approved. The app gives the reason and its legal "
        "basis. You may appeal in the app until %(until)s."
    ),
)
WITHDRAWN = _transactional(
    "applications.withdrawn",
    _("Application withdrawn: %(item)s"),
    _("Application %(number)s is withdrawn and will not be handled further."),
)
REOPENED = _transactional(
    "applications.reopened",
    _("Appeal received: %(item)s"),
    _("Your appeal reopened application %(number)s for review. A new result is due by %(due)s."),
)

# Staff ---------------------------------------------------------------------------------------

DEADLINE_NEAR = _transactional(
    "applications.deadline_near",
    _("Due soon: application %(number)s"),
    _(
        "Application %(number)s (%(item)s) has used 80%% of its promised time and is due on "
        "%(due)s."
    ),
)
DEADLINE_PASSED = _transactional(
    "applications.deadline_passed",
    _("Late: application %(number)s"),
    _(
        "Application %(number)s (%(item)s) was due on %(due)s and is not completed. It is "
        "escalated to the department's administrators and counted as late."
    ),
)
POOR_RATING = _transactional(
    "applications.poor_rating",
    _("Poor rating to follow up: %(item)s"),
    _("A resident rated a service of %(item)s poorly. Answer them by %(due)s."),
)
FOLLOW_UP_ANSWERED = _transactional(
    "applications.follow_up_answered",
    _("Your rating was followed up: %(item)s"),
    _(
        "The department answered your rating of %(item)s. Read what was done in the app; if "
        "it does not settle the matter, you may reopen it once."
    ),
)
FOLLOW_UP_REOPENED = _transactional(
    "applications.follow_up_reopened",
    _("Follow-up reopened: %(item)s"),
    _(
        "The resident is not satisfied with the answer to their rating of %(item)s and "
        "reopened it. Answer again by %(due)s."
    ),
)
STEP_OVERDUE = _transactional(
    "applications.step_overdue",
    _("Step overdue: application %(number)s"),
    _(
        "Application %(number)s (%(item)s) has stayed longer than its step allows. The whole "
        "application is due on %(due)s."
    ),
)
