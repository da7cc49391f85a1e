"""Reading a checked file into rows of cells, with python-calamine (CSV with the csv module,
which calamine does not read). Row 1 of the list is row 1 as Excel shows it."""

import csv
import io
from dataclasses import dataclass
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from qiangji.core.spreadsheets.safety import SpreadsheetError


@dataclass
class Sheet:
    """One worksheet: its name and its rows, merged areas filled with their top-left value."""

    name: str
    rows: list[list[Any]]

    def cell(self, row_number: int, column: int) -> Any:
        row = self.rows[row_number - 1] if 0 < row_number <= len(self.rows) else []
        return row[column] if column < len(row) else ""


def read_sheets(data: bytes, ext: str) -> list[Sheet]:
    """Every visible worksheet; SpreadsheetError when the file cannot be parsed at all."""
    if ext == ".csv":
        return [Sheet(name="CSV", rows=_read_csv(data))]
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except CalamineError as exc:
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise SpreadsheetError("文件设有密码保护，请取消密码后再上传") from None
        raise SpreadsheetError("文件已损坏或格式不正确，无法读取") from None
    except Exception:
        raise SpreadsheetError("文件已损坏或格式不正确，无法读取") from None
    sheets = []
    with workbook:
        for index, meta in enumerate(workbook.sheets_metadata):
            if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
                continue
            try:
                sheet = workbook.get_sheet_by_index(index)
                rows = sheet.to_python(skip_empty_area=False)
                merged = sheet.merged_cell_ranges or []
            except Exception:
                raise SpreadsheetError(f"工作表“{meta.name}”已损坏，无法读取") from None
            _fill_merged(rows, merged)
            sheets.append(Sheet(name=meta.name, rows=rows))
    if not sheets:
        raise SpreadsheetError("文件中没有可读取的工作表")
    return sheets


def _fill_merged(rows: list[list[Any]], merged: list[tuple[tuple[int, int], tuple[int, int]]]) -> None:
    """A merged area reads as blank except its first cell; a roster that merges 所在党组织 over
    twenty members means that value for all twenty, so it is copied into every cell."""
    for (top, left), (bottom, right) in merged:
        if top >= len(rows):
            continue
        value = rows[top][left] if left < len(rows[top]) else ""
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            row = rows[r]
            if len(row) <= right:
                row.extend([""] * (right + 1 - len(row)))
            for c in range(left, right + 1):
                row[c] = value


def _read_csv(data: bytes) -> list[list[Any]]:
    # Excel in China saves CSV as GBK unless told otherwise; UTF-8 with or without BOM otherwise.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SpreadsheetError("无法识别 CSV 文件的编码，请另存为 UTF-8 或 .xlsx 格式")
    # The delimiter the first lines use most; csv.Sniffer gives up on ragged rows.
    head = "\n".join(text.splitlines()[:5])
    delimiter = max(",\t;", key=head.count)
    try:
        rows = [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error:
        raise SpreadsheetError("CSV 文件格式有误，无法读取") from None
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]
