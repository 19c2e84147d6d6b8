"""``manage.py inbox_deliveries_sweep``: attempts every queued delivery that is due.

Each delivery enqueues its own attempts; run this from cron every few minutes as well, so that
a lost task (a worker stopped mid-queue) never leaves a message unsent.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from citygate.inbox.delivery import deliveries_resume


class Command(BaseCommand):
    help = "Attempt the queued deliveries that are due."

    def handle(self, *args: Any, **options: Any) -> None:
        attempted = deliveries_resume()
        self.stdout.write(f"Attempted {attempted} delivery(ies).")
