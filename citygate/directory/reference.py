"""The city's departments and districts as reference data.

Departments are the city bodies and public enterprises in the attendance list of the Suzhou
executive meeting of 2020-05-06 (seed minutes), plus the bodies that run or back the app. The
district codes are GB/T 2260 codes of the Ministry of Civil Affairs, except for Suzhou
Industrial Park, which has only a statistical code of the National Bureau of Statistics.

This module is plain data on purpose: the data migration reads it, so it imports nothing.
"""

from __future__ import annotations

from typing import NamedTuple

MCA_SOURCE = "GB/T 2260, Ministry of Civil Affairs"
NBS_SOURCE = "NBS statistical division code, 2023 edition (320571 in the 2017-2022 editions)"


class DistrictRow(NamedTuple):
    code: str
    name_zh: str
    name_en: str
    kind: str
    code_source: str


class DepartmentRow(NamedTuple):
    code: str
    name_zh: str
    name_en: str
    kind: str


DISTRICTS: tuple[DistrictRow, ...] = (
    DistrictRow("320508", "姑苏区", "Gusu District", "district", MCA_SOURCE),
    DistrictRow(
        "320505",
        "虎丘区（苏州高新区）",
        "Huqiu District (Suzhou New District)",
        "district",
        MCA_SOURCE,
    ),
    DistrictRow("320506", "吴中区", "Wuzhong District", "district", MCA_SOURCE),
    DistrictRow("320507", "相城区", "Xiangcheng District", "district", MCA_SOURCE),
    DistrictRow("320509", "吴江区", "Wujiang District", "district", MCA_SOURCE),
    DistrictRow("320581", "常熟市", "Changshu", "county_city", MCA_SOURCE),
    DistrictRow("320582", "张家港市", "Zhangjiagang", "county_city", MCA_SOURCE),
    DistrictRow("320583", "昆山市", "Kunshan", "county_city", MCA_SOURCE),
    DistrictRow("320585", "太仓市", "Taicang", "county_city", MCA_SOURCE),
    # A functional zone administered by its own committee, not a civil-affairs division.
    DistrictRow("320576", "苏州工业园区", "Suzhou Industrial Park", "functional_zone", NBS_SOURCE),
)

DEPARTMENTS: tuple[DepartmentRow, ...] = (
    # Runs the app.
    DepartmentRow("big-data", "市大数据局", "Suzhou Big Data Administration", "bureau"),
    DepartmentRow(
        "development-reform", "市发改委", "Suzhou Development and Reform Commission", "bureau"
    ),
    DepartmentRow("education", "市教育局", "Suzhou Education Bureau", "bureau"),
    DepartmentRow(
        "science-technology", "市科技局", "Suzhou Science and Technology Bureau", "bureau"
    ),
    DepartmentRow(
        "industry-it",
        "市工信局",
        "Suzhou Bureau of Industry and Information Technology",
        "bureau",
    ),
    DepartmentRow(
        "ethnic-religious", "市民宗局", "Suzhou Ethnic and Religious Affairs Bureau", "bureau"
    ),
    DepartmentRow("public-security", "市公安局", "Suzhou Public Security Bureau", "bureau"),
    DepartmentRow("civil-affairs", "市民政局", "Suzhou Civil Affairs Bureau", "bureau"),
    DepartmentRow("justice", "市司法局", "Suzhou Justice Bureau", "bureau"),
    DepartmentRow("finance", "市财政局", "Suzhou Finance Bureau", "bureau"),
    DepartmentRow(
        "human-resources",
        "市人社局",
        "Suzhou Human Resources and Social Security Bureau",
        "bureau",
    ),
    DepartmentRow(
        "natural-resources",
        "市资源规划局",
        "Suzhou Natural Resources and Planning Bureau",
        "bureau",
    ),
    DepartmentRow(
        "ecology-environment", "市生态环境局", "Suzhou Ecology and Environment Bureau", "bureau"
    ),
    DepartmentRow(
        "housing",
        "市住建局",
        "Suzhou Housing and Urban-Rural Development Bureau",
        "bureau",
    ),
    DepartmentRow("landscape", "市园林绿化局", "Suzhou Landscape and Greening Bureau", "bureau"),
    DepartmentRow("urban-management", "市城管局", "Suzhou Urban Management Bureau", "bureau"),
    DepartmentRow("transport", "市交通局", "Suzhou Transport Bureau", "bureau"),
    DepartmentRow("water", "市水务局", "Suzhou Water Affairs Bureau", "bureau"),
    DepartmentRow(
        "agriculture", "市农业农村局", "Suzhou Agriculture and Rural Affairs Bureau", "bureau"
    ),
    DepartmentRow("commerce", "市商务局", "Suzhou Commerce Bureau", "bureau"),
    DepartmentRow(
        "culture-tourism",
        "市文广旅局",
        "Suzhou Culture, Radio, Television and Tourism Bureau",
        "bureau",
    ),
    DepartmentRow("health", "市卫生健康委", "Suzhou Health Commission", "bureau"),
    DepartmentRow("foreign-affairs", "市外办", "Suzhou Foreign Affairs Office", "bureau"),
    DepartmentRow(
        "state-assets",
        "市国资委",
        "Suzhou State-owned Assets Supervision and Administration Commission",
        "bureau",
    ),
    DepartmentRow(
        "administrative-approval", "市行政审批局", "Suzhou Administrative Approval Bureau", "bureau"
    ),
    DepartmentRow(
        "market-regulation", "市市场监管局", "Suzhou Administration for Market Regulation", "bureau"
    ),
    DepartmentRow("sports", "市体育局", "Suzhou Sports Bureau", "bureau"),
    DepartmentRow("statistics", "市统计局", "Suzhou Statistics Bureau", "bureau"),
    DepartmentRow("healthcare-security", "市医保局", "Suzhou Healthcare Security Bureau", "bureau"),
    DepartmentRow(
        "financial-regulation",
        "市金融监管局",
        "Suzhou Local Financial Supervision and Administration Bureau",
        "bureau",
    ),
    DepartmentRow(
        "government-offices", "市机关事务局", "Suzhou Government Offices Administration", "bureau"
    ),
    DepartmentRow("broadcasting", "市广电总台", "Suzhou Broadcasting System", "bureau"),
    # Vertically managed by central bodies, but serving the city's residents and enterprises.
    DepartmentRow("taxation", "市税务局", "Suzhou Municipal Tax Service", "bureau"),
    DepartmentRow("customs", "苏州海关", "Suzhou Customs", "bureau"),
    DepartmentRow(
        "housing-fund",
        "住房公积金管理中心",
        "Suzhou Housing Provident Fund Management Centre",
        "centre",
    ),
    DepartmentRow("hotline-12345", "12345便民服务中心", "12345 Citizen Service Centre", "centre"),
    DepartmentRow(
        "disabled-persons", "市残联", "Suzhou Disabled Persons' Federation", "organisation"
    ),
    DepartmentRow("water-group", "苏州水务集团", "Suzhou Water Group", "enterprise"),
    DepartmentRow(
        "power-supply", "苏州供电公司", "State Grid Suzhou Power Supply Company", "enterprise"
    ),
    DepartmentRow(
        "international-development",
        "苏州国发集团",
        "Suzhou International Development Group",
        "enterprise",
    ),
    DepartmentRow("cable-tv", "江苏有线苏州分公司", "Jiangsu Cable, Suzhou Branch", "enterprise"),
    DepartmentRow("snd-tram", "高新有轨电车公司", "Suzhou New District Tram Company", "enterprise"),
)
