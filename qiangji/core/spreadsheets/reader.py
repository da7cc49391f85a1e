"""Reading a checked file into rows of cells, with python-calamine (CSV with the csv module,
which calamine does not read). Row 1 of the list is row 1 as Excel shows it.

The read happens in a child process whose address space may grow by at most
settings.IMPORT_READ_MEMORY_MB (`resource.setrlimit(RLIMIT_AS)`, set in the child only, so the
web or worker process keeps its own limits): calamine aborts the whole process when an
allocation fails, which no Python code can catch, so a file that gets past the upload checks
and still needs too much memory kills that child and is refused with a Chinese reason. The
rows come back pickled through a pipe.
"""

import csv
import faulthandler
import io
import logging
import os
import pickle
import signal
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from qiangji.core.spreadsheets.extent import Limits, check_extent
from qiangji.core.spreadsheets.refusal import SpreadsheetError

try:
    import resource
except ImportError:  # not on Linux: no limit can be set, the read stays in-process
    resource = None

logger = logging.getLogger(__name__)
MEMORY_MESSAGE = "文件过大，读取时超出内存限制。请删去多余的行列或拆分后分批导入"
BROKEN_MESSAGE = "文件已损坏或格式不正确，无法读取"
TIME_MESSAGE = "读取文件超时（超过 {seconds} 秒），请删去多余的行列或拆分后分批导入"


@dataclass
class Sheet:
    """One worksheet: its name and its rows, merged areas filled with their top-left value."""

    name: str
    rows: list[list[Any]]

    def cell(self, row_number: int, column: int) -> Any:
        row = self.rows[row_number - 1] if 0 < row_number <= len(self.rows) else []
        return row[column] if column < len(row) else ""


def read_sheets(data: bytes, ext: str) -> list[Sheet]:
    """Every visible worksheet; SpreadsheetError when the file cannot be parsed at all, or
    cannot be read within the memory limit. Call it on files check_upload has passed."""
    budget = settings.IMPORT_READ_MEMORY_MB
    if not budget or resource is None or not hasattr(os, "fork"):
        try:
            return _read(data, ext)
        except MemoryError:
            raise SpreadsheetError(MEMORY_MESSAGE) from None
    return _read_in_child(data, ext, budget)


def _read_in_child(data: bytes, ext: str, budget_mb: int) -> list[Sheet]:
    limits = Limits.from_settings()  # read here: the child must not need anything lazy
    cpu_seconds = settings.IMPORT_READ_CPU_SECONDS
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: read, send, and leave without running any of the parent's exit code
        status = 0
        try:
            os.close(read_end)
            # Its death is an expected outcome, reported by the parent: no stack dump of it.
            faulthandler.disable()
            _limit_address_space(budget_mb)
            if cpu_seconds:
                # A reader stuck in a loop must not hold the page (or the worker) forever.
                resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, resource.getrlimit(resource.RLIMIT_CPU)[1]))
            try:
                payload = ("ok", _read(data, ext, limits))
            except SpreadsheetError as exc:
                payload = ("refused", exc.message)
            except MemoryError:
                payload = ("refused", MEMORY_MESSAGE)
            try:
                blob = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
            except MemoryError:
                blob = pickle.dumps(("refused", MEMORY_MESSAGE))
            del payload
            with os.fdopen(write_end, "wb") as out:
                out.write(blob)
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        blob = pipe.read()
    _, status = os.waitpid(pid, 0)
    try:
        outcome, value = pickle.loads(blob) if blob else (None, None)
    except Exception:
        outcome, value = None, None
    if outcome == "ok":
        return value
    if outcome == "refused":
        raise SpreadsheetError(value)
    # The child died: calamine aborts (SIGABRT) when an allocation fails under the limit; the
    # kernel's OOM killer sends SIGKILL.
    died_of = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    logger.warning("spreadsheet reader died (status %s, signal %s)", status, died_of)
    if died_of == signal.SIGXCPU:
        raise SpreadsheetError(TIME_MESSAGE.format(seconds=cpu_seconds))
    if died_of in (signal.SIGABRT, signal.SIGKILL, signal.SIGSEGV, signal.SIGBUS):
        raise SpreadsheetError(MEMORY_MESSAGE)
    raise SpreadsheetError(BROKEN_MESSAGE)


def _limit_address_space(budget_mb: int) -> None:
    """The child's address space: what it has now (the parent's, inherited) plus the budget."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        with open("/proc/self/statm") as statm:
            current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        current = 0
    limit = current + budget_mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft == resource.RLIM_INFINITY or limit < soft:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _read(data: bytes, ext: str, limits: Limits | None = None) -> list[Sheet]:
    limits = limits or Limits.from_settings()
    if ext == ".csv":
        return [Sheet(name="CSV", rows=_read_csv(data, limits))]
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except CalamineError as exc:
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise SpreadsheetError("文件设有密码保护，请取消密码后再上传") from None
        raise SpreadsheetError(BROKEN_MESSAGE) from None
    except MemoryError:
        raise
    except Exception:
        raise SpreadsheetError(BROKEN_MESSAGE) from None
    sheets = []
    with workbook:
        for index, meta in enumerate(workbook.sheets_metadata):
            if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
                continue
            try:
                sheet = workbook.get_sheet_by_index(index)
                end = sheet.end
            except MemoryError:
                raise
            except Exception:
                raise SpreadsheetError(f"工作表“{meta.name}”已损坏，无法读取") from None
            # The upload checks measured .xlsx and .ods before; an .xls is measured here, laid
            # out by calamine but not yet turned into Python objects.
            if end is not None:
                check_extent(end[0] + 1, end[1] + 1, meta.name, limits)
            try:
                rows = sheet.to_python(skip_empty_area=False)
                merged = sheet.merged_cell_ranges or []
            except MemoryError:
                raise
            except Exception:
                raise SpreadsheetError(f"工作表“{meta.name}”已损坏，无法读取") from None
            _fill_merged(rows, merged)
            sheets.append(Sheet(name=meta.name, rows=rows))
    if not sheets:
        raise SpreadsheetError("文件中没有可读取的工作表")
    return sheets


def _fill_merged(rows: list[list[Any]], merged: list[tuple[tuple[int, int], tuple[int, int]]]) -> None:
    """A merged area reads as blank except its first cell; a roster that merges 所在党组织 over
    twenty members means that value for all twenty, so it is copied into every cell. An area is
    cut to the sheet's own width: a merge reaching XFD must not widen every row to 16,384."""
    width = max((len(row) for row in rows), default=0)
    for (top, left), (bottom, right) in merged:
        right = min(right, width - 1)
        if top >= len(rows) or left > right:
            continue
        value = rows[top][left] if left < len(rows[top]) else ""
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            row = rows[r]
            if len(row) <= right:
                row.extend([""] * (right + 1 - len(row)))
            for c in range(left, right + 1):
                row[c] = value


def _read_csv(data: bytes, limits: Limits) -> list[list[Any]]:
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
    rows: list[list[Any]] = []
    width = 0
    try:
        # Counted while read: a CSV is refused on the first row or field past a limit.
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            width = max(width, len(row))
            rows.append(row)
            if len(rows) > limits.rows or width > limits.columns:
                check_extent(len(rows), width, "CSV", limits)
    except csv.Error:
        raise SpreadsheetError("CSV 文件格式有误，无法读取") from None
    return [r + [""] * (width - len(r)) for r in rows]
