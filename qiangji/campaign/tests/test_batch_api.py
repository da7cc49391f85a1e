"""The batches API (/api/v1/entity-batches): town admin only; the upload answers what
`import_entities --json` prints; a dry run and a denied upload write nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from qiangji.campaign.models import BaseRecord, EntityBatch, VisitTask
from qiangji.campaign.tests.test_import_entities import messy, register  # noqa: F401
from qiangji.core.models import ImportBatch

OTHERS = ["liaison", "secretary_a", "secretary_b", "member", "visitor"]


@pytest.fixture
def batch(messy, teams, capsys):  # noqa: F811
    call_command("import_entities", str(messy), "--json", "--full", "--confirm-gone", "1")
    capsys.readouterr()
    return EntityBatch.objects.get()


def written():
    return (EntityBatch.objects.count(), BaseRecord.objects.count(), VisitTask.objects.count(), ImportBatch.objects.count())


def upload(api, path, **fields):
    with open(path, "rb") as fh:
        data = {"file": SimpleUploadedFile(path.name, fh.read()), **fields}
    return api.client.post("/api/v1/entity-batches", data, headers=api.headers)


def test_town_admin_lists_and_reads_a_batch(api_as, users, batch):
    api = api_as(users["town_admin"])
    [row] = api.get("/entity-batches").json()
    assert row["id"] == batch.pk and row["file_name"] == "区级底数.xlsx" and row["is_full"] is True
    assert row["counts"] == {"new": 3, "unchanged": 1, "changed": 1, "duplicate": 3, "invalid": 4, "gone": 1, "total": 12}
    detail = api.get(f"/entity-batches/{batch.pk}").json()
    assert [e["row"] for e in detail["errors"]] == [9, 10, 14, 16]
    page = api.get(f"/entity-batches/{batch.pk}/records", {"klass": "changed"}).json()
    assert page["count"] == 1
    [record] = page["items"]
    assert record["row_number"] == 6 and record["klass_label"] == "信息变更" and record["phone"] == "139****9000"
    assert record["changes"] == [
        {"field": "phone", "label": "联系电话", "old": "138****8000", "new": "139****9000"},
        {"field": "employees", "label": "从业人员数", "old": "5", "new": "8"},
    ]
    assert record["task_status"] == "open"
    paged = api.get(f"/entity-batches/{batch.pk}/records", {"page_size": 3, "page": 3}).json()
    assert paged["count"] == 9 and len(paged["items"]) == 3
    bad = api.get(f"/entity-batches/{batch.pk}/records", {"klass": "invalid"})
    assert bad.status_code == 422


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_are_denied(api_as, users, batch, messy, role):  # noqa: F811
    api = api_as(users[role])
    assert api.get("/entity-batches").status_code == 403
    assert api.get(f"/entity-batches/{batch.pk}").status_code == 404
    assert api.get(f"/entity-batches/{batch.pk}/records").status_code == 404
    before = written()
    assert upload(api, messy).status_code == 403
    assert written() == before


def test_anonymous_is_refused(api_as, batch):
    assert api_as(None).get("/entity-batches").status_code == 401
    assert api_as(None).get(f"/entity-batches/{batch.pk}").status_code == 401


def test_upload_dry_run_analyses_and_writes_nothing(api_as, users, messy, teams):  # noqa: F811
    response = upload(api_as(users["town_admin"]), messy, dry_run="true", is_full="true")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("new", "unchanged", "changed", "duplicate", "invalid", "gone", "total")} == {
        "new": 3, "unchanged": 1, "changed": 1, "duplicate": 3, "invalid": 4, "gone": 1, "total": 12,
    }  # fmt: skip
    assert body["dry_run"] is True and body["batch_id"] is None and body["errors"][0]["row"] == 9
    assert written() == (0, 0, 0, 0)


def test_upload_imports_once(api_as, users, messy, teams):  # noqa: F811
    api = api_as(users["town_admin"])
    first = upload(api, messy, is_full="true", confirm_gone="1").json()
    batch = EntityBatch.objects.get()
    assert first["batch_id"] == batch.pk and batch.by == users["town_admin"]
    assert written()[:3] == (1, 9, 6)
    again = upload(api, messy, is_full="true").json()  # the same file writes nothing: nothing to confirm
    assert again == first
    assert written()[:3] == (1, 9, 6)


def test_upload_of_a_file_that_is_no_spreadsheet_is_a_422(api_as, users, tmp_path):
    path = tmp_path / "底数.xlsx"
    path.write_bytes(b"not a workbook")
    response = upload(api_as(users["town_admin"]), path, is_full="false")
    assert response.status_code == 422 and response.json()["errors"]["file"][0].startswith("无法读取文件：")
    assert written() == (0, 0, 0, 0)


def test_upload_without_saying_full_or_partial_is_a_422_and_writes_nothing(api_as, users, messy, teams):  # noqa: F811
    response = upload(api_as(users["town_admin"]), messy)
    assert response.status_code == 422
    assert response.json()["errors"]["is_full"] == ["请选择名单范围：本表是全量名单还是部分名单"]
    assert written() == (0, 0, 0, 0)


@pytest.mark.parametrize("confirm", [None, "2"])
def test_a_full_list_marking_a_large_share_gone_needs_the_number_confirmed(api_as, users, messy, teams, confirm):  # noqa: F811
    fields = {"is_full": "true"} if confirm is None else {"is_full": "true", "confirm_gone": confirm}
    response = upload(api_as(users["town_admin"]), messy, **fields)
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "本次为全量名单，将把登记册中 1 个在册主体（占 4 个的 25%，超过 20%）标记为疑似注销，"
        "须确认这一数字后才能导入；如本表只是部分名单，请放弃后按部分名单重新上传。"
    )
    assert written() == (0, 0, 0, 0)


def test_a_partial_list_marks_nothing_gone_and_needs_no_confirmation(api_as, users, messy, teams):  # noqa: F811
    body = upload(api_as(users["town_admin"]), messy, is_full="false").json()
    assert (body["gone"], body["new"], body["total"]) == (0, 3, 12)
    assert EntityBatch.objects.get().is_full is False
