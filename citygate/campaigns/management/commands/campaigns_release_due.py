"""Releases every scheduled campaign whose time has come, and restarts any push that stopped
short (for cron, every few minutes, beside the task queue)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from citygate.campaigns.services import campaigns_push_resume, campaigns_release_due


class Command(BaseCommand):
    help = "Release the scheduled campaigns whose time has come; restart stalled pushes."

    def handle(self, *args: Any, **options: Any) -> None:
        released = campaigns_release_due()
        restarted = campaigns_push_resume()
        self.stdout.write(f"{released} campaigns released, {restarted} pushes restarted")
