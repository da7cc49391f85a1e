"""Normalisation of text, numbers and dates as districts and users type them.

Used by forms (manual entry) and by the spreadsheet engine alike, so that a value typed by hand
and the same value read from Excel end up identical.
"""

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils import timezone

_SPACES = re.compile(r"\s+")
_SCIENTIFIC = re.compile(r"\d+(\.\d+)?[eE]\+?\d+")
_POINT_ZERO = re.compile(r"\d+\.0+")
_CN_DATE = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*(?:[月./\-]\s*(\d{1,2})\s*日?)?\s*(?:月)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# Excel's day zero is 1899-12-30 once its 1900 leap-year bug is accounted for.
_EXCEL_EPOCH = dt.date(1899, 12, 30)


# Chinese prose keeps its own punctuation (主题党日：清洁家园), so the full-width comma, colon,
# semicolon, exclamation and question marks stay; letters, digits, brackets and the other
# symbols that districts type in full width for names and numbers fold to ASCII.
_PROSE_PUNCTUATION = "！，：；？"
_HALFWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _PROSE_PUNCTUATION}
_HALFWIDTH[0x3000] = 0x20


def halfwidth(value: str) -> str:
    """Full-width letters, digits and symbols to ASCII; the ideographic space to a space."""
    return value.translate(_HALFWIDTH)


def clean_text(value: object) -> str:
    """Trim, fold full-width characters and collapse runs of white space (incl. U+3000, NBSP)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if not text.isascii():  # full-width characters are never ASCII
        text = text.translate(_HALFWIDTH)
    return _SPACES.sub(" ", text).strip()


def clean_compact(value: object) -> str:
    """Like clean_text but with every space removed: codes, phone numbers, ID numbers.

    A spreadsheet that stored a long number as a float (1.38e10) gets its digits back; a number
    longer than a float's 15 significant digits is already damaged and fails its checksum later.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    # Codes and numbers carry no prose: fold every compatibility character.
    text = unicodedata.normalize("NFKC", clean_text(value)).replace(" ", "")
    if "." not in text and "e" not in text and "E" not in text:
        return text  # neither a float's digits nor a trailing ".0": most codes, at a glance
    if _SCIENTIFIC.fullmatch(text):
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text
        if number == number.to_integral_value():
            return str(int(number))
    if _POINT_ZERO.fullmatch(text):
        return text.split(".")[0]
    return text


def parse_date(value: object) -> dt.date | None:
    """A date from a datetime, an Excel serial, '2024年7月16日', '2024.7.16', '2024-07-16',
    '2024/7/16', '20240716' or '2024年7月' (first of the month). None for blank.

    Raises ValueError for anything else, so the caller can report the row in Chinese.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        serial = float(value)
        if 1 <= serial < 2958466:
            return _EXCEL_EPOCH + dt.timedelta(days=int(serial))
        raise ValueError(value)
    text = clean_text(value).replace(" ", "")
    if not text:
        return None
    if re.fullmatch(r"\d+(\.0+)?", text) and len(text.split(".")[0]) <= 5:
        return parse_date(float(text))
    match = _COMPACT_DATE.match(text) or _CN_DATE.match(text)
    if match:
        year, month, day = match.group(1), match.group(2), match.group(3) or "1"
        return dt.date(int(year), int(month), int(day))
    # Spreadsheet libraries may hand over '2024-07-16 00:00:00'.
    try:
        # The space between date and time was squeezed out above; read the spaced form.
        return dt.datetime.fromisoformat(clean_text(value)).date()
    except ValueError:
        pass
    raise ValueError(value)


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百]+|\d+")


def _cn_int(text: str) -> int:
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total, current = total + (current or 1) * 100, 0
        elif ch == "十":
            total, current = total + (current or 1) * 10, 0
        else:
            current = current * 10 + _CN_DIGITS[ch] if current else _CN_DIGITS[ch]
    return total + current


def natural_key(name: str) -> tuple:
    """Sort key that reads numbers, Chinese ones too: 第二 before 第十一, 第一 before 第三."""
    parts: list = []
    last = 0
    for match in _CN_NUMBER.finditer(name):
        parts += [name[last : match.start()], _cn_int(match.group())]
        last = match.end()
    parts.append(name[last:])
    return tuple((0, p) if isinstance(p, int) else (1, p) for p in parts)
