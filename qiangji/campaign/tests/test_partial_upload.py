"""名单范围 on the upload page: whether a district sheet is the full list or a partial one is the
uploader's choice, with no default. A partial list marks no register entity 疑似注销, in its
preview, its commit and a retried run; the choice belongs to the entity import only."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from qiangji.campaign.models import EntityBatch
from qiangji.campaign.tests.test_import_entities import register, workbook  # noqa: F401
from qiangji.core.errors import DomainError
from qiangji.core.models import ImportBatch
from qiangji.core.spreadsheets import services

ROW = ["崇明新发现民宿", None, "民宿", "西村", "西村88号", None, None, None, None, None, None, None]
CHOICE = "option_entities_list"
PARTIAL = {CHOICE: "partial"}
FULL = {CHOICE: "full"}


def upload(client, rows=(ROW,), **extra):
    data = io.BytesIO(workbook(list(rows)))
    data.name = "补报名单.xlsx"
    response = client.post("/imports/", {"kind": "entities", "file": data, **extra}, follow=True)
    batch_pk = int(response.redirect_chain[-1][0].rstrip("/").rsplit("/", 1)[-1])
    return response, ImportBatch.objects.get(pk=batch_pk)


def test_the_upload_page_offers_the_choice_with_the_entity_import_and_no_default(client_as, users):
    html = client_as(users["town_admin"]).get("/imports/").content.decode()
    assert f'name="{CHOICE}" value="full"' in html and f'name="{CHOICE}" value="partial"' in html
    assert "checked" not in html  # neither is chosen for the uploader
    assert 'data-qj-show-when="id_kind" data-qj-show-value="entities"' in html
    assert "部分名单（如补报名单）：只比对名单中的主体，不标记疑似注销。" in html
    # A secretary imports members only: no choice that is not theirs.
    assert CHOICE not in client_as(users["secretary_a"]).get("/imports/").content.decode()


def test_an_entity_upload_without_the_choice_is_refused(client_as, users, register, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = str(tmp_path)
    data = io.BytesIO(workbook([ROW]))
    data.name = "补报名单.xlsx"
    response = client_as(users["town_admin"]).post("/imports/", {"kind": "entities", "file": data})
    assert response.status_code == 200
    assert response.context["form"].errors[CHOICE] == ["请选择名单范围：本表是全量名单还是部分名单"]
    assert "请选择名单范围：本表是全量名单还是部分名单" in response.content.decode()
    assert not ImportBatch.objects.exists() and not EntityBatch.objects.exists()
    assert not (tmp_path / "private").exists()
    with pytest.raises(DomainError) as error:
        services.import_batch_upload(user=users["town_admin"], kind="entities", file_name="x.xlsx", data=workbook([ROW]))
    assert error.value.message == "请选择名单范围：本表是全量名单还是部分名单"
    assert not ImportBatch.objects.exists()


def test_a_partial_list_marks_nothing_gone_in_preview_and_commit(client_as, users, register, teams):  # noqa: F811
    client = client_as(users["town_admin"])
    response, batch = upload(client, **PARTIAL)
    assert batch.options == {"list": "partial"}
    assert batch.status == ImportBatch.Status.PREVIEW
    assert batch.counts["gone"] == 0 and batch.counts["new"] == 1 and batch.counts["total"] == 1
    html = response.content.decode()
    assert '<dd id="import-options">部分名单</dd>' in html
    assert "部分名单：只比对名单中的主体，未出现在名单中的在册主体不标记为疑似注销。" in html
    assert "全量名单中已无此主体" not in html
    response = client.post(f"/imports/{batch.pk}/commit/", follow=True)
    own = EntityBatch.objects.get()
    assert own.import_batch_id == batch.pk and own.is_full is False
    assert (own.counts["new"], own.counts["gone"]) == (1, 0)
    assert "底数批次已生成：新发现 1、信息变更 0、疑似重复 0、疑似注销 0、与底数一致 0" in response.content.decode()
    assert "部分名单（不判断疑似注销）" in response.content.decode()


def test_a_full_list_marks_the_unnamed_gone_once_confirmed(client_as, users, register, teams):  # noqa: F811
    client = client_as(users["town_admin"])
    response, batch = upload(client, **FULL)
    assert batch.options == {"list": "full"}
    assert (batch.counts["new"], batch.counts["gone"], batch.counts["total"]) == (1, 4, 1)
    assert '<dd id="import-options">全量名单</dd>' in response.content.decode()
    client.post(f"/imports/{batch.pk}/commit/", {"confirmed": "4"})
    own = EntityBatch.objects.get()
    assert own.is_full is True and own.counts["gone"] == 4


def test_a_choice_of_another_kind_is_ignored(client_as, users, register):  # noqa: F811
    client = client_as(users["town_admin"])
    # The members import's own template, sent with the entity import's box still ticked.
    data = io.BytesIO(client.get(reverse("imports:template", args=["members"])).content)
    data.name = "党员.xlsx"
    response = client.post("/imports/", {"kind": "members", "file": data, CHOICE: "partial"}, follow=True)
    assert response.status_code == 200
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.options) == ("members", {})
    assert 'id="import-options"' not in response.content.decode()


def test_an_option_the_kind_does_not_offer_is_refused_and_nothing_is_kept(users, register, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = str(tmp_path)
    with pytest.raises(DomainError) as error:
        services.import_batch_upload(
            user=users["town_admin"], kind="members", file_name="党员.xlsx", data=workbook([ROW]), options={"list": "partial"}
        )
    assert error.value.message == "导入选项有误，请刷新页面后重试"
    assert not ImportBatch.objects.exists()
    assert not (tmp_path / "private").exists()  # the file was not even kept


def test_a_retried_commit_keeps_the_list_partial(client_as, users, register, teams):  # noqa: F811
    _, batch = upload(client_as(users["town_admin"]), **PARTIAL)
    # A commit whose worker died: taken up again by the uploader, with the options of the upload.
    stale = timezone.now() - dt.timedelta(hours=1)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.COMMITTING, heartbeat_at=stale)
    batch.refresh_from_db()
    batch = services.import_batch_retry(batch=batch, by=users["town_admin"])
    assert batch.status == ImportBatch.Status.DONE
    own = EntityBatch.objects.get()
    assert own.is_full is False and (own.counts["new"], own.counts["gone"]) == (1, 0)


def test_a_retried_analysis_keeps_the_list_partial(client_as, users, register, teams):  # noqa: F811
    _, batch = upload(client_as(users["town_admin"]), **PARTIAL)
    stale = timezone.now() - dt.timedelta(hours=1)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.ANALYSING, heartbeat_at=stale, counts={})
    batch.refresh_from_db()
    batch = services.import_batch_retry(batch=batch, by=users["town_admin"])
    assert batch.status == ImportBatch.Status.PREVIEW
    assert (batch.counts["new"], batch.counts["gone"]) == (1, 0)
    assert not EntityBatch.objects.exists()
