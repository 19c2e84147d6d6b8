"""Masked display forms of phone numbers, ID numbers, names and addresses."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from citygate.privacy.masking import mask_address, mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13800138000", "138****8000"),
        ("+86 138-0013-8000", "138****8000"),
        ("8613800138000", "138****8000"),
        ("12345", "*****"),
    ],
)
def test_mask_phone_keeps_first_three_and_last_four(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("id_number", "masked"),
    [
        ("110105198001010123", "110105********0123"),
        ("11010519491231002x", "110105********002X"),
        ("110105491231002", "110105*****1002"),
        ("12345", "*****"),
    ],
)
def test_mask_id_number_keeps_division_code_and_last_four(id_number: str, masked: str) -> None:
    assert mask_id_number(id_number) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        ("李小龙", "李**"),
        ("阿卜杜拉·买买提", "阿***·***"),
        ("张", "*"),
        ("John Smith", "J*** S****"),
        ("Mary-Jane O'Neil", "M***-J*** O'N***"),
        ("  Anna   Lee ", "A*** L**"),
    ],
)
def test_mask_name_keeps_only_the_first_character(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("江苏省苏州市姑苏区平江街道平江路100号", "江苏省苏州市姑苏区平江街道****"),
        ("苏州市吴中区木渎镇中山东路1号3幢201室", "苏州市吴中区木渎镇****"),
        ("苏州市工业园区星湖街328号", "苏州市工业园区****"),
        ("江苏省苏州市常熟市虞山街道海虞北路1号", "江苏省苏州市常熟市虞山街道****"),
        # A residential compound ends in 区 but is not a district.
        ("姑苏区桐芳巷小区3幢", "姑苏区****"),
        ("苏州市相城区元和街道", "苏州市相城区元和街道"),
        ("平江路100号", "****"),
        ("Room 5, 100 Pingjiang Rd, Gusu District, Suzhou", "****, Gusu District, Suzhou"),
        ("100 Pingjiang Road Gusu District Suzhou", "****, Gusu District Suzhou"),
        ("Flat 2, 8 Some Lane", "****"),
    ],
)
def test_mask_address_keeps_levels_down_to_subdistrict(address: str, masked: str) -> None:
    assert mask_address(address) == masked


@pytest.mark.parametrize("mask", [mask_phone, mask_id_number, mask_name, mask_address])
@pytest.mark.parametrize("empty", [None, "", "   "])
def test_mask_of_nothing_is_empty(mask: Callable[[str | None], str], empty: str | None) -> None:
    assert mask(empty) == ""
