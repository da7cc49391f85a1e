"""统一社会信用代码 (GB 32100): every valid code is accepted as typed or messed up by a sheet
(lower case, spaces, full width); any one-character change is rejected."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from qiangji.core.validators import CREDIT_ALPHABET, credit_check_char, normalize_credit_code

first17 = st.text(alphabet=CREDIT_ALPHABET, min_size=17, max_size=17)


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


@settings(max_examples=300)
@given(first17)
def test_valid_codes_round_trip(body):
    code = body + credit_check_char(body)
    assert normalize_credit_code(code) == code
    assert normalize_credit_code(code.lower()) == code
    assert normalize_credit_code(f" {code[:6]} {code[6:]} ") == code
    assert normalize_credit_code(fullwidth(code)) == code


@settings(max_examples=300)
@given(first17, st.integers(min_value=0, max_value=17), st.sampled_from(CREDIT_ALPHABET + "IOSVZ*"))
def test_any_single_character_change_is_rejected(body, position, replacement):
    code = body + credit_check_char(body)
    if code[position] == replacement:
        replacement = CREDIT_ALPHABET[(CREDIT_ALPHABET.index(replacement) + 1) % 31]
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ValidationError):
        normalize_credit_code(changed)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("91310151MA1FL0000", "统一社会信用代码应为18位"),
        ("91310151MA1FL00001X", "统一社会信用代码应为18位"),
        ("91310151MA1FLO0000", "统一社会信用代码含有无效字符（不使用I、O、S、V、Z）"),
    ],
)
def test_wrong_length_and_characters_say_why(raw, message):
    with pytest.raises(ValidationError) as exc:
        normalize_credit_code(raw)
    assert exc.value.messages == [message]


def test_a_known_code():
    assert normalize_credit_code("91350100M000100Y43") == "91350100M000100Y43"
