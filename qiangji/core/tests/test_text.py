"""Normalisation shared by forms and spreadsheets: a value typed or imported ends up identical."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qiangji.core.text import clean_compact, clean_text, halfwidth, parse_date


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ　１２３", "ABC 123"),
        ("  东村\u3000第一  党支部 ", "东村 第一 党支部"),
        ("竖新镇\u00a0党委", "竖新镇 党委"),
        ("（一）", "(一)"),
        ("主题党日：清洁家园，人人参与！", "主题党日：清洁家园，人人参与！"),
        (None, ""),
        (12.0, "12"),
        (3, "3"),
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (13800000000.0, "13800000000"),
        (13800000000, "13800000000"),
        ("13800000000.0", "13800000000"),
        ("1.38e10", "13800000000"),
        ("1.38E+10", "13800000000"),
        ("１３８ ０００ ０００００", "13800000000"),
        ("91310151 MA1FL0XX1D", "91310151MA1FL0XX1D"),
        ("1.5", "1.5"),
        (None, ""),
    ],
)
def test_clean_compact_recovers_numbers_stored_as_floats(raw, expected):
    assert clean_compact(raw) == expected


@given(st.integers(min_value=10**10, max_value=10**15 - 1))
def test_whole_numbers_survive_a_float_round_trip(number):
    assert clean_compact(float(number)) == str(number)
    assert clean_compact(f"{float(number):.14e}") == str(number)


@given(st.text("0123456789ABCXYZ", max_size=30))
def test_full_width_text_folds_to_the_ascii_text(text):
    full = "".join(chr(ord(c) + 0xFEE0) for c in text)
    assert halfwidth(full) == text
    assert clean_compact(full) == text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (45489, dt.date(2024, 7, 16)),
        (45489.0, dt.date(2024, 7, 16)),
        ("45489", dt.date(2024, 7, 16)),
        ("45489.0", dt.date(2024, 7, 16)),
        (1, dt.date(1899, 12, 31)),
        (61, dt.date(1900, 3, 1)),
        ("2024年7月16日", dt.date(2024, 7, 16)),
        ("２０２４年７月１６日", dt.date(2024, 7, 16)),
        ("2024 年 7 月 16 日", dt.date(2024, 7, 16)),
        ("2024.7.16", dt.date(2024, 7, 16)),
        ("2024/7/16", dt.date(2024, 7, 16)),
        ("2024-07-16", dt.date(2024, 7, 16)),
        ("20240716", dt.date(2024, 7, 16)),
        ("2024-07-16 00:00:00", dt.date(2024, 7, 16)),
        ("2024年7月", dt.date(2024, 7, 1)),
        (dt.datetime(2024, 7, 16, 9, 30), dt.date(2024, 7, 16)),
        (dt.date(2024, 7, 16), dt.date(2024, 7, 16)),
        (None, None),
        ("", None),
        ("  ", None),
    ],
)
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["明天", "2024年2月30日", "2024.13.1", "16/07/2024", 0, -5, 3000000, True])
def test_parse_date_refuses_what_is_not_a_date(raw):
    with pytest.raises(ValueError):
        parse_date(raw)


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 12, 31)))
def test_every_written_form_of_a_date_parses_to_it(day):
    serial = (day - dt.date(1899, 12, 30)).days
    forms = [
        serial,
        float(serial),
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.year}.{day.month}.{day.day}",
        f"{day:%Y%m%d}",
        day.isoformat(),
    ]
    assert {parse_date(form) for form in forms} == {day}


def test_natural_key_reads_chinese_and_arabic_numbers():
    from qiangji.core.text import natural_key

    names = ["第三指导联络组", "第十一组", "第一指导联络组", "第10网格", "第二指导联络组", "第十组", "第2网格", "东片区"]
    # Numbers compare as numbers, whichever way they are written; the rest by characters.
    assert sorted(names, key=natural_key) == [
        "东片区",
        "第一指导联络组",
        "第二指导联络组",
        "第2网格",
        "第三指导联络组",
        "第十组",
        "第10网格",
        "第十一组",
    ]


def test_an_aware_datetime_reads_as_its_local_date():
    # 17:29 UTC on 7 December is 01:29 on 8 December in Shanghai.
    assert parse_date(dt.datetime(2026, 12, 7, 17, 29, tzinfo=dt.UTC)) == dt.date(2026, 12, 8)
