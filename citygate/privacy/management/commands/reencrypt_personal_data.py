"""Move encrypted personal data to the current suite and key, and refresh blind indexes.

Run it after adding a key to CITYGATE_DATA_KEYS (rotation) or changing CITYGATE_CRYPTO
(for example from aes to sm). Old keys must stay configured until it has finished.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citygate.privacy import crypto
from citygate.privacy.selectors import personal_data_key_census
from citygate.privacy.services import personal_data_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt personal data under the current suite and key; recompute blind indexes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would change, write nothing"
        )
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction")

    def _census(self, title: str) -> None:
        self.stdout.write(title)
        for column, counts in personal_data_key_census().items():
            shown = ", ".join(f"{label}={count}" for label, count in counts.items()) or "empty"
            self.stdout.write(f"  {column}: {shown}")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        ring = crypto.keyring()
        self.stdout.write(f"Current suite {ring.suite}, key {ring.current_id}")
        self._census("Before:")

        report = personal_data_reencrypt(
            batch_size=options["batch_size"], dry_run=options["dry_run"]
        )

        verb = "Would rewrite" if options["dry_run"] else "Rewrote"
        self.stdout.write(
            f"{verb} {report.values} values and {report.indexes} blind indexes "
            f"in {report.rows} rows"
        )
        if not options["dry_run"]:
            self._census("After:")
        if report.failures:
            for failure in report.failures:
                self.stderr.write(f"  could not decrypt {failure}")
            raise CommandError(f"{len(report.failures)} values could not be decrypted")
