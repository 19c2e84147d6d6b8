"""Import and export of items: JSON and Excel round trips, dry runs, and refusals that say where."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from openpyxl import Workbook, load_workbook

from citygate.catalog import exchange, services
from citygate.catalog.models import ItemRevision, RevisionState, ServiceItem
from citygate.catalog.tests.staff_helpers import (
    OTHER_DEPARTMENT,
    Staff,
    guide,
    published,
    record,
    signed_in,
    staff,
)

pytestmark = pytest.mark.django_db

IMPORT = "/staff/catalog/import/"
API_IMPORT = "/api/v1/staff/catalog/import"
API_EXPORT = "/api/v1/staff/catalog/export"


@pytest.fixture
def people() -> Staff:
    return staff()


@pytest.fixture
def catalogue(people: Staff) -> list[ServiceItem]:
    """Two published items, one of them with a draft on top, and one never published."""
    first = published("SZ-GA-0201", people)
    second = published(
        "SZ-GA-0202",
        people,
        name="临时居民身份证办理",
        fees=[],
        faq=[],
        conditions="=SUM(A1:A9) 不是公式",
    )
    services.revision_save(
        item=second,
        content=record("SZ-GA-0202", name="临时身份证办理", fees=[], faq=[]).content,
        by=people.clerk,
    )
    services.item_create(
        record=record("SZ-GA-0203", name="户口迁移", materials=[]), by=people.clerk
    )
    return [first, second]


def _workbook(data: bytes) -> Any:
    return load_workbook(io.BytesIO(data))


def _saved(workbook: Any) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _revision_count() -> int:
    return ItemRevision.objects.count()


# --- Export -----------------------------------------------------------------------------------


def test_export_json_is_a_list_of_item_records_with_the_latest_content(
    people: Staff, catalogue: list[ServiceItem]
) -> None:
    # when
    data = json.loads(exchange.items_export_json(user=people.clerk))

    # then
    assert [entry["code"] for entry in data] == ["SZ-GA-0201", "SZ-GA-0202", "SZ-GA-0203"]
    assert data[1]["content"]["name"] == "临时身份证办理"  # the draft, not the published name
    assert data[0]["department"] == "public-security"
    assert data[0]["content"]["materials"][0]["name"] == "居民户口簿"


def test_export_xlsx_has_four_sheets_with_chinese_headers_and_labels(
    people: Staff, catalogue: list[ServiceItem]
) -> None:
    # when
    workbook = _workbook(exchange.items_export_xlsx(user=people.clerk))

    # then
    assert workbook.sheetnames == ["事项", "材料", "收费", "问答"]
    items = workbook["事项"]
    headers = [cell.value for cell in items[1]]
    assert headers[:4] == ["事项编码", "部门代码", "区县代码", "事项名称"]
    row = {header: cell.value for header, cell in zip(headers, items[2], strict=True)}
    assert row["事项类型"] == "行政确认"
    assert row["服务类别"] == "户籍身份"
    assert row["服务对象"] == "自然人"
    assert row["网上办理深度"] == "最多跑一次"
    assert row["支持预约"] == "是"
    assert row["通办范围"] == "跨省通办"
    assert row["办理流程"] == "网上预约\n现场采集人像\n领取新证"
    assert row["关键词"] == "身份证；补领"
    materials = workbook["材料"]
    assert [cell.value for cell in materials[1]] == [
        "事项编码",
        "材料名称",
        "材料形式",
        "份数",
        "必要性",
        "可用电子证照",
        "来源渠道",
        "备注",
    ]
    assert [cell.value for cell in materials[2]][:6] == [
        "SZ-GA-0201",
        "居民户口簿",
        "原件",
        0,
        "必要",
        "是",
    ]
    assert materials.max_row == 1 + 2 + 2  # two materials of each of two items
    assert workbook["收费"].max_row == 1 + 1 + 1  # no fee in the draft of the second item
    assert workbook["问答"].max_row == 1 + 1 + 1


def test_export_xlsx_writes_text_that_looks_like_a_formula_as_text(
    people: Staff, catalogue: list[ServiceItem]
) -> None:
    # given: the published guide of SZ-GA-0202 is under a draft; export the draft's department
    services.revision_save(
        item=catalogue[1],
        content=record("SZ-GA-0202", conditions="=HYPERLINK(1)").content,
        by=people.clerk,
    )

    # when
    workbook = _workbook(exchange.items_export_xlsx(user=people.clerk))

    # then
    cell = workbook["事项"]["R3"]
    assert workbook["事项"]["R1"].value == "受理条件"
    assert cell.value == "=HYPERLINK(1)"
    assert cell.data_type == "s"


def test_export_of_another_department_is_not_found(
    people: Staff, catalogue: list[ServiceItem]
) -> None:
    # when
    response = signed_in(people.clerk).get(API_EXPORT, {"department": OTHER_DEPARTMENT})

    # then
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_export_leaves_out_other_departments(people: Staff, catalogue: list[ServiceItem]) -> None:
    # when
    data = json.loads(exchange.items_export_json(user=people.stranger))

    # then
    assert data == []


# --- Round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["json", "xlsx"])
def test_export_then_import_of_the_same_file_changes_nothing(
    people: Staff, catalogue: list[ServiceItem], file_format: str
) -> None:
    # given
    data = (
        exchange.items_export_json(user=people.clerk)
        if file_format == "json"
        else exchange.items_export_xlsx(user=people.clerk)
    )
    before = _revision_count()

    # when
    report = exchange.items_import(data=data, by=people.clerk, dry_run=False)

    # then
    assert report.problems == []
    assert [(c.code, c.action) for c in report.changes] == [
        ("SZ-GA-0201", "unchanged"),
        ("SZ-GA-0202", "unchanged"),
        ("SZ-GA-0203", "unchanged"),
    ]
    assert _revision_count() == before


def test_import_of_an_edited_workbook_makes_drafts_and_new_items(
    people: Staff, catalogue: list[ServiceItem]
) -> None:
    # given: the promise of the first item shortened, and a new item with one material
    workbook = _workbook(exchange.items_export_xlsx(user=people.clerk))
    items, materials = workbook["事项"], workbook["材料"]
    items["M2"] = 10
    new_row = [cell.value for cell in items[4]]
    new_row[0] = "SZ-GA-0299"
    new_row[3] = "出入境证件办理"
    items.append(new_row)
    materials.append(["SZ-GA-0299", "出入境证件申请表", "原件", 1, "必要", "否", "", ""])

    # when
    dry = exchange.items_import(data=_saved(workbook), by=people.clerk, dry_run=True)
    done = exchange.items_import(data=_saved(workbook), by=people.clerk, dry_run=False, submit=True)

    # then
    assert dry.problems == []
    assert [(c.code, c.action, c.changed_fields) for c in dry.changes] == [
        ("SZ-GA-0201", "update", ("promised_limit_days",)),
        ("SZ-GA-0202", "unchanged", ()),
        ("SZ-GA-0203", "unchanged", ()),
        ("SZ-GA-0299", "create", ()),
    ]
    assert done.imported
    draft = ItemRevision.objects.get(item__code="SZ-GA-0201", number=2)
    assert draft.content["promised_limit_days"] == 10
    assert draft.source == "import"
    assert draft.state == RevisionState.SUBMITTED
    created = ItemRevision.objects.get(item__code="SZ-GA-0299")
    assert created.source == "import"
    assert created.content["name"] == "出入境证件办理"
    assert [m["name"] for m in created.content["materials"]] == ["出入境证件申请表"]
    assert created.created_by_id == people.clerk.pk


# --- Refusals ---------------------------------------------------------------------------------


def test_import_of_a_workbook_with_a_bad_row_says_sheet_row_column_and_imports_nothing(
    people: Staff, catalogue: list[ServiceItem]
) -> None:
    # given: the fifth material row (Excel row 5... here row 3) has a form nobody knows
    workbook = _workbook(exchange.items_export_xlsx(user=people.clerk))
    workbook["材料"]["C3"] = "传真件"
    workbook["事项"]["M3"] = 400
    items_before = ServiceItem.objects.count()
    revisions_before = _revision_count()

    # when
    with translation.override("zh-hans"):
        report = exchange.items_import(data=_saved(workbook), by=people.clerk, dry_run=False)
        told = [str(problem) for problem in report.problems]

    # then
    assert not report.imported
    assert report.changes == []
    assert "材料 第3行 「材料形式」：应为 原件、复印件、原件和复印件 或 电子材料" in told
    assert "事项 第3行 「承诺办结时限（工作日）」：不能大于 365" in told
    problem = next(p for p in report.problems if p.sheet == "材料")
    assert (problem.row, problem.column) == (3, "材料形式")
    assert ServiceItem.objects.count() == items_before
    assert _revision_count() == revisions_before


def test_import_problem_in_english_keeps_the_chinese_headers(
    people: Staff, catalogue: list[ServiceItem]
) -> None:
    # given
    workbook = _workbook(exchange.items_export_xlsx(user=people.clerk))
    workbook["材料"]["F2"] = "也许"

    # when
    with translation.override("en"):
        report = exchange.items_import(data=_saved(workbook), by=people.clerk, dry_run=True)
        told = [str(problem) for problem in report.problems]

    # then
    assert told == ["材料, row 2, column “可用电子证照”: Expected 是 or 否."]


def test_import_of_a_promise_beyond_the_statute_names_the_promise_column(
    people: Staff, catalogue: list[ServiceItem]
) -> None:
    # given
    workbook = _workbook(exchange.items_export_xlsx(user=people.clerk))
    workbook["事项"]["L2"] = 10  # statutory limit below the promised 20

    # when
    with translation.override("zh-hans"):
        report = exchange.items_import(data=_saved(workbook), by=people.clerk, dry_run=True)
        told = [str(problem) for problem in report.problems]

    # then
    assert told == ["事项 第2行 「承诺办结时限（工作日）」：承诺时限不能超过法定时限"]


def test_import_of_a_row_of_another_department_is_refused(people: Staff) -> None:
    # given
    data = json.dumps(
        [
            record("SZ-GA-0301").model_dump(mode="json"),
            record("SZ-JT-0301", department=OTHER_DEPARTMENT).model_dump(mode="json"),
        ]
    ).encode()

    # when
    report = exchange.items_import(data=data, by=people.clerk, dry_run=False)

    # then
    assert [(p.row, p.field) for p in report.problems] == [(2, "department")]
    assert not ServiceItem.objects.exists()


def test_import_of_an_item_of_another_department_by_code_is_refused(
    people: Staff, catalogue: list[ServiceItem]
) -> None:
    # given: the transport clerk sends the public security item's code under his department
    data = json.dumps(
        [record("SZ-GA-0201", department=OTHER_DEPARTMENT).model_dump(mode="json")]
    ).encode()

    # when
    report = exchange.items_import(data=data, by=people.stranger, dry_run=False)

    # then
    assert [(p.row, p.field) for p in report.problems] == [(1, "code")]
    assert _revision_count() == 4


def test_import_of_json_reports_the_item_and_the_field_path(people: Staff) -> None:
    # given
    entry = record("SZ-GA-0302").model_dump(mode="json")
    entry["content"]["materials"][1]["form"] = "fax"
    broken = {"code": "bad code", "department": "public-security", "content": {}}

    # when
    with translation.override("en"):
        report = exchange.items_import(
            data=json.dumps([entry, broken]).encode(), by=people.clerk, dry_run=True
        )
        fields = {(p.row, p.field): p.message for p in report.problems}

    # then
    assert fields[(1, "content.materials.1.form")].startswith("Expected 'original'")
    assert (2, "code") in fields
    assert fields[(2, "content.name")] == "This field is required."
    assert not ServiceItem.objects.exists()


def test_import_dry_run_writes_nothing(people: Staff) -> None:
    # given
    data = json.dumps([record("SZ-GA-0303").model_dump(mode="json")]).encode()

    # when
    report = exchange.items_import(data=data, by=people.clerk, dry_run=True)

    # then
    assert report.ok
    assert [(c.code, c.action) for c in report.changes] == [("SZ-GA-0303", "create")]
    assert not report.imported
    assert not ServiceItem.objects.exists()


def test_import_refuses_a_change_to_an_item_waiting_for_review(
    people: Staff, catalogue: list[ServiceItem]
) -> None:
    # given
    waiting = services.revision_save(
        item=catalogue[0], content=record("SZ-GA-0201", summary="送审中。").content, by=people.clerk
    )
    services.revision_submit(revision_id=waiting.pk, by=people.clerk)
    data = json.dumps([record("SZ-GA-0201", summary="导入的简介。").model_dump(mode="json")])

    # when
    report = exchange.items_import(data=data.encode(), by=people.clerk, dry_run=False)

    # then
    assert [p.field for p in report.problems] == ["code"]
    waiting.refresh_from_db()
    assert waiting.content["summary"] == "送审中。"


def test_import_of_a_formula_cell_is_refused(people: Staff, catalogue: list[ServiceItem]) -> None:
    # given
    workbook = _workbook(exchange.items_export_xlsx(user=people.clerk))
    workbook["事项"]["L2"] = "=10*6"

    # when
    report = exchange.items_import(data=_saved(workbook), by=people.clerk, dry_run=True)

    # then
    assert [(p.sheet, p.row, p.column) for p in report.problems] == [
        ("事项", 2, "法定办结时限（工作日）")
    ]


def test_import_of_a_workbook_with_a_renamed_column_names_both(
    people: Staff, catalogue: list[ServiceItem]
) -> None:
    # given
    workbook = _workbook(exchange.items_export_xlsx(user=people.clerk))
    workbook["事项"]["Z1"] = "关键字"

    # when
    report = exchange.items_import(data=_saved(workbook), by=people.clerk, dry_run=True)

    # then
    assert {(p.sheet, p.row, p.column) for p in report.problems} == {
        ("事项", 1, "关键字"),
        ("事项", 1, "关键词"),
    }


def test_import_of_a_material_for_an_unknown_item_is_refused(
    people: Staff, catalogue: list[ServiceItem]
) -> None:
    # given
    workbook = _workbook(exchange.items_export_xlsx(user=people.clerk))
    workbook["材料"].append(["SZ-GA-9999", "申请表", "原件", 1, "必要", "否", "", ""])

    # when
    report = exchange.items_import(data=_saved(workbook), by=people.clerk, dry_run=True)

    # then
    assert [(p.sheet, p.row, p.column) for p in report.problems] == [("材料", 6, "事项编码")]


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04 this is not really a zip archive",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an old binary workbook",
        b'[{"code": ',
        b"\xff\xfe\x00garbage",
        b'{"code": "SZ-GA-0001"}',
        b"[" * 100_000,
        b"   ",
    ],
)
def test_import_of_a_broken_file_answers_a_clear_message(people: Staff, data: bytes) -> None:
    # when
    report = exchange.items_import(data=data, by=people.clerk, dry_run=False)

    # then
    assert len(report.problems) == 1
    assert report.problems[0].field == "file"
    assert report.problems[0].message
    assert not ServiceItem.objects.exists()


def test_import_of_a_zip_that_is_not_a_workbook_answers_a_clear_message(people: Staff) -> None:
    # given
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")

    # when
    with translation.override("zh-hans"):
        report = exchange.items_import(data=output.getvalue(), by=people.clerk, dry_run=True)
        told = [str(p) for p in report.problems]

    # then
    assert told == ["该文件不是 Excel 工作簿（.xlsx）。"]


def test_import_of_a_workbook_without_the_sheets_names_the_missing_ones(people: Staff) -> None:
    # given
    workbook = Workbook()
    assert workbook.active is not None
    workbook.active.title = "Sheet1"

    # when
    report = exchange.items_import(data=_saved(workbook), by=people.clerk, dry_run=True)

    # then
    assert {p.sheet for p in report.problems} == {"事项", "材料", "收费", "问答"}


def test_import_of_a_file_over_the_size_limit_is_refused(people: Staff) -> None:
    # given
    data = b" " * (exchange.MAX_FILE_SIZE + 1)

    # when
    report = exchange.items_import(data=data, by=people.clerk, dry_run=True)

    # then
    assert [p.field for p in report.problems] == ["file"]
    assert "5" in report.problems[0].message


def test_import_of_too_many_items_is_refused(people: Staff) -> None:
    # given
    data = json.dumps([{}] * (exchange.MAX_ITEMS + 1)).encode()

    # when
    report = exchange.items_import(data=data, by=people.clerk, dry_run=True)

    # then
    assert [p.field for p in report.problems] == ["file"]


# --- The pages and the API --------------------------------------------------------------------


def test_import_page_checks_then_imports_an_uploaded_workbook(people: Staff) -> None:
    # given
    client = signed_in(people.clerk)
    workbook_data = _json_as_workbook(people, [record("SZ-GA-0401")])

    # when
    checked = client.post(
        IMPORT,
        {"file": SimpleUploadedFile("items.xlsx", workbook_data), "action": "check"},
    )
    nothing_yet = ServiceItem.objects.exists()
    imported = client.post(
        IMPORT,
        {"file": SimpleUploadedFile("items.xlsx", workbook_data), "action": "import"},
    )

    # then
    assert checked.status_code == 200
    assert "新事项" in checked.content.decode()
    assert not nothing_yet
    assert imported.status_code == 200
    assert ServiceItem.objects.filter(code="SZ-GA-0401").exists()


def _json_as_workbook(people: Staff, records: list[Any]) -> bytes:
    """A workbook for `records`, made by importing them as JSON for a moment and exporting."""
    from django.db import transaction

    class Undo(Exception):
        pass

    data: bytes = b""
    try:
        with transaction.atomic():
            for one in records:
                services.item_create(record=one, by=people.admin)
            data = exchange.items_export_xlsx(user=people.admin)
            raise Undo
    except Undo:
        pass
    return data


def test_import_page_refuses_a_corrupt_file_with_a_message(people: Staff) -> None:
    # when
    response = signed_in(people.clerk).post(
        IMPORT, {"file": SimpleUploadedFile("items.xlsx", b"PK\x03\x04broken"), "action": "check"}
    )

    # then
    assert response.status_code == 400
    assert "该文件不是 Excel 工作簿（.xlsx）。" in response.content.decode()


def test_import_page_refuses_an_oversized_upload_before_reading_it(people: Staff) -> None:
    # given
    big = SimpleUploadedFile("items.json", b"[" + b" " * (exchange.MAX_FILE_SIZE + 100_000))

    # when
    response = signed_in(people.clerk).post(IMPORT, {"file": big, "action": "import"})

    # then
    assert response.status_code == 413
    assert "文件超过 5 MB" in response.content.decode()


def test_import_page_of_a_file_with_problems_lists_them(
    people: Staff, catalogue: list[ServiceItem]
) -> None:
    # given
    workbook = _workbook(exchange.items_export_xlsx(user=people.clerk))
    workbook["材料"]["C3"] = "传真件"

    # when
    response = signed_in(people.clerk).post(
        IMPORT,
        {"file": SimpleUploadedFile("items.xlsx", _saved(workbook)), "action": "import"},
    )

    # then
    page = response.content.decode()
    assert response.status_code == 400
    assert "材料 第3行 「材料形式」：应为 原件、复印件、原件和复印件 或 电子材料" in page
    assert "未导入任何内容" in page


def test_export_page_downloads_a_workbook(people: Staff, catalogue: list[ServiceItem]) -> None:
    # when
    form = signed_in(people.clerk).get("/staff/catalog/export/")
    download = signed_in(people.clerk).get(
        "/staff/catalog/export/", {"format": "xlsx", "department": "public-security"}
    )
    refused = signed_in(people.clerk).get(
        "/staff/catalog/export/", {"format": "xlsx", "department": OTHER_DEPARTMENT}
    )

    # then
    assert form.status_code == 200
    assert download.status_code == 200
    assert download["Content-Type"] == exchange.XLSX_CONTENT_TYPE
    assert download["Content-Disposition"].startswith('attachment; filename="citygate-items-')
    assert _workbook(download.content).sheetnames[0] == "事项"
    assert refused.status_code == 400


def test_api_import_dry_run_and_import(people: Staff) -> None:
    # given
    client = signed_in(people.clerk)
    data = json.dumps([record("SZ-GA-0501").model_dump(mode="json")]).encode()

    # when
    dry = client.post(
        f"{API_IMPORT}?dry_run=true&format=json",
        {"file": SimpleUploadedFile("items.json", data)},
    )
    real = client.post(
        f"{API_IMPORT}?dry_run=false&format=json",
        {"file": SimpleUploadedFile("items.json", data)},
    )

    # then
    assert dry.status_code == 200
    assert dry.json() == {
        "ok": True,
        "dry_run": True,
        "imported": False,
        "errors": [],
        "changes": [{"code": "SZ-GA-0501", "action": "create", "changed_fields": []}],
    }
    assert real.json()["imported"] is True
    assert ServiceItem.objects.filter(code="SZ-GA-0501").exists()


def test_api_import_of_a_bad_workbook_reports_each_problem(
    people: Staff, catalogue: list[ServiceItem]
) -> None:
    # given
    workbook = _workbook(exchange.items_export_xlsx(user=people.clerk))
    workbook["材料"]["C3"] = "传真件"

    # when
    response = signed_in(people.clerk).post(
        f"{API_IMPORT}?dry_run=false",
        {"file": SimpleUploadedFile("items.xlsx", _saved(workbook))},
    )

    # then
    body = response.json()
    assert response.status_code == 200
    assert body["ok"] is False
    assert body["errors"] == [
        {
            "sheet": "材料",
            "row": 3,
            "column": "材料形式",
            "field": "content.materials.1.form",
            "message": "应为 原件、复印件、原件和复印件 或 电子材料",
        }
    ]


def test_api_import_without_a_file_or_signed_out_answers_the_envelope(people: Staff) -> None:
    # when
    no_file = signed_in(people.clerk).post(API_IMPORT, {})
    signed_out = Client().post(API_IMPORT, {})

    # then
    assert no_file.status_code == 422
    assert set(no_file.json()) == {"code", "message", "fields"}
    assert signed_out.status_code == 401


def test_api_import_of_an_upload_over_the_body_guard_is_refused(people: Staff) -> None:
    # given
    big = SimpleUploadedFile("items.json", b" " * (7 * 1024 * 1024))

    # when
    response = signed_in(people.clerk).post(API_IMPORT, {"file": big})

    # then
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"


def test_api_export_as_json_round_trips_through_the_api_import(
    people: Staff, catalogue: list[ServiceItem]
) -> None:
    # given
    client = signed_in(people.clerk)
    exported = client.get(API_EXPORT, {"format": "json"})

    # when
    response = client.post(
        f"{API_IMPORT}?dry_run=true",
        {"file": SimpleUploadedFile("items.json", exported.content)},
    )

    # then
    assert exported.status_code == 200
    assert {c["action"] for c in response.json()["changes"]} == {"unchanged"}


# --- Comparing versions -----------------------------------------------------------------------


def test_content_changes_lists_scalars_lists_and_materials() -> None:
    # given
    old = guide()
    new = guide(visits=0, online_depth=5, aliases=["身份证丢了", "补身份证"])
    new["materials"] = [{**old["materials"][0], "form": "copy"}, {"name": "委托书", "form": "copy"}]

    # when
    with translation.override("en"):
        changes = {c.field: c for c in exchange.content_changes(old, new)}

    # then
    assert set(changes) == {"visits", "online_depth", "materials", "aliases"}
    assert (changes["visits"].old, changes["visits"].new) == ("1", "0")
    assert changes["online_depth"].new == "Done entirely online"
    assert changes["aliases"].added == ("补身份证",)
    assert changes["materials"].added == ("委托书",)
    assert changes["materials"].removed == ("本人近期照片",)
    assert changes["materials"].changed[0].changes[0].new == "Copy"
    assert exchange.changed_fields(old, new) == ["visits", "online_depth", "materials", "aliases"]


def test_import_page_refuses_a_post_without_the_csrf_token(people: Staff) -> None:
    # given
    client = signed_in(people.clerk)
    client.handler.enforce_csrf_checks = True
    data = json.dumps([record("SZ-GA-0601").model_dump(mode="json")]).encode()

    # when
    response = client.post(
        IMPORT, {"file": SimpleUploadedFile("items.json", data), "action": "import"}
    )

    # then
    assert response.status_code == 403
    assert not ServiceItem.objects.exists()


def test_import_tells_problems_of_reading_and_of_the_catalogue_in_one_pass(
    people: Staff,
) -> None:
    # given: a malformed item, an item of another department, and a code given twice
    good = record("SZ-GA-0701").model_dump(mode="json")
    malformed = {**good, "content": {**good["content"], "visits": "many"}}
    foreign = record("SZ-JT-0701", department=OTHER_DEPARTMENT).model_dump(mode="json")

    # when
    report = exchange.items_import(
        data=json.dumps([malformed, foreign, good, good]).encode(), by=people.clerk, dry_run=True
    )

    # then
    assert [(p.row, p.field) for p in report.problems] == [
        (1, "content.visits"),
        (2, "department"),
        (4, "code"),
    ]
    assert report.changes == []


def test_import_naming_a_life_event_that_does_not_exist_is_refused(people: Staff) -> None:
    # given: one good life event, one unknown
    data = json.dumps(
        [record("SZ-GA-0401", life_events=["newborn", "no-such-event"]).model_dump(mode="json")]
    ).encode()

    # when
    report = exchange.items_import(data=data, by=people.clerk, dry_run=True)

    # then
    assert not report.ok
    (problem,) = report.problems
    assert problem.field == "content.life_events"
    assert "no-such-event" in problem.message
    assert "newborn" in problem.message
