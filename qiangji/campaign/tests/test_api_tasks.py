"""API /api/v1/visit-tasks for the teams' app: the list per role, a task with its facts and
analysis, posting a visit (201, then 200 for the same client_uuid), resubmit and review, with
403/404/409/422 as the pages answer them and nothing changed on refusal."""

import uuid

import pytest

from qiangji.campaign.models import ChecklistItem, Entity, Visit, VisitTask
from qiangji.campaign.services.visits import visit_review
from qiangji.campaign.tests.conftest import MUSTS
from qiangji.core.models import AuditEvent


def body(**overrides):
    data = {
        "client_uuid": str(uuid.uuid4()),
        "visited_on": "2026-11-21",
        "checklist": MUSTS,
        "facts": {},
        "party_members_found": 1,
        "card_number": "XLX-5001",
    }
    data.update(overrides)
    return data


def user_of(role, users, teams):
    return teams["visitor2"] if role == "visitor2" else users[role]


@pytest.mark.parametrize(
    ("role", "titles"),
    [
        ("town_admin", ["崇明新发现民宿", "崇明南村家庭农场", "崇明测试1号农业有限公司"]),
        ("visitor", ["崇明新发现民宿", "崇明测试1号农业有限公司"]),
        ("visitor2", ["崇明南村家庭农场"]),
        ("secretary_a", ["崇明测试1号农业有限公司"]),
        ("member", []),
    ],
)
def test_list_per_role(role, titles, verify_tasks, users, teams, api_as):
    response = api_as(user_of(role, users, teams)).get("/visit-tasks")
    assert response.status_code == 200
    assert sorted(item["title"] for item in response.json()["items"]) == sorted(titles)


def test_list_needs_credentials(verify_tasks, api_as):
    assert api_as(None).get("/visit-tasks").status_code == 401


def test_list_filters_and_pages(verify_tasks, users, places, api_as):
    api = api_as(users["town_admin"])
    result = api.get("/visit-tasks", {"grid": places["grid2"].pk}).json()
    assert (result["count"], result["items"][0]["title"], result["items"][0]["kind_label"]) == (1, "崇明南村家庭农场", "底数校核")
    assert api.get("/visit-tasks", {"kind": "care"}).json()["count"] == 0
    page = api.get("/visit-tasks", {"page": 2, "page_size": 2}).json()
    assert (page["count"], len(page["items"])) == (3, 1)
    bad = api.get("/visit-tasks", {"status": "whatever"})
    assert bad.status_code == 422 and "status" in bad.json()["errors"]


def test_task_detail_with_facts_analysis_and_checklist(verify_tasks, users, api_as):
    task = verify_tasks["changed"]
    data = api_as(users["visitor"]).get(f"/visit-tasks/{task.pk}").json()
    facts = {f["field"]: f["value"] for f in data["facts"]}
    assert (facts["address"], facts["phone"], facts["village"]) == ("东村1号", "138****8000", "东村")
    assert data["analysis"]["klass"] == "changed"
    assert data["analysis"]["changes"] == [{"label": "经营地址", "old": "东村1号", "new": "东村2号"}]
    assert [i["label"] for i in data["checklist"]] == MUSTS
    assert data["card_required"] is True and data["visits"] == []
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).count() == 0


def test_task_detail_reveal_is_logged_and_refused_to_readers(verify_tasks, users, api_as):
    task = verify_tasks["changed"]
    data = api_as(users["visitor"]).get(f"/visit-tasks/{task.pk}", {"reveal": "true"}).json()
    assert {f["field"]: f["value"] for f in data["facts"]}["phone"] == "13800138000"
    reveals = AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL)
    assert reveals.get().detail == {"task": task.pk, "via": "api"}
    assert api_as(users["secretary_a"]).get(f"/visit-tasks/{task.pk}", {"reveal": "true"}).status_code == 403
    assert reveals.count() == 1


@pytest.mark.parametrize(
    ("role", "key", "status"), [("visitor2", "new1", 404), ("member", "changed", 404), ("secretary_b", "changed", 404)]
)
def test_task_detail_hidden(role, key, status, verify_tasks, users, teams, api_as):
    assert api_as(user_of(role, users, teams)).get(f"/visit-tasks/{verify_tasks[key].pk}").status_code == status


def test_post_visit_then_the_same_again(verify_tasks, users, api_as):
    api = api_as(users["visitor"])
    task = verify_tasks["new1"]
    ids = [str(i.pk) for i in ChecklistItem.objects.all()][:2]
    payload = body(checklist=[*ids, *MUSTS[2:]], facts={"employees": "4"})
    first = api.post(f"/visit-tasks/{task.pk}/visits", payload)
    assert first.status_code == 201
    visit = Visit.objects.get()
    data = first.json()
    assert (data["id"], data["state"], data["card_number"], data["facts"]) == (
        visit.pk,
        "submitted",
        "XLX-5001",
        {"employees": 4},
    )
    assert all(item["done"] for item in data["checklist"])
    again = api.post(f"/visit-tasks/{task.pk}/visits", payload)
    assert again.status_code == 200 and again.json()["id"] == visit.pk
    assert Visit.objects.count() == 1
    assert api.get(f"/visit-tasks/visits/{visit.pk}").json()["events"][0]["action"] == "submit"


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"facts": {"credit_code": "91310151MA1234567X"}}, 422, "credit_code"),
        ({"card_number": ""}, 422, "card_number"),
        ({"party_members_found": -1}, 422, "party_members_found"),
        ({"checklist": [], "notes": ""}, 422, "checklist"),
        ({"client_uuid": "not-a-uuid"}, 422, "client_uuid"),
    ],
)
def test_bad_visit_changes_nothing(overrides, status, field, verify_tasks, users, api_as):
    task = verify_tasks["new1"]
    response = api_as(users["visitor"]).post(f"/visit-tasks/{task.pk}/visits", body(**overrides))
    assert response.status_code == status
    assert field in response.json()["errors"]
    assert Visit.objects.count() == 0
    task.refresh_from_db()
    assert task.status == VisitTask.Status.OPEN


@pytest.mark.parametrize(
    ("role", "key", "status"), [("secretary_a", "changed", 403), ("visitor2", "new1", 404), ("member", "new1", 404)]
)
def test_post_visit_refused(role, key, status, verify_tasks, users, teams, api_as):
    response = api_as(user_of(role, users, teams)).post(f"/visit-tasks/{verify_tasks[key].pk}/visits", body())
    assert response.status_code == status
    assert Visit.objects.count() == 0


def test_second_visit_on_a_submitted_task_is_a_conflict(verify_tasks, users, api_as, visit_on):
    visit_on(verify_tasks["new1"])
    response = api_as(users["visitor"]).post(f"/visit-tasks/{verify_tasks['new1'].pk}/visits", body(card_number="XLX-5002"))
    assert response.status_code == 409 and "待审核" in response.json()["detail"]
    assert Visit.objects.count() == 1


@pytest.mark.parametrize(("role", "status"), [("town_admin", 200), ("visitor", 200), ("visitor2", 404), ("member", 404)])
def test_visit_get_per_role(role, status, verify_tasks, users, teams, api_as, visit_on):
    visit = visit_on(verify_tasks["new1"], facts={"phone": "13900001111"})
    response = api_as(user_of(role, users, teams)).get(f"/visit-tasks/visits/{visit.pk}")
    assert response.status_code == status
    if status == 200:
        # Masked for everyone; in full only through reveal=true (test_personal_copies.py).
        assert response.json()["facts"] == {"phone": "139****1111"}


def test_review_and_resubmit(verify_tasks, users, api_as, visit_on):
    visit = visit_on(verify_tasks["new1"])
    admin = api_as(users["town_admin"])
    missing = admin.post(f"/visit-tasks/visits/{visit.pk}/review", {"action": "send_back", "comment": ""})
    assert missing.status_code == 422 and "comment" in missing.json()["errors"]
    sent = admin.post(f"/visit-tasks/visits/{visit.pk}/review", {"action": "send_back", "comment": "请补充党员情况"})
    assert sent.status_code == 200 and sent.json()["state"] == "has_issues"
    again = api_as(users["visitor"]).post(
        f"/visit-tasks/visits/{visit.pk}/resubmit", body(party_members_found=3, card_number=visit.card_number)
    )
    assert again.status_code == 200
    assert (again.json()["state"], again.json()["party_members_found"]) == ("submitted", 3)
    approved = admin.post(f"/visit-tasks/visits/{visit.pk}/review", {"action": "approve"})
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert Entity.objects.filter(name="崇明新发现民宿", party_members=3).count() == 1
    twice = admin.post(f"/visit-tasks/visits/{visit.pk}/review", {"action": "approve"})
    assert twice.status_code == 409


@pytest.mark.parametrize(("role", "status"), [("visitor", 403), ("visitor2", 404), ("secretary_b", 404)])
def test_review_refused(role, status, verify_tasks, users, teams, api_as, visit_on):
    visit = visit_on(verify_tasks["new1"])
    response = api_as(user_of(role, users, teams)).post(f"/visit-tasks/visits/{visit.pk}/review", {"action": "approve"})
    assert response.status_code == status
    visit.refresh_from_db()
    assert visit.state == Visit.State.SUBMITTED


def test_review_unknown_action_is_422(verify_tasks, users, api_as, visit_on):
    visit = visit_on(verify_tasks["new1"])
    response = api_as(users["town_admin"]).post(f"/visit-tasks/visits/{visit.pk}/review", {"action": "delete"})
    assert response.status_code == 422
    visit.refresh_from_db()
    assert visit.state == Visit.State.SUBMITTED


def test_resubmit_refused_when_not_sent_back(verify_tasks, users, api_as, visit_on):
    visit = visit_on(verify_tasks["new1"])
    response = api_as(users["visitor"]).post(f"/visit-tasks/visits/{visit.pk}/resubmit", body(card_number=visit.card_number))
    assert response.status_code == 409
    visit_review(visit=visit, by=users["town_admin"], action="send_back", comment="补充")
    assert api_as(users["secretary_a"]).post(f"/visit-tasks/visits/{visit.pk}/resubmit", body()).status_code == 404
    visit.refresh_from_db()
    assert visit.state == Visit.State.HAS_ISSUES


@pytest.mark.parametrize("action", ["", "   "])
def test_review_without_an_action_is_422(verify_tasks, users, api_as, visit_on, action):
    visit = visit_on(verify_tasks["new1"])
    response = api_as(users["town_admin"]).post(f"/visit-tasks/visits/{visit.pk}/review", {"action": action})
    assert response.status_code == 422
    assert response.json()["errors"] == {"action": ["操作未填写"]}
    visit.refresh_from_db()
    assert visit.state == Visit.State.SUBMITTED
