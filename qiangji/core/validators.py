"""Checksum validators for the numbers RULES.md names (GB 11643, GB 32100, phone numbers).

Each `normalize_*` returns the canonical form or raises ValidationError with a Chinese message;
forms, the API and the spreadsheet engine all call these.
"""

import datetime as dt
import re
from operator import mul

from django.core.exceptions import ValidationError
from django.utils import timezone

from qiangji.core.text import clean_compact

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_INDEX = {c: i for i, c in enumerate(CREDIT_ALPHABET)}
_CREDIT_CHARS = frozenset(CREDIT_ALPHABET)
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def id_birth_date(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def id_gender(number: str) -> str:
    """'M' or 'F' from position 17 of an 18-character number."""
    return "M" if int(number[16]) % 2 == 1 else "F"


def normalize_id_number(raw: object) -> str:
    """The 18-character 居民身份证号, upgraded from the 15-digit form, or ValidationError."""
    value = clean_compact(raw).upper()
    if re.fullmatch(r"\d{15}", value):
        first17 = value[:6] + "19" + value[6:]
        value = first17 + id_check_char(first17)
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValidationError("身份证号应为18位（末位可为X）", code="id_format")
    try:
        birth = id_birth_date(value)
    except ValueError:
        raise ValidationError("身份证号中的出生日期无效", code="id_birth") from None
    if birth > timezone.localdate() or birth.year < 1900:
        raise ValidationError("身份证号中的出生日期无效", code="id_birth")
    if id_check_char(value[:17]) != value[17]:
        raise ValidationError("身份证号校验位不正确", code="id_checksum")
    return value


def credit_check_char(first17: str) -> str:
    if len(first17) != len(CREDIT_WEIGHTS) or not _CREDIT_CHARS.issuperset(first17):
        raise ValueError(f"not 17 characters of the credit code alphabet: {first17!r}")
    total = sum(map(mul, map(_CREDIT_INDEX.__getitem__, first17), CREDIT_WEIGHTS))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(raw: object) -> str:
    """The 18-character 统一社会信用代码, or ValidationError."""
    value = clean_compact(raw).upper()
    if len(value) != 18:
        raise ValidationError("统一社会信用代码应为18位", code="credit_length")
    if not _CREDIT_CHARS.issuperset(value):
        raise ValidationError("统一社会信用代码含有无效字符（不使用I、O、S、V、Z）", code="credit_chars")
    if credit_check_char(value[:17]) != value[17]:
        raise ValidationError("统一社会信用代码校验位不正确", code="credit_checksum")
    return value


def normalize_phone(raw: object) -> str:
    """An 11-digit mainland mobile number or a landline with its area code, or ValidationError."""
    value = clean_compact(raw).replace("(", "").replace(")", "")
    if value.startswith("+86"):
        value = value[3:]
    if _MOBILE.match(value) or _LANDLINE.match(value):
        return value
    raise ValidationError("联系电话应为11位手机号，或带区号的固定电话", code="phone")
