"""Releases every scheduled campaign whose time has come (for cron, beside the task queue)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from citygate.campaigns.services import campaigns_release_due


class Command(BaseCommand):
    help = "Release the scheduled campaigns whose sending time has come."

    def handle(self, *args: Any, **options: Any) -> None:
        released = campaigns_release_due()
        self.stdout.write(f"{released} campaigns released")
