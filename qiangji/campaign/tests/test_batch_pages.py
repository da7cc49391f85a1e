"""Batch pages (/campaign/batches/): the town admin sees the analysis class by class with each
record's task and exports it; every other role gets 404."""

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from qiangji.campaign.models import EntityBatch
from qiangji.campaign.tests.test_import_entities import messy, register, workbook  # noqa: F401
from qiangji.core.models import AuditEvent, ImportRow

OTHERS = ["liaison", "secretary_a", "secretary_b", "member", "visitor", "anonymous"]


@pytest.fixture
def batch(messy, teams, capsys):  # noqa: F811
    call_command("import_entities", str(messy), "--json", "--full", "--confirm-gone", "1")
    capsys.readouterr()
    return EntityBatch.objects.get()


def test_town_admin_sees_the_batch_list_with_its_counts(client_as, users, batch, django_assert_num_queries):
    client = client_as(users["town_admin"])
    with django_assert_num_queries(8):
        response = client.get(reverse("campaign:batch_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "区级底数.xlsx" in html and 'href="/imports/?kind=entities"' in html
    table = html[html.index('id="batch-table"') :]
    assert ">3</td>" in table and ">4</td>" in table  # new 3, invalid 4


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_get_404_on_batch_pages(client_as, users, batch, role):
    client = client_as(users[role])
    for url in (
        reverse("campaign:batch_list"),
        reverse("campaign:batch_detail", args=[batch.pk]),
        reverse("campaign:batch_export", args=[batch.pk]),
    ):
        response = client.get(url)
        assert response.status_code == (302 if role == "anonymous" else 404), url
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_batch_detail_shows_classes_changes_duplicates_and_tasks(client_as, users, batch, register, django_assert_num_queries):  # noqa: F811
    client = client_as(users["town_admin"])
    with django_assert_num_queries(12):
        response = client.get(reverse("campaign:batch_detail", args=[batch.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "从业人员数：" in html and "139****9000" in html and "13900139000" not in html
    assert f'href="/campaign/entities/{register["e3"].pk}/"' in html and "疑似与在册主体" in html
    assert "与第7行统一社会信用代码重复" in html
    assert html.count('href="/campaign/tasks/') == 6
    assert "第9行：" in html and "所在村居“北村”不是本镇的村居" in html
    changed = client.get(reverse("campaign:batch_detail", args=[batch.pk]), {"klass": "changed"}).content.decode()
    records = changed[changed.index('id="batch-records"') :]
    assert "瀛洲小院民宿" in records and "崇明新发现民宿" not in records


def test_export_masks_phones_and_is_logged(client_as, users, batch):
    response = client_as(users["town_admin"]).get(reverse("campaign:batch_export", args=[batch.pk]), {"klass": "changed"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows.index(next(r for r in rows if r and r[0] == "行号"))
    [row] = rows[header + 1 :]
    assert row[:5] == [6, "信息变更", "待校核", "瀛洲小院民宿", row[4]]
    assert row[8] == "139****9000"
    assert row[9] == "联系电话：138****8000 → 139****9000；从业人员数：5 → 8"
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.user == users["town_admin"] and event.row_count == 1


def test_import_page_shows_the_campaign_classes(client_as, users, register, teams):  # noqa: F811
    rows = [["崇明新发现民宿", None, "民宿", "西村", "西村88号", None, None, None, None, None, None, None]]
    client = client_as(users["town_admin"])
    assert 'value="entities" selected' in client.get("/imports/?kind=entities").content.decode()
    upload = io.BytesIO(workbook(rows))
    upload.name = "补充名单.xlsx"
    response = client.post("/imports/", {"kind": "entities", "file": upload, "option_entities_list": "full"}, follow=True)
    html = response.content.decode()
    assert "疑似重复" in html and "疑似注销" in html and "新发现" in html
    assert "全量名单中已无此主体" in html  # the register's entities missing from a full list
    assert not EntityBatch.objects.exists()  # a preview writes nothing
    batch_pk = response.redirect_chain[-1][0].rstrip("/").rsplit("/", 1)[-1]
    response = client.post(f"/imports/{batch_pk}/commit/", {"confirmed": "4"}, follow=True)
    batch = EntityBatch.objects.get()
    assert batch.counts["new"] == 1
    # The committed batch's rows are its records: the import page hands over to the batch page.
    assert response.redirect_chain[-1][0] == f"/campaign/batches/{batch.pk}/"
    html = response.content.decode()
    assert "底数批次已生成：新发现 1、信息变更 0、疑似重复 0、疑似注销 4、与底数一致 0" in html
    assert ImportRow.objects.filter(batch_id=batch_pk).count() == batch.counts["invalid"]
