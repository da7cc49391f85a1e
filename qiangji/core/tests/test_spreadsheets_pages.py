"""The import pages: upload → preview → commit / discard, column mapping, the error file, the
background path with its progress bar, and who may do what (404 for everyone else)."""

import datetime as dt
import io
from urllib.parse import quote

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from qiangji.core.models import AuditEvent, ChangeRecord, ImportBatch, ImportRow
from qiangji.core.spreadsheets import engine, services
from qiangji.factories import fake_id_number
from qiangji.members.models import Member
from qiangji.orgs.models import Organization

HEADERS = ["姓名", "公民身份号码", "入党日期", "转正日期", "人员类别", "所在党组织", "联系电话"]
ID_1 = fake_id_number(birth=dt.date(1981, 3, 4), seq=31)
ID_2 = fake_id_number(birth=dt.date(1982, 3, 4), seq=32)
ID_3 = fake_id_number(birth=dt.date(1983, 3, 4), seq=33)
BAD_3 = ID_3[:17] + ("0" if ID_3[17] != "0" else "1")  # wrong check character


def xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def roster(organization="东村第一党支部", headers=HEADERS) -> bytes:
    return xlsx(
        [
            ["东村党员名册"],
            headers,
            ["甲", ID_1, "2005-07-01", "2006-07-01", "正式党员", organization, "13800000001"],
            ["乙", ID_2, "2005-07-01", "", "预备党员", organization, "13800000002"],
            ["丙", ID_1, "2005-07-01", "2006-07-01", "正式党员", organization, ""],
            ["丁", BAD_3, "2005-07-01", "", "预备党员", organization, ""],
        ]
    )


def upload(client, data: bytes, kind="members", name="东村名册.xlsx"):
    return client.post(reverse("imports:list"), {"kind": kind, "file": SimpleUploadedFile(name, data)})


def state():
    return (Member.objects.count(), ChangeRecord.objects.count(), ImportBatch.objects.count(), ImportRow.objects.count())


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media):
    folder = media / "private" / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_upload_previews_without_writing_then_commit_writes_once(client_as, users, _media, django_capture_on_commit_callbacks):
    client = client_as(users["secretary_a"])
    members = Member.objects.count()

    response = upload(client, roster())

    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:detail", args=[batch.pk])
    assert (batch.status, batch.user, batch.header_row, batch.total_rows) == ("preview", users["secretary_a"], 2, 4)
    assert batch.counts == {"new": 2, "changed": 0, "unchanged": 0, "invalid": 2, "total": 4}
    assert Member.objects.count() == members
    assert stored_files(_media) == [batch.stored_name]
    assert (_media / "private" / "imports" / batch.stored_name).read_bytes()[:2] == b"g1"

    page = client.get(reverse("imports:detail", args=[batch.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "与第3行身份证号重复" in html and "公民身份号码：身份证号校验位不正确" in html
    assert ID_1 not in html and ID_1[:3] + "***********" + ID_1[-4:] in html
    assert 'id="import-commit"' in html and 'id="import-columns"' in html

    invalid_only = client.get(reverse("imports:detail", args=[batch.pk]), {"outcome": "invalid"}).content.decode()
    assert "与第3行身份证号重复" in invalid_only and "13800000001" not in invalid_only and ">甲<" not in invalid_only

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:commit", args=[batch.pk]))

    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.stored_name, batch.counts["new"]) == ("done", "", 2)
    assert Member.objects.count() == members + 2
    assert stored_files(_media) == []
    assert sorted(ChangeRecord.objects.filter(batch=batch).values_list("object_repr", "source", "user__username")) == [
        ("乙", "import", "sec_a"),
        ("甲", "import", "sec_a"),
    ]
    event = AuditEvent.objects.get(action="import")
    assert (event.user, event.row_count, event.object_id) == (users["secretary_a"], 2, str(batch.pk))
    assert client.post(reverse("imports:commit", args=[batch.pk])).status_code == 302
    assert Member.objects.count() == members + 2  # a second click changes nothing


def test_error_file_gives_back_the_invalid_rows_with_reasons(client_as, users):
    client = client_as(users["town_admin"])
    upload(client, roster())
    batch = ImportBatch.objects.get()

    response = client.get(reverse("imports:errors", args=[batch.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment; filename*=UTF-8''" + quote("东村名册-有误的行.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        [*HEADERS, "错误原因"],
        ["丙", ID_1, "2005-07-01", "2006-07-01", "正式党员", "东村第一党支部", None, "与第3行身份证号重复"],
        [
            "丁",
            BAD_3,
            "2005-07-01",
            None,
            "预备党员",
            "东村第一党支部",
            None,
            "公民身份号码：身份证号校验位不正确",
        ],
    ]
    event = AuditEvent.objects.get(action="export")
    assert (event.user, event.row_count, event.fields) == (users["town_admin"], 2, ["id_number", "phone", "address"])


def test_discard_deletes_the_file_and_the_kept_cells(client_as, users, _media, django_capture_on_commit_callbacks):
    client = client_as(users["secretary_a"])
    upload(client, roster())
    batch = ImportBatch.objects.get()
    members, history = Member.objects.count(), ChangeRecord.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:discard", args=[batch.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("imports:list")
    batch.refresh_from_db()
    assert (batch.status, batch.stored_name) == ("discarded", "")
    assert stored_files(_media) == []
    assert list(batch.rows.values_list("raw", flat=True)) == ["", "", "", ""]
    assert (Member.objects.count(), ChangeRecord.objects.count()) == (members, history)
    assert client.get(reverse("imports:errors", args=[batch.pk])).status_code == 404
    assert client.post(reverse("imports:commit", args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    assert batch.status == "discarded" and Member.objects.count() == members


def test_unrecognised_columns_are_mapped_by_hand(client_as, users):
    client = client_as(users["town_admin"])
    headers = ["姓名", "证件号", *HEADERS[2:]]
    upload(client, roster(headers=headers))
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.counts, batch.column_map) == (
        "mapping",
        {},
        {"0": "name", "2": "joined_on", "3": "full_member_on", "4": "status", "5": "organization", "6": "phone"},
    )
    assert batch.message == "未能识别必需的列：公民身份号码。请在下方为各列选择对应的字段。"
    page = client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert "未能识别必需的列：公民身份号码" in page and 'name="col_1"' in page

    mapping = {f"col_{i}": key for i, key in batch.column_map.items()}
    doubled = client.post(reverse("imports:columns", args=[batch.pk]), {**mapping, "col_1": "name"}, follow=True)
    assert "字段“姓名”被对应到了多列，每个字段只能对应一列" in doubled.content.decode()
    batch.refresh_from_db()
    assert (batch.status, batch.column_map.get("1")) == ("mapping", None)

    client.post(reverse("imports:columns", args=[batch.pk]), {**mapping, "col_1": "id_number"})

    batch.refresh_from_db()
    assert (batch.status, batch.column_map["1"], batch.counts) == (
        "preview",
        "id_number",
        {"new": 2, "changed": 0, "unchanged": 0, "invalid": 2, "total": 4},
    )


def test_an_unreadable_upload_is_refused_on_the_form(client_as, users, _media):
    client = client_as(users["town_admin"])
    before = state()

    response = upload(client, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "_VBA_PROJECT".encode("utf-16-le"), name="宏.xls")

    assert response.status_code == 200
    assert "文件含有宏，请在 Excel 中另存为不含宏的 .xlsx 后再上传" in response.content.decode()
    assert state() == before and stored_files(_media) == []


def test_large_files_are_analysed_and_committed_by_the_task_with_progress(
    client_as, users, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 3
    monkeypatch.setattr(engine, "PROGRESS_EVERY", 2)
    reported: list[int] = []
    real_progress = services._progress

    def spy(batch):
        report = real_progress(batch)

        def record(done):
            reported.append(done)
            report(done)

        return record

    monkeypatch.setattr(services, "_progress", spy)
    client = client_as(users["secretary_a"])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        upload(client, roster())

    batch = ImportBatch.objects.get()
    assert len(callbacks) == 1
    assert (batch.status, batch.processed_rows, batch.total_rows, batch.counts["new"]) == ("preview", 4, 4, 2)
    assert reported == [2, 4, 4]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("imports:commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.status, Member.objects.filter(name__in=["甲", "乙"]).count()) == ("committing", 0)

    page = client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert 'hx-get="' + reverse("imports:progress", args=[batch.pk]) + '"' in page
    ImportBatch.objects.filter(pk=batch.pk).update(processed_rows=1)
    fragment = client.get(reverse("imports:progress", args=[batch.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert '<progress class="qj-progress" max="4" value="1"' in fragment and "已处理 1 / 4 行" in fragment

    callbacks[0]()

    batch.refresh_from_db()
    assert (batch.status, Member.objects.filter(name__in=["甲", "乙"]).count()) == ("done", 2)
    done = client.get(reverse("imports:progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert (done.status_code, done["HX-Refresh"]) == (200, "true")


def test_a_failed_commit_returns_to_preview_and_writes_nothing(client_as, users, monkeypatch):
    client = client_as(users["town_admin"])
    upload(client, roster())
    batch = ImportBatch.objects.get()
    before = (Member.objects.count(), ChangeRecord.objects.count(), AuditEvent.objects.count())

    def broken_flush(self, ctx):
        raise RuntimeError("database went away")

    monkeypatch.setattr("qiangji.members.importers.MemberImporter.flush", broken_flush)

    client.post(reverse("imports:commit", args=[batch.pk]))

    batch.refresh_from_db()
    assert (batch.status, batch.message) == ("preview", "确认导入未完成，未写入任何数据（RuntimeError）。可重试，或联系管理员。")
    assert (Member.objects.count(), ChangeRecord.objects.count(), AuditEvent.objects.count()) == before
    assert ImportRow.objects.filter(batch=batch, object_id__isnull=False).count() == 0


# Who may import -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["visitor", "member", "liaison"])
def test_roles_without_imports_get_404_everywhere(client_as, users, role):
    batch = ImportBatch.objects.create(kind="members", user=users["town_admin"], file_name="x.xlsx", status="preview")
    client = client_as(users[role])
    before = state()

    assert client.get(reverse("imports:list")).status_code == 404
    assert upload(client, roster()).status_code == 404
    assert client.get(reverse("imports:detail", args=[batch.pk])).status_code == 404
    assert client.get(reverse("imports:template", args=["members"])).status_code == 404
    assert client.post(reverse("imports:commit", args=[batch.pk])).status_code == 404
    assert state() == before


def test_anonymous_is_sent_to_login(client_as):
    response = client_as(None).get(reverse("imports:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_secretary_imports_members_only_and_only_into_their_organizations(client_as, users):
    client = client_as(users["secretary_b"])
    before = state()

    orgs = xlsx([["组织名称", "组织类别", "上级组织"], ["新支部", "党支部", "竖新镇某某公司党支部"]])

    response = upload(client, orgs, kind="organizations")

    assert response.status_code == 200 and "请选择您有权导入的内容" in response.content.decode()
    assert state() == before

    upload(client, roster(organization="东村第一党支部"))
    batch = ImportBatch.objects.get()
    assert batch.counts == {"new": 0, "changed": 0, "unchanged": 0, "invalid": 4, "total": 4}
    assert list(batch.rows.order_by("row_number").values_list("messages", flat=True))[:2] == [
        ["所在党组织“东村第一党支部”不在您的管理范围内"],
        ["所在党组织“东村第一党支部”不在您的管理范围内"],
    ]
    client.post(reverse("imports:commit", args=[batch.pk]))
    assert Member.objects.count() == before[0]
    assert not Organization.objects.filter(name="新支部").exists()


def test_batches_are_their_uploaders_and_town_admins_only_look(client_as, users):
    upload(client_as(users["secretary_a"]), roster())
    batch = ImportBatch.objects.get()
    members = Member.objects.count()

    other = client_as(users["secretary_b"])
    assert other.get(reverse("imports:detail", args=[batch.pk])).status_code == 404
    assert other.get(reverse("imports:errors", args=[batch.pk])).status_code == 404
    assert other.post(reverse("imports:commit", args=[batch.pk])).status_code == 404
    assert other.post(reverse("imports:discard", args=[batch.pk])).status_code == 404
    assert batch.file_name not in other.get(reverse("imports:list")).content.decode()

    admin = client_as(users["town_admin"])
    page = admin.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert "预览待上传人确认" in page and 'id="import-commit"' not in page
    assert batch.file_name in admin.get(reverse("imports:list")).content.decode()
    assert admin.post(reverse("imports:commit", args=[batch.pk])).status_code == 404
    assert admin.post(reverse("imports:columns", args=[batch.pk]), {"col_0": "name"}).status_code == 404

    batch.refresh_from_db()
    assert (batch.status, Member.objects.count()) == ("preview", members)


def test_template_lists_the_columns_each_import_understands(client_as, users):
    response = client_as(users["secretary_a"]).get(reverse("imports:template", args=["members"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == [
        "姓名",
        "性别",
        "公民身份号码",
        "民族",
        "出生日期",
        "学历",
        "入党日期",
        "转正日期",
        "人员类别",
        "所在党组织",
        "联系电话",
        "家庭住址",
        "党内职务",
        "是否年老体弱",
        "是否流动党员",
    ]
    assert client_as(users["secretary_a"]).get(reverse("imports:template", args=["organizations"])).status_code == 404


# A worker that dies ---------------------------------------------------------------------------


def went_silent(batch, status, minutes=15):
    """The job that had the batch died: its last heartbeat is `minutes` old."""
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=status, processed_rows=2, heartbeat_at=timezone.now() - dt.timedelta(minutes=minutes)
    )


def test_a_batch_whose_worker_died_is_taken_up_again_by_its_uploader(
    client_as, users, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 3
    client = client_as(users["secretary_a"])
    with django_capture_on_commit_callbacks(execute=False):  # queued; no worker picks it up
        upload(client, roster())
    batch = ImportBatch.objects.get()
    progress = reverse("imports:progress", args=[batch.pk])
    retry = reverse("imports:retry", args=[batch.pk])
    went_silent(batch, "analysing")

    fragment = client.get(progress, HTTP_HX_REQUEST="true").content.decode()
    assert "已超过 10 分钟没有进展" in fragment and 'id="import-retry"' in fragment
    admin = client_as(users["town_admin"])
    assert 'id="import-retry"' not in admin.get(progress, HTTP_HX_REQUEST="true").content.decode()
    assert admin.post(retry).status_code == 404

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(retry)

    assert response.status_code == 302 and len(callbacks) == 1  # a new job, not the dead one
    batch.refresh_from_db()
    assert (batch.status, batch.counts["new"], batch.processed_rows) == ("preview", 2, 4)

    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("imports:commit", args=[batch.pk]))
    went_silent(batch, "committing")
    members, history = Member.objects.count(), ChangeRecord.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(retry)

    batch.refresh_from_db()
    assert (batch.status, batch.counts["new"]) == ("done", 2)
    assert (Member.objects.count(), ChangeRecord.objects.count()) == (members + 2, history + 2)
    # The dead job's own run, were it to come back, finds nothing left to do.
    from qiangji.core.spreadsheets.tasks import commit_import_batch

    assert commit_import_batch.call(batch.pk) == "skipped"
    assert (Member.objects.count(), ChangeRecord.objects.count()) == (members + 2, history + 2)


def test_a_batch_still_making_progress_is_not_taken_up_twice(client_as, users, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_BACKGROUND_ROWS = 3
    client = client_as(users["secretary_a"])
    with django_capture_on_commit_callbacks(execute=False):
        upload(client, roster())
    batch = ImportBatch.objects.get()
    went_silent(batch, "analysing", minutes=3)

    assert 'id="import-retry"' not in client.get(reverse("imports:progress", args=[batch.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("imports:retry", args=[batch.pk]), follow=True)

    assert callbacks == []
    assert "该批次仍在处理中（10分钟内有进展），请稍候再看" in response.content.decode()
    batch.refresh_from_db()
    assert (batch.status, batch.processed_rows) == ("analysing", 2)


def test_a_late_run_never_overwrites_a_batch_that_moved_on(client_as, users, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_BACKGROUND_ROWS = 3
    client = client_as(users["town_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, roster())
    batch = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("imports:commit", args=[batch.pk]))
    first, late = ImportBatch.objects.get(pk=batch.pk), ImportBatch.objects.get(pk=batch.pk)
    services.import_batch_run_commit(batch=first)  # the job taken up again finishes first
    after_first = (state(), list(ImportRow.objects.values_list("row_number", "outcome", "object_id")))

    services.import_batch_run_commit(batch=late)  # the old job comes back: all rows unchanged now
    services.import_batch_analyse(batch=late)

    batch.refresh_from_db()
    assert (batch.status, batch.counts["new"]) == ("done", 2)
    assert (state(), list(ImportRow.objects.values_list("row_number", "outcome", "object_id"))) == after_first
