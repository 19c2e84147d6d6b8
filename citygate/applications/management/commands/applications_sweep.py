"""``manage.py applications_sweep``: warns at 80% of each promised time and escalates late ones,
and removes materials uploaded a week ago and never handed in.

Each application also schedules its own checks; run this from cron every morning as well, so
that a lost task never leaves a late application unreported.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from citygate.applications.services import applications_deadlines_sweep, materials_pending_purge


class Command(BaseCommand):
    help = (
        "Warn about applications near their promised time, escalate late ones, purge stale uploads."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = applications_deadlines_sweep()
        purged = materials_pending_purge()
        self.stdout.write(
            f"Warned {report.warned}, escalated {report.escalated}, "
            f"{report.steps} step(s) overdue; "
            f"removed {purged} material(s) never handed in."
        )
