"""Check the hash chain of access records from the first record to the last."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from citygate.privacy.selectors import access_chain_verify

REASONS = {
    "sequence_gap": "a record is missing before it",
    "prev_hash_mismatch": "it does not link to the record before it",
    "hash_mismatch": "its contents do not match its hash",
    "unknown_algorithm": "it names an unknown hash algorithm",
}


class Command(BaseCommand):
    help = "Verify the access-record hash chain; exits non-zero at the first broken record."

    def handle(self, *args: Any, **options: Any) -> None:
        report = access_chain_verify()
        if report.ok:
            self.stdout.write(f"OK: {report.count} access records, chain intact")
            return
        raise CommandError(
            f"BROKEN at sequence {report.broken_sequence} (id {report.broken_id}): "
            f"{REASONS.get(report.reason, report.reason)}; {report.count} records before it hold"
        )
