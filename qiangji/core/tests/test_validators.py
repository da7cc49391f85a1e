"""GB 11643 ID numbers, GB 32100 credit codes and phone numbers (RULES.md)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st

from qiangji.core.validators import (
    CREDIT_ALPHABET,
    credit_check_char,
    id_birth_date,
    id_check_char,
    id_gender,
    normalize_credit_code,
    normalize_id_number,
    normalize_phone,
)

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def rejects(normalize, value):
    with pytest.raises(ValidationError) as exc:
        normalize(value)
    return exc.value.messages


# --- 居民身份证号 -----------------------------------------------------------------------------


def test_rules_example_is_valid():
    assert normalize_id_number("11010519491231002X") == "11010519491231002X"
    assert id_check_char("11010519491231002") == "X"
    assert id_birth_date("11010519491231002X") == dt.date(1949, 12, 31)
    assert id_gender("11010519491231002X") == "F"


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        " 110105 19491231 002X ",
        "110105\u300019491231002X",
    ],
)
def test_lower_case_x_full_width_and_spaces_are_normalised(raw):
    assert normalize_id_number(raw) == "11010519491231002X"


def test_fifteen_digit_numbers_are_upgraded():
    # 15-digit legacy form: no century, no check character.
    assert normalize_id_number("110105491231002") == "11010519491231002X"
    assert normalize_id_number("310230800517001") == "310230198005170016"


def test_male_is_an_odd_position_17():
    assert id_gender("310230198005170016") == "M"
    assert id_gender("310230198503020029") == "F"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("11010519491231002Y", "身份证号应为18位（末位可为X）"),
        ("1101051949123100", "身份证号应为18位（末位可为X）"),
        ("X10105194912310021", "身份证号应为18位（末位可为X）"),
        ("", "身份证号应为18位（末位可为X）"),
        (None, "身份证号应为18位（末位可为X）"),
        ("110105194912310021", "身份证号校验位不正确"),
        ("110105194902300020", "身份证号中的出生日期无效"),  # 30 February
        ("110105194913010020", "身份证号中的出生日期无效"),  # month 13
        ("110105189912310020", "身份证号中的出生日期无效"),  # before 1900
        ("110105299912310020", "身份证号中的出生日期无效"),  # in the future
    ],
)
def test_bad_numbers_are_rejected_with_the_reason(raw, message):
    assert rejects(normalize_id_number, raw) == [message]


def valid_id_parts():
    return st.tuples(
        st.text("0123456789", min_size=6, max_size=6),
        st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31)),  # born before any day the suite runs
        st.integers(min_value=0, max_value=999),
    )


def test_born_today_in_shanghai_is_a_valid_birth_date_whatever_the_server_clock(time_machine):
    # 01:00 on 25 November in Shanghai: a server whose own clock is set to UTC still reads the 24th.
    time_machine.move_to(dt.datetime(2026, 11, 24, 17, 0, tzinfo=ZoneInfo("UTC")))
    born_today, born_tomorrow = "31023020261125001", "31023020261126001"
    assert normalize_id_number(born_today + id_check_char(born_today)) == born_today + id_check_char(born_today)
    assert rejects(normalize_id_number, born_tomorrow + id_check_char(born_tomorrow)) == ["身份证号中的出生日期无效"]


@given(valid_id_parts())
def test_any_region_birth_date_and_sequence_with_its_check_char_validates(parts):
    region, birth, seq = parts
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    number = first17 + id_check_char(first17)
    assert normalize_id_number(number) == number
    assert normalize_id_number(number.lower().translate(FULL_WIDTH)) == number
    assert id_birth_date(number) == birth
    assert id_gender(number) == ("M" if seq % 2 else "F")


@given(valid_id_parts(), st.integers(min_value=0, max_value=17), st.sampled_from("0123456789X"))
def test_any_single_character_change_fails(parts, position, replacement):
    region, birth, seq = parts
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    number = first17 + id_check_char(first17)
    assume(number[position] != replacement)
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(ValidationError):
        normalize_id_number(changed)


# --- 统一社会信用代码 -------------------------------------------------------------------------


def test_the_standard_example_code_is_valid():
    # The sample code printed with GB 32100 explanations (a Fuzhou enterprise).
    assert credit_check_char("91350100M000100Y4") == "3"
    assert normalize_credit_code("91350100M000100Y43") == "91350100M000100Y43"


def test_a_chongming_code_check_char_computed_by_hand():
    # Weights × character values sum to 2467; 2467 mod 31 = 18; (31 − 18) mod 31 = 13 → "D".
    assert credit_check_char("91310151MA1FL0XX1") == "D"


@pytest.mark.parametrize("raw", ["91310151ma1fl0xx1d", "９１３１０１５１ＭＡ１ＦＬ０ＸＸ１Ｄ", " 91310151 MA1FL0XX1D\u3000"])
def test_credit_codes_are_normalised(raw):
    assert normalize_credit_code(raw) == "91310151MA1FL0XX1D"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("91310151MA1FL0XX1", "统一社会信用代码应为18位"),
        ("91310151MA1FL0XX1DD", "统一社会信用代码应为18位"),
        ("91310151MA1FLOXX1D", "统一社会信用代码含有无效字符（不使用I、O、S、V、Z）"),
        ("9131015IMA1FL0XX1D", "统一社会信用代码含有无效字符（不使用I、O、S、V、Z）"),
        ("91350100M000100Y44", "统一社会信用代码校验位不正确"),
    ],
)
def test_bad_credit_codes_are_rejected_with_the_reason(raw, message):
    assert rejects(normalize_credit_code, raw) == [message]


@given(st.text(CREDIT_ALPHABET, min_size=17, max_size=17))
def test_any_17_characters_with_their_check_char_validate(first17):
    code = first17 + credit_check_char(first17)
    assert normalize_credit_code(code) == code


@given(st.text(CREDIT_ALPHABET, min_size=17, max_size=17), st.integers(0, 17), st.sampled_from(CREDIT_ALPHABET + "IOSVZ"))
def test_any_single_character_change_of_a_credit_code_fails(first17, position, replacement):
    code = first17 + credit_check_char(first17)
    assume(code[position] != replacement)
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ValidationError):
        normalize_credit_code(changed)


# --- 联系电话 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        (13812345678, "13812345678"),
        (13812345678.0, "13812345678"),
        ("1.3812345678e10", "13812345678"),
        ("19912345678", "19912345678"),
        ("021-59330000", "021-59330000"),
        ("02159330000", "02159330000"),
        ("(021)59330000", "02159330000"),
        ("0571-8888888-123", "0571-8888888-123"),
    ],
)
def test_phone_numbers_are_normalised(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345678901", "1381234567", "138123456789", "59330000", "abc", "21-59330000", ""])
def test_bad_phone_numbers_are_rejected(raw):
    assert rejects(normalize_phone, raw) == ["联系电话应为11位手机号，或带区号的固定电话"]


@given(st.sampled_from("3456789"), st.text("0123456789", min_size=9, max_size=9))
def test_every_mainland_mobile_pattern_is_accepted(second, rest):
    number = "1" + second + rest
    assert normalize_phone(number) == number
    assert normalize_phone(float(number)) == number
