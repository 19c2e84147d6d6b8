"""What a service item says: the elements of a national implementation list (实施清单).

One `ItemContent` is one version of an item's guide. The back office edits it, the import
reads it from Excel or JSON, the demo data is written in it, and a published revision keeps
it whole, so the guide a resident read on a given day can always be shown again.

The elements follow the national item-data exchange: name and code, implementing body, who it
serves, statutory and promised time limits (工作日), visits needed (到办事现场次数), how far it
can be done online (网上办理深度), materials with form, copies, necessity and whether an
electronic licence is accepted, fees with their legal basis, legal basis, place, hours, and
the enquiry and complaint phones.
"""

from __future__ import annotations

import re
from enum import IntEnum, StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

# Codes of the shell's service categories (citygate.shell.selectors.SERVICE_CATEGORIES).
CATEGORY_SLUGS = (
    "id-residence",
    "social-security",
    "health",
    "housing-fund",
    "education",
    "transport",
    "utilities",
    "business",
    "civil-affairs",
    "feedback",
)

# An item code: capital letters, digits and hyphens, as implementation codes are written.
ITEM_CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{4,47}$")

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=80)]
Word = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=32, pattern=r"^[0-9+\-() ]*$")
]


class ItemType(StrEnum):
    """事项类型: the kinds of 依申请 items, and public services."""

    LICENCE = "licence"  # 行政许可
    CONFIRMATION = "confirmation"  # 行政确认
    ADJUDICATION = "adjudication"  # 行政裁决
    BENEFIT = "benefit"  # 行政给付
    AWARD = "award"  # 行政奖励
    FILING = "filing"  # 行政备案
    OTHER_POWER = "other_power"  # 其他行政权力
    PUBLIC_SERVICE = "public_service"  # 公共服务


class Audience(StrEnum):
    """服务对象."""

    PERSON = "person"  # 自然人
    ENTERPRISE = "enterprise"  # 法人 and other organisations


class OnlineDepth(IntEnum):
    """网上办理深度: how much of the item can be done without coming to a hall."""

    GUIDE = 1  # the guide is online; everything is done at a window
    FORMS = 2  # forms can be downloaded and filled in beforehand
    PRE_REVIEW = 3  # materials can be checked online before the visit (在线预审)
    ONLINE = 4  # applied for and accepted online; at most one visit (最多跑一次)
    FULL_ONLINE = 5  # done entirely online, with no visit (全程网办)


class MaterialForm(StrEnum):
    ORIGINAL = "original"  # 原件
    COPY = "copy"  # 复印件
    ORIGINAL_AND_COPY = "original_and_copy"  # 原件和复印件
    ELECTRONIC = "electronic"  # 电子材料


class Necessity(StrEnum):
    REQUIRED = "required"  # 必要
    OPTIONAL = "optional"  # 非必要 (needed only in some cases, said in the note)
    DEFERRABLE = "deferrable"  # 容缺: may be handed in after acceptance


class Scope(StrEnum):
    """通办范围: where the item can be handled."""

    CITY = "city"  # 全市通办
    PROVINCE = "province"  # 全省通办
    NATION = "nation"  # 跨省通办


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Material(_Strict):
    name: Name
    form: MaterialForm
    # Paper copies handed in; 0 when nothing on paper is kept.
    copies: int = Field(default=1, ge=0, le=20)
    necessity: Necessity = Necessity.REQUIRED
    # Accepted as an electronic licence (电子证照) instead of paper.
    e_licence: bool = False
    # 来源渠道: who issues it (the applicant, a department, a hospital...).
    source: ShortText = ""
    note: ShortText = ""


class Fee(_Strict):
    name: Name
    # 收费标准, as published: "20元/证".
    standard: ShortText
    # 收费依据: the document that sets the fee.
    basis: ShortText
    waivable: bool = False


class Question(_Strict):
    question: ShortText
    answer: Text


class ItemContent(_Strict):
    name: Name
    name_en: ShortText = ""
    summary: ShortText = ""
    summary_en: ShortText = ""
    item_type: ItemType
    category: Annotated[str, StringConstraints(pattern="^(" + "|".join(CATEGORY_SLUGS) + ")$")]
    # 实施主体: the body that decides, which can differ from the department's name.
    implementing_body: Name
    audience: list[Audience] = Field(min_length=1, max_length=2)
    # 法定办结时限 and 承诺办结时限, in working days; 0 means done on the spot (即办件).
    statutory_limit_days: int = Field(ge=0, le=365)
    promised_limit_days: int = Field(ge=0, le=365)
    # 到办事现场次数.
    visits: int = Field(ge=0, le=5)
    online_depth: OnlineDepth
    # Whether a visit to a hall can be booked (是否支持预约办理).
    appointment: bool = False
    scope: Scope = Scope.CITY
    conditions: Text = ""  # 受理条件
    process: list[ShortText] = Field(default_factory=list, max_length=20)  # 办理流程
    materials: list[Material] = Field(default_factory=list, max_length=40)
    fees: list[Fee] = Field(default_factory=list, max_length=10)  # none: free of charge
    legal_basis: list[ShortText] = Field(default_factory=list, max_length=20)  # 设定依据
    result: ShortText = ""  # 办理结果: the licence, certificate or decision issued
    place: ShortText = ""  # 办理地点
    hours: ShortText = ""  # 办理时间
    enquiry_phone: Phone = ""  # 咨询电话
    complaint_phone: Phone = ""  # 监督投诉电话
    keywords: list[Word] = Field(default_factory=list, max_length=30)
    # What people call it in their own words ("身份证丢了", "开公司").
    aliases: list[Word] = Field(default_factory=list, max_length=30)
    # Slugs of the life events (一件事) the item belongs to.
    life_events: list[Word] = Field(default_factory=list, max_length=10)
    faq: list[Question] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _promise_within_statute(self) -> ItemContent:
        if self.statutory_limit_days and self.promised_limit_days > self.statutory_limit_days:
            raise ValueError("promised_limit_days exceeds statutory_limit_days")
        if self.online_depth == OnlineDepth.FULL_ONLINE and self.visits:
            raise ValueError("an item done entirely online needs no visit")
        return self

    @property
    def can_apply_online(self) -> bool:
        return self.online_depth >= OnlineDepth.ONLINE

    @property
    def is_free(self) -> bool:
        return not self.fees


class ItemRecord(_Strict):
    """One item as the import and export carry it: where it belongs, and what it says."""

    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=ITEM_CODE_PATTERN)]
    department: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)]
    # Code of the district whose body implements it; empty for a city-level item.
    district: Annotated[str, StringConstraints(strip_whitespace=True, max_length=12)] = ""
    content: ItemContent
