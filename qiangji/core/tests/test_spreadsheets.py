"""The spreadsheet engine on its own: upload checks, reading, header detection, normalisation,
encrypted storage and the row loop, each on the messy inputs districts really send."""

import datetime as dt
import io
import zipfile
from collections import Counter

import openpyxl
import pytest

from qiangji.core.spreadsheets import Checked, ImportContext, Importer, RowInvalid, columns, engine, storage
from qiangji.core.spreadsheets.header import data_rows, detect, match_columns
from qiangji.core.spreadsheets.reader import read_sheets
from qiangji.core.spreadsheets.safety import SpreadsheetError, check_upload


def xlsx(rows, merges=(), *, title="表1", extra_sheets=()) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(list(row))
    for area in merges:
        ws.merge_cells(area)
    for name, sheet_rows, hidden in extra_sheets:
        other = wb.create_sheet(name, 0)
        for row in sheet_rows:
            other.append(list(row))
        if hidden:
            other.sheet_state = "hidden"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def with_zip_entry(data: bytes, name: str, content: bytes = b"x") -> bytes:
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


COLUMNS = (
    columns.text("name", "姓名", required=True),
    columns.code("id_number", "公民身份号码", aliases=("身份证号", "身份证号码"), required=True),
    columns.code("phone", "联系电话", aliases=("手机号码",)),
    columns.text("organization", "所在党组织", aliases=("所在支部",)),
    columns.date("joined_on", "入党日期"),
)


# Upload checks ---------------------------------------------------------------------------------


def test_a_clean_workbook_passes_every_check():
    assert check_upload("名册.XLSX", xlsx([["姓名"]])) == ".xlsx"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("名册.xlsm", xlsx([["姓名"]]), "不接受含宏或二进制格式的文件，请在 Excel 中另存为 .xlsx 后再上传"),
        (
            "名册.xlsx",
            with_zip_entry(xlsx([["姓名"]]), "xl/vbaProject.bin"),
            "文件含有宏，请在 Excel 中另存为不含宏的 .xlsx 后再上传",
        ),
        ("名册.pdf", b"%PDF-1.4", "仅支持 .xlsx、.xls、.ods、.csv 格式的表格文件"),
        ("名册", b"abc", "仅支持 .xlsx、.xls、.ods、.csv 格式的表格文件"),
        ("名册.xlsx", b"", "文件为空"),
        ("名册.xlsx", b"<html>not a workbook</html>", "文件内容与扩展名 .xlsx 不符，可能已损坏"),
        (
            "名册.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "文件已加密或实际为旧版 .xls 格式，请取消密码保护或另存为 .xlsx 后再上传",
        ),
        ("名册.xls", b"PK\x03\x04rest", "文件内容与扩展名 .xls 不符，可能已损坏"),
        (
            "名册.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "_VBA_PROJECT_CUR".encode("utf-16-le"),
            "文件含有宏，请在 Excel 中另存为不含宏的 .xlsx 后再上传",
        ),
        ("名册.csv", xlsx([["姓名"]]), "文件内容不是文本格式的 CSV，请检查扩展名"),
        ("名册.xlsx", b"PK\x03\x04" + b"\x00" * 64, "文件已损坏，无法打开"),
        ("名册.xlsx", with_zip_entry(b"", "readme.txt"), "文件不是有效的 .xlsx 工作簿"),
    ],
)
def test_an_unsafe_or_broken_upload_is_refused_before_parsing(name, data, message):
    with pytest.raises(SpreadsheetError) as excinfo:
        check_upload(name, data)
    assert excinfo.value.message == message


def test_size_entry_count_and_uncompressed_size_are_capped(settings, monkeypatch):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024 * 1024
    with pytest.raises(SpreadsheetError) as excinfo:
        check_upload("大.xlsx", b"PK\x03\x04" + b"\x00" * (1024 * 1024))
    assert excinfo.value.message == "文件超过 1 MB 的上限，请拆分后分批导入"
    # A command reading a file already on the server skips only the upload cap.
    with pytest.raises(SpreadsheetError) as excinfo:
        check_upload("大.xlsx", b"PK\x03\x04" + b"\x00" * (1024 * 1024), size_limit=0)
    assert excinfo.value.message == "文件已损坏，无法打开"

    settings.IMPORT_MAX_ZIP_ENTRIES = 3
    with pytest.raises(SpreadsheetError) as excinfo:
        check_upload("多.xlsx", xlsx([["姓名"]]))
    assert excinfo.value.message == "文件结构异常（内部条目过多），已拒绝"

    settings.IMPORT_MAX_ZIP_ENTRIES = 2000
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 200 * 1024
    bomb = with_zip_entry(xlsx([["姓名"]]), "xl/media/padding.bin", b"\x00" * (300 * 1024))
    assert len(bomb) < 50 * 1024
    with pytest.raises(SpreadsheetError) as excinfo:
        check_upload("炸弹.xlsx", bomb)
    assert excinfo.value.message == "文件解压后超过 200 KB，已拒绝"


def test_a_broken_xls_is_reported_not_raised():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x01" * 600
    assert check_upload("旧表.xls", data) == ".xls"
    with pytest.raises(SpreadsheetError) as excinfo:
        read_sheets(data, ".xls")
    assert excinfo.value.message == "文件已损坏或格式不正确，无法读取"


# Reading ------------------------------------------------------------------------------------


def test_merged_cells_read_as_their_value_in_every_cell_and_rows_keep_excel_numbers():
    data = xlsx(
        [[None], ["姓名", "所在党组织"], ["甲", "东村第一党支部"], ["乙", None], ["丙", None]],
        merges=("B3:B5",),
    )
    sheet = read_sheets(data, ".xlsx")[0]
    assert sheet.rows[1:] == [
        ["姓名", "所在党组织"],
        ["甲", "东村第一党支部"],
        ["乙", "东村第一党支部"],
        ["丙", "东村第一党支部"],
    ]
    assert sheet.rows[0] == ["", ""]


def test_hidden_sheets_are_skipped_and_the_sheet_with_the_table_is_chosen():
    data = xlsx(
        [["姓名", "身份证号"], ["甲", "x"]],
        title="名册",
        extra_sheets=[("填表说明", [["请按模板填写"]], False), ("旧名册", [["姓名", "身份证号", "所在支部"]], True)],
    )
    sheets = read_sheets(data, ".xlsx")
    assert [s.name for s in sheets] == ["填表说明", "名册"]
    layout = detect(sheets, COLUMNS)
    assert (layout.sheet.name, layout.header_row, layout.column_map) == ("名册", 1, {"0": "name", "1": "id_number"})


@pytest.mark.parametrize(
    ("data", "rows"),
    [
        ("姓名,联系电话\r\n张三,138 1234 5678\r\n".encode("gb18030"), [["姓名", "联系电话"], ["张三", "138 1234 5678"]]),
        ("\ufeff姓名\t联系电话\n李四\t13900001111\n".encode(), [["姓名", "联系电话"], ["李四", "13900001111"]]),
        ("姓名;入党日期;备注\n王五;2024年7月16日\n".encode(), [["姓名", "入党日期", "备注"], ["王五", "2024年7月16日", ""]]),
    ],
)
def test_csv_in_gbk_or_utf8_with_any_common_delimiter(data, rows):
    assert read_sheets(data, ".csv")[0].rows == rows


# Header detection ---------------------------------------------------------------------------


def test_header_is_found_under_title_rows():
    data = xlsx(
        [["竖新镇党员名册"], ["填报单位：东村", None, "日期：2024年"], ["姓名", "身份证号码", "手机号码"], ["张三", "x", "y"]],
        merges=("A1:C1",),
    )
    layout = detect(read_sheets(data, ".xlsx"), COLUMNS)
    assert (layout.header_row, layout.headers) == (3, ["姓名", "身份证号码", "手机号码"])
    assert layout.column_map == {"0": "name", "1": "id_number", "2": "phone"}
    assert data_rows(layout) == [(4, ["张三", "x", "y"])]


def test_two_row_header_with_group_titles_above_is_combined():
    # As a CSV (no merge information): the labels merged downwards only sit in the upper row.
    data = "花名册\n姓名,基本信息,,组织信息\n,公民身份号码,联系电话,所在支部\n张三,1,2,东村\n".encode()
    layout = detect(read_sheets(data, ".csv"), COLUMNS)
    assert (layout.header_row, layout.headers) == (3, ["姓名", "公民身份号码", "联系电话", "所在支部"])
    assert layout.column_map == {"0": "name", "1": "id_number", "2": "phone", "3": "organization"}
    assert data_rows(layout) == [(4, ["张三", "1", "2", "东村"])]


def test_labels_match_despite_marks_spaces_full_width_and_notes():
    headers = ["＊姓 名", "身份证号码（18位）", "联系电话:", "备注", "姓名", "所在 支部\n"]
    assert match_columns(headers, COLUMNS) == {"0": "name", "1": "id_number", "2": "phone", "5": "organization"}


def test_without_any_known_column_the_first_row_is_offered_for_hand_mapping():
    data = xlsx([[None], ["Name", "ID"], ["甲", "x"]])
    layout = detect(read_sheets(data, ".xlsx"), COLUMNS)
    assert (layout.header_row, layout.headers, layout.column_map, layout.score) == (2, ["Name", "ID"], {}, 0)


def test_blank_rows_and_rows_blank_in_every_mapped_column_are_not_data():
    data = xlsx(
        [["姓名", "身份证号", "备注"], ["甲", "1", ""], [None, None, None], [None, None, "填表人：王"], ["乙", None, None]]
    )
    layout = detect(read_sheets(data, ".xlsx"), COLUMNS)
    assert [number for number, _ in data_rows(layout)] == [2, 5]


# Normalisation ------------------------------------------------------------------------------

TEXT = columns.text("address", "家庭住址")
CODE = columns.code("phone", "联系电话")
DATE = columns.date("joined_on", "入党日期")
FLAG = columns.flag("is_frail", "是否年老体弱")
CHOICE = columns.choice("status", "人员类别", [("full", "正式党员"), ("probationary", "预备党员")], extra={"正式": "full"})


@pytest.mark.parametrize(
    ("column", "cell", "value"),
    [
        (TEXT, "  竖新镇\u3000东村　１号  ", "竖新镇 东村 1号"),
        (TEXT, "\xa0", None),
        (TEXT, None, None),
        (TEXT, 12.0, "12"),
        (CODE, 13812345678.0, "13812345678"),
        (CODE, "1.3812345678E+10", "13812345678"),
        (CODE, " 138 1234 5678 ", "13812345678"),
        (CODE, "１３８１２３４５６７８", "13812345678"),
        (CODE, "13812345678.0", "13812345678"),
        (DATE, 45489.0, dt.date(2024, 7, 16)),
        (DATE, "45489", dt.date(2024, 7, 16)),
        (DATE, dt.datetime(2024, 7, 16, 0, 0), dt.date(2024, 7, 16)),
        (DATE, "2024年7月16日", dt.date(2024, 7, 16)),
        (DATE, "２０２４年７月１６日", dt.date(2024, 7, 16)),
        (DATE, "2024.07.16", dt.date(2024, 7, 16)),
        (DATE, "2024/7/16", dt.date(2024, 7, 16)),
        (DATE, "20240716", dt.date(2024, 7, 16)),
        (DATE, "2024年7月", dt.date(2024, 7, 1)),
        (FLAG, "是", True),
        (FLAG, " 否 ", False),
        (FLAG, "Y", True),
        (FLAG, "√", True),
        (FLAG, 0.0, False),
        (FLAG, True, True),
        (CHOICE, "正式党员", "full"),
        (CHOICE, " 正 式 ", "full"),
        (CHOICE, "预备党员", "probationary"),
    ],
)
def test_cells_normalise_to_what_the_form_expects(column, cell, value):
    assert column.normalise(cell) == value


@pytest.mark.parametrize(
    ("column", "cell", "message"),
    [
        (DATE, "去年七月", "入党日期“去年七月”不是有效日期"),
        (DATE, "2024年13月1日", "入党日期“2024年13月1日”不是有效日期"),
        (DATE, 99999999.0, "入党日期“99999999”不是有效日期"),
        (FLAG, "不一定", "是否年老体弱应填“是”或“否”，不能填“不一定”"),
        (CHOICE, "积极分子", "人员类别“积极分子”不在可选范围内（正式党员、预备党员）"),
    ],
)
def test_unreadable_cells_say_why_in_chinese(column, cell, message):
    with pytest.raises(columns.CellError) as excinfo:
        column.normalise(cell)
    assert str(excinfo.value) == message


def test_preview_values_are_masked_where_the_column_says_so():
    masked = columns.code("id_number", "公民身份号码", mask=lambda v: v[:3] + "*" * (len(v) - 7) + v[-4:])
    assert masked.show("11010519491231002X") == "110***********002X"
    assert CHOICE.show("probationary") == "预备党员"
    assert DATE.show(dt.date(2024, 7, 16)) == "2024-07-16"
    assert FLAG.show(False) == "否"


# Encrypted storage --------------------------------------------------------------------------


def test_uploaded_files_are_encrypted_at_rest(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    secret = b"11010519491231002X,13812345678"

    name = storage.store(secret)

    on_disk = (tmp_path / "private" / "imports" / name).read_bytes()
    assert on_disk.startswith(b"g1") and secret not in on_disk and len(on_disk) == len(secret) + 2 + 12 + 16
    assert storage.load(name) == secret
    (tmp_path / "private" / "imports" / name).write_bytes(on_disk[:-1] + bytes([on_disk[-1] ^ 1]))
    with pytest.raises(FileNotFoundError):
        storage.load(name)
    for bad in ("../settings.py", "", ".hidden"):
        with pytest.raises(FileNotFoundError):
            storage.load(bad)
    storage.delete(name)
    assert not (tmp_path / "private" / "imports" / name).exists()


# The row loop -------------------------------------------------------------------------------


class ListImporter(Importer):
    """A minimal importer over a list, to pin the engine's own behaviour without any app."""

    kind, label, duplicate_label = "test", "测试", "身份证号"
    columns = COLUMNS
    summary_columns = ("name", "id_number")

    def __init__(self):
        self.saved: list[str] = []

    def key(self, values):
        return values.get("id_number")

    def check(self, values, ctx):
        if values.get("organization") == "西村":
            raise RowInvalid("所在党组织“西村”不存在", field="organization")
        if "joined_on" not in values:
            raise RowInvalid("入党日期未填写", field="joined_on")
        return Checked("new", values)

    def save(self, checked, ctx):
        self.saved.append(checked.data["name"])


@pytest.mark.django_db
def test_rows_are_classified_with_duplicates_cell_errors_and_importer_errors():
    data = xlsx(
        [
            ["姓名", "身份证号", "所在支部", "入党日期"],
            ["甲", "A1", "东村", "2024年7月1日"],
            ["乙", "A2", "西村", "2024-07-01"],
            ["丙", "A1", "东村", "2024-07-01"],
            ["丁", "A3", "东村", "七月"],
            ["戊", "A4", "东村", None],
        ]
    )
    importer = ListImporter()
    layout = detect(read_sheets(data, ".xlsx"), importer.columns)
    progress: list[int] = []

    result = engine.run(importer, layout, ImportContext(), commit=False, progress=progress.append)

    assert [(r.number, r.outcome, r.messages) for r in result.rows] == [
        (2, "new", []),
        (3, "invalid", ["所在党组织“西村”不存在"]),
        (4, "invalid", ["与第2行身份证号重复"]),
        (5, "invalid", ["入党日期“七月”不是有效日期"]),
        (6, "invalid", ["入党日期未填写"]),
    ]
    assert result.rows[3].cells == ["丁", "A3", "东村", "七月"]
    assert result.rows[0].cells is None
    assert result.rows[0].summary == {"姓名": "甲", "公民身份号码": "A1"}
    assert progress == [5]
    assert importer.saved == []

    engine.run(importer, layout, ImportContext(), commit=True)
    assert importer.saved == ["甲"]


def test_progress_is_reported_every_so_many_rows(monkeypatch):
    monkeypatch.setattr(engine, "PROGRESS_EVERY", 2)
    data = xlsx([["姓名", "身份证号", "入党日期"], *[[f"人{i}", f"N{i}", "2024-01-01"] for i in range(5)]])
    importer = ListImporter()
    progress: list[int] = []

    engine.run(
        importer, detect(read_sheets(data, ".xlsx"), importer.columns), ImportContext(), commit=False, progress=progress.append
    )

    assert progress == [2, 4, 5]


def test_preloaded_choices_answer_the_form_without_a_query_and_only_for_their_own_rows(town, django_assert_num_queries):
    from qiangji.core.spreadsheets.lookups import preloaded
    from qiangji.orgs.models import Organization

    with django_assert_num_queries(1):
        choices = preloaded(Organization.objects.filter(path__startswith=town["village_a"].path))
    copy = choices.all()
    with django_assert_num_queries(0):
        assert copy.get(pk=str(town["branch_a1"].pk)) == town["branch_a1"]
        with pytest.raises(Organization.DoesNotExist):
            copy.get(pk=town["branch_b"].pk)
        with pytest.raises(ValueError):
            copy.get(pk="第一支部")
    # A narrower queryset is an ordinary one again: the database decides.
    with django_assert_num_queries(1), pytest.raises(Organization.DoesNotExist):
        copy.exclude(kind="branch").get(pk=town["branch_a1"].pk)


def test_bulk_insert_writes_what_save_would_and_sets_the_keys(town):
    import datetime as dt

    from django.db import connection

    from qiangji.core.models import ChangeRecord, ImportBatch, ImportRow
    from qiangji.core.spreadsheets.bulk import insert
    from qiangji.factories import fake_id_number
    from qiangji.members.models import Member
    from qiangji.members.services import member_build

    number = fake_id_number(birth=dt.date(1980, 1, 2), seq=7)
    member = member_build(
        data={
            "name": "张伟",
            "gender": "M",
            "id_number": number,
            "birth_date": dt.date(1980, 1, 2),
            "joined_on": dt.date(2005, 7, 1),
            "status": "probationary",
            "organization": town["branch_a1"],
            "phone": "13812345678",
        }
    )
    batch = ImportBatch.objects.create(kind="members", file_name="x.xlsx")
    row = ImportRow(batch=batch, row_number=2, outcome="invalid", messages=["有误"], summary={"姓名": "张伟"}, raw='["x"]')

    insert([member])
    insert([row])

    assert member.pk and row.pk and not member._state.adding
    stored = Member.objects.get(pk=member.pk)
    assert (stored.id_number, stored.phone, stored.joined_on, stored.name_initials) == (
        number,
        "13812345678",
        dt.date(2005, 7, 1),
        "zw",
    )
    assert stored.created_at is not None and stored.organization == town["branch_a1"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM members_member WHERE id = %s", [member.pk])
        assert cursor.fetchone()[0].startswith("g1:")
    stored_row = ImportRow.objects.get(pk=row.pk)
    assert (stored_row.messages, stored_row.summary, stored_row.raw) == (["有误"], {"姓名": "张伟"}, '["x"]')

    unsaved = ImportBatch(kind="members", file_name="y.xlsx")
    with pytest.raises(ValueError):
        insert([ChangeRecord(content_type_id=1, object_id=1, object_repr="x", action="create", batch=unsaved)])


def test_a_column_normalises_each_distinct_cell_once_and_stops_keeping_mostly_distinct_ones(monkeypatch):
    """Repeated cells (a village, a bad date) give every row the same value or message; a column
    whose first rows are mostly distinct (names) stops being kept after the probe."""
    monkeypatch.setattr(engine, "MEMO_PROBE", 6)
    header = ["姓名", "身份证号", "所在支部", "入党日期"]
    body = [[f"人{i}", f"A{i}", "东村", "七月" if i % 2 else dt.date(2024, 7, 1)] for i in range(12)]
    importer = ListImporter()
    layout = detect(read_sheets(xlsx([header, *body]), ".xlsx"), importer.columns)
    calls: list[tuple[str, object]] = []
    original = columns.Column.normalise

    def counted_normalise(column, cell):
        calls.append((column.key, cell))
        return original(column, cell)

    monkeypatch.setattr(columns.Column, "normalise", counted_normalise)

    rows = engine.normalise_rows(importer, layout)

    assert [r.errors for r in rows] == [[] if i % 2 == 0 else [("joined_on", "入党日期“七月”不是有效日期")] for i in range(12)]
    assert [r.values["organization"] for r in rows] == ["东村"] * 12
    assert [r.values.get("joined_on") for r in rows] == [dt.date(2024, 7, 1) if i % 2 == 0 else None for i in range(12)]
    counted = Counter(key for key, _ in calls)
    assert counted["organization"] == 1 and counted["joined_on"] == 2  # repeated: once per distinct cell
    assert counted["name"] == 12  # six distinct names in the six rows of the probe: not kept at all
