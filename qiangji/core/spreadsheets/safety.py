"""Upload checks made before a spreadsheet is opened (ENGINEERING.md): size, extension, the
file's own signature, macros, and for the zip formats (.xlsx, .ods) the container (entry
count, true uncompressed sizes, compression ratios) and how far each sheet reaches
(extent.py). A .csv is held to the same row and column limits while it is read; an .xls
(whose format caps it at 65,536 × 256) once calamine has laid it out, in the memory-limited
reading process (reader.py), before any cell becomes a Python object."""

import io
import zipfile
from pathlib import PurePath

from django.conf import settings

from qiangji.core.spreadsheets.extent import Limits, check_declared, check_ods, check_xlsx, megabytes
from qiangji.core.spreadsheets.refusal import SpreadsheetError

EXTENSIONS = (".xlsx", ".xls", ".ods", ".csv")
MACRO_EXTENSIONS = (".xlsm", ".xltm", ".xlsb", ".xlam")
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_MACROS = "_VBA_PROJECT".encode("utf-16-le")


__all__ = ["EXTENSIONS", "MACRO_EXTENSIONS", "SpreadsheetError", "check_upload"]


def check_upload(file_name: str, data: bytes, *, size_limit: int | None = None) -> str:
    """The file's extension ('.xlsx', …) once it passes every check; SpreadsheetError otherwise.

    `size_limit` defaults to settings.IMPORT_MAX_UPLOAD_BYTES; management commands reading a
    file already on the server pass 0 to skip only that cap.
    """
    ext = PurePath(file_name or "").suffix.lower()
    if ext in MACRO_EXTENSIONS:
        raise SpreadsheetError("不接受含宏或二进制格式的文件，请在 Excel 中另存为 .xlsx 后再上传")
    if ext not in EXTENSIONS:
        raise SpreadsheetError("仅支持 .xlsx、.xls、.ods、.csv 格式的表格文件")
    if not data:
        raise SpreadsheetError("文件为空")
    limit = settings.IMPORT_MAX_UPLOAD_BYTES if size_limit is None else size_limit
    if limit and len(data) > limit:
        raise SpreadsheetError(f"文件超过 {megabytes(limit)} 的上限，请拆分后分批导入")
    if ext in (".xlsx", ".ods"):
        if not data.startswith(_ZIP):
            if data.startswith(_OLE):
                raise SpreadsheetError("文件已加密或实际为旧版 .xls 格式，请取消密码保护或另存为 .xlsx 后再上传")
            raise SpreadsheetError(f"文件内容与扩展名 {ext} 不符，可能已损坏")
        _check_zip(data, ext)
    elif ext == ".xls":
        if not data.startswith(_OLE):
            raise SpreadsheetError("文件内容与扩展名 .xls 不符，可能已损坏")
        if _OLE_MACROS in data:
            raise SpreadsheetError("文件含有宏，请在 Excel 中另存为不含宏的 .xlsx 后再上传")
    elif data.startswith((_ZIP, _OLE)) or b"\x00" in data[:4096]:
        raise SpreadsheetError("文件内容不是文本格式的 CSV，请检查扩展名")
    return ext


def _check_zip(data: bytes, ext: str) -> None:
    limits = Limits.from_settings()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise SpreadsheetError("文件已损坏，无法打开") from None
    check_declared(entries, limits)
    names = {entry.filename for entry in entries}
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise SpreadsheetError("文件含有宏，请在 Excel 中另存为不含宏的 .xlsx 后再上传")
    if ext == ".xlsx" and "xl/workbook.xml" not in names:
        raise SpreadsheetError("文件不是有效的 .xlsx 工作簿")
    if ext == ".ods" and "content.xml" not in names:
        raise SpreadsheetError("文件不是有效的 .ods 表格")
    # The reader goes by the content, not by the name: whatever it could read is measured.
    if any(name.lower() == "xl/workbook.bin" for name in names):
        raise SpreadsheetError("不接受含宏或二进制格式的文件，请在 Excel 中另存为 .xlsx 后再上传")
    if "xl/workbook.xml" in names:
        check_xlsx(archive, limits)
    if "content.xml" in names:
        check_ods(archive, limits)
