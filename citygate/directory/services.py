"""Changes to the city's places: loading a new edition of the statistical division codes."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TextIO

import structlog
from django.db import transaction

from citygate.directory import streets as reference
from citygate.directory.models import District, Street

log = structlog.get_logger(__name__)

NAME_MAX_LENGTH = 64


class StreetFileError(ValueError):
    """The file is not a division list we can read; the text names the line."""


@dataclass(frozen=True)
class StreetLine:
    code: str
    name_zh: str


@dataclass
class StreetImport:
    """What loading an edition changed (or would change, on a dry run)."""

    added: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    unchanged: int = 0
    outside: int = 0
    without_english: list[str] = field(default_factory=list)


def streets_read(source: TextIO) -> list[StreetLine]:
    """The town-level rows of a division list in CSV.

    The file has a header with at least `code` and `name` columns, as the NBS lists converted
    to CSV do. Codes are 9 digits, or the 12 of the NBS tables with the village part "000".
    Rows of other levels (6-digit districts, 12-digit villages) are skipped.
    """
    reader = csv.DictReader(source)
    if reader.fieldnames is None or not {"code", "name"} <= set(reader.fieldnames):
        raise StreetFileError("line 1: the header must name the columns code and name")
    found: dict[str, StreetLine] = {}
    for row in reader:
        line = reader.line_num
        code = (row.get("code") or "").strip()
        name = (row.get("name") or "").strip().strip('"')
        if not code.isascii() or not code.isdigit():
            raise StreetFileError(f"line {line}: the code must be digits")
        if len(code) == 12 and code.endswith("000"):
            code = code[:9]
        if len(code) != 9 or code.endswith("000"):
            continue
        if not name or len(name) > NAME_MAX_LENGTH or "\x00" in name:
            raise StreetFileError(
                f"line {line}: the name must have 1 to {NAME_MAX_LENGTH} characters"
            )
        if code in found and found[code].name_zh != name:
            raise StreetFileError(f"line {line}: code {code} is listed twice")
        found[code] = StreetLine(code, name)
    return list(found.values())


def streets_import(
    lines: Iterable[StreetLine], *, edition: int, source: str, dry_run: bool = False
) -> StreetImport:
    """Loads an edition for the city's districts, in one transaction.

    Streets of a district that the edition covers but no longer lists are retired, not
    deleted: people who chose one keep it, and it is not offered again. Rows of districts
    outside the city are counted and left out. A renamed street keeps its English name only
    when the shipped list has the same Chinese name for it.
    """
    districts = {d.code: d for d in District.objects.all()}
    english = {row.code: (row.name_zh, row.name_en) for row in reference.STREETS}
    given = list(lines)
    ours = [line for line in given if line.code[:6] in districts]
    report = StreetImport(outside=len(given) - len(ours))
    if not ours:
        raise StreetFileError("the file lists no street or town of the city's districts")
    covered = {line.code[:6] for line in ours}
    with transaction.atomic():
        existing = {s.code: s for s in Street.objects.select_for_update()}
        for line in ours:
            known_zh, known_en = english.get(line.code, ("", ""))
            street = existing.get(line.code)
            if street is None:
                name_en = known_en if known_zh == line.name_zh else ""
                Street.objects.create(
                    code=line.code,
                    district=districts[line.code[:6]],
                    name_zh=line.name_zh,
                    name_en=name_en,
                    kind=reference.kind_of(line.code),
                    code_source=source,
                )
                report.added.append(line.code)
                if not name_en:
                    report.without_english.append(line.code)
                continue
            changed: list[str] = []
            if street.name_zh != line.name_zh:
                street.name_zh = line.name_zh
                street.name_en = known_en if known_zh == line.name_zh else ""
                changed += ["name_zh", "name_en"]
                report.renamed.append(line.code)
                if not street.name_en:
                    report.without_english.append(line.code)
            if street.retired_in is not None:
                street.retired_in = None
                changed.append("retired_in")
                report.restored.append(line.code)
            if changed:
                street.code_source = source
                street.save(update_fields=[*changed, "code_source"])
            else:
                report.unchanged += 1
        listed = {line.code for line in ours}
        for code, street in existing.items():
            if code[:6] in covered and code not in listed and street.retired_in is None:
                street.retired_in = edition
                street.save(update_fields=["retired_in"])
                report.retired.append(code)
        if dry_run:
            transaction.set_rollback(True)
    log.info(
        "directory.streets_imported",
        edition=edition,
        dry_run=dry_run,
        added=len(report.added),
        renamed=len(report.renamed),
        retired=len(report.retired),
        restored=len(report.restored),
    )
    return report
