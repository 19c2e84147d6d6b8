"""Background work of the applications app: the deadline check of one application.

Each application enqueues its checks, deferred to the morning of its warning day and of the
day after its due day; `manage.py applications_sweep` does all of them, for cron.
"""

from __future__ import annotations

import uuid

from django_tasks import task


@task()
def application_deadline_check(*, application_id: str) -> int:
    """Warns or escalates one application if its time has come; the number of notices."""
    from citygate.applications.services import applications_deadlines_sweep

    report = applications_deadlines_sweep(application_id=uuid.UUID(application_id))
    return report.warned + report.escalated + report.steps
