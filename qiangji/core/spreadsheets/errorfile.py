"""The invalid rows given back as a workbook: the original columns plus 错误原因."""

import json

from qiangji.core.exports import workbook_bytes
from qiangji.core.models import ImportBatch, ImportRow

REASON_HEADER = "错误原因"


def error_rows(batch: ImportBatch):
    width = len(batch.headers)
    for row in batch.rows.filter(outcome=ImportRow.Outcome.INVALID).order_by("row_number").iterator(chunk_size=2000):
        cells = json.loads(row.raw) if row.raw else []
        cells = (list(cells) + [""] * width)[:width]
        yield [*cells, "；".join(row.messages)]


def error_workbook(batch: ImportBatch) -> tuple[bytes, int]:
    """The .xlsx bytes and the number of rows in it. Cells go back as text, exactly as read, so
    a long number is not turned into 1.38E+10 a second time."""
    headers = [h or f"第{i + 1}列" for i, h in enumerate(batch.headers)]
    return workbook_bytes(title="有误的行", headers=[*headers, REASON_HEADER], rows=error_rows(batch))
