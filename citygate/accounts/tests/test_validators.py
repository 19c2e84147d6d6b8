import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citygate.accounts.models import normalise_id_number, normalise_phone
from citygate.accounts.validators import (
    CREDIT_CODE_ALPHABET,
    InvalidNumber,
    Sex,
    credit_check_char,
    id_check_char,
    organisation_check_char,
    parse_credit_code,
    parse_id_number,
    parse_phone,
)

TODAY = datetime.date(2026, 12, 3)
# No deadline: the first example loads the division table, and test machines are shared.
unhurried = settings(deadline=None)


def with_id_check(first17: str) -> str:
    return first17 + id_check_char(first17)


def with_credit_check(first8: str, org_body: str) -> str:
    first17 = first8 + org_body + organisation_check_char(org_body)
    return first17 + credit_check_char(first17)


# --- phone ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+8613800138000",
        "8613800138000",
        "0086 13800138000",
        "１３８００１３８０００",
        "  19912345678 ",
    ],
)
def test_parse_phone_with_accepted_spellings_returns_eleven_digits(raw: str) -> None:
    # when
    phone = parse_phone(raw)

    # then
    assert len(phone) == 11
    assert phone.isdigit()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "phone_empty"),
        ("   ", "phone_empty"),
        ("1380013800", "phone_length"),
        ("138001380001", "phone_length"),
        ("+86 138 0013 800", "phone_length"),
        ("12800138000", "phone_prefix"),
        ("23800138000", "phone_prefix"),
        ("138.0013.8000", "phone_characters"),
        ("1380013800a", "phone_characters"),
        ("+1 415 555 0100", "phone_characters"),
        ("138\x0000138000", "phone_characters"),
    ],
)
def test_parse_phone_with_bad_input_raises_specific_reason(raw: str, code: str) -> None:
    # when
    with pytest.raises(InvalidNumber) as caught:
        parse_phone(raw)

    # then
    assert caught.value.code == code
    assert str(caught.value.reason)
    assert raw.strip() == "" or raw not in str(caught.value)


# --- resident ID number -----------------------------------------------------------------------


def test_id_check_char_with_standard_annex_example_is_x() -> None:
    # when / then
    assert id_check_char("11010519491231002") == "X"
    assert id_check_char("44052418800101001") == "4"


def test_parse_id_number_with_standard_example_returns_birth_date_sex_and_division() -> None:
    # when
    result = parse_id_number("11010519491231002x", today=TODAY)

    # then
    assert result.number == "11010519491231002X"
    assert result.birth_date == datetime.date(1949, 12, 31)
    assert result.sex is Sex.FEMALE
    assert result.division.code == "110105"
    assert result.division.name == "朝阳区"
    assert result.division.province == "北京市"
    assert result.division.retired_after is None


def test_parse_id_number_with_odd_seventeenth_digit_is_male() -> None:
    # given
    number = with_id_check("32050819800101001")

    # when
    result = parse_id_number(number, today=TODAY)

    # then
    assert result.sex is Sex.MALE
    assert result.division.name == "姑苏区"


@pytest.mark.parametrize(
    ("division", "birth", "name"),
    [
        ("320502", "19480305", "沧浪区"),
        ("320503", "19620101", "平江区"),
        ("320504", "19751120", "金阊区"),
        ("320584", "19950607", "吴江市"),
        ("320502", "20121231", "沧浪区"),
        ("320524", "19550101", "吴县"),
    ],
)
def test_parse_id_number_with_retired_suzhou_code_and_early_birth_is_valid(
    division: str, birth: str, name: str
) -> None:
    # given
    number = with_id_check(division + birth + "024")

    # when
    result = parse_id_number(number, today=TODAY)

    # then
    assert result.division.code == division
    assert result.division.name == name
    assert result.division.retired_after is not None


def test_parse_id_number_with_code_introduced_after_birth_is_valid() -> None:
    # given: 姑苏区 exists since 2012; a person born in 1948 can be issued a number there
    number = with_id_check("32050819480305002")

    # when
    result = parse_id_number(number, today=TODAY)

    # then
    assert result.division.name == "姑苏区"


def test_parse_id_number_with_code_retired_before_birth_raises_retired() -> None:
    # given: 沧浪区 was merged into 姑苏区 in 2012
    number = with_id_check("32050220130101002")

    # when
    with pytest.raises(InvalidNumber) as caught:
        parse_id_number(number, today=TODAY)

    # then
    assert caught.value.code == "id_division_retired"


def test_parse_id_number_with_renumbered_code_picks_name_of_birth_year() -> None:
    # given: 120110 was 东郊区 until 1991 and 东丽区 from 1992
    early = with_id_check("12011019800101001")
    late = with_id_check("12011019990101001")

    # when / then
    assert parse_id_number(early, today=TODAY).division.name == "东郊区"
    assert parse_id_number(late, today=TODAY).division.name == "东丽区"


@pytest.mark.parametrize(
    ("first17", "code"),
    [
        ("99999919800101001", "id_division_unknown"),
        ("32059919800101001", "id_division_unknown"),
        ("32050819800230001", "id_birth_date"),
        ("32050819801301001", "id_birth_date"),
        ("32050818991231001", "id_birth_date"),
        ("32050820270101001", "id_birth_date"),
    ],
)
def test_parse_id_number_with_bad_component_raises_specific_reason(first17: str, code: str) -> None:
    # given
    number = with_id_check(first17)

    # when
    with pytest.raises(InvalidNumber) as caught:
        parse_id_number(number, today=TODAY)

    # then
    assert caught.value.code == code


def test_parse_id_number_with_standard_example_born_1880_is_rejected_by_1900_rule() -> None:
    # when
    with pytest.raises(InvalidNumber) as caught:
        parse_id_number("440524188001010014", today=TODAY)

    # then
    assert caught.value.code == "id_birth_date"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "id_empty"),
        ("3205081980010100", "id_length"),
        ("320508800101001", "id_old_format"),
        ("3205081980010100123", "id_length"),
        ("3205081980010100AX", "id_characters"),
        ("32050819800101001Y", "id_characters"),
        ("110105194912310021", "id_check"),
    ],
)
def test_parse_id_number_with_malformed_input_raises_specific_reason(raw: str, code: str) -> None:
    # when
    with pytest.raises(InvalidNumber) as caught:
        parse_id_number(raw, today=TODAY)

    # then
    assert caught.value.code == code
    assert str(caught.value) == code


def test_parse_id_number_with_full_width_characters_normalises() -> None:
    # when
    result = parse_id_number("１１０１０５１９４９１２３１００２ｘ", today=TODAY)

    # then
    assert result.number == "11010519491231002X"


CURRENT_DIVISIONS = ["320505", "320506", "320507", "320508", "320509", "320581", "110105"]


@st.composite
def valid_id_numbers(draw: st.DrawFn) -> str:
    division = draw(st.sampled_from(CURRENT_DIVISIONS))
    born = draw(st.dates(min_value=datetime.date(1900, 1, 1), max_value=TODAY))
    sequence = draw(st.integers(min_value=0, max_value=999))
    return with_id_check(f"{division}{born:%Y%m%d}{sequence:03d}")


@unhurried
@given(valid_id_numbers())
def test_parse_id_number_with_generated_valid_number_accepts_it(number: str) -> None:
    # when
    result = parse_id_number(number, today=TODAY)

    # then
    assert result.number == number


@unhurried
@given(valid_id_numbers(), st.integers(min_value=0, max_value=17), st.data())
def test_parse_id_number_with_one_character_changed_rejects_it(
    number: str, position: int, data: st.DataObject
) -> None:
    # given
    choices = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([c for c in choices if c != number[position]]))
    changed = number[:position] + replacement + number[position + 1 :]

    # when / then
    with pytest.raises(InvalidNumber):
        parse_id_number(changed, today=TODAY)


# --- unified social credit code ---------------------------------------------------------------


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L", "91320594MA1QDEM01A"])
def test_parse_credit_code_with_known_valid_codes_accepts_them(code: str) -> None:
    # when
    result = parse_credit_code(code)

    # then
    assert result.code == code
    assert result.division_code == code[2:8]
    assert result.organisation_code == code[8:17]


def test_parse_credit_code_with_non_digit_first_characters_accepts_authority_y() -> None:
    # given: python-stdnum rejects these; GB 32100 allows Y (other registration authorities)
    code = with_credit_check("Y1320500", "MA1QDEM0")

    # when
    result = parse_credit_code(code.lower())

    # then
    assert result.registration_authority == "Y"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "credit_empty"),
        ("91350100M000100Y4", "credit_length"),
        ("91350100M000100Y43X", "credit_length"),
        ("91350100M000I00Y43", "credit_characters"),
        ("91350100M0001-0Y43", "credit_characters"),
        ("B1350100M000100Y43", "credit_authority"),
        ("0135010AM000100Y43", "credit_authority"),
        ("913501A0M000100Y43", "credit_division"),
        ("91310115MA1H8R7C6D", "credit_organisation_code"),
        ("91350100M000100Y44", "credit_check"),
    ],
)
def test_parse_credit_code_with_bad_input_raises_specific_reason(raw: str, code: str) -> None:
    # when
    with pytest.raises(InvalidNumber) as caught:
        parse_credit_code(raw)

    # then
    assert caught.value.code == code
    assert str(caught.value.reason)


def test_parse_credit_code_with_right_organisation_code_but_wrong_check_raises_check() -> None:
    # given: the CSDN example with only its organisation check digit repaired
    code = "91310115MA1H8R7C" + organisation_check_char("MA1H8R7C") + "D"

    # when
    with pytest.raises(InvalidNumber) as caught:
        parse_credit_code(code)

    # then
    assert caught.value.code == "credit_check"


@st.composite
def valid_credit_codes(draw: st.DrawFn) -> str:
    authority = draw(st.sampled_from("123456789ANY"))
    category = draw(st.sampled_from(CREDIT_CODE_ALPHABET))
    division = draw(st.from_regex(r"\A[0-9]{6}\Z"))
    body = draw(st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=8, max_size=8))
    return with_credit_check(authority + category + division, body)


@unhurried
@given(valid_credit_codes())
def test_parse_credit_code_with_generated_valid_code_accepts_it(code: str) -> None:
    # when
    result = parse_credit_code(code)

    # then
    assert result.code == code


@unhurried
@given(valid_credit_codes(), st.integers(min_value=0, max_value=17), st.data())
def test_parse_credit_code_with_one_character_changed_rejects_it(
    code: str, position: int, data: st.DataObject
) -> None:
    # given
    replacement = data.draw(
        st.sampled_from([c for c in CREDIT_CODE_ALPHABET if c != code[position]])
    )
    changed = code[:position] + replacement + code[position + 1 :]

    # when / then
    with pytest.raises(InvalidNumber):
        parse_credit_code(changed)


# --- normalisers for blind-index lookups agree with the parsers -------------------------------


@pytest.mark.parametrize(
    "raw", ["13800138000", "+86 138 0013 8000", "0086-13800138000", "１３８００１３８０００"]
)
def test_normalise_phone_agrees_with_parse_phone(raw: str) -> None:
    # when / then
    assert normalise_phone(raw) == parse_phone(raw)


@pytest.mark.parametrize(
    "raw", ["11010519491231002x", " 110105 19491231 002X ", "１１０１０５１９４９１２３１００２ｘ"]
)
def test_normalise_id_number_agrees_with_parse_id_number(raw: str) -> None:
    # when / then
    assert normalise_id_number(raw) == parse_id_number(raw, today=TODAY).number
