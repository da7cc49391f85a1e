"""Every workbook the platform writes is formula-safe: header rows, sheet titles and data cells
alike (RULES.md "Spreadsheets in and out": a leading apostrophe), and every writer goes through
core.exports."""

import io
import re
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qiangji.core.exports import safe_title, workbook_bytes
from qiangji.core.models import ImportBatch
from qiangji.core.spreadsheets.extent import column_letters
from qiangji.core.tests.test_hostile_files import cell, hand_xlsx, row, worksheet
from qiangji.core.tests.test_spreadsheets_pages import HEADERS, ID_1, ID_2

HOSTILE = ['=HYPERLINK("http://x","点我")', "+1", "-2", "@SUM(A1)", "\tTAB", "\rCR"]
ESCAPED = ["'" + text for text in HOSTILE]


def cells(content: bytes):
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.active
    return sheet, [[c for c in row] for row in sheet.iter_rows()]


def test_headers_titles_and_cells_never_start_a_formula():
    content, count = workbook_bytes(title="=[名册]:导出/2026?", headers=[*HOSTILE, "姓名"], rows=[[*HOSTILE, "甲"]])
    sheet, rows = cells(content)
    assert count == 1
    assert sheet.title == "_名册__导出_2026_"
    assert [c.value for c in rows[0]] == [*ESCAPED, "姓名"]
    assert [c.value for c in rows[1]] == [*ESCAPED, "甲"]
    assert all(c.data_type == "s" for row in rows for c in row)


@pytest.mark.parametrize(
    ("title", "safe"),
    [
        ("党员名册", "党员名册"),
        ("=cmd", "cmd"),
        ("'+@-引号'", "引号"),
        ("=", "数据"),
        (
            "底数批次第12号分析结果（很长很长很长很长很长很长的文件名.xlsx）",
            "底数批次第12号分析结果（很长很长很长很长很长很长的文件名.x",
        ),
        ("分析结果（:[区级]/底数?.xlsx*）", "分析结果（__区级__底数_.xlsx_）"),
    ],
)
def test_sheet_titles_are_ones_excel_accepts(title, safe):
    assert safe_title(title) == safe


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_error_file_escapes_the_header_it_copies_from_the_upload(client_as, users):
    """The header row of an error file is the uploaded file's own: the place a formula hides."""
    client = client_as(users["secretary_a"])
    # Text cells as a district's file holds them (openpyxl would write "=…" as a formula).
    lines = [
        [*HEADERS, '=HYPERLINK("http://x","点我")'],
        ["甲", ID_1, "2005-07-01", "2006-07-01", "正式党员", "东村第一党支部", "13800000001", "=1+1"],
        ["=乙", ID_2[:10], "2005-07-01", "", "预备党员", "东村第一党支部", "", "@x"],
    ]
    data = hand_xlsx(
        worksheet(
            "".join(
                row(n, *(cell(f"{column_letters(i + 1)}{n}", escape(v)) for i, v in enumerate(line) if v))
                for n, line in enumerate(lines, start=1)
            )
        )
    )
    client.post(reverse("imports:list"), {"kind": "members", "file": SimpleUploadedFile("名册.xlsx", data)})
    batch = ImportBatch.objects.get()
    assert batch.counts["invalid"] == 1

    response = client.get(reverse("imports:errors", args=[batch.pk]))
    sheet, rows = cells(response.content)
    assert sheet.title == "有误的行"
    assert batch.headers[7] == '=HYPERLINK("http://x","点我")'
    assert [c.value for c in rows[0]] == [*HEADERS, '\'=HYPERLINK("http://x","点我")', "错误原因"]
    assert [c.value for c in rows[1]][:2] == ["'=乙", ID_2[:10]]
    assert rows[1][7].value == "'@x"
    assert all(c.data_type != "f" for row in rows for c in row)


def test_the_import_template_is_written_by_the_same_helper(client_as, users):
    response = client_as(users["town_admin"]).get(reverse("imports:template", args=["members"]))
    sheet, rows = cells(response.content)
    assert sheet.title == "党员导入"
    assert all(c.data_type == "s" for c in rows[0])


def test_no_workbook_is_written_outside_core_exports():
    """A writer of its own would skip the escaping: openpyxl is imported only by core.exports and
    the demo's district sheet, whose every row and title goes through safe_row / safe_title."""
    root = Path(__file__).resolve().parents[2]
    writers = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts and re.search(r"^\s*(from|import) openpyxl", path.read_text(encoding="utf-8"), re.M)
    )
    assert writers == ["core/exports.py", "demo/campaign_sheet.py"]
    demo = (root / "demo" / "campaign_sheet.py").read_text(encoding="utf-8")
    appends = [line.strip() for line in demo.splitlines() if ".append(" in line and "sheet." in line]
    assert appends and all("safe_row(" in line for line in appends)
    assert "sheet.title = safe_title(" in demo


def test_an_aware_datetime_is_written_as_local_wall_time():
    import datetime as dt

    data, _ = workbook_bytes(title="t", headers=["时间"], rows=[[dt.datetime(2026, 12, 7, 17, 29, tzinfo=dt.UTC)]])
    value = openpyxl.load_workbook(io.BytesIO(data)).active["A2"].value
    assert value == dt.datetime(2026, 12, 8, 1, 29)
