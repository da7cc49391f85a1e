"""Path converters for ids and years: a value no column can hold never reaches a view.

Django's `<id:…>` passes an integer of any size to the view, and the ORM then overflows on the
database (SQLite: OverflowError; PostgreSQL: bigint out of range) — a 500 for a typed URL.
`<id:…>` and `<year:…>` refuse such values at routing, so the URL simply does not match: 404.
"""

from django.urls import register_converter

# The largest value of a bigint primary key (PostgreSQL and SQLite alike).
MAX_ID = 2**63 - 1


class IdConverter:
    """A row id: a positive integer that fits a 64-bit signed column."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError("id out of range")
        return number

    def to_url(self, value: int) -> str:
        return str(value)


class YearConverter:
    """A calendar year the town keeps records for."""

    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        year = int(value)
        if not 1900 <= year <= 2999:
            raise ValueError("year out of range")
        return year

    def to_url(self, value: int) -> str:
        return str(value)


def register() -> None:
    register_converter(IdConverter, "id")
    register_converter(YearConverter, "year")


def parse_id(value: object) -> int | None:
    """An id from a query string or form value, or None when it cannot be one.

    `str.isdigit()` is no test: it accepts "²" (which int() refuses) and numbers past any column.
    """
    text = str(value or "")
    if not (text.isascii() and text.isdigit()):
        return None
    try:
        return IdConverter().to_python(text)
    except ValueError:
        return None
