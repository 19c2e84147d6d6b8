"""``manage.py news_publish_due``: publishes every scheduled story whose time has come.

For cron, beside the task each scheduled story enqueues for its time: running it again, or
after the task, publishes nothing twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from citygate.news.services import stories_publish_due


class Command(BaseCommand):
    help = "Publish the scheduled stories that are due."

    def handle(self, *args: Any, **options: Any) -> None:
        published = stories_publish_due()
        self.stdout.write(f"Published {published} scheduled stories.")
