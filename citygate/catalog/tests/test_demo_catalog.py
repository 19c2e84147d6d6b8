"""The Suzhou demo catalogue: what the JSON files must hold, and that they load."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict

import pytest

from citygate.catalog import demo
from citygate.catalog.content import CATEGORY_SLUGS, ItemRecord
from citygate.catalog.models import ItemStatus, LifeEventItem, ServiceItem
from citygate.directory.reference import DEPARTMENTS, DISTRICTS

LIFE_EVENT_SLUGS = {
    "newborn",
    "start-business",
    "retirement",
    "second-hand-home",
    "residence-permit",
}
CODE = re.compile(r"^SZ-([A-Z0-9]+)-[0-9]{4}$")

# Items the catalogue must offer, by department code, under exactly these names.
REQUIRED: dict[str, tuple[str, ...]] = {
    "public-security": (
        "居民身份证首次申领",
        "居民身份证换领",
        "居民身份证补领",
        "临时居民身份证申领",
        "居住证申领",
        "居住证签注",
        "出生登记",
        "户口迁入登记",
        "无犯罪记录证明开具",
        "机动车驾驶证期满换证",
        "机动车驾驶证补证",
        "交通违法处理",
        "往来港澳通行证及签注签发",
        "普通护照签发",
    ),
    "human-resources": (
        "社会保障卡申领",
        "社会保障卡挂失",
        "个人参保证明查询打印",
        "失业保险金申领",
        "基本养老保险待遇申领",
        "灵活就业人员参保登记",
        "就业困难人员认定",
    ),
    "healthcare-security": (
        "异地就医备案",
        "基本医疗保险关系转移接续",
        "生育津贴申领",
        "城乡居民基本医疗保险参保登记",
    ),
    "housing-fund": ("住房公积金提取（租房）", "住房公积金贷款申请", "住房公积金缴存证明开具"),
    "civil-affairs": ("内地居民结婚登记", "最低生活保障申请", "尊老金申领", "残疾人两项补贴申请"),
    "health": ("出生医学证明办理", "生育登记", "预防接种证办理"),
    "education": ("义务教育阶段新生入学报名",),
    "natural-resources": ("不动产登记信息查询", "不动产转移登记"),
    "housing": ("公共租赁住房申请", "商品房买卖合同网签备案"),
    "water-group": ("用水报装", "用水户名变更", "水费缴纳", "供水抢修报修", "停水信息查询"),
    "water": ("城镇污水排入排水管网许可证核发", "污水管网问题举报"),
    "market-regulation": (
        "个体工商户设立登记",
        "公司设立登记",
        "食品经营许可证核发",
        "消费投诉举报",
    ),
    "taxation": ("个人所得税综合所得年度汇算", "完税证明开具"),
    "commerce": ("外商投资企业信息报告", "对外贸易经营者备案登记"),
    "transport": ("出租汽车服务投诉",),
    "urban-management": ("户外广告设施设置审批", "城市建筑垃圾处置核准"),
    "ecology-environment": ("环境污染投诉举报",),
    "culture-tourism": ("图书馆读者证办理", "旅游投诉"),
    "sports": ("公共体育场馆预约",),
    "disabled-persons": ("残疾人证办理",),
    "justice": ("法律援助申请",),
    "hotline-12345": ("12345热线投诉建议",),
}


@pytest.fixture(scope="module")
def records() -> list[ItemRecord]:
    return demo.records()


def test_demo_files_each_hold_a_list_of_valid_records_of_their_own_department() -> None:
    # given
    paths = sorted(demo.ITEMS_DIR.glob("*.json"))
    assert paths

    for path in paths:
        # when
        data = json.loads(path.read_text(encoding="utf-8"))

        # then
        assert isinstance(data, list), path.name
        assert data, path.name
        for entry in data:
            record = ItemRecord.model_validate(entry)
            assert record.department == path.stem, (path.name, record.code)


def test_demo_records_have_unique_codes_with_one_prefix_per_department(
    records: list[ItemRecord],
) -> None:
    # given
    codes = Counter(record.code for record in records)
    prefixes: dict[str, set[str]] = defaultdict(set)

    # when
    for record in records:
        match = CODE.match(record.code)
        assert match, record.code
        prefixes[record.department].add(match.group(1))

    # then
    assert [code for code, count in codes.items() if count > 1] == []
    assert {d: p for d, p in prefixes.items() if len(p) != 1} == {}
    owners = Counter(next(iter(p)) for p in prefixes.values())
    assert [prefix for prefix, count in owners.items() if count > 1] == []


def test_demo_records_cover_enough_items_and_departments(records: list[ItemRecord]) -> None:
    # when
    departments = {record.department for record in records}

    # then
    assert len(records) >= 150
    assert len(departments) >= 20


def test_demo_records_name_only_known_departments_and_districts(
    records: list[ItemRecord],
) -> None:
    # given
    known_departments = {row.code for row in DEPARTMENTS}
    known_districts = {row.code for row in DISTRICTS}

    # then
    assert {r.department for r in records} - known_departments == set()
    assert {r.district for r in records if r.district} - known_districts == set()


def test_demo_records_contain_every_required_item_in_its_department(
    records: list[ItemRecord],
) -> None:
    # given
    offered = {(record.department, record.content.name) for record in records}

    # when
    missing = [
        (department, name)
        for department, names in REQUIRED.items()
        for name in names
        if (department, name) not in offered
    ]

    # then
    assert missing == []


def test_demo_records_give_every_life_event_at_least_three_items(
    records: list[ItemRecord],
) -> None:
    # when
    bundled = Counter(slug for record in records for slug in record.content.life_events)

    # then
    assert set(bundled) == LIFE_EVENT_SLUGS
    assert {slug: n for slug, n in bundled.items() if n < 3} == {}


def test_demo_records_give_every_category_at_least_five_items(
    records: list[ItemRecord],
) -> None:
    # when
    per_category = Counter(record.content.category for record in records)

    # then
    assert {slug: per_category[slug] for slug in CATEGORY_SLUGS if per_category[slug] < 5} == {}


def test_demo_records_are_all_written_in_english_too(records: list[ItemRecord]) -> None:
    # when
    untranslated = [
        record.code
        for record in records
        if not record.content.name_en or not record.content.summary_en
    ]

    # then
    assert untranslated == []


def test_demo_records_promise_no_more_than_the_statutory_limit(
    records: list[ItemRecord],
) -> None:
    # when
    late = [
        record.code
        for record in records
        if record.content.promised_limit_days > record.content.statutory_limit_days
    ]

    # then
    assert late == []


def test_demo_records_use_the_12345_hotline_for_enquiries_and_complaints(
    records: list[ItemRecord],
) -> None:
    # when
    other = [
        record.code
        for record in records
        if {record.content.enquiry_phone, record.content.complaint_phone} != {"12345"}
    ]

    # then
    assert other == []


def test_demo_records_carry_a_few_keywords_and_aliases_each(records: list[ItemRecord]) -> None:
    # when
    off = [
        record.code
        for record in records
        if not 3 <= len(record.content.keywords) <= 8 or not 2 <= len(record.content.aliases) <= 6
    ]

    # then
    assert off == []


@pytest.mark.django_db
def test_demo_load_publishes_every_record_once(records: list[ItemRecord]) -> None:
    # when
    first = demo.load()
    second = demo.load()

    # then
    assert first == len(records)
    assert second == 0
    published = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
    assert published.count() == len(records)
    assert not ServiceItem.objects.exclude(status=ItemStatus.PUBLISHED).exists()
    linked = sum(len(record.content.life_events) for record in records)
    assert LifeEventItem.objects.count() == linked
