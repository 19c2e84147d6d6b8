"""Items in and out of the catalogue as files: JSON and Excel, read back exactly as written.

The JSON file is a list of `ItemRecord`s. The Excel workbook has four sheets: 事项 (one row
per item), 材料 (one row per material), 收费 (one row per fee) and 问答 (one row per question),
the last three tied to their item by its code and kept in row order. Column headers are
Chinese and map to field names through the tables below, which never change meaning; enum
values are written as their Chinese labels and yes/no as 是/否.

An import is read whole and checked whole before anything is written: every problem is told
with where it is (sheet, row as Excel numbers it, column header; or the item's position and
field path in JSON) and why, in the reader's language. With any problem nothing is imported.
Otherwise a dry run tells what would happen to each item, and a real import does it in one
transaction through the catalogue's services.

This module also holds what the back office says about item content: the labels of its
fields and values, the messages for content that does not validate, and the field-level
comparison of two versions that the history and the import both show.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from pydantic import ValidationError

from citygate.accounts.models import User
from citygate.catalog import labels, services
from citygate.catalog.content import (
    CATEGORY_SLUGS,
    Audience,
    ItemContent,
    ItemRecord,
    ItemType,
    MaterialForm,
    Necessity,
    OnlineDepth,
    Scope,
)
from citygate.catalog.models import ItemRevision, LifeEvent, RevisionState, ServiceItem
from citygate.catalog.selectors import (
    editable_department_ids,
    staff_item_list,
    with_open_revision,
)
from citygate.core.errors import ApplicationError, NotFound
from citygate.core.logging import get_logger
from citygate.core.validation import message_for
from citygate.directory.models import Department, District

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

log = get_logger(__name__)

# Limits of one import file.
MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_ITEMS = 5_000
MAX_SHEET_ROWS = 20_000
# An .xlsx is a zip archive: what it may unpack to, and how many parts it may hold.
MAX_UNPACKED_SIZE = 80 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 500
# Problems told at most; past this the file is clearly not what was meant.
MAX_PROBLEMS = 200

Format = Literal["json", "xlsx"]
FORMATS: tuple[Format, ...] = ("json", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# --- What the back office calls things ------------------------------------------------------

FIELD_LABELS: dict[str, StrPromise] = {
    "code": gettext_lazy("Item code"),
    "department": gettext_lazy("Department"),
    "district": gettext_lazy("Implementing district"),
    "name": gettext_lazy("Item name"),
    "name_en": gettext_lazy("Name in English"),
    "summary": gettext_lazy("Summary"),
    "summary_en": gettext_lazy("Summary in English"),
    "item_type": gettext_lazy("Item type"),
    "category": gettext_lazy("Category"),
    "implementing_body": gettext_lazy("Implementing body"),
    "audience": gettext_lazy("Serves"),
    "statutory_limit_days": gettext_lazy("Statutory time limit (working days)"),
    "promised_limit_days": gettext_lazy("Promised time limit (working days)"),
    "visits": gettext_lazy("Visits to a hall"),
    "online_depth": gettext_lazy("Online handling"),
    "appointment": gettext_lazy("Visits can be booked"),
    "scope": gettext_lazy("Where it can be handled"),
    "conditions": gettext_lazy("Conditions"),
    "process": gettext_lazy("Steps"),
    "materials": gettext_lazy("Materials"),
    "fees": gettext_lazy("Fees"),
    "legal_basis": gettext_lazy("Legal basis"),
    "result": gettext_lazy("Result"),
    "place": gettext_lazy("Place"),
    "hours": pgettext_lazy("service item", "Opening hours"),
    "enquiry_phone": gettext_lazy("Enquiry phone"),
    "complaint_phone": gettext_lazy("Complaint phone"),
    "keywords": gettext_lazy("Keywords"),
    "aliases": gettext_lazy("Everyday names"),
    "life_events": gettext_lazy("Life events"),
    "faq": gettext_lazy("Questions and answers"),
}

MATERIAL_LABELS: dict[str, StrPromise] = {
    "name": gettext_lazy("Material"),
    "form": gettext_lazy("Form"),
    "copies": gettext_lazy("Paper copies"),
    "necessity": gettext_lazy("Necessity"),
    "e_licence": gettext_lazy("Electronic licence accepted"),
    "source": gettext_lazy("Issued by"),
    "note": gettext_lazy("Note"),
}

FEE_LABELS: dict[str, StrPromise] = {
    "name": gettext_lazy("Fee"),
    "standard": gettext_lazy("Amount"),
    "basis": gettext_lazy("Set by"),
    "waivable": gettext_lazy("Can be waived"),
}

QUESTION_LABELS: dict[str, StrPromise] = {
    "question": gettext_lazy("Question"),
    "answer": gettext_lazy("Answer"),
}

# The labels of coded values are the public pages' own (citygate.catalog.labels).
ITEM_TYPE_LABELS = labels.ITEM_TYPES
AUDIENCE_LABELS = labels.AUDIENCES
ONLINE_DEPTH_LABELS = labels.ONLINE_DEPTHS
SCOPE_LABELS = labels.SCOPES
MATERIAL_FORM_LABELS = labels.MATERIAL_FORMS
NECESSITY_LABELS = labels.NECESSITIES


def category_labels() -> dict[str, Promise]:
    """The shell's service categories, by slug, in the reader's language."""
    from citygate.shell.selectors import SERVICE_CATEGORIES

    names = {category.slug: category.name for category in SERVICE_CATEGORIES}
    return {slug: names[slug] for slug in CATEGORY_SLUGS if slug in names}


def _value_labels(name: str) -> Mapping[Any, Promise] | None:
    if name == "category":
        return category_labels()
    found: dict[str, Mapping[Any, Promise]] = {
        "item_type": ITEM_TYPE_LABELS,
        "audience": AUDIENCE_LABELS,
        "online_depth": ONLINE_DEPTH_LABELS,
        "scope": SCOPE_LABELS,
        "form": MATERIAL_FORM_LABELS,
        "necessity": NECESSITY_LABELS,
    }
    return found.get(name)


def display_value(name: str, value: Any) -> str:
    """A content value as the back office shows it: labels for codes, yes/no, lists joined."""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, list):
        return pgettext("list separator", ", ").join(display_value(name, v) for v in value)
    labels = _value_labels(name)
    if labels is not None and value in labels:
        return str(labels[value])
    if value == "" or value is None:
        return "—"
    return str(value)


def join_choices(choices: Sequence[str]) -> str:
    """ "a, b or c" in the reader's language."""
    if len(choices) <= 1:
        return "".join(choices)
    head = pgettext("list separator", ", ").join(choices[:-1])
    return _("%(head)s or %(last)s") % {"head": head, "last": choices[-1]}


# --- Messages for content that does not validate --------------------------------------------

Loc = tuple[str | int, ...]

_PATTERN_MESSAGES: dict[str, StrPromise] = {
    "code": gettext_lazy(
        "Use 5 to 48 capital letters, digits and hyphens, starting with a letter or digit."
    ),
    "enquiry_phone": gettext_lazy("Use digits, spaces and + - ( ) only."),
    "complaint_phone": gettext_lazy("Use digits, spaces and + - ( ) only."),
    "category": gettext_lazy("Choose one of the service categories."),
}


def content_problems(error: ValidationError) -> list[tuple[Loc, str]]:
    """Each pydantic error of an `ItemContent` or `ItemRecord` as (location, message).

    The checks across fields (promised within statutory time, no visit when done entirely
    online) come from pydantic at the level of the whole content; they are moved to the field
    a person has to change.
    """
    found: list[tuple[Loc, str]] = []
    for entry in error.errors():
        loc: Loc = tuple(entry.get("loc", ()))
        kind = str(entry.get("type", ""))
        ctx = entry.get("ctx") or {}
        text = str(entry.get("msg", ""))
        message: str
        if kind == "value_error" and "promised_limit_days" in text:
            loc, message = (
                (*loc, "promised_limit_days"),
                _("The promised time limit cannot be longer than the statutory time limit."),
            )
        elif kind == "value_error" and "entirely online" in text:
            loc, message = (
                (*loc, "visits"),
                _("An item done entirely online needs no visit: set the visits to 0."),
            )
        elif kind == "string_pattern_mismatch":
            named = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
            message = str(_PATTERN_MESSAGES.get(named, gettext_lazy("Enter a valid value.")))
        elif kind in {"enum", "literal_error"}:
            message = _("Expected %(choices)s.") % {"choices": ctx.get("expected", "")}
        elif kind == "greater_than_equal":
            message = _("Enter %(limit)s or more.") % {"limit": ctx.get("ge", "")}
        elif kind == "less_than_equal":
            message = _("Enter at most %(limit)s.") % {"limit": ctx.get("le", "")}
        elif kind == "too_short" and loc and loc[-1] == "audience":
            message = _("Choose at least one.")
        elif kind == "too_short":
            message = _("Give at least %(limit)s.") % {"limit": ctx.get("min_length", "")}
        elif kind == "too_long":
            message = _("Give at most %(limit)s entries.") % {"limit": ctx.get("max_length", "")}
        elif kind == "string_too_short" and ctx.get("min_length") == 1:
            message = _("This field is required.")
        else:
            message = message_for(entry)
        found.append((loc, message))
    return found


def entry_message(number: int, message: str) -> str:
    return _("Entry %(number)s: %(reason)s") % {"number": number, "reason": message}


# --- Comparing two versions of an item --------------------------------------------------------

SCALAR_FIELDS = (
    "name",
    "name_en",
    "summary",
    "summary_en",
    "item_type",
    "category",
    "implementing_body",
    "statutory_limit_days",
    "promised_limit_days",
    "visits",
    "online_depth",
    "appointment",
    "scope",
    "conditions",
    "result",
    "place",
    "hours",
    "enquiry_phone",
    "complaint_phone",
)
LIST_FIELDS = ("audience", "process", "legal_basis", "keywords", "aliases", "life_events")
# Lists of records, each known by one of its fields.
RECORD_FIELDS: dict[str, tuple[str, dict[str, StrPromise]]] = {
    "materials": ("name", MATERIAL_LABELS),
    "fees": ("name", FEE_LABELS),
    "faq": ("question", QUESTION_LABELS),
}
CONTENT_FIELDS = tuple(ItemContent.model_fields)


@dataclass(frozen=True)
class ValueChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class RecordChange:
    """One material, fee or question present in both versions, with what changed in it."""

    key: str
    changes: tuple[ValueChange, ...]


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str = ""
    new: str = ""
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[RecordChange, ...] = ()
    # The same entries in another order.
    reordered: bool = False


def normalized(content: Mapping[str, Any] | None) -> dict[str, Any]:
    """Content as `ItemContent` writes it, defaults filled in; as stored when it no longer
    validates (an old revision kept from before a change of the schema)."""
    if not content:
        return {}
    try:
        return ItemContent.model_validate(content).model_dump(mode="json")
    except ValidationError:
        return dict(content)


def changed_fields(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[str]:
    before, after = normalized(old), normalized(new)
    return [name for name in CONTENT_FIELDS if before.get(name) != after.get(name)]


def _record_key(entry: Any, key: str) -> str:
    return str(entry.get(key, "")) if isinstance(entry, Mapping) else str(entry)


def _records_change(name: str, old: list[Any], new: list[Any]) -> FieldChange | None:
    key, labels = RECORD_FIELDS[name]
    before = {_record_key(entry, key): entry for entry in old}
    after = {_record_key(entry, key): entry for entry in new}
    added = tuple(k for k in after if k not in before)
    removed = tuple(k for k in before if k not in after)
    changed: list[RecordChange] = []
    for k, entry in after.items():
        previous = before.get(k)
        if previous is None or previous == entry:
            continue
        if not isinstance(previous, Mapping) or not isinstance(entry, Mapping):
            continue
        values = tuple(
            ValueChange(
                label=str(label),
                old=display_value(part, previous.get(part)),
                new=display_value(part, entry.get(part)),
            )
            for part, label in labels.items()
            if previous.get(part) != entry.get(part)
        )
        changed.append(RecordChange(key=k, changes=values))
    reordered = not (added or removed or changed) and old != new
    if not (added or removed or changed or reordered):
        return None
    return FieldChange(
        field=name,
        label=str(FIELD_LABELS[name]),
        added=added,
        removed=removed,
        changed=tuple(changed),
        reordered=reordered,
    )


def content_changes(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[FieldChange]:
    """What changed from `old` to `new`, field by field, in the order of the guide."""
    before, after = normalized(old), normalized(new)
    found: list[FieldChange] = []
    for name in CONTENT_FIELDS:
        was, now = before.get(name), after.get(name)
        if was == now:
            continue
        label = str(FIELD_LABELS.get(name, name))
        if name in RECORD_FIELDS:
            change = _records_change(name, list(was or []), list(now or []))
            if change is not None:
                found.append(change)
        elif name in LIST_FIELDS:
            old_entries, new_entries = list(was or []), list(now or [])
            added = tuple(display_value(name, v) for v in new_entries if v not in old_entries)
            removed = tuple(display_value(name, v) for v in old_entries if v not in new_entries)
            found.append(
                FieldChange(
                    field=name,
                    label=label,
                    added=added,
                    removed=removed,
                    reordered=not (added or removed),
                )
            )
        else:
            found.append(
                FieldChange(
                    field=name,
                    label=label,
                    old=display_value(name, was),
                    new=display_value(name, now),
                )
            )
    return found


# --- The Excel layout -------------------------------------------------------------------------

Kind = Literal["text", "int", "bool", "enum", "enums", "lines", "words"]

YES, NO = "是", "否"
# Entries of a one-line list are separated by "；"; ";" and new lines are read as well.
WORD_SEPARATOR = "；"
_WORD_SPLIT = re.compile(r"[；;\r\n]+")

# The Chinese labels of the file. They are the file format, not the reader's language: they
# stay the same whatever language the page is in.
ITEM_TYPE_NAMES = {
    ItemType.LICENCE: "行政许可",
    ItemType.CONFIRMATION: "行政确认",
    ItemType.ADJUDICATION: "行政裁决",
    ItemType.BENEFIT: "行政给付",
    ItemType.AWARD: "行政奖励",
    ItemType.FILING: "行政备案",
    ItemType.OTHER_POWER: "其他行政权力",
    ItemType.PUBLIC_SERVICE: "公共服务",
}
CATEGORY_NAMES = {
    "id-residence": "户籍身份",
    "social-security": "社保就业",
    "health": "医疗健康",
    "housing-fund": "住房公积金",
    "education": "教育",
    "transport": "交通出行",
    "utilities": "水电气",
    "business": "企业服务",
    "civil-affairs": "民政服务",
    "feedback": "投诉建议",
}
AUDIENCE_NAMES = {Audience.PERSON: "自然人", Audience.ENTERPRISE: "法人"}
ONLINE_DEPTH_NAMES = {
    OnlineDepth.GUIDE: "指南在线",
    OnlineDepth.FORMS: "表格下载",
    OnlineDepth.PRE_REVIEW: "在线预审",
    OnlineDepth.ONLINE: "最多跑一次",
    OnlineDepth.FULL_ONLINE: "全程网办",
}
SCOPE_NAMES = {Scope.CITY: "全市通办", Scope.PROVINCE: "全省通办", Scope.NATION: "跨省通办"}
MATERIAL_FORM_NAMES = {
    MaterialForm.ORIGINAL: "原件",
    MaterialForm.COPY: "复印件",
    MaterialForm.ORIGINAL_AND_COPY: "原件和复印件",
    MaterialForm.ELECTRONIC: "电子材料",
}
NECESSITY_NAMES = {
    Necessity.REQUIRED: "必要",
    Necessity.OPTIONAL: "非必要",
    Necessity.DEFERRABLE: "容缺",
}


@dataclass(frozen=True)
class Column:
    header: str
    # The key in the record (code, department, district) or in the content or sub-record.
    key: str
    kind: Kind = "text"
    names: Mapping[Any, str] = field(default_factory=dict)
    width: int = 16

    def to_cell(self, value: Any) -> str | int:
        if self.kind == "bool":
            return YES if value else NO
        if self.kind == "int":
            return value if isinstance(value, int) else str(value)
        if self.kind == "enum":
            return self.names.get(value, str(value))
        if self.kind == "enums":
            return WORD_SEPARATOR.join(self.names.get(v, str(v)) for v in value or [])
        if self.kind == "lines":
            return "\n".join(str(v) for v in value or [])
        if self.kind == "words":
            return WORD_SEPARATOR.join(str(v) for v in value or [])
        return "" if value is None else str(value)

    def from_cell(self, text: str) -> Any:
        """The value a cell's text stands for; raises ValueError with the reason."""
        if self.kind == "text":
            return text
        if self.kind == "int":
            number = _whole_number(text)
            if number is None:
                raise ValueError(_("Enter a whole number."))
            return number
        if self.kind == "bool":
            if text in {YES, "Y", "y", "TRUE", "true", "True", "1"}:
                return True
            if text in {NO, "N", "n", "FALSE", "false", "False", "0"}:
                return False
            raise ValueError(_("Expected %(choices)s.") % {"choices": join_choices([YES, NO])})
        if self.kind == "enum":
            return self._choice(text)
        if self.kind == "enums":
            return [self._choice(part.strip()) for part in _WORD_SPLIT.split(text) if part.strip()]
        if self.kind == "lines":
            return [line.strip() for line in text.splitlines() if line.strip()]
        return [part.strip() for part in _WORD_SPLIT.split(text) if part.strip()]

    def _choice(self, text: str) -> Any:
        for value, name in self.names.items():
            if text in {name, str(value)}:
                return value
        raise ValueError(
            _("Expected %(choices)s.") % {"choices": join_choices(list(self.names.values()))}
        )


def _whole_number(text: str) -> int | None:
    text = text.strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        return None
    return int(text)


CODE_HEADER = "事项编码"

ITEM_COLUMNS: tuple[Column, ...] = (
    Column(CODE_HEADER, "code", width=18),
    Column("部门代码", "department", width=18),
    Column("区县代码", "district", width=10),
    Column("事项名称", "name", width=28),
    Column("英文名称", "name_en", width=28),
    Column("简介", "summary", width=36),
    Column("英文简介", "summary_en", width=36),
    Column("事项类型", "item_type", "enum", ITEM_TYPE_NAMES),
    Column("服务类别", "category", "enum", CATEGORY_NAMES),
    Column("实施主体", "implementing_body", width=24),
    Column("服务对象", "audience", "enums", AUDIENCE_NAMES),
    Column("法定办结时限（工作日）", "statutory_limit_days", "int", width=12),
    Column("承诺办结时限（工作日）", "promised_limit_days", "int", width=12),
    Column("到办事现场次数", "visits", "int", width=10),
    Column("网上办理深度", "online_depth", "enum", ONLINE_DEPTH_NAMES),
    Column("支持预约", "appointment", "bool", width=10),
    Column("通办范围", "scope", "enum", SCOPE_NAMES),
    Column("受理条件", "conditions", width=40),
    Column("办理流程", "process", "lines", width=40),
    Column("设定依据", "legal_basis", "lines", width=40),
    Column("办理结果", "result", width=24),
    Column("办理地点", "place", width=32),
    Column("办理时间", "hours", width=28),
    Column("咨询电话", "enquiry_phone"),
    Column("监督投诉电话", "complaint_phone"),
    Column("关键词", "keywords", "words", width=28),
    Column("别名", "aliases", "words", width=28),
    Column("一件事", "life_events", "words", width=20),
)
# The three keys of the record itself; every other column is a content field.
RECORD_KEYS = ("code", "department", "district")

MATERIAL_COLUMNS: tuple[Column, ...] = (
    Column(CODE_HEADER, "code", width=18),
    Column("材料名称", "name", width=32),
    Column("材料形式", "form", "enum", MATERIAL_FORM_NAMES, width=14),
    Column("份数", "copies", "int", width=8),
    Column("必要性", "necessity", "enum", NECESSITY_NAMES, width=10),
    Column("可用电子证照", "e_licence", "bool", width=12),
    Column("来源渠道", "source", width=24),
    Column("备注", "note", width=32),
)
FEE_COLUMNS: tuple[Column, ...] = (
    Column(CODE_HEADER, "code", width=18),
    Column("收费项目", "name", width=28),
    Column("收费标准", "standard", width=20),
    Column("收费依据", "basis", width=40),
    Column("可减免", "waivable", "bool", width=10),
)
QUESTION_COLUMNS: tuple[Column, ...] = (
    Column(CODE_HEADER, "code", width=18),
    Column("问题", "question", width=40),
    Column("回答", "answer", width=60),
)

ITEM_SHEET = "事项"
# The sheets of the lists, by content field.
LIST_SHEETS: dict[str, tuple[str, tuple[Column, ...]]] = {
    "materials": ("材料", MATERIAL_COLUMNS),
    "fees": ("收费", FEE_COLUMNS),
    "faq": ("问答", QUESTION_COLUMNS),
}


# --- Export -----------------------------------------------------------------------------------


def _latest_content(item: ServiceItem) -> dict[str, Any]:
    """The open revision's content when there is one; otherwise the published content."""
    open_revisions: list[ItemRevision] = getattr(item, "open_revisions", [])
    if open_revisions:
        return dict(open_revisions[0].content)
    return dict(item.content or {})


def export_records(*, user: User, department: str = "") -> list[dict[str, Any]]:
    """The items of the user's departments (or of one of them) as `ItemRecord` dicts.

    Each carries its latest content: the draft being worked on, or the published guide.
    """
    items = staff_item_list(user=user)
    if department:
        items = items.filter(department__code=department)
        if not Department.objects.filter(
            code=department, pk__in=editable_department_ids(user=user)
        ).exists():
            raise NotFound(_("There is no such department among yours."))
    items = with_open_revision(items).order_by("code")
    records: list[dict[str, Any]] = []
    for item in items:
        content = _latest_content(item)
        if not content:
            continue
        record = {
            "code": item.code,
            "department": item.department.code,
            "district": item.district.code if item.district else "",
            "content": normalized(content),
        }
        records.append(record)
    log.info("catalog.items_exported", count=len(records), by=str(user.pk))
    return records


def items_export_json(*, user: User, department: str = "") -> bytes:
    records = export_records(user=user, department=department)
    return json.dumps(records, ensure_ascii=False, indent=2).encode("utf-8")


def _clean_text(value: str) -> str:
    # Control characters cannot be stored in a workbook.
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _write_sheet(sheet: Any, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]) -> None:
    bold = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = bold
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "B2"
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, values in enumerate(rows, start=2):
        for index, column in enumerate(columns, start=1):
            value = column.to_cell(values.get(column.key))
            if isinstance(value, str):
                value = _clean_text(value)
            cell = sheet.cell(row=number, column=index, value=value)
            if isinstance(value, str):
                # A text starting with "=" is kept as text, never made into a formula.
                cell.data_type = "s"
                if "\n" in value:
                    cell.alignment = wrap


def items_export_xlsx(*, user: User, department: str = "") -> bytes:
    records = export_records(user=user, department=department)
    workbook = Workbook()
    items_sheet = workbook.active
    assert items_sheet is not None  # noqa: S101 - a new workbook has one sheet
    items_sheet.title = ITEM_SHEET
    _write_sheet(
        items_sheet,
        ITEM_COLUMNS,
        ({**r["content"], **{key: r[key] for key in RECORD_KEYS}} for r in records),
    )
    for name, (title, columns) in LIST_SHEETS.items():
        rows = (
            {**entry, "code": r["code"]}
            for r in records
            for entry in r["content"].get(name, [])
            if isinstance(entry, Mapping)
        )
        _write_sheet(workbook.create_sheet(title), columns, rows)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- Import: reading ------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Something wrong in an import file, and where."""

    message: str
    sheet: str = ""
    # The row as Excel numbers it (the header is row 1); for JSON, the item's position from 1.
    row: int | None = None
    column: str = ""
    field: str = ""

    def __str__(self) -> str:
        if self.sheet and self.row is not None and self.column:
            return _("%(sheet)s, row %(row)s, column “%(column)s”: %(reason)s") % {
                "sheet": self.sheet,
                "row": self.row,
                "column": self.column,
                "reason": self.message,
            }
        if self.sheet and self.row is not None:
            return _("%(sheet)s, row %(row)s: %(reason)s") % {
                "sheet": self.sheet,
                "row": self.row,
                "reason": self.message,
            }
        if self.sheet:
            return _("%(sheet)s: %(reason)s") % {"sheet": self.sheet, "reason": self.message}
        if self.row is not None and self.field:
            return _("Item %(row)s, %(field)s: %(reason)s") % {
                "row": self.row,
                "field": self.field,
                "reason": self.message,
            }
        if self.row is not None:
            return _("Item %(row)s: %(reason)s") % {"row": self.row, "reason": self.message}
        return self.message


class UnreadableFile(Exception):
    """The file as a whole cannot be read; its message says why, for the person."""

    def __init__(self, message: str) -> None:
        super().__init__("unreadable_file")
        self.message = message


Locate = Callable[[Loc], Problem]


@dataclass
class Parsed:
    """One item read from a file: its record when it validated, and how to point into it."""

    locate: Locate
    record: ItemRecord | None = None
    code: str = ""
    # What did not validate, by location in the record, until it is located in the file.
    invalid: list[tuple[Loc, str]] = field(default_factory=list)


def _path(loc: Loc) -> str:
    return ".".join(str(part) for part in loc)


def _detect_format(data: bytes, name: str = "") -> Format:
    lowered = name.lower()
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0") or lowered.endswith(".xls"):
        raise UnreadableFile(
            _("This is an old Excel file (.xls). Save it as an .xlsx workbook and try again.")
        )
    if lowered.endswith(".xlsx"):
        return "xlsx"
    return "json"


# JSON


def _read_json(data: bytes) -> list[Parsed]:
    try:
        entries = json.loads(data)
    except UnicodeDecodeError:
        raise UnreadableFile(_("The file is not UTF-8 text.")) from None
    except json.JSONDecodeError as error:
        raise UnreadableFile(
            _("The file is not valid JSON (line %(line)s).") % {"line": error.lineno}
        ) from None
    except (ValueError, RecursionError):
        raise UnreadableFile(_("The file is not valid JSON.")) from None
    if not isinstance(entries, list):
        raise UnreadableFile(_("The file must hold a list of items, as the export writes it."))
    if len(entries) > MAX_ITEMS:
        raise UnreadableFile(
            _("The file holds more than %(limit)s items; split it into smaller files.")
            % {"limit": MAX_ITEMS}
        )
    parsed: list[Parsed] = []
    for position, entry in enumerate(entries, start=1):

        def locate(loc: Loc, position: int = position) -> Problem:
            return Problem(message="", row=position, field=_path(loc))

        one = Parsed(locate=locate)
        if isinstance(entry, dict) and isinstance(entry.get("code"), str):
            one.code = entry["code"].strip()
        try:
            one.record = ItemRecord.model_validate(entry)
        except ValidationError as error:
            one.invalid = content_problems(error)
        parsed.append(one)
    return parsed


# Excel


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    # Cells that could not be read, by key: their reason.
    failed: dict[str, str] = field(default_factory=dict)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _open_workbook(data: bytes) -> Any:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableFile(_("The file is not an Excel workbook (.xlsx).")) from None
    if len(members) > MAX_ARCHIVE_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED_SIZE:
        raise UnreadableFile(_("The workbook is too large once unpacked."))
    try:
        # Read-only streams the sheets; formulas are read as their text and never evaluated.
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as error:
        log.info("catalog.import_unreadable_workbook", error_type=type(error).__name__)
        raise UnreadableFile(_("The file is not an Excel workbook (.xlsx).")) from None


def _sheet_rows(
    workbook: Any, title: str, columns: Sequence[Column], problems: list[Problem]
) -> list[_Row] | None:
    """The rows of one sheet with each cell read, or None when its header is not right.

    Problems of the header go to `problems`; a cell that cannot be read is kept in its row.
    """
    if title not in workbook.sheetnames:
        problems.append(Problem(sheet=title, message=_("The workbook has no sheet of this name.")))
        return None
    sheet = workbook[title]
    sheet.reset_dimensions()  # the size a file claims may be wrong: read what is there
    rows = sheet.iter_rows(values_only=False)
    header = next(rows, ())
    by_header = {column.header: column for column in columns}
    positions: list[Column | None] = []
    wrong = False
    for cell in header:
        text = _cell_text(cell.value)
        column = by_header.get(text)
        if text and (column is None or column in positions):
            wrong = True
            problems.append(
                Problem(
                    sheet=title,
                    row=1,
                    column=text,
                    message=_("This column is not part of the import format.")
                    if column is None
                    else _("This column appears twice."),
                )
            )
            column = None
        positions.append(column)
    for column in columns:
        if column not in positions:
            wrong = True
            problems.append(
                Problem(
                    sheet=title, row=1, column=column.header, message=_("This column is missing.")
                )
            )
    if wrong:
        return None

    found: list[_Row] = []
    for number, cells in enumerate(rows, start=2):
        if len(found) >= MAX_SHEET_ROWS:
            raise UnreadableFile(
                _("The sheet %(sheet)s has more than %(limit)s rows; split the file.")
                % {"sheet": title, "limit": MAX_SHEET_ROWS}
            )
        row = _Row(number=number, values={})
        blank = True
        for column, cell in zip(positions, cells, strict=False):
            if column is None or cell.value is None:
                continue
            text = _cell_text(cell.value)
            if not text:
                continue
            blank = False
            if getattr(cell, "data_type", "") == "f":
                row.failed[column.key] = _("Formulas are not read: enter the value itself.")
                continue
            try:
                row.values[column.key] = column.from_cell(text)
            except ValueError as error:
                row.failed[column.key] = str(error)
        if not blank:
            found.append(row)
    return found


def _read_xlsx(data: bytes, problems: list[Problem]) -> list[Parsed]:
    workbook = _open_workbook(data)
    try:
        return _read_workbook(workbook, problems)
    except UnreadableFile:
        raise
    except Exception as error:
        log.info("catalog.import_unreadable_workbook", error_type=type(error).__name__)
        raise UnreadableFile(_("The file is not an Excel workbook (.xlsx).")) from None
    finally:
        workbook.close()


def _cell_problems(title: str, columns: Sequence[Column], row: _Row) -> list[Problem]:
    headers = {column.key: column.header for column in columns}
    return [
        Problem(sheet=title, row=row.number, column=headers[key], message=message)
        for key, message in row.failed.items()
    ]


def _read_workbook(workbook: Any, problems: list[Problem]) -> list[Parsed]:
    item_rows = _sheet_rows(workbook, ITEM_SHEET, ITEM_COLUMNS, problems)
    list_rows = {
        name: _sheet_rows(workbook, title, columns, problems)
        for name, (title, columns) in LIST_SHEETS.items()
    }
    if item_rows is None or any(rows is None for rows in list_rows.values()):
        # Until every header is right the rows cannot be read for what they mean.
        return []
    if len(item_rows) > MAX_ITEMS:
        raise UnreadableFile(
            _("The file holds more than %(limit)s items; split it into smaller files.")
            % {"limit": MAX_ITEMS}
        )
    item_columns = {column.key: column.header for column in ITEM_COLUMNS}

    # Each item, and the rows of its materials, fees and questions, in the order of the sheets.
    items: dict[str, tuple[_Row, dict[str, list[_Row]]]] = {}
    for row in item_rows:
        code = str(row.values.get("code", "")).strip()
        if not code or code in items:
            problems.extend(_cell_problems(ITEM_SHEET, ITEM_COLUMNS, row))
            problems.append(
                Problem(
                    sheet=ITEM_SHEET,
                    row=row.number,
                    column=CODE_HEADER,
                    field="code",
                    message=_("This code is already in row %(row)s.")
                    % {"row": items[code][0].number}
                    if code
                    else _("This field is required."),
                )
            )
            continue
        items[code] = (row, {name: [] for name in LIST_SHEETS})
    for name, rows in list_rows.items():
        title, columns = LIST_SHEETS[name]
        for row in rows or []:
            code = str(row.values.get("code", "")).strip()
            if code not in items:
                problems.extend(_cell_problems(title, columns, row))
                problems.append(
                    Problem(
                        sheet=title,
                        row=row.number,
                        column=CODE_HEADER,
                        field="code",
                        message=_("There is no item with this code in the sheet %(sheet)s.")
                        % {"sheet": ITEM_SHEET}
                        if code
                        else _("This field is required."),
                    )
                )
                continue
            items[code][1][name].append(row)

    parsed: list[Parsed] = []
    for code, (row, lists) in items.items():
        content = {k: v for k, v in row.values.items() if k not in RECORD_KEYS}
        for name, rows in lists.items():
            content[name] = [{k: v for k, v in r.values.items() if k != "code"} for r in rows]
        entry = {key: row.values[key] for key in RECORD_KEYS if key in row.values}
        entry["content"] = content

        def locate(
            loc: Loc,
            row: _Row = row,
            lists: dict[str, list[_Row]] = lists,
        ) -> Problem:
            where = _path(loc)
            if loc and loc[0] == "content":
                loc = loc[1:]
            if len(loc) >= 2 and loc[0] in LIST_SHEETS and isinstance(loc[1], int):
                title, columns = LIST_SHEETS[str(loc[0])]
                rows = lists[str(loc[0])]
                headers = {column.key: column.header for column in columns}
                position = loc[1]
                number = rows[position].number if position < len(rows) else None
                part = str(loc[2]) if len(loc) > 2 else ""
                return Problem(
                    message="", sheet=title, row=number, column=headers.get(part, ""), field=where
                )
            key = str(loc[0]) if loc else ""
            return Problem(
                message="",
                sheet=ITEM_SHEET,
                row=row.number,
                column=item_columns.get(key, ""),
                field=where,
            )

        # The cells that could not be read first; then what the content says, but not again
        # for a value left out because its cell could not be read.
        unread: list[tuple[Loc, str]] = [
            ((key,) if key in RECORD_KEYS else ("content", key), message)
            for key, message in row.failed.items()
        ]
        for name, rows in lists.items():
            for position, list_row in enumerate(rows):
                unread += [
                    (("content", name, position, key), message)
                    for key, message in list_row.failed.items()
                    if key != "code"
                ]
        one = Parsed(locate=locate, code=code, invalid=unread)
        try:
            record = ItemRecord.model_validate(entry)
        except ValidationError as error:
            told = {loc for loc, _message in unread}
            one.invalid += [(loc, m) for loc, m in content_problems(error) if loc not in told]
        else:
            one.record = None if unread else record
        parsed.append(one)
    return parsed


# --- Import: planning and doing ---------------------------------------------------------------

Action = Literal["create", "update", "unchanged"]


@dataclass(frozen=True)
class Change:
    code: str
    action: Action
    changed_fields: tuple[str, ...] = ()

    @property
    def changed_labels(self) -> list[str]:
        return [str(FIELD_LABELS.get(name, name)) for name in self.changed_fields]


@dataclass
class ImportReport:
    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    # Whether anything was written (a real import without problems).
    imported: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, action: Action) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")


@dataclass
class _Plan:
    parsed: Parsed
    record: ItemRecord
    change: Change
    item: ServiceItem | None = None


def _problem(parsed: Parsed, loc: Loc, message: str) -> Problem:
    where = parsed.locate(loc)
    return Problem(
        message=message, sheet=where.sheet, row=where.row, column=where.column, field=where.field
    )


def _plan(parsed: list[Parsed], by: User, problems: list[Problem]) -> list[_Plan]:
    records = [p for p in parsed if p.record is not None]
    codes = [p.code for p in records]
    mine = editable_department_ids(user=by)
    departments = {
        d.code: d
        for d in Department.objects.filter(
            code__in={p.record.department for p in records if p.record}
        )
    }
    districts = {
        d.code: d
        for d in District.objects.filter(code__in={p.record.district for p in records if p.record})
    }
    existing = {
        item.code: item
        for item in with_open_revision(
            ServiceItem.objects.filter(code__in=codes).select_related("department", "district")
        )
    }
    life_events = set(LifeEvent.objects.values_list("slug", flat=True))
    plans: list[_Plan] = []
    seen: set[str] = set()
    for one in parsed:
        record = one.record
        if record is None:
            continue
        unknown = [slug for slug in record.content.life_events if slug not in life_events]
        if unknown:
            problems.append(
                _problem(
                    one,
                    ("content", "life_events"),
                    _("No such life event: %(slugs)s. Use one of: %(known)s.")
                    % {"slugs": "、".join(unknown), "known": "、".join(sorted(life_events))},
                )
            )
            continue
        if record.code in seen:
            problems.append(_problem(one, ("code",), _("This code appears twice in the file.")))
            continue
        seen.add(record.code)
        department = departments.get(record.department)
        if department is None:
            problems.append(
                _problem(one, ("department",), _("There is no department with this code."))
            )
            continue
        if department.pk not in mine:
            problems.append(
                _problem(
                    one,
                    ("department",),
                    _("You can only import items of your own departments."),
                )
            )
            continue
        district = districts.get(record.district) if record.district else None
        if record.district and district is None:
            problems.append(_problem(one, ("district",), _("There is no district with this code.")))
            continue
        new_content = record.content.model_dump(mode="json")
        item = existing.get(record.code)
        if item is None:
            plans.append(
                _Plan(
                    parsed=one,
                    record=record,
                    change=Change(code=record.code, action="create"),
                )
            )
            continue
        if item.department_id not in mine:
            problems.append(_problem(one, ("code",), _("An item with this code already exists.")))
            continue
        if item.department_id != department.pk:
            problems.append(
                _problem(
                    one,
                    ("department",),
                    _("This item belongs to %(department)s; an import cannot move it.")
                    % {"department": item.department.code},
                )
            )
            continue
        if (item.district.code if item.district else "") != record.district:
            problems.append(
                _problem(
                    one,
                    ("district",),
                    _("An import cannot change the district of an existing item."),
                )
            )
            continue
        open_revisions: list[ItemRevision] = getattr(item, "open_revisions", [])
        current = _latest_content(item)
        fields = tuple(changed_fields(current, new_content))
        if not fields:
            plans.append(
                _Plan(
                    parsed=one,
                    record=record,
                    item=item,
                    change=Change(code=record.code, action="unchanged"),
                )
            )
            continue
        if open_revisions and open_revisions[0].state == RevisionState.SUBMITTED:
            problems.append(
                _problem(
                    one,
                    ("code",),
                    _(
                        "A version of this item is waiting for review; it can be changed "
                        "once it is published or returned."
                    ),
                )
            )
            continue
        plans.append(
            _Plan(
                parsed=one,
                record=record,
                item=item,
                change=Change(code=record.code, action="update", changed_fields=fields),
            )
        )
    return plans


class _Failed(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__("import_failed")
        self.problem = problem


def _apply(plans: list[_Plan], by: User, submit: bool) -> None:
    summary = _("Imported from a file")
    with transaction.atomic():
        for plan in plans:
            if plan.change.action == "unchanged":
                continue
            try:
                if plan.item is None:
                    revision = services.item_create(
                        record=plan.record, by=by, summary=summary, source="import"
                    )
                else:
                    revision = services.revision_save(
                        item=plan.item,
                        content=plan.record.content,
                        by=by,
                        summary=summary,
                        source="import",
                    )
                if submit:
                    services.revision_submit(revision_id=revision.pk, by=by)
            except ApplicationError as error:
                named = next(iter(error.fields), "code")
                loc: Loc = (named,) if named in RECORD_KEYS else ("content", named)
                message = str(error.fields.get(named, error.message))
                raise _Failed(_problem(plan.parsed, loc, message)) from None


_SHEET_ORDER = {
    ITEM_SHEET: 0,
    **{title: n for n, (title, _c) in enumerate(LIST_SHEETS.values(), 1)},
}
_COLUMN_ORDER = {
    (title, column.header): n
    for title, columns in [(ITEM_SHEET, ITEM_COLUMNS), *LIST_SHEETS.values()]
    for n, column in enumerate(columns)
}


def _reading_order(problem: Problem) -> tuple[int, int, int]:
    """Problems as a person reads the file: sheet by sheet, row by row, left to right."""
    return (
        _SHEET_ORDER.get(problem.sheet, -1),
        problem.row or 0,
        _COLUMN_ORDER.get((problem.sheet, problem.column), -1),
    )


def items_import(
    *,
    data: bytes,
    by: User,
    dry_run: bool,
    submit: bool = False,
    file_format: str = "",
    name: str = "",
) -> ImportReport:
    """Reads an import file whole, checks every row, and (unless a dry run) imports it.

    Nothing is written when any problem is found. `file_format` is "json" or "xlsx"; when
    empty it is told from the file itself.
    """
    report = ImportReport(dry_run=dry_run)
    problems = report.problems
    try:
        if len(data) > MAX_FILE_SIZE:
            raise UnreadableFile(
                _("The file is larger than %(size)s MB.") % {"size": MAX_FILE_SIZE // 2**20}
            )
        if not data.strip():
            raise UnreadableFile(_("The file is empty."))
        chosen: Format = file_format if file_format in FORMATS else _detect_format(data, name)
        parsed = _read_xlsx(data, problems) if chosen == "xlsx" else _read_json(data)
    except UnreadableFile as error:
        problems.append(Problem(message=error.message, field="file"))
        return report

    for one in parsed:
        for loc, message in one.invalid:
            problems.append(_problem(one, loc, message))
    if not parsed and not problems:
        problems.append(Problem(message=_("The file holds no items."), field="file"))
    # The items that were read are checked against the catalogue even when others were not,
    # so that one pass tells every problem.
    plans = _plan(parsed, by, problems)
    problems.sort(key=_reading_order)
    del problems[MAX_PROBLEMS:]
    if problems:
        log.info("catalog.import_refused", problems=len(problems), by=str(by.pk))
        return report
    report.changes = [plan.change for plan in plans]
    if dry_run:
        return report
    try:
        _apply(plans, by, submit)
    except _Failed as failed:
        report.changes = []
        problems.append(failed.problem)
        log.info("catalog.import_refused", problems=1, by=str(by.pk))
        return report
    report.imported = True
    log.info(
        "catalog.items_imported",
        created=report.count("create"),
        updated=report.count("update"),
        unchanged=report.count("unchanged"),
        submitted=submit,
        by=str(by.pk),
    )
    return report


def export_filename(file_format: Format, department: str = "") -> str:
    stamp = timezone.localdate().strftime("%Y%m%d")
    part = f"-{department}" if department else ""
    return f"citygate-items{part}-{stamp}.{file_format}"


def iter_problems(report: ImportReport) -> Iterator[dict[str, Any]]:
    for problem in report.problems:
        yield {
            "sheet": problem.sheet,
            "row": problem.row,
            "column": problem.column,
            "field": problem.field,
            "message": problem.message,
        }
