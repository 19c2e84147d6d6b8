"""The streets and towns: the edition the database starts with, and loading a newer one."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from citygate.accounts.models import User
from citygate.directory import selectors
from citygate.directory.models import District, Street, StreetKind
from citygate.directory.services import (
    StreetFileError,
    StreetLine,
    streets_import,
    streets_read,
)
from citygate.directory.streets import STREETS, kind_of

pytestmark = pytest.mark.django_db

HEADER = "code,name,areaCode,provinceCode,cityCode\n"


def test_every_shipped_street_is_loaded_under_its_district() -> None:
    assert Street.objects.count() == len(STREETS) == len({row.code for row in STREETS})
    districts = set(District.objects.values_list("code", flat=True))
    for row in STREETS:
        street = Street.objects.select_related("district").get(code=row.code)
        assert len(row.code) == 9
        assert row.code.isdigit()
        assert street.district.code == row.code[:6]
        assert row.code[:6] in districts
        assert street.name_en, row.code
    # Every district of the city has its streets, 苏州工业园区's five among them.
    assert {s.district.code for s in Street.objects.select_related("district")} == districts
    assert list(
        Street.objects.filter(district__code="320576").values_list("name_zh", flat=True)
    ) == ["娄葑街道", "斜塘街道", "唯亭街道", "胜浦街道", "金鸡湖街道"]


def test_the_kind_read_from_the_code_agrees_with_the_name() -> None:
    for row in STREETS:
        kind = kind_of(row.code)
        if kind == StreetKind.SUBDISTRICT:
            assert row.name_zh.endswith("街道"), row
        elif kind == StreetKind.TOWN:
            assert row.name_zh.endswith("镇"), row
        else:
            assert kind == StreetKind.OTHER, row
    assert kind_of("320506100") == "town"
    assert kind_of("320506201") == "township"
    assert kind_of("320506400") == "other"


def test_pages_show_the_name_of_the_language_and_chinese_when_no_english() -> None:
    street = Street.objects.get(code="320506100")
    with translation.override("en"):
        assert street.display_name == "Luzhi Town"
        street.name_en = ""
        assert street.display_name == "甪直镇"
    with translation.override("zh-hans"):
        assert Street.objects.get(code="320506100").display_name == "甪直镇"


def test_pickers_group_the_current_streets_by_district_in_order() -> None:
    groups = selectors.streets_by_district()
    assert [d.code for d, _ in groups] == [d.code for d in selectors.district_list()]
    for district, streets in groups:
        assert all(s.code.startswith(district.code) for s in streets)
    Street.objects.filter(code="320508018").update(retired_in=2024)
    assert selectors.street_by_code(code="320508018") is None
    assert "320508018" not in {s.code for s in selectors.street_list(district_code="320508")}


def _read(text: str) -> list[StreetLine]:
    return streets_read(io.StringIO(text))


def test_a_division_list_is_read_at_town_level_only() -> None:
    lines = streets_read(
        io.StringIO(
            HEADER + '320508,"姑苏区",3205,32,3205\n'
            '320508018000,"平江街道",320508,32,3205\n'
            '320508018001,"某社区居委会",320508,32,3205\n'
            '320576055,"新街道",320576,32,3205\n'
        )
    )
    assert [(line.code, line.name_zh) for line in lines] == [
        ("320508018", "平江街道"),
        ("320576055", "新街道"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,title\n1,a\n", "line 1: the header must name the columns code and name"),
        ("code,name\n3205O8018,平江街道\n", "line 2: the code must be digits"),
        ("code,name\n320508018,\n", "line 2: the name must have 1 to 64 characters"),
        (
            "code,name\n320508018,平江街道\n320508018,沧浪街道\n",
            "line 3: code 320508018 is listed twice",
        ),
    ],
)
def test_a_wrong_file_is_refused_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(StreetFileError, match=message):
        _read(text)


def _edition(*rows: tuple[str, str]) -> io.StringIO:
    return io.StringIO(
        HEADER + "".join(f'{code},"{name}",{code[:6]},32,3205\n' for code, name in rows)
    )


def test_a_new_edition_adds_renames_retires_and_restores_streets() -> None:
    resident = User.objects.create_user(phone="19999990601")
    User.objects.filter(pk=resident.pk).update(
        home_district=District.objects.get(code="320508"),
        home_street=Street.objects.get(code="320508024"),
    )
    gusu = [(s.code, s.name_zh) for s in Street.objects.filter(district__code="320508")]
    # 吴门桥街道 is gone, 平江街道 renamed, one street new; other districts are not in the file.
    edition = [(c, "平江新街道" if c == "320508018" else n) for c, n in gusu if c != "320508024"]
    edition += [("320508025", "新设街道"), ("110101001", "东华门街道")]
    report = streets_import(
        streets_read(_edition(*edition)), edition=2024, source="NBS statistical, 2024"
    )
    assert report.added == ["320508025"]
    assert report.renamed == ["320508018"]
    assert report.retired == ["320508024"]
    assert report.outside == 1
    assert set(report.without_english) == {"320508025", "320508018"}
    retired = Street.objects.get(code="320508024")
    assert retired.retired_in == 2024
    # The person who gave the retired street keeps it; it is no longer offered.
    resident.refresh_from_db()
    assert resident.home_street_id == retired.pk
    assert selectors.street_by_code(code="320508024") is None
    renamed = Street.objects.get(code="320508018")
    assert (renamed.name_zh, renamed.name_en) == ("平江新街道", "")
    # Streets of districts the file does not cover are untouched.
    assert Street.objects.filter(district__code="320506", retired_in__isnull=True).exists()

    again = streets_import(
        streets_read(_edition(*gusu)), edition=2025, source="NBS statistical, 2025"
    )
    assert again.restored == ["320508024"]
    assert again.retired == ["320508025"]
    # Its shipped Chinese name back, 平江街道 gets its English name back too.
    assert Street.objects.get(code="320508018").name_en == "Pingjiang Subdistrict"


def test_a_dry_run_writes_nothing_and_a_file_without_the_city_is_refused() -> None:
    before = list(Street.objects.values_list("code", "name_zh", "retired_in", "listed_in"))
    report = streets_import(
        streets_read(_edition(("320508025", "新设街道"))),
        edition=2024,
        source="NBS",
        dry_run=True,
        retire_many=True,
    )
    assert report.added == ["320508025"]
    # Every other street of 姑苏区 would be retired: the file covers the district.
    assert len(report.retired) == Street.objects.filter(district__code="320508").count()
    assert list(Street.objects.values_list("code", "name_zh", "retired_in", "listed_in")) == before
    with pytest.raises(StreetFileError, match="no street or town of the city"):
        streets_import(streets_read(_edition(("110101001", "东华门街道"))), edition=2024, source="")


def test_an_edition_that_would_empty_a_district_or_is_older_is_refused() -> None:
    before = list(Street.objects.values_list("code", "name_zh", "retired_in", "listed_in"))
    # One stray row of 姑苏区 would retire its seven other streets.
    with pytest.raises(StreetFileError, match="would retire 7 of the 8 streets of district 320508"):
        streets_import(streets_read(_edition(("320508018", "平江街道"))), edition=2024, source="")
    gusu = [(s.code, s.name_zh) for s in Street.objects.filter(district__code="320508")]
    streets_import(streets_read(_edition(*gusu)), edition=2024, source="NBS 2024")
    # Confirmed by 2024, a street says so; an older edition cannot undo it.
    assert Street.objects.get(code="320508018").listed_in == 2024
    assert Street.objects.get(code="320508018").code_source == "NBS 2024"
    with pytest.raises(StreetFileError, match="the 2023 edition is older than the 2024 edition"):
        streets_import(streets_read(_edition(*gusu)), edition=2023, source="")
    unchanged = [row for row in before if not row[0].startswith("320508")]
    assert [
        row
        for row in Street.objects.values_list("code", "name_zh", "retired_in", "listed_in")
        if not row[0].startswith("320508")
    ] == unchanged


def test_quoted_names_are_kept_and_broken_csv_is_named_by_line() -> None:
    lines = _read(HEADER + '320508018,"平江""新""街道",320508,32,3205\n')
    assert [line.name_zh for line in lines] == ['平江"新"街道']
    with pytest.raises(StreetFileError, match="line 2: the name holds a NUL character"):
        _read("code,name\n320508018,平江\x00街道\n")
    with pytest.raises(StreetFileError, match="line 2: not CSV"):
        _read('code,name\n320508018,"' + "长" * 200_000 + '"\n')


def test_the_command_reports_and_names_a_wrong_file(tmp_path: Path) -> None:
    good = tmp_path / "streets.csv"
    good.write_text(
        "\ufeff"
        + HEADER
        + '320576055,"新街道",320576,32,3205\n'
        + "".join(
            f'{s.code},"{s.name_zh}",320576,32,3205\n'
            for s in Street.objects.filter(district__code="320576")
        ),
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("directory_import_streets", str(good), "--edition", "2024", stdout=out)
    assert "1 added, 0 renamed, 0 retired" in out.getvalue()
    assert "Without an English name: 320576055" in out.getvalue()
    assert Street.objects.get(code="320576055").kind == StreetKind.SUBDISTRICT

    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\nabc,平江街道\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 2: the code must be digits"):
        call_command("directory_import_streets", str(bad), "--edition", "2024")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("directory_import_streets", str(tmp_path / "none.csv"), "--edition", "2024")
    with pytest.raises(CommandError, match="--edition must be a year"):
        call_command("directory_import_streets", str(good), "--edition", "24")
