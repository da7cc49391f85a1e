"""部分名单 on the upload page: a district list ticked as partial marks no register entity 疑似注销,
in its preview, its commit and a retried run; the box belongs to the entity import only."""

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
BOX = "option_entities_partial"


def upload(client, **extra):
    data = io.BytesIO(workbook([ROW]))
    data.name = "补报名单.xlsx"
    response = client.post("/imports/", {"kind": "entities", "file": data, **extra}, follow=True)
    batch_pk = int(response.redirect_chain[-1][0].rstrip("/").rsplit("/", 1)[-1])
    return response, ImportBatch.objects.get(pk=batch_pk)


def test_the_upload_page_offers_the_box_with_the_entity_import(client_as, users):
    html = client_as(users["town_admin"]).get("/imports/").content.decode()
    assert f'name="{BOX}"' in html
    assert 'data-qj-show-when="id_kind" data-qj-show-value="entities"' in html
    assert "仅用于新兴领域主体底数：只列出部分主体（如补报名单）时勾选，未列出的在册主体不标记为疑似注销。" in html
    # A secretary imports members only: no box that is not theirs.
    assert BOX not in client_as(users["secretary_a"]).get("/imports/").content.decode()


def test_a_partial_list_marks_nothing_gone_in_preview_and_commit(client_as, users, register, teams):  # noqa: F811
    client = client_as(users["town_admin"])
    response, batch = upload(client, **{BOX: "on"})
    assert batch.options == {"partial": True}
    assert batch.status == ImportBatch.Status.PREVIEW
    assert batch.counts["gone"] == 0 and batch.counts["new"] == 1 and batch.counts["total"] == 1
    html = response.content.decode()
    assert '<dd id="import-options">部分名单</dd>' in html
    assert "全量名单中已无此主体" not in html
    response = client.post(f"/imports/{batch.pk}/commit/", follow=True)
    own = EntityBatch.objects.get()
    assert own.import_batch_id == batch.pk and own.is_full is False
    assert (own.counts["new"], own.counts["gone"]) == (1, 0)
    assert "底数批次已生成：新发现 1、信息变更 0、疑似重复 0、疑似注销 0、与底数一致 0" in response.content.decode()
    assert "部分名单（不判断疑似注销）" in response.content.decode()


def test_without_the_box_the_list_is_full(client_as, users, register, teams):  # noqa: F811
    client = client_as(users["town_admin"])
    response, batch = upload(client)
    assert batch.options == {}
    assert (batch.counts["new"], batch.counts["gone"]) == (1, 4)
    assert 'id="import-options"' not in response.content.decode()
    client.post(f"/imports/{batch.pk}/commit/")
    own = EntityBatch.objects.get()
    assert own.is_full is True and own.counts["gone"] == 4


def test_a_box_of_another_kind_is_ignored(client_as, users, register):  # noqa: F811
    client = client_as(users["town_admin"])
    # The members import's own template, sent with the entity import's box still ticked.
    data = io.BytesIO(client.get(reverse("imports:template", args=["members"])).content)
    data.name = "党员.xlsx"
    response = client.post("/imports/", {"kind": "members", "file": data, BOX: "on"}, follow=True)
    assert response.status_code == 200
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.options) == ("members", {})
    assert 'id="import-options"' not in response.content.decode()


def test_an_option_the_kind_does_not_offer_is_refused_and_nothing_is_kept(users, register, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = str(tmp_path)
    with pytest.raises(DomainError) as error:
        services.import_batch_upload(
            user=users["town_admin"], kind="members", file_name="党员.xlsx", data=workbook([ROW]), options={"partial": True}
        )
    assert error.value.message == "导入选项有误，请刷新页面后重试"
    assert not ImportBatch.objects.exists()
    assert not (tmp_path / "private").exists()  # the file was not even kept


def test_a_retried_commit_keeps_the_list_partial(client_as, users, register, teams):  # noqa: F811
    _, batch = upload(client_as(users["town_admin"]), **{BOX: "on"})
    # A commit whose worker died: taken up again by the uploader, with the options of the upload.
    stale = timezone.now() - dt.timedelta(hours=1)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.COMMITTING, heartbeat_at=stale)
    batch.refresh_from_db()
    batch = services.import_batch_retry(batch=batch, by=users["town_admin"])
    assert batch.status == ImportBatch.Status.DONE
    own = EntityBatch.objects.get()
    assert own.is_full is False and (own.counts["new"], own.counts["gone"]) == (1, 0)


def test_a_retried_analysis_keeps_the_list_partial(client_as, users, register, teams):  # noqa: F811
    _, batch = upload(client_as(users["town_admin"]), **{BOX: "on"})
    stale = timezone.now() - dt.timedelta(hours=1)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.ANALYSING, heartbeat_at=stale, counts={})
    batch.refresh_from_db()
    batch = services.import_batch_retry(batch=batch, by=users["town_admin"])
    assert batch.status == ImportBatch.Status.PREVIEW
    assert (batch.counts["new"], batch.counts["gone"]) == (1, 0)
    assert not EntityBatch.objects.exists()
