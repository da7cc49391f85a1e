"""Column declarations: how an importer names its columns and how each cell is normalised.

A column knows its Chinese name, the aliases districts use for it, and how to turn a cell as
Excel hands it over (float, date, '２０２４年７月１６日', ' 是 ') into the value the form expects.
A blank cell normalises to None, which the engine reads as "not given".
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from qiangji.core.text import clean_compact, clean_text, halfwidth, parse_date

TEXT, CODE, DATE, FLAG, CHOICE = "text", "code", "date", "flag", "choice"

_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
_FALSE = {"否", "n", "no", "false", "0", "×", "无"}
_LABEL_NOISE = re.compile(r"[\s*＊:：]")
_PARENTHESISED = re.compile(r"[(（【\[].*?[)）】\]]")


class CellError(ValueError):
    """A cell that cannot be read as its column's kind; the message is for the user."""


def label_key(value: object) -> str:
    """A header label reduced for matching: '* 公民身份 号码：' → '公民身份号码'."""
    return _LABEL_NOISE.sub("", halfwidth(str(value or "")))


def label_key_loose(value: object) -> str:
    """The same without a parenthesised note: '联系电话（手机）' → '联系电话'."""
    return _PARENTHESISED.sub("", label_key(value))


@dataclass(frozen=True)
class Column:
    """One column an importer understands. `key` is the form field the value goes to."""

    key: str
    label: str
    kind: str = TEXT
    aliases: tuple[str, ...] = ()
    required: bool = False
    choices: Mapping[str, str] = field(default_factory=dict)
    mask: Callable[[str], str] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)

    def normalise(self, cell: object) -> Any:
        """The cell as the form expects it, None for blank; CellError with a Chinese reason."""
        if cell is None:
            return None
        value = cell
        if isinstance(cell, str):
            # Cleaned once, here: every cleaning below is idempotent, so it sees the same text.
            # Messages quote the cell as typed.
            value = clean_text(cell)
            if not value:
                return None
        if self.kind == CODE:
            return clean_compact(value) or None
        if self.kind == DATE:
            try:
                return parse_date(value)
            except (ValueError, OverflowError):
                raise CellError(f"{self.label}“{display(cell)}”不是有效日期") from None
        if self.kind == FLAG:
            if isinstance(value, bool):
                return value
            text = clean_compact(value).lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise CellError(f"{self.label}应填“是”或“否”，不能填“{display(cell)}”")
        if self.kind == CHOICE:
            text = (value if isinstance(value, str) else clean_text(value)).replace(" ", "")
            if text in self.choices:
                return self.choices[text]
            if text in self.choices.values():
                return text
            labels = "、".join(dict.fromkeys(self._labels()))
            raise CellError(f"{self.label}“{display(cell)}”不在可选范围内（{labels}）")
        return (value if isinstance(value, str) else clean_text(value)) or None

    def _labels(self) -> Iterable[str]:
        # The first label declared for each stored value is the one users see.
        seen: set[str] = set()
        for label, value in self.choices.items():
            if value not in seen:
                seen.add(value)
                yield label

    def show(self, value: Any) -> str:
        """A normalised value as the preview shows it (masked where the column says so)."""
        if value is None:
            return ""
        if self.kind == CHOICE:
            value = next((label for label, v in self.choices.items() if v == value), value)
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value)
        return self.mask(text) if self.mask else text


def display(cell: object) -> str:
    """A raw cell as text: for messages and for the error file."""
    if cell is None:
        return ""
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(sep=" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, bool):
        return "是" if cell else "否"
    return str(cell).strip()


def _choice_map(choices: Iterable[tuple[str, str]], extra: Mapping[str, str] | None) -> dict[str, str]:
    mapping = {str(label): str(value) for value, label in choices if str(label) not in ("", "—")}
    mapping.update(extra or {})
    return mapping


def text(key: str, label: str, *, aliases: Iterable[str] = (), required: bool = False, mask=None) -> Column:
    return Column(key, label, TEXT, tuple(aliases), required, mask=mask)


def code(key: str, label: str, *, aliases: Iterable[str] = (), required: bool = False, mask=None) -> Column:
    """Numbers that are really text (ID numbers, phones, codes): spaces dropped, floats undone."""
    return Column(key, label, CODE, tuple(aliases), required, mask=mask)


def date(key: str, label: str, *, aliases: Iterable[str] = (), required: bool = False) -> Column:
    return Column(key, label, DATE, tuple(aliases), required)


def flag(key: str, label: str, *, aliases: Iterable[str] = (), required: bool = False) -> Column:
    """是/否 (also Y/N, √, 1/0)."""
    return Column(key, label, FLAG, tuple(aliases), required)


def choice(
    key: str,
    label: str,
    choices: Iterable[tuple[str, str]],
    *,
    extra: Mapping[str, str] | None = None,
    aliases: Iterable[str] = (),
    required: bool = False,
) -> Column:
    """A Chinese label from `choices` (Django's (value, label) pairs); `extra` adds synonyms."""
    return Column(key, label, CHOICE, tuple(aliases), required, choices=_choice_map(choices, extra))
