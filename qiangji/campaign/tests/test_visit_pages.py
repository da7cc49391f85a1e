"""The visit form: who may open and submit it, plain and fetch (JSON) submission, the same
client_uuid stored once, the card at a first visit, and bad input changing nothing."""

import uuid

import pytest

from qiangji.campaign.models import ChecklistItem, ServiceCard, Visit, VisitEvent, VisitTask
from qiangji.campaign.services.visits import is_first_visit, visit_review
from qiangji.campaign.tests.conftest import MUSTS, care_form_data
from qiangji.core.errors import DomainError

JSON = {"Accept": "application/json"}


def form_url(task):
    return f"/campaign/tasks/{task.pk}/visit/"


def post_data(**overrides):
    data = {
        "client_uuid": str(uuid.uuid4()),
        "visited_on": "2026-11-21",
        "checklist": [str(pk) for pk in ChecklistItem.objects.filter(active=True).values_list("pk", flat=True)],
        "found_exists": "true",
        "party_members_found": "2",
        "wants_party_org": "on",
        "needs": "希望对接用工信息",
        "problems": "",
        "care_package": "on",
        "card_number": "xlx-0101",
        "notes": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("role", "key", "status"),
    [
        ("town_admin", "new1", 200),
        ("visitor", "new1", 200),
        ("visitor2", "new2", 200),
        ("visitor2", "new1", 404),
        ("secretary_a", "changed", 403),
        ("secretary_b", "changed", 404),
        ("member", "new1", 404),
    ],
)
def test_form_per_role(role, key, status, verify_tasks, users, teams, client_as):
    user = teams["visitor2"] if role == "visitor2" else users[role]
    response = client_as(user).get(form_url(verify_tasks[key]))
    assert response.status_code == status


def test_form_is_light_and_lists_the_active_musts(verify_tasks, users, client_as):
    ChecklistItem.objects.filter(label="宣讲党建政策").update(active=False)
    response = client_as(users["visitor"]).get(form_url(verify_tasks["new1"]))
    html = response.content.decode()
    assert [label for _, label in response.context["form"].fields["checklist"].choices] == [
        m for m in MUSTS if m != "宣讲党建政策"
    ]
    assert "echarts" not in html.lower()
    assert "js/campaign-visit.js" in html and 'data-visit-key="task-' in html
    assert "首次走访" in html
    uuid.UUID(response.context["form"].initial["client_uuid"])  # a fresh key in the hidden input
    assert "现为：东村88号" in html  # the corrected facts say what the task shows now


def test_plain_submit_records_the_visit(verify_tasks, users, client_as):
    task = verify_tasks["new1"]
    data = post_data(fact_address="东村88号（西侧）", fact_employees="7")
    response = client_as(users["visitor"]).post(form_url(task), data)
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/campaign/visits/{visit.pk}/"
    assert (visit.by, visit.state, visit.card_number, visit.party_members_found) == (users["visitor"], "submitted", "XLX-0101", 2)
    assert (visit.wants_party_org, visit.care_package, visit.found_exists) == (True, True, True)
    assert visit.facts == {"address": "东村88号(西侧)", "employees": 7}
    assert visit.checklist_done and [i["label"] for i in visit.checklist] == MUSTS
    assert str(visit.client_uuid) == data["client_uuid"]
    task.refresh_from_db()
    assert task.status == VisitTask.Status.SUBMITTED


def test_fetch_submit_answers_json_and_a_resend_is_stored_once(verify_tasks, users, client_as):
    client = client_as(users["visitor"])
    data = post_data()
    first = client.post(form_url(verify_tasks["new1"]), data, headers=JSON)
    assert first.status_code == 201
    body = first.json()
    visit = Visit.objects.get()
    assert body == {
        "ok": True,
        "visit": visit.pk,
        "state": "已提交",
        "url": f"/campaign/visits/{visit.pk}/",
        "message": "走访记录已提交，等待镇党委审核。",
    }
    again = client.post(form_url(verify_tasks["new1"]), data, headers=JSON)
    assert again.status_code == 200 and again.json()["visit"] == visit.pk
    assert Visit.objects.count() == 1
    assert VisitEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"fact_credit_code": "91310151MA1234567X"}, "fact_credit_code", "校验位"),
        ({"fact_employees": "很多"}, "fact_employees", "整数"),
        ({"fact_phone": "12345"}, "fact_phone", "联系电话"),
        ({"party_members_found": "-1"}, "party_members_found", "0"),
        ({"visited_on": "2999-01-01"}, "visited_on", "晚于今天"),
        ({"card_number": ""}, "card_number", "服务卡"),
        ({"checklist": []}, "checklist", "五必须"),
    ],
)
def test_bad_input_changes_nothing(overrides, field, message, verify_tasks, users, client_as):
    task = verify_tasks["new1"]
    response = client_as(users["visitor"]).post(form_url(task), post_data(**overrides), headers=JSON)
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and message in " ".join(body["errors"][field])
    assert Visit.objects.count() == 0
    task.refresh_from_db()
    assert task.status == VisitTask.Status.OPEN


def test_bad_input_on_the_plain_form_shows_the_message_by_the_field(verify_tasks, users, client_as):
    response = client_as(users["visitor"]).post(form_url(verify_tasks["new1"]), post_data(card_number=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "首次走访须发放“新连心”服务卡，请填写服务卡编号" in html and 'id="id_card_number_error"' in html
    assert Visit.objects.count() == 0


def test_a_submitted_task_refuses_a_second_visit(verify_tasks, users, client_as, visit_on):
    visit_on(verify_tasks["new1"])
    response = client_as(users["visitor"]).post(form_url(verify_tasks["new1"]), post_data(card_number="XLX-0202"), headers=JSON)
    assert response.status_code == 409
    assert "待审核" in response.json()["message"]
    assert Visit.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "key", "status"), [("secretary_a", "changed", 403), ("visitor2", "new1", 404), ("member", "new1", 404)]
)
def test_submit_refused_changes_nothing(role, key, status, verify_tasks, users, teams, client_as):
    user = teams["visitor2"] if role == "visitor2" else users[role]
    response = client_as(user).post(form_url(verify_tasks[key]), post_data())
    assert response.status_code == status
    assert Visit.objects.count() == 0


def test_anonymous_submit_goes_to_login(verify_tasks, client_as):
    response = client_as(None).post(form_url(verify_tasks["new1"]), post_data())
    assert response.status_code == 302 and Visit.objects.count() == 0


# The card at a first visit -------------------------------------------------------------------


def test_first_visit_rule(verify_tasks, users, visit_on):
    """A new record, or an entity never given a card, is a first visit; once the card is
    registered the next visit needs none; a visit finding the entity gone hands out nothing."""
    new1, changed = verify_tasks["new1"], verify_tasks["changed"]
    assert is_first_visit(new1) and is_first_visit(changed)
    assert not is_first_visit(changed, found_exists=False)
    with pytest.raises(DomainError, match="服务卡"):
        visit_on(changed, card_number="")
    visit = visit_on(changed, card_number="XLX-0300")
    visit_review(visit=visit, by=users["town_admin"], action="approve")
    assert ServiceCard.objects.get().entity == verify_tasks["known"]
    assert not is_first_visit(changed)


def test_later_visit_needs_no_card(verify_tasks, users, client_as, visit_on):
    changed = verify_tasks["changed"]
    visit_review(visit=visit_on(changed, card_number="XLX-0301"), by=users["town_admin"], action="approve")
    care = VisitTask.objects.create(
        kind=VisitTask.Kind.CARE, entity=verify_tasks["known"], grid=changed.grid, title="回访", due_on=changed.due_on
    )
    response = client_as(users["visitor"]).post(form_url(care), post_data(card_number="", **care_form_data()), headers=JSON)
    assert response.status_code == 201
    assert Visit.objects.get(task=care).card_number == ""
