"""The one workbook builder of the cross-app tests: a sheet as a district would send it."""

import io

import openpyxl


def xlsx_bytes(rows: list[list], *, title: str = "Sheet1") -> bytes:
    """One sheet with these rows from A1 (a header row first, or title rows above it)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
