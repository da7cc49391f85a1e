"""How far a spreadsheet reaches, found before it is read.

A reader builds a sheet as one dense block from A1 to its farthest cell: a 5 KB .xlsx holding
only A1 and XFD1048576 asks for 17 billion cells, and the allocation failing inside calamine
aborts the whole process (nothing in Python can catch it). So every worksheet's extent is
measured first, from the decompressed XML streamed a chunk at a time, and a file reaching past
settings.IMPORT_MAX_ROWS / IMPORT_MAX_COLUMNS is refused before any reader sees it.

The `<dimension>` element only says what the writer claims, so it is checked and then the cells
themselves are: for .xlsx the `r="XFD1048576"` references (or, for cells without one, their
positions counted as calamine counts them); for .ods the rows and cells with their
`number-rows-repeated` / `number-columns-repeated` counts.
"""

import copy
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.sax.handler import ContentHandler, feature_namespaces

from defusedxml import ElementTree as SafeTree
from defusedxml.sax import make_parser
from django.conf import settings

from qiangji.core.spreadsheets.refusal import SpreadsheetError

CHUNK = 1 << 20
# No tag of a sane worksheet comes near this; a longer one is a file built to defeat the scan.
MAX_TAG_BYTES = 1 << 20
# Below this an entry is too small for its compression ratio to matter.
RATIO_FLOOR_BYTES = 1 << 20
# workbook.xml and its relationships are read whole: they list sheets, nothing more.
MAX_INDEX_BYTES = 10 << 20

_XLSX_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_WORKSHEET_REL = "/worksheet"

_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?\sref\s*=\s*[\"']([^\"']*)[\"']")
# Any cell or row tag; the exact scan reads them one by one.
_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
_R_ATTR = re.compile(rb"(?:^|\s)r\s*=\s*[\"']\$?([A-Za-z]*)\$?(\d*)[\"']")
# Cell tags the fast scan cannot read: without attributes, with odd whitespace, or prefixed
# (two patterns, each with a literal prefix: one alternation starting at "<" is 8 times slower).
_IRREGULAR_CELL = re.compile(rb"<c[\t\r\n/>]")
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
_REF = re.compile(r"^\$?([A-Za-z]{1,4})\$?(\d{1,8})$")


@dataclass(frozen=True)
class Limits:
    """The settings' limits, read once per check (and before the reading child forks)."""

    rows: int
    columns: int
    entries: int
    total_bytes: int
    entry_bytes: int
    ratio: int

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            rows=settings.IMPORT_MAX_ROWS,
            columns=settings.IMPORT_MAX_COLUMNS,
            entries=settings.IMPORT_MAX_ZIP_ENTRIES,
            total_bytes=settings.IMPORT_MAX_UNCOMPRESSED_BYTES,
            entry_bytes=settings.IMPORT_MAX_ENTRY_BYTES,
            ratio=settings.IMPORT_MAX_COMPRESSION_RATIO,
        )


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: bytes | str) -> int:
    number = 0
    for char in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        number = number * 26 + ord(char) - 64
    return number


def megabytes(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.0f} MB"
    return f"{max(1, round(size / 1024))} KB"


def check_extent(rows: int, columns: int, sheet: str, limits: Limits | None = None) -> None:
    """SpreadsheetError when a sheet reaches past the row or column limit."""
    limits = limits or Limits.from_settings()
    if rows > limits.rows:
        raise SpreadsheetError(
            f"文件过大：表格最多 {limits.rows} 行，工作表“{sheet}”用到了第 {rows} 行。"
            "请删去多余的行（含空白但有格式的行）或拆分后分批导入"
        )
    if columns > limits.columns:
        raise SpreadsheetError(
            f"文件过大：表格最多 {limits.columns} 列，工作表“{sheet}”用到了第 {columns} 列（{column_letters(columns)}列）。"
            "请删去多余的列后再导入"
        )


def _too_big(limits: Limits) -> SpreadsheetError:
    return SpreadsheetError(f"文件解压后超过 {megabytes(limits.total_bytes)}，已拒绝")


def _part_too_big(limits: Limits) -> SpreadsheetError:
    return SpreadsheetError(f"文件解压后过大（其中一个部分超过 {megabytes(limits.entry_bytes)}），已拒绝")


def _bomb() -> SpreadsheetError:
    return SpreadsheetError("文件压缩比异常（疑似压缩炸弹），已拒绝")


def _broken() -> SpreadsheetError:
    return SpreadsheetError("文件已损坏，无法打开")


def check_declared(entries: list[zipfile.ZipInfo], limits: Limits) -> None:
    """What the zip's directory says: entry count, sizes, ratios (cheap; it may lie, see `Budget`)."""
    if len(entries) > limits.entries:
        raise SpreadsheetError("文件结构异常（内部条目过多），已拒绝")
    if sum(entry.file_size for entry in entries) > limits.total_bytes:
        raise _too_big(limits)
    for entry in entries:
        if entry.file_size > limits.entry_bytes:
            raise _part_too_big(limits)
        _check_ratio(entry.file_size, entry.compress_size, limits)


def _check_ratio(size: int, compressed: int, limits: Limits) -> None:
    if size > RATIO_FLOOR_BYTES and size > limits.ratio * max(compressed, 1):
        raise _bomb()


class Budget:
    """Decompresses entries without trusting their declared sizes: each entry is inflated to its
    true end (or just past a limit), so a directory that understates a bomb changes nothing."""

    def __init__(self, archive: zipfile.ZipFile, limits: Limits) -> None:
        self.archive, self.limits, self.used = archive, limits, 0

    def stream(self, entry: zipfile.ZipInfo, *, counted: bool = True) -> Iterator[bytes]:
        cap = min(self.limits.entry_bytes, self.limits.total_bytes - self.used if counted else self.limits.total_bytes)
        unbounded = copy.copy(entry)
        # zipfile stops at file_size (and then fails its CRC check): let it run to the entry's
        # real end, or far enough past the cap for us to stop first.
        unbounded.file_size = cap + 2 * CHUNK
        size = 0
        try:
            with self.archive.open(unbounded) as source:
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    if size > self.limits.entry_bytes:
                        raise _part_too_big(self.limits)
                    if counted and self.used + size > self.limits.total_bytes:
                        raise _too_big(self.limits)
                    yield chunk
        except SpreadsheetError:
            raise
        except Exception:  # BadZipFile, zlib.error, EOFError, an encrypted entry: not a sound file
            raise _broken() from None
        _check_ratio(size, entry.compress_size, self.limits)
        if counted:
            self.used += size

    def drain(self, entry: zipfile.ZipInfo) -> None:
        for _ in self.stream(entry):
            pass

    def read(self, entry: zipfile.ZipInfo, cap: int = MAX_INDEX_BYTES) -> bytes:
        parts, size = [], 0
        for chunk in self.stream(entry):
            size += len(chunk)
            if size > cap:
                raise SpreadsheetError("文件结构异常（工作簿目录过大），已拒绝")
            parts.append(chunk)
        return b"".join(parts)


# .xlsx -----------------------------------------------------------------------------------------


class _NeedsExactScan(Exception):
    pass


class SheetScan:
    """The farthest row and column a worksheet's cells reach, fed the XML a chunk at a time.

    Fast mode, for the XML Excel, WPS and openpyxl write (every cell `<c r="…"` with `r`
    first): only references long enough to pass a limit are matched (six-digit rows, two-letter
    columns with the defaults), so an ordinary sheet costs a few C-speed searches per megabyte.
    Anything else (cells without `r`, prefixed tags) makes the caller rescan in exact mode,
    which walks every row and cell tag and counts positions as the reader would.
    """

    def __init__(self, limits: Limits, *, exact: bool = False) -> None:
        self.limits, self.exact = limits, exact
        self.rows = self.columns = 0
        self.dimension: tuple[int, int] | None = None
        self.needs_exact = False
        self._carry = b""
        self._row = self._col = 0  # exact mode: the current position (1-based; 0 = before)
        self._sheet_data_seen = False
        digits = len(str(limits.rows + 1))
        letters = len(column_letters(limits.columns + 1))
        # Wide references (enough letters to pass the column limit) with their row, and narrow
        # ones with enough digits to pass the row limit: one pattern, a literal prefix, so the
        # search runs at C speed between matches.
        narrow = rb"[A-Z]{1,%d}(\d{%d,})" % (letters - 1, digits) if letters > 1 else rb"(?!)()"
        self._far = re.compile(rb'<c r="(?:([A-Z]{%d,})(\d+)|%s)"' % (letters, narrow))

    def feed(self, chunk: bytes) -> None:
        if self.needs_exact:
            return
        buffer = self._carry + chunk
        cut = buffer.rfind(b"<")
        if cut < 0:
            cut = len(buffer)
        self._carry = buffer[cut:]
        if len(self._carry) > MAX_TAG_BYTES:
            raise SpreadsheetError("文件结构异常（工作表内容无法解析），已拒绝")
        self._scan(buffer[:cut])

    def close(self) -> None:
        if not self.needs_exact:
            self._scan(self._carry)
            self._carry = b""

    def _scan(self, text: bytes) -> None:
        if self.dimension is None and not self._sheet_data_seen:
            # <dimension> comes before <sheetData>; no need to look for it further.
            head = text
            at = text.find(b"sheetData")
            if at >= 0:
                self._sheet_data_seen, head = True, text[:at]
            found = _DIMENSION.search(head)
            if found:
                self.dimension = _range_end(found.group(1).decode("ascii", "replace"))
        if self.exact:
            self._scan_exact(text)
            return
        if _IRREGULAR_CELL.search(text) or _PREFIXED_CELL.search(text) or text.count(b"<c ") != text.count(b'<c r="'):
            self.needs_exact = True
            return
        for found in self._far.finditer(text):
            wide, wide_row, narrow_row = found.groups()
            if wide:
                self.columns = max(self.columns, column_number(wide))
            self.rows = max(self.rows, int(wide_row or narrow_row))

    def _scan_exact(self, text: bytes) -> None:
        for tag in _TAG.finditer(text):
            ref = _R_ATTR.search(tag.group(2))
            if tag.group(1) == b"row":
                self._row = int(ref.group(2)) if ref and ref.group(2) else self._row + 1
                self._col = 0
                continue
            if ref and ref.group(1):
                self._col = column_number(ref.group(1))
            else:
                self._col += 1
            if ref and ref.group(2):
                self._row = int(ref.group(2))
            self.rows = max(self.rows, self._row or 1)
            self.columns = max(self.columns, self._col)


def _range_end(ref: str) -> tuple[int, int] | None:
    """The bottom-right corner of 'A1:XFD1048576' (or of a single cell) as (row, column)."""
    corner = ref.split(":")[-1].strip()
    found = _REF.match(corner)
    if not found:
        return None
    return int(found.group(2)), column_number(found.group(1))


def worksheet_parts(budget: Budget, names: dict[str, zipfile.ZipInfo]) -> list[tuple[str, zipfile.ZipInfo]]:
    """(sheet name, zip entry) of every worksheet: the ones workbook.xml lists under their names,
    then any other part under xl/worksheets/ (a reader may still find it)."""
    found: dict[str, str] = {}
    rels_entry = names.get("xl/_rels/workbook.xml.rels")
    rels_xml = budget.read(rels_entry) if rels_entry else None
    book_xml = budget.read(names["xl/workbook.xml"])
    try:
        rels = SafeTree.fromstring(rels_xml) if rels_xml else None
        book = SafeTree.fromstring(book_xml)
    except Exception:
        raise SpreadsheetError("文件不是有效的 .xlsx 工作簿") from None
    targets = {}
    if rels is not None:
        for rel in rels.iter(f"{{{_PKG_REL_NS}}}Relationship"):
            if rel.get("Type", "").endswith(_WORKSHEET_REL):
                target = rel.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
                targets[rel.get("Id")] = path
    for sheet in book.iter(f"{{{_XLSX_NS}}}sheet"):
        path = targets.get(sheet.get(f"{{{_REL_NS}}}id"))
        if path in names and path not in found:
            found[path] = sheet.get("name") or path
    for name in names:
        if name.lower().startswith("xl/worksheets/") and name.lower().endswith(".xml") and name not in found:
            found[name] = posixpath.basename(name)
    return [(label, names[path]) for path, label in found.items()]


def check_xlsx(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Every entry's true size, every worksheet's declared and real extent."""
    entries = archive.infolist()
    names = {entry.filename: entry for entry in entries}
    budget = Budget(archive, limits)
    sheets = worksheet_parts(budget, names)
    sheet_entries = {id(entry) for _, entry in sheets}
    for label, entry in sheets:
        scan = SheetScan(limits)
        for chunk in budget.stream(entry):
            scan.feed(chunk)
        scan.close()
        if scan.needs_exact:
            scan = SheetScan(limits, exact=True)
            for chunk in budget.stream(entry, counted=False):
                scan.feed(chunk)
            scan.close()
        if scan.dimension:
            check_extent(*scan.dimension, label, limits)
        check_extent(scan.rows, scan.columns, label, limits)
    for entry in entries:
        if id(entry) not in sheet_entries and entry.filename not in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            budget.drain(entry)


# .ods ------------------------------------------------------------------------------------------

_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TABLE = (_TABLE_NS, "table")
_ROW = (_TABLE_NS, "table-row")
_CELLS = ((_TABLE_NS, "table-cell"), (_TABLE_NS, "covered-table-cell"))
_ROWS_REPEATED = (_TABLE_NS, "number-rows-repeated")
_COLUMNS_REPEATED = (_TABLE_NS, "number-columns-repeated")
_VALUE_TYPE = (_OFFICE_NS, "value-type")
_NAME = (_TABLE_NS, "name")


class _OdsExtent(ContentHandler):
    """Rows and cells with their repeat counts, as the reader expands them."""

    def __init__(self, limits: Limits) -> None:
        super().__init__()
        self.limits = limits
        self.sheet, self.row, self.rows, self.columns = "", 0, 0, 0
        self.row_repeat, self.row_has_content, self.col = 1, False, 0
        self.cell_repeat, self.cell_has_content, self.in_cell = 1, False, False

    def startElementNS(self, name, qname, attrs) -> None:
        if name == _TABLE:
            self.check()
            self.sheet, self.row, self.rows, self.columns = attrs.get(_NAME, ""), 0, 0, 0
        elif name == _ROW:
            self.row_repeat, self.row_has_content, self.col = _repeat(attrs, _ROWS_REPEATED), False, 0
        elif name in _CELLS:
            self.cell_repeat, self.in_cell = _repeat(attrs, _COLUMNS_REPEATED), True
            self.cell_has_content = attrs.get(_VALUE_TYPE) is not None
        elif self.in_cell:
            self.cell_has_content = True  # a paragraph, an annotation: the cell is not empty

    def endElementNS(self, name, qname) -> None:
        if name in _CELLS:
            self.col += self.cell_repeat
            if self.cell_has_content:
                self.columns = max(self.columns, self.col)
                self.row_has_content = True
            self.in_cell = False
        elif name == _ROW:
            self.row += self.row_repeat
            if self.row_has_content:
                self.rows = max(self.rows, self.row)
                self.check()

    def check(self) -> None:
        check_extent(self.rows, self.columns, self.sheet, self.limits)


def _repeat(attrs, name: tuple[str, str]) -> int:
    try:
        return max(1, int(attrs.get(name, "1")))
    except ValueError:
        return 1


def check_ods(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Every entry's true size; the extent of every table in content.xml. Repeated empty rows
    and cells (LibreOffice ends each sheet with a million of them) reach nothing, as for the
    reader; a repeated cell with content reaches as far as it repeats."""
    budget = Budget(archive, limits)
    content = None
    for entry in archive.infolist():
        if entry.filename == "content.xml":
            content = entry
        else:
            budget.drain(entry)
    if content is None:
        raise SpreadsheetError("文件不是有效的 .ods 表格")
    handler = _OdsExtent(limits)
    parser = make_parser()
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(handler)
    try:
        for chunk in budget.stream(content):
            parser.feed(chunk)
        parser.close()
    except SpreadsheetError:
        raise
    except Exception:
        raise SpreadsheetError("文件已损坏或格式不正确，无法读取") from None
    handler.check()
