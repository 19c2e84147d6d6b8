"""Stores fresh search terms on every item whose terms an older text analysis made."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from citygate.catalog.services import catalogue_reindex


class Command(BaseCommand):
    help = "Recompute the stored search terms made by an older version of the text analysis."

    def handle(self, *args: Any, **options: Any) -> None:
        updated = catalogue_reindex()
        self.stdout.write(f"Search terms updated for {updated} items.")
