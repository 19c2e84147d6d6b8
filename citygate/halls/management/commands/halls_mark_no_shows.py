"""``manage.py halls_mark_no_shows``: the sweep for missed appointments.

Run it from cron every few minutes during opening hours, or at least once each evening; the
same marking also happens on the spot when a person books or a clerk opens a day list.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from citygate.halls.services import appointments_mark_no_show


class Command(BaseCommand):
    help = "Mark appointments not checked in by their end (plus the grace period) as missed."

    def handle(self, *args: Any, **options: Any) -> None:
        marked = appointments_mark_no_show()
        self.stdout.write(f"Marked {marked} missed appointment(s).")
