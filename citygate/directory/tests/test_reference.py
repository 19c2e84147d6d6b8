import pytest
from django.utils import translation

from citygate.directory import selectors
from citygate.directory.models import DepartmentKind, DistrictKind
from citygate.directory.reference import DEPARTMENTS, DISTRICTS

SEED_BUREAUS = [
    "市发改委",
    "市教育局",
    "市科技局",
    "市工信局",
    "市民宗局",
    "市公安局",
    "市民政局",
    "市司法局",
    "市财政局",
    "市人社局",
    "市资源规划局",
    "市生态环境局",
    "市住建局",
    "市园林绿化局",
    "市城管局",
    "市交通局",
    "市水务局",
    "市农业农村局",
    "市商务局",
    "市文广旅局",
    "市卫生健康委",
    "市外办",
    "市国资委",
    "市行政审批局",
    "市市场监管局",
    "市体育局",
    "市统计局",
    "市医保局",
    "市金融监管局",
    "市机关事务局",
    "市广电总台",
    "市税务局",
    "苏州海关",
    "苏州水务集团",
    "苏州供电公司",
    "市大数据局",
    "住房公积金管理中心",
    "市残联",
    "12345便民服务中心",
]


@pytest.mark.django_db
def test_district_list_after_migrations_holds_the_ten_districts_with_codes() -> None:
    # when
    districts = {d.name_zh: d for d in selectors.district_list()}

    # then
    assert len(districts) == 10
    assert districts["姑苏区"].code == "320508"
    assert districts["虎丘区（苏州高新区）"].code == "320505"
    assert districts["昆山市"].kind == DistrictKind.COUNTY_CITY
    park = districts["苏州工业园区"]
    assert park.code == "320576"
    assert park.kind == DistrictKind.FUNCTIONAL_ZONE
    assert "NBS" in park.code_source


@pytest.mark.django_db
def test_department_list_after_migrations_holds_every_seed_bureau() -> None:
    # when
    names = {d.name_zh for d in selectors.department_list()}

    # then
    assert set(SEED_BUREAUS) <= names
    assert len(names) == len(DEPARTMENTS)


@pytest.mark.django_db
def test_department_display_name_in_english_is_the_english_name() -> None:
    # given
    department = selectors.department_by_code(code="public-security")
    assert department is not None

    # when
    with translation.override("en"):
        english = department.display_name
    with translation.override("zh-hans"):
        chinese = department.display_name

    # then
    assert english == "Suzhou Public Security Bureau"
    assert chinese == "市公安局"


def test_reference_data_has_unique_codes_and_known_kinds() -> None:
    # then
    assert len({row.code for row in DEPARTMENTS}) == len(DEPARTMENTS)
    assert len({row.code for row in DISTRICTS}) == len(DISTRICTS)
    assert {row.kind for row in DEPARTMENTS} <= set(DepartmentKind.values)
    assert {row.kind for row in DISTRICTS} <= set(DistrictKind.values)
    assert all(row.name_en.isascii() for row in DEPARTMENTS)
    assert all(row.name_en.isascii() for row in DISTRICTS)


@pytest.mark.django_db
def test_district_by_code_with_unknown_code_returns_none() -> None:
    # when / then
    assert selectors.district_by_code(code="999999") is None
