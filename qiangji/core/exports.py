"""Excel exports: formula-safe cells, masked personal data, every export of it audit-logged.

Every workbook the platform writes (exports, error files, import templates, the demo's
district sheet) goes through `safe_cell` / `safe_row` / `safe_title` here: a header copied from
an uploaded file ("=HYPERLINK(…)" in the error file) is as hostile as any data cell.
"""

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from qiangji.core.audit import audit
from qiangji.core.models import AuditEvent

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TITLE_FORBIDDEN = re.compile(r"[\\/?*\[\]:\x00-\x1f]")
TITLE_LENGTH = 31


def safe_cell(value: Any) -> Any:
    """RULES.md: a text cell must never start a formula; prefix such text with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        # Excel has no time zones: write the local wall time the pages show.
        return timezone.make_naive(value)
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row of cells (header rows too) as it may be written."""
    return [safe_cell(value) for value in values]


def safe_title(title: str, *, fallback: str = "数据") -> str:
    """A sheet's name as Excel accepts it and never formula-like. A name may not start with an
    apostrophe (Excel repairs the file), so the formula characters are dropped rather than
    prefixed; the characters Excel forbids (\\ / ? * [ ] :) become "_"; 31 characters at most."""
    title = _TITLE_FORBIDDEN.sub("_", str(title or ""))
    title = title.lstrip("=+-@'\t\r ").rstrip("'")[:TITLE_LENGTH].rstrip("'")
    return title or fallback


def workbook_bytes(*, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> tuple[bytes, int]:
    """An .xlsx with a bold frozen header row; returns the bytes and the number of data rows."""
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = safe_title(title)
    ws.append(safe_row(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2DCDB")
        cell.alignment = Alignment(vertical="center")
    count = 0
    for row in rows:
        ws.append(safe_row(row))
        count += 1
    ws.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        width = max(8, min(40, len(str(header)) * 2 + 4))
        ws.column_dimensions[get_column_letter(index)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, (dt.date, dt.datetime)):
                cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), count


def xlsx_response(
    *,
    request: HttpRequest,
    filename: str,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    object_type: str,
    personal_fields: Sequence[str] = (),
    unmasked: bool = False,
    filters: dict[str, Any] | None = None,
) -> HttpResponse:
    """The download; an export that carries personal data (even masked) is audit-logged."""
    content, count = workbook_bytes(title=title, headers=headers, rows=rows)
    if personal_fields:
        audit(
            user=request.user,
            action=AuditEvent.Action.EXPORT,
            object_type=object_type,
            fields=personal_fields,
            row_count=count,
            detail={"unmasked": unmasked, "filters": filters or {}, "file": filename},
            request=request,
        )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
