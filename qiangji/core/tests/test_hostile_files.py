"""Hostile spreadsheets cannot hurt the service (docs/security.md "Hostile files").

Every file here is built by hand as the XML inside a zip, streamed, so the tests themselves
never hold a big sheet: a 2 KB .xlsx whose only cells are A1 and XFD1048576, lying
<dimension> elements, cells without references, zip bombs that understate their size, ODS
repeats, CSV rows and columns. Each is refused in Chinese before a reader sees it, through
the engine's checks, the upload page, the API and the import command, with nothing written.
What still gets through is read in a child process under a memory limit: running out kills
the child only, and the batch fails with a Chinese reason.
"""

import io
import resource
import struct
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from qiangji.core.models import ChangeRecord, ImportBatch, ImportRow
from qiangji.core.spreadsheets import engine, reader, services
from qiangji.core.spreadsheets.reader import MEMORY_MESSAGE, read_sheets
from qiangji.core.spreadsheets.safety import SpreadsheetError, check_upload
from qiangji.core.tests.test_spreadsheets_pages import roster
from qiangji.members.models import Member

_OOXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="' + _OOXML + '.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="' + _OOXML + '.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="名册" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def cell(ref: str | None, text: str, prefix: str = "") -> str:
    r = f' r="{ref}"' if ref else ""
    return f'<{prefix}c{r} t="inlineStr"><{prefix}is><{prefix}t>{text}</{prefix}t></{prefix}is></{prefix}c>'


def row(number: int | None, *cells: str, prefix: str = "") -> str:
    r = f' r="{number}"' if number else ""
    return f"<{prefix}row{r}>{''.join(cells)}</{prefix}row>"


def worksheet(rows: str, *, dimension: str = "", merges: str = "", prefix: str = "") -> str:
    xmlns = f'xmlns:{prefix[:-1]}="{_MAIN}"' if prefix else f'xmlns="{_MAIN}"'
    head = f'<{prefix}dimension ref="{dimension}"/>' if dimension else ""
    tail = f"<{prefix}mergeCells>{merges}</{prefix}mergeCells>" if merges else ""
    data = f"<{prefix}sheetData>{rows}</{prefix}sheetData>"
    return f'<?xml version="1.0" encoding="UTF-8"?><{prefix}worksheet {xmlns}>{head}{data}{tail}</{prefix}worksheet>'


def hand_xlsx(sheet_xml: str | None = None, *, padding: tuple[str, int] | None = None) -> bytes:
    """An .xlsx written part by part; `padding` (name, MB) adds a part of zeros streamed in
    1 MB pieces, so a bomb costs the test kilobytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CT)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml or worksheet(row(1, cell("A1", "姓名"))))
        if padding:
            name, megabytes = padding
            with archive.open(name, "w") as part:
                block = b" " * (1024 * 1024)
                for _ in range(megabytes):
                    part.write(block)
    return buffer.getvalue()


def understate(data: bytes, name: str, size: int) -> bytes:
    """The same zip with `name`'s uncompressed size declared as `size` in both its headers."""
    out = bytearray(data)
    encoded = name.encode()
    at = out.find(b"PK\x03\x04")
    while at >= 0:
        length = struct.unpack_from("<H", out, at + 26)[0]
        if bytes(out[at + 30 : at + 30 + length]) == encoded:
            struct.pack_into("<I", out, at + 22, size)
        at = out.find(b"PK\x03\x04", at + 4)
    at = out.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", out, at + 28)[0]
        if bytes(out[at + 46 : at + 46 + length]) == encoded:
            struct.pack_into("<I", out, at + 24, size)
        at = out.find(b"PK\x01\x02", at + 4)
    return bytes(out)


A1_AND_XFD = hand_xlsx(worksheet(row(1, cell("A1", "姓名")) + row(1048576, cell("XFD1048576", "x"))))
ROWS_MESSAGE = "文件过大：表格最多 200000 行，工作表“名册”用到了第 {} 行。请删去多余的行（含空白但有格式的行）或拆分后分批导入"
COLUMNS_MESSAGE = "文件过大：表格最多 100 列，工作表“名册”用到了第 {} 列（{}列）。请删去多余的列后再导入"


def refusal(name: str, data: bytes) -> str:
    with pytest.raises(SpreadsheetError) as excinfo:
        check_upload(name, data)
    return excinfo.value.message


# The checks ------------------------------------------------------------------------------------


def test_a_tiny_xlsx_reaching_xfd1048576_is_refused_before_any_reader_sees_it(monkeypatch):
    assert len(A1_AND_XFD) < 3000

    def no_reading(*args, **kwargs):
        raise AssertionError("the file must not be read")

    monkeypatch.setattr(reader, "CalamineWorkbook", type("Never", (), {"from_filelike": staticmethod(no_reading)}))
    assert refusal("名册.xlsx", A1_AND_XFD) == ROWS_MESSAGE.format(1048576)


@pytest.mark.parametrize(
    ("sheet", "message"),
    [
        # Past the row limit, or the column limit, by one.
        (worksheet(row(1, cell("A1", "姓名")) + row(200001, cell("A200001", "x"))), ROWS_MESSAGE.format(200001)),
        (worksheet(row(1, cell("A1", "姓名"), cell("CW1", "x"))), COLUMNS_MESSAGE.format(101, "CW")),
        # The dimension lies small: the cells are what count.
        (
            worksheet(row(1, cell("A1", "姓名")) + row(2, cell("XFD2", "x")), dimension="A1:B2"),
            COLUMNS_MESSAGE.format(16384, "XFD"),
        ),
        # The dimension claims the whole grid for one cell.
        (worksheet(row(1, cell("A1", "姓名")), dimension="A1:XFD1048576"), ROWS_MESSAGE.format(1048576)),
        # No dimension, no references: positions are counted as the reader counts them.
        (worksheet(row(None, *(cell(None, str(i)) for i in range(101)))), COLUMNS_MESSAGE.format(101, "CW")),
        (
            worksheet(row(1, cell("A1", "姓名")) + row(None, cell(None, "x")) + row(300000, cell(None, "y"))),
            ROWS_MESSAGE.format(300000),
        ),
        # Prefixed tags (as some generators write them) are read exactly too.
        (
            worksheet(row(1, cell("A1", "姓名", "x:"), cell("DA1", "y", "x:"), prefix="x:"), prefix="x:"),
            COLUMNS_MESSAGE.format(105, "DA"),
        ),
        # A reference with its attributes in another order.
        (worksheet('<row r="1"><c t="inlineStr" r="A250000"><is><t>x</t></is></c></row>'), ROWS_MESSAGE.format(250000)),
    ],
)
def test_a_sheet_reaching_past_the_limits_is_refused(sheet, message):
    assert refusal("名册.xlsx", hand_xlsx(sheet)) == message


def test_limits_come_from_settings(settings):
    settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_COLUMNS = 3, 2
    sheet = worksheet(row(1, cell("A1", "姓名"), cell("B1", "电话")) + row(3, cell("B3", "x")))
    assert check_upload("名册.xlsx", hand_xlsx(sheet)) == ".xlsx"
    assert refusal("名册.xlsx", hand_xlsx(sheet.replace("B3", "C3"))) == (
        "文件过大：表格最多 2 列，工作表“名册”用到了第 3 列（C列）。请删去多余的列后再导入"
    )
    assert refusal("名册.xlsx", hand_xlsx(sheet.replace("B3", "B4"))) == (
        "文件过大：表格最多 3 行，工作表“名册”用到了第 4 行。请删去多余的行（含空白但有格式的行）或拆分后分批导入"
    )


def test_an_ordinary_sheet_passes_and_empty_far_rows_do_not_count():
    rows = row(1, cell("A1", "姓名"), cell("L1", "电话")) + "".join(row(n, cell(f"A{n}", "x")) for n in range(2, 50))
    # Excel keeps a formatted but empty row far down; it holds no cell, the reader ignores it.
    assert check_upload("名册.xlsx", hand_xlsx(worksheet(rows + '<row r="1048576" ht="20" customHeight="1"/>'))) == ".xlsx"
    assert check_upload("名册.xlsx", roster()) == ".xlsx"


def test_zip_bombs_are_refused_by_ratio_and_by_their_true_size(settings):
    bomb = hand_xlsx(padding=("xl/media/image1.png", 40))
    assert len(bomb) < 200 * 1024
    assert refusal("炸弹.xlsx", bomb) == "文件压缩比异常（疑似压缩炸弹），已拒绝"

    # The same bomb declaring 1 KB: the parts are inflated to their true end, not as declared.
    settings.IMPORT_MAX_ENTRY_BYTES = 8 * 1024 * 1024
    liar = understate(hand_xlsx(padding=("xl/media/image1.png", 12)), "xl/media/image1.png", 1024)
    assert zipfile.ZipFile(io.BytesIO(liar)).getinfo("xl/media/image1.png").file_size == 1024
    assert refusal("炸弹.xlsx", liar) == "文件解压后过大（其中一个部分超过 8 MB），已拒绝"

    settings.IMPORT_MAX_ENTRY_BYTES = 300 * 1024 * 1024
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 10 * 1024 * 1024
    assert refusal("炸弹.xlsx", liar) == "文件解压后超过 10 MB，已拒绝"


def test_a_zip_is_measured_as_whatever_the_reader_could_take_it_for():
    """The reader detects the format from the content: an .ods name on a workbook hiding an .xlsx
    is measured as both, and a binary workbook part (.xlsb) is refused outright."""
    buffer = io.BytesIO(A1_AND_XFD)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("content.xml", "<office:document-content/>")
    assert refusal("名册.ods", buffer.getvalue()) == ROWS_MESSAGE.format(1048576)
    buffer = io.BytesIO(hand_xlsx())
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/workbook.bin", b"\x00")
    assert refusal("名册.xlsx", buffer.getvalue()) == "不接受含宏或二进制格式的文件，请在 Excel 中另存为 .xlsx 后再上传"


def test_too_many_parts_are_refused(settings):
    settings.IMPORT_MAX_ZIP_ENTRIES = 4
    assert refusal("名册.xlsx", hand_xlsx()) == "文件结构异常（内部条目过多），已拒绝"


def ods(body: str) -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="名册">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>',
        )
    return buffer.getvalue()


ODS_CELL = '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            f'<table:table-row table:number-rows-repeated="1048576">{ODS_CELL}</table:table-row>',
            ROWS_MESSAGE.format(1048576),
        ),
        (
            '<table:table-row><table:table-cell office:value-type="string" table:number-columns-repeated="16384">'
            "<text:p>x</text:p></table:table-cell></table:table-row>",
            COLUMNS_MESSAGE.format(16384, "XFD"),
        ),
    ],
)
def test_ods_repeats_are_counted(body, message):
    assert refusal("名册.ods", ods(body)) == message


def test_ods_trailing_empty_repeats_as_libreoffice_writes_them_pass():
    body = (
        f'<table:table-row>{ODS_CELL}<table:table-cell table:number-columns-repeated="16383"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/>'
        "</table:table-row>"
    )
    data = ods(body)
    assert check_upload("名册.ods", data) == ".ods"
    assert read_sheets(data, ".ods")[0].rows == [["x"]]


def test_csv_rows_and_columns_are_counted_while_read(settings):
    settings.IMPORT_MAX_ROWS = 3
    with pytest.raises(SpreadsheetError) as excinfo:
        read_sheets("姓名\n甲\n乙\n丙\n".encode(), ".csv")
    assert (
        excinfo.value.message
        == "文件过大：表格最多 3 行，工作表“CSV”用到了第 4 行。请删去多余的行（含空白但有格式的行）或拆分后分批导入"
    )
    with pytest.raises(SpreadsheetError) as excinfo:
        read_sheets(("姓名" + "," * 100 + "\n").encode(), ".csv")
    assert excinfo.value.message == "文件过大：表格最多 100 列，工作表“CSV”用到了第 101 列（CW列）。请删去多余的列后再导入"
    assert read_sheets("姓名\n甲\n乙\n".encode(), ".csv")[0].rows == [["姓名"], ["甲"], ["乙"]]


def test_a_sheet_laid_out_by_the_reader_is_measured_before_it_becomes_python_objects(settings):
    """What an .xls gets (its cells are only known once calamine has read the file)."""
    settings.IMPORT_MAX_ROWS = 2
    with pytest.raises(SpreadsheetError) as excinfo:
        read_sheets(roster(), ".xlsx")
    assert excinfo.value.message.startswith("文件过大：表格最多 2 行，工作表“Sheet”用到了第 6 行。")


def test_a_merge_reaching_xfd_does_not_widen_the_rows():
    sheet = worksheet(
        row(1, cell("A1", "名册")) + row(2, cell("A2", "姓名"), cell("B2", "电话")),
        merges='<mergeCell ref="A1:XFD1"/><mergeCell ref="C2:XFD2"/>',
    )
    assert read_sheets(hand_xlsx(sheet), ".xlsx")[0].rows == [["名册", "名册"], ["姓名", "电话"]]


# Through every door: upload page, API, command ----------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def state():
    return (Member.objects.count(), ChangeRecord.objects.count(), ImportBatch.objects.count(), ImportRow.objects.count())


def stored_files(media):
    folder = media / "private" / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


HOSTILE = [
    ("a1_xfd", A1_AND_XFD, ROWS_MESSAGE.format(1048576)),
    ("bomb", hand_xlsx(padding=("xl/media/image1.png", 40)), "文件压缩比异常（疑似压缩炸弹），已拒绝"),
    ("rows", hand_xlsx(worksheet(row(1, cell("A1", "姓名")) + row(200001, cell("A200001", "x")))), ROWS_MESSAGE.format(200001)),
    ("columns", hand_xlsx(worksheet(row(1, cell("A1", "姓名"), cell("CW1", "x")))), COLUMNS_MESSAGE.format(101, "CW")),
    (
        "lying_dimension",
        hand_xlsx(worksheet(row(1, cell("A1", "姓名")) + row(2, cell("XFD2", "x")), dimension="A1:B2")),
        COLUMNS_MESSAGE.format(16384, "XFD"),
    ),
]


@pytest.mark.parametrize(("label", "data", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_the_upload_page_refuses_in_chinese_and_keeps_nothing(client_as, users, media, label, data, message):
    client = client_as(users["town_admin"])
    before = state()
    response = client.post(reverse("imports:list"), {"kind": "members", "file": SimpleUploadedFile("名册.xlsx", data)})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "支持 .xlsx、.xls、.ods、.csv，不超过 20 MB、200000 行、100 列；表头上方可以有标题行" in page
    assert state() == before and stored_files(media) == []


@pytest.mark.parametrize(("label", "data", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_the_api_refuses_with_a_422_and_writes_nothing(api_as, users, label, data, message):
    from qiangji.campaign.models import BaseRecord, EntityBatch

    before = (EntityBatch.objects.count(), BaseRecord.objects.count(), ImportBatch.objects.count())
    api = api_as(users["town_admin"])
    upload = {"file": SimpleUploadedFile("底数.xlsx", data), "is_full": "true"}
    response = api.client.post("/api/v1/entity-batches", upload, headers=api.headers)
    assert response.status_code == 422
    assert response.json()["errors"]["file"] == [f"无法读取文件：{message}"]
    assert (EntityBatch.objects.count(), BaseRecord.objects.count(), ImportBatch.objects.count()) == before


@pytest.mark.parametrize(("label", "data", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_the_import_command_refuses_and_writes_nothing(db, tmp_path, label, data, message):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(data)
    before = state()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_members", str(path))
    assert str(excinfo.value) == f"无法读取文件 名册.xlsx：{message}"
    assert state() == before


# The memory limit -----------------------------------------------------------------------------


# Within the limits (200,000 rows, 100 columns) but laid out densely by the reader: 20 million
# cells, far more than a 64 MB budget.
SPARSE = hand_xlsx(worksheet(row(1, cell("A1", "姓名"), cell("B1", "公民身份号码")) + row(200000, cell("CV200000", "x"))))


def test_a_read_that_needs_more_memory_than_allowed_is_refused_and_this_process_keeps_its_limit(settings):
    assert check_upload("名册.xlsx", SPARSE) == ".xlsx"
    before = resource.getrlimit(resource.RLIMIT_AS)
    assert read_sheets(roster(), ".xlsx")[0].rows[1][0] == "姓名"  # read in the child, as always

    settings.IMPORT_READ_MEMORY_MB = 64
    with pytest.raises(SpreadsheetError) as excinfo:
        read_sheets(SPARSE, ".xlsx")
    assert excinfo.value.message == MEMORY_MESSAGE == "文件过大，读取时超出内存限制。请删去多余的行列或拆分后分批导入"
    assert resource.getrlimit(resource.RLIMIT_AS) == before

    # A MemoryError inside the child is reported the same way as the child's death.
    settings.IMPORT_READ_MEMORY_MB = 1536
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "_read", lambda data, ext, limits=None: bytearray(1 << 60))
        with pytest.raises(SpreadsheetError) as excinfo:
            read_sheets(roster(), ".xlsx")
    assert excinfo.value.message == MEMORY_MESSAGE


def test_a_read_that_never_ends_is_stopped_by_its_cpu_limit(settings, monkeypatch):
    def spin(data, ext, limits=None):
        while True:
            pass

    settings.IMPORT_READ_CPU_SECONDS = 1
    monkeypatch.setattr(reader, "_read", spin)
    with pytest.raises(SpreadsheetError) as excinfo:
        read_sheets(roster(), ".xlsx")
    assert excinfo.value.message == "读取文件超时（超过 1 秒），请删去多余的行列或拆分后分批导入"


def test_running_out_of_memory_in_the_task_fails_the_batch_with_a_chinese_reason(
    client_as, users, settings, media, monkeypatch, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 2
    client = client_as(users["secretary_a"])
    members = Member.objects.count()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("imports:list"), {"kind": "members", "file": SimpleUploadedFile("名册.xlsx", roster())})
    batch = ImportBatch.objects.get()
    assert (batch.status, len(callbacks)) == ("pending", 1)

    # The worker's read runs out of memory (in the reading child: its MemoryError, or its death).
    monkeypatch.setattr(reader, "_read", lambda data, ext, limits=None: bytearray(1 << 60))
    callbacks[0]()

    batch.refresh_from_db()
    assert (batch.status, batch.message, batch.stored_name) == ("failed", MEMORY_MESSAGE, "")
    assert (Member.objects.count(), batch.rows.count(), stored_files(media)) == (members, 0, [])


def test_running_out_of_memory_while_committing_fails_the_batch_and_writes_nothing(
    client_as, users, settings, media, monkeypatch, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 2
    client = client_as(users["secretary_a"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:list"), {"kind": "members", "file": SimpleUploadedFile("名册.xlsx", roster())})
    batch = ImportBatch.objects.get()
    assert batch.status == "preview"
    before = (Member.objects.count(), ChangeRecord.objects.count())

    real_run = engine.run

    def exhausted(*args, **kwargs):
        if kwargs.get("commit"):
            raise MemoryError
        return real_run(*args, **kwargs)

    monkeypatch.setattr(services.engine, "run", exhausted)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:commit", args=[batch.pk]))

    batch.refresh_from_db()
    assert (batch.status, batch.message) == ("failed", MEMORY_MESSAGE)
    assert (Member.objects.count(), ChangeRecord.objects.count()) == before


def test_the_import_command_survives_running_out_of_memory(db, tmp_path, settings, monkeypatch):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(SPARSE)
    settings.IMPORT_READ_MEMORY_MB = 64
    before = state()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_members", str(path))
    assert str(excinfo.value) == f"无法读取文件 名册.xlsx：{MEMORY_MESSAGE}"

    # Without the reading child (IMPORT_READ_MEMORY_MB = 0) a MemoryError is caught all the same.
    settings.IMPORT_READ_MEMORY_MB = 0
    monkeypatch.setattr(reader, "_read", lambda data, ext, limits=None: bytearray(1 << 60))
    with pytest.raises(CommandError) as excinfo:
        call_command("import_members", str(path))
    assert str(excinfo.value) == f"无法读取文件 名册.xlsx：{MEMORY_MESSAGE}"
    assert state() == before
