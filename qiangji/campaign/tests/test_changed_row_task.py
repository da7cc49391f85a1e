"""A changed district row (信息变更) as the importer really stores it — {field: [old shown, new value,
new shown]} — reads the same on its task page, its visit form, its API answer and the entity page."""

import pytest
from django.core.management import call_command

from qiangji.campaign.models import BaseRecord, Entity, EntityBatch
from qiangji.campaign.tests.test_import_entities import workbook

# In the register's field order; the village and the chains as names, never their ids.
EXPECTED = [
    {"label": "所在村居", "old": "东村", "new": "西村"},
    {"label": "联系电话", "old": "138****8000", "new": "139****9000"},
    {"label": "从业人员数", "old": "5", "new": "8"},
    {"label": "所属产业链", "old": "", "new": "蔬菜链"},
]


@pytest.fixture
def changed(entity, places, teams, tmp_path, capsys):
    moved = entity(name="瀛洲小院民宿", kind=Entity.Kind.HOMESTAY, address="东村2号")
    row = ["瀛洲小院民宿", moved.credit_code, "民宿", "西村", "东村2号", "王负责", "13900139000", 8, None, None, "蔬菜", None]
    path = tmp_path / "区级底数.xlsx"
    path.write_bytes(workbook([row]))
    call_command("import_entities", str(path), "--json", "--full")
    capsys.readouterr()
    assert EntityBatch.objects.count() == 1
    record = BaseRecord.objects.get(klass=BaseRecord.Klass.CHANGED)
    # The stored shape this test is about: three items per field, the new value raw in the middle.
    assert record.changes["village"] == ["东村", places["west"].pk, "西村"]
    assert record.changes["employees"] == ["5", 8, "8"]
    return record


def test_the_task_page_shows_what_changed(changed, users, client_as):
    response = client_as(users["town_admin"]).get(f"/campaign/tasks/{changed.task.pk}/")
    assert response.status_code == 200
    assert list(response.context["analysis"]) == [(c["label"], c["old"], c["new"]) for c in EXPECTED]
    assert "<del>东村</del></td><td>西村</td>" in response.content.decode()


def test_the_visit_form_counts_the_changes(changed, users, client_as):
    response = client_as(users["visitor"]).get(f"/campaign/tasks/{changed.task.pk}/visit/")
    assert response.status_code == 200
    assert "（分析发现4项变更）" in response.content.decode()


def test_the_api_answers_what_changed(changed, users, api_as):
    response = api_as(users["town_admin"]).get(f"/visit-tasks/{changed.task.pk}")
    assert response.status_code == 200
    analysis = response.json()["analysis"]
    assert analysis["klass"] == "changed" and analysis["klass_label"] == "信息变更"
    assert analysis["changes"] == EXPECTED


def test_the_entity_page_shows_the_new_values_as_people_read_them(changed, users, client_as):
    response = client_as(users["town_admin"]).get(f"/campaign/entities/{changed.entity_id}/")
    assert response.status_code == 200
    assert "所在村居：东村 → 西村；联系电话：138****8000 → 139****9000；从业人员数：5 → 8；所属产业链：（空） → 蔬菜链" in (
        response.content.decode()
    )
