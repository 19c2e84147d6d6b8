"""Load a new edition of the streets and towns from a statistical division list in CSV.

The NBS publishes its statistical division codes (统计用区划代码) every year. Convert the
town-level table to CSV with `code` and `name` columns and run, for example:

    manage.py directory_import_streets streets-2024.csv --edition 2024 --dry-run

Only the city's districts are read; streets an edition no longer lists are retired, not
deleted. An edition older than the one loaded is refused, and so is one that would retire more
than half of a district's streets (a file cut short) unless --retire-many is given. Names
without an English translation show in Chinese on the English pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citygate.directory.services import StreetFileError, streets_import, streets_read


class Command(BaseCommand):
    help = "Load an edition of the NBS statistical division codes for the city's streets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="CSV with code and name columns")
        parser.add_argument("--edition", type=int, required=True, help="the edition's year")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change, write nothing"
        )
        parser.add_argument(
            "--retire-many",
            action="store_true",
            help="allow retiring more than half of a district's streets",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        edition = options["edition"]
        if not 2000 <= edition <= 2100:
            raise CommandError("--edition must be a year such as 2024")
        try:
            with options["path"].open(encoding="utf-8-sig", newline="") as source:
                lines = streets_read(source)
            report = streets_import(
                lines,
                edition=edition,
                source=f"NBS statistical division code, {edition} edition",
                dry_run=options["dry_run"],
                retire_many=options["retire_many"],
            )
        except OSError as error:
            raise CommandError(f"cannot read {options['path']}: {error.strerror}") from None
        except (StreetFileError, UnicodeDecodeError) as error:
            raise CommandError(str(error)) from None
        verb = "Would change" if options["dry_run"] else "Changed"
        self.stdout.write(
            f"{verb}: {len(report.added)} added, {len(report.renamed)} renamed, "
            f"{len(report.retired)} retired, {len(report.restored)} restored; "
            f"{report.unchanged} unchanged; {report.outside} rows outside the city skipped"
        )
        for title, codes in (
            ("Added", report.added),
            ("Renamed", report.renamed),
            ("Retired", report.retired),
            ("Restored", report.restored),
            ("Without an English name", report.without_english),
        ):
            if codes:
                self.stdout.write(f"  {title}: {', '.join(codes)}")
