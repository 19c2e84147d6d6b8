"""Changes to the city's places: loading a new edition of the statistical division codes."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TextIO

from django.db import transaction
from django.db.models import Max

from citygate.core.logging import get_logger
from citygate.directory import streets as reference
from citygate.directory.models import District, Street

log = get_logger(__name__)

NAME_MAX_LENGTH = 64
# An edition that would retire more than this share of a district's streets is refused unless
# asked for: a file cut short must not empty a district.
RETIRE_SHARE_MAX = 0.5


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
    found: dict[str, StreetLine] = {}
    try:
        if reader.fieldnames is None or not {"code", "name"} <= set(reader.fieldnames):
            raise StreetFileError("line 1: the header must name the columns code and name")
        for row in reader:
            line = _street_line(row, reader.line_num)
            if line is None:
                continue
            if line.code in found and found[line.code].name_zh != line.name_zh:
                raise StreetFileError(f"line {reader.line_num}: code {line.code} is listed twice")
            found[line.code] = line
    except csv.Error as error:
        raise StreetFileError(f"line {reader.line_num + 1}: not CSV ({error})") from None
    return list(found.values())


def _street_line(row: dict[str | None, object], number: int) -> StreetLine | None:
    """One row as a street, or None for a row of another level."""
    code, name = row.get("code"), row.get("name")
    code = code.strip() if isinstance(code, str) else ""
    name = name.strip() if isinstance(name, str) else ""
    if not code.isascii() or not code.isdigit():
        raise StreetFileError(f"line {number}: the code must be digits")
    if len(code) == 12 and code.endswith("000"):
        code = code[:9]
    if len(code) != 9 or code.endswith("000"):
        return None
    if "\x00" in name:
        raise StreetFileError(f"line {number}: the name holds a NUL character")
    if not name or len(name) > NAME_MAX_LENGTH:
        raise StreetFileError(
            f"line {number}: the name must have 1 to {NAME_MAX_LENGTH} characters"
        )
    return StreetLine(code, name)


def streets_import(
    lines: Iterable[StreetLine],
    *,
    edition: int,
    source: str,
    dry_run: bool = False,
    retire_many: bool = False,
) -> StreetImport:
    """Loads an edition for the city's districts, in one transaction.

    Streets of a district that the edition covers but no longer lists are retired, not
    deleted: people who chose one keep it, and it is not offered again. Rows of districts
    outside the city are counted and left out. A renamed street keeps its English name only
    when the shipped list has the same Chinese name for it. An edition older than one
    already loaded is refused, and so is one that would retire more than half of a
    district's streets, unless `retire_many` says that is meant.
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
        newest = Street.objects.aggregate(newest=Max("listed_in"))["newest"]
        if newest is not None and edition < newest:
            raise StreetFileError(
                f"the {edition} edition is older than the {newest} edition already loaded"
            )
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
                    listed_in=edition,
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
            if not changed:
                report.unchanged += 1
            street.code_source, street.listed_in = source, edition
            street.save(update_fields=[*changed, "code_source", "listed_in"])
        listed = {line.code for line in ours}
        for code, street in existing.items():
            if code[:6] in covered and code not in listed and street.retired_in is None:
                street.retired_in = edition
                street.save(update_fields=["retired_in"])
                report.retired.append(code)
        if not retire_many:
            _refuse_mass_retirement(existing.values(), report.retired)
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


def _refuse_mass_retirement(streets: Iterable[Street], retired: list[str]) -> None:
    current: dict[int, int] = {}
    lost: dict[int, int] = {}
    gone = set(retired)
    for street in streets:
        if street.retired_in is None or street.code in gone:
            current[street.district_id] = current.get(street.district_id, 0) + 1
            if street.code in gone:
                lost[street.district_id] = lost.get(street.district_id, 0) + 1
    for district_id, count in lost.items():
        if count > RETIRE_SHARE_MAX * current[district_id]:
            code = District.objects.get(pk=district_id).code
            raise StreetFileError(
                f"the edition would retire {count} of the {current[district_id]} streets of "
                f"district {code}; check the file, or allow it with --retire-many"
            )
