"""Finding the header row under title rows and merged group titles, and mapping its columns.

Each of the first rows of every sheet is scored by how many known columns its cells name; a
row combined with the one below it is scored too, which finds a two-row header whose upper row
holds merged group titles (基本信息 | 联系方式) over the real column names.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from qiangji.core.spreadsheets.columns import Column, display, label_key, label_key_loose
from qiangji.core.spreadsheets.reader import Sheet
from qiangji.core.text import clean_text

HEADER_SCAN_ROWS = 20


@dataclass
class Layout:
    """Where the table is: sheet, last header row (1-based), its labels and the column map."""

    sheet: Sheet
    header_row: int
    headers: list[str]
    column_map: dict[str, str] = field(default_factory=dict)
    score: int = 0


def _labels(row: Sequence[Any]) -> list[str]:
    return [clean_text(display(cell)) for cell in row]


def match_columns(headers: Sequence[str], columns: Sequence[Column]) -> dict[str, str]:
    """{column index as text: column key}; the first column naming a key takes it."""
    exact: dict[str, str] = {}
    loose: dict[str, str] = {}
    for column in columns:
        for name in column.names:
            exact.setdefault(label_key(name), column.key)
            loose.setdefault(label_key_loose(name), column.key)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        key = exact.get(label_key(header)) or loose.get(label_key_loose(header))
        if key and key not in taken and label_key(header):
            mapping[str(index)] = key
            taken.add(key)
    return mapping


def _combine(upper: Sequence[Any], lower: Sequence[Any]) -> list[str]:
    top, bottom = _labels(upper), _labels(lower)
    width = max(len(top), len(bottom))
    top += [""] * (width - len(top))
    bottom += [""] * (width - len(bottom))
    return [b or t for t, b in zip(top, bottom, strict=True)]


def detect(sheets: Sequence[Sheet], columns: Sequence[Column]) -> Layout:
    """The best-scoring header over all sheets; ties go to the earlier sheet and the shorter header.

    With no known column anywhere, the first non-blank row of the first sheet is taken as the
    header so that the user can map its columns by hand.
    """
    required = {c.key for c in columns if c.required}
    best: tuple[tuple[int, int], Layout] | None = None
    for sheet in sheets:
        for r in range(min(HEADER_SCAN_ROWS, len(sheet.rows))):
            candidates = [(r + 1, _labels(sheet.rows[r]))]
            if r + 1 < len(sheet.rows):
                candidates.append((r + 2, _combine(sheet.rows[r], sheet.rows[r + 1])))
            for header_row, headers in candidates:
                mapping = match_columns(headers, columns)
                score = (len(required & set(mapping.values())), len(mapping))
                if score[1] and (best is None or score > best[0]):
                    best = (score, Layout(sheet, header_row, headers, mapping, score[1]))
    if best is not None:
        return best[1]
    sheet = sheets[0]
    first = next((i for i, row in enumerate(sheet.rows) if any(_labels(row))), 0)
    return Layout(sheet, first + 1, _labels(sheet.rows[first]) if sheet.rows else [], {}, 0)


def layout_for(
    sheets: Sequence[Sheet], *, sheet_name: str, header_row: int, headers: list[str], column_map: dict[str, str]
) -> Layout:
    """The layout of a batch analysed before (its sheet, header row and hand-made map)."""
    sheet = next((s for s in sheets if s.name == sheet_name), sheets[0])
    return Layout(sheet, header_row, list(headers), dict(column_map), len(column_map))


def data_rows(layout: Layout) -> list[tuple[int, list[Any]]]:
    """(Excel row number, cells) of every row below the header with a value in a mapped column."""
    mapped = [int(i) for i, key in layout.column_map.items() if key]
    width = len(layout.headers)
    rows = []
    for index in range(layout.header_row, len(layout.sheet.rows)):
        cells = list(layout.sheet.rows[index][:width])
        cells += [""] * (width - len(cells))
        if any(_filled(cells[i]) for i in mapped if i < width):
            rows.append((index + 1, cells))
    return rows


def _filled(cell: Any) -> bool:
    """Not blank once cleaned (the same as clean_text(display(cell)) being non-empty)."""
    if cell is None or cell == "":
        return False
    if isinstance(cell, str):
        return bool(clean_text(cell))
    return bool(clean_text(display(cell)))
