"""``manage.py inbox_send_digests``: the news digests of everyone who chose one.

Run it from cron once a day at the hour digests should arrive (say 18:00): daily digests go
every day, weekly ones on Mondays. Running it twice on a day sends nothing more.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from citygate.inbox.delivery import news_digests_send


class Command(BaseCommand):
    help = "Send the daily (and, on Mondays, weekly) news digests."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = news_digests_send()
        self.stdout.write(f"Sent {sent} digest(s).")
