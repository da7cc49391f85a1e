"""The review: the town's queue (filters, pinned query count), a visit's page per role, the
buttons each state offers, each step through visit_review, correcting a visit sent back, and a
visit's problems registered in the ledger."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from qiangji import factories as f
from qiangji.accounts.models import RoleGrant
from qiangji.campaign.models import Entity, Visit, VisitEvent, VisitTask
from qiangji.campaign.services.visit_problems import visit_problem_register
from qiangji.campaign.services.visits import visit_review
from qiangji.campaign.tests.conftest import MUSTS
from qiangji.core.errors import DomainError
from qiangji.ledger.models import Problem

QUEUE = "/campaign/review/"


def visit_url(visit, rest=""):
    return f"/campaign/visits/{visit.pk}/{rest}"


@pytest.fixture
def two_visits(verify_tasks, teams, visit_on):
    return visit_on(verify_tasks["new1"]), visit_on(verify_tasks["new2"], teams["visitor2"])


@pytest.mark.parametrize(
    ("role", "status"),
    [("town_admin", 200), ("visitor", 404), ("secretary_a", 404), ("liaison", 404), ("member", 404)],
)
def test_queue_is_the_towns(role, status, two_visits, users, client_as):
    assert client_as(users[role]).get(QUEUE).status_code == status


def test_queue_filters(two_visits, users, places, teams, client_as):
    v1, v2 = two_visits
    client = client_as(users["town_admin"])
    assert list(client.get(QUEUE).context["page"]) == [v1, v2]
    assert list(client.get(QUEUE, {"grid": places["grid2"].pk}).context["page"]) == [v2]
    assert list(client.get(QUEUE, {"team": teams["team1"].pk}).context["page"]) == [v1]
    visit_review(visit=v1, by=users["town_admin"], action="approve")
    assert list(client.get(QUEUE).context["page"]) == [v2]
    assert list(client.get(QUEUE, {"state": "approved"}).context["page"]) == [v1]


def test_queue_query_count_is_pinned(two_visits, verify_tasks, users, client_as, visit_on, django_assert_num_queries):
    client = client_as(users["town_admin"])
    client.get(QUEUE)
    # session, user, scope (grants, liaison, member), count, visits, grids, teams, inbox bell
    with django_assert_num_queries(10):
        client.get(QUEUE)
    visit_on(verify_tasks["changed"])
    with django_assert_num_queries(10):
        response = client.get(QUEUE)
    assert len(response.context["page"]) == 3


@pytest.mark.parametrize(
    ("role", "status"),
    [("town_admin", 200), ("visitor", 200), ("visitor2", 404), ("secretary_b", 404), ("member", 404)],
)
def test_visit_page_per_role(role, status, two_visits, users, teams, client_as):
    user = teams["visitor2"] if role == "visitor2" else users[role]
    assert client_as(user).get(visit_url(two_visits[0])).status_code == status


def test_visit_page_sets_facts_beside_register_and_batch(verify_tasks, users, client_as, visit_on):
    visit = visit_on(verify_tasks["changed"], facts={"address": "东村3号", "employees": 8})
    html = client_as(users["town_admin"]).get(visit_url(visit)).content.decode()
    assert '<th scope="row">经营地址</th><td>东村1号</td><td>东村2号</td><td class="fw-semibold">东村3号</td>' in html
    assert '<th scope="row">从业人员数</th><td>5</td><td>—</td><td class="fw-semibold">8</td>' in html
    assert html.count("bi-check-circle-fill") == len(MUSTS)


@pytest.mark.parametrize(
    ("state", "buttons"),
    [
        ("submitted", ["审核通过", "退回修改", "不予采纳"]),
        ("has_issues", ["不予采纳"]),
        ("approved", []),
        ("rejected", []),
    ],
)
def test_buttons_per_state(state, buttons, two_visits, users, client_as):
    visit = two_visits[0]
    if state != "submitted":
        action = {"has_issues": "send_back", "approved": "approve", "rejected": "reject"}[state]
        visit_review(visit=visit, by=users["town_admin"], action=action, comment="意见")
    response = client_as(users["town_admin"]).get(visit_url(visit))
    assert response.context["actions"] == [
        {"退回修改": "send_back", "审核通过": "approve", "不予采纳": "reject"}[b] for b in buttons
    ]
    html = response.content.decode()
    for label in ("审核通过", "退回修改", "不予采纳"):
        assert (f'type="submit">{label}</button>' in html) is (label in buttons)


def test_team_member_sees_no_review_buttons(two_visits, users, client_as):
    response = client_as(users["visitor"]).get(visit_url(two_visits[0]))
    assert response.context["actions"] == [] and "review-approve" not in response.content.decode()


def test_approve_registers_and_redirects(two_visits, users, client_as):
    visit = two_visits[0]
    response = client_as(users["town_admin"]).post(visit_url(visit, "review/"), {"action": "approve"})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.state == Visit.State.APPROVED
    assert Entity.objects.filter(name="崇明新发现民宿").count() == 1


def test_htmx_step_redirects_the_page(two_visits, users, client_as):
    visit = two_visits[0]
    response = client_as(users["town_admin"]).post(
        visit_url(visit, "review/"), {"action": "send_back", "comment": "负责人电话缺失"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 204 and response["HX-Redirect"] == visit_url(visit)
    visit.refresh_from_db()
    assert (visit.state, visit.review_comment) == (Visit.State.HAS_ISSUES, "负责人电话缺失")


@pytest.mark.parametrize("action", ["send_back", "reject"])
def test_send_back_and_reject_need_a_comment(action, two_visits, users, client_as):
    visit = two_visits[0]
    response = client_as(users["town_admin"]).post(visit_url(visit, "review/"), {"action": action, "comment": " "})
    assert response.status_code == 400
    assert "请填写退回或不予采纳的理由" in response.content.decode()
    visit.refresh_from_db()
    assert visit.state == Visit.State.SUBMITTED
    assert VisitEvent.objects.filter(visit=visit).count() == 1


def test_htmx_refusal_swaps_the_panel_with_its_message(two_visits, users, client_as):
    response = client_as(users["town_admin"]).post(
        visit_url(two_visits[0], "review/"), {"action": "reject"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'id="review-panel"' in html and "请填写退回或不予采纳的理由" in html


@pytest.mark.parametrize(("role", "status"), [("visitor", 403), ("secretary_a", 404), ("visitor2", 404), ("member", 404)])
def test_review_refused_changes_nothing(role, status, two_visits, users, teams, client_as):
    user = teams["visitor2"] if role == "visitor2" else users[role]
    visit = two_visits[0]
    response = client_as(user).post(visit_url(visit, "review/"), {"action": "approve"})
    assert response.status_code == status
    visit.refresh_from_db()
    assert visit.state == Visit.State.SUBMITTED and Entity.objects.count() == 1  # only verify_tasks' known entity


def test_review_of_a_finished_visit_is_refused(two_visits, users, client_as):
    visit = two_visits[0]
    visit_review(visit=visit, by=users["town_admin"], action="reject", comment="查无此户")
    response = client_as(users["town_admin"]).post(visit_url(visit, "review/"), {"action": "approve"})
    assert response.status_code == 400
    assert "不能审核通过" in response.content.decode()
    visit.refresh_from_db()
    assert visit.state == Visit.State.REJECTED


# Correcting a visit sent back ----------------------------------------------------------------


@pytest.fixture
def sent_back(two_visits, users):
    visit = two_visits[0]
    visit_review(visit=visit, by=users["town_admin"], action="send_back", comment="请补充从业人员数")
    return visit


def test_task_offers_the_correction(sent_back, users, client_as):
    html = client_as(users["visitor"]).get(f"/campaign/tasks/{sent_back.task_id}/").content.decode()
    assert "修改后重新提交" in html and "请补充从业人员数" in html
    cards = client_as(users["visitor"]).get("/campaign/tasks/").content.decode()
    assert "退回修改" in cards


def test_resubmit_through_the_form(sent_back, users, client_as):
    client = client_as(users["visitor"])
    page = client.get(visit_url(sent_back, "edit/"))
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["card_number"] == sent_back.card_number and len(form.initial["checklist"]) == 5
    data = {k: v for k, v in form.initial.items() if v not in (None, False)}
    data.update({"visited_on": "2026-11-21", "found_exists": "true", "fact_employees": "6", "care_package": "on"})
    response = client.post(visit_url(sent_back, "edit/"), data)
    assert response.status_code == 302
    sent_back.refresh_from_db()
    assert (sent_back.state, sent_back.facts) == (Visit.State.SUBMITTED, {"employees": 6})
    assert list(sent_back.events.values_list("action", flat=True)) == ["submit", "send_back", "resubmit"]
    assert VisitTask.objects.get(pk=sent_back.task_id).status == VisitTask.Status.SUBMITTED


@pytest.mark.parametrize(("role", "status"), [("secretary_a", 404), ("visitor2", 404), ("member", 404)])
def test_resubmit_refused(role, status, sent_back, users, teams, client_as):
    user = teams["visitor2"] if role == "visitor2" else users[role]
    response = client_as(user).post(visit_url(sent_back, "edit/"), {"visited_on": "2026-11-21"})
    assert response.status_code == status
    sent_back.refresh_from_db()
    assert sent_back.state == Visit.State.HAS_ISSUES


def test_edit_of_a_visit_not_sent_back_goes_to_the_visit(two_visits, users, client_as):
    response = client_as(users["visitor"]).get(visit_url(two_visits[0], "edit/"))
    assert response.status_code == 302 and response["Location"] == visit_url(two_visits[0])


# A visit's problems in the ledger ------------------------------------------------------------


@pytest.fixture
def approved_with_problem(verify_tasks, users, visit_on):
    visit = visit_on(verify_tasks["changed"], problems="消防通道堵塞")
    visit_review(visit=visit, by=users["town_admin"], action="approve")
    return visit


def test_problem_goes_to_the_village_organization_and_its_secretary(approved_with_problem, users, town):
    problem = visit_problem_register(visit=approved_with_problem, by=users["town_admin"], today=dt.date(2026, 11, 25))
    assert (problem.source, problem.organization, problem.owner) == ("visit_talk", town["village_a"], users["secretary_a"])
    assert problem.description == f"{approved_with_problem.task.entity.name}：消防通道堵塞"
    assert (problem.deadline, problem.external_ref, problem.village.name) == (
        dt.date(2026, 12, 25),
        f"走访记录{approved_with_problem.pk}",
        "东村",
    )
    approved_with_problem.refresh_from_db()
    assert approved_with_problem.problem == problem


def test_problem_goes_to_the_covering_organization(approved_with_problem, users, town):
    Entity.objects.filter(pk=approved_with_problem.task.entity_id).update(covering_organization=town["branch_b"])
    problem = visit_problem_register(visit=approved_with_problem, by=users["town_admin"])
    assert (problem.organization, problem.owner) == (town["branch_b"], users["secretary_b"])


def test_problem_owner_falls_back_to_the_town_admin(approved_with_problem, users, town):
    Entity.objects.filter(pk=approved_with_problem.task.entity_id).update(covering_organization=town["branch_a2"])
    problem = visit_problem_register(visit=approved_with_problem, by=users["town_admin"])
    assert (problem.organization, problem.owner) == (town["branch_a2"], users["town_admin"])


def test_problem_registered_once_only_from_an_approved_visit_with_problems(approved_with_problem, verify_tasks, users, visit_on):
    admin = users["town_admin"]
    with pytest.raises(PermissionDenied):
        visit_problem_register(visit=approved_with_problem, by=users["visitor"])
    visit_problem_register(visit=approved_with_problem, by=admin)
    with pytest.raises(DomainError, match="已登记"):
        visit_problem_register(visit=approved_with_problem, by=admin)
    pending = visit_on(verify_tasks["new1"], problems="缺少党员活动场所")
    with pytest.raises(DomainError, match="审核通过后"):
        visit_problem_register(visit=pending, by=admin)
    assert Problem.objects.count() == 1


def test_problem_button_on_the_page(approved_with_problem, users, client_as):
    client = client_as(users["town_admin"])
    assert "登记问题" in client.get(visit_url(approved_with_problem)).content.decode()
    response = client.post(visit_url(approved_with_problem, "problem/"), {"deadline": "2027-01-10"})
    assert response.status_code == 302
    problem = Problem.objects.get()
    assert (problem.deadline, problem.owner) == (dt.date(2027, 1, 10), users["secretary_a"])
    html = client.get(visit_url(approved_with_problem)).content.decode()
    assert problem.number in html and "登记问题</button>" not in html


@pytest.mark.parametrize(("role", "status"), [("visitor", 403), ("secretary_a", 403), ("visitor2", 404), ("member", 404)])
def test_problem_button_refused(role, status, approved_with_problem, users, teams, client_as):
    user = teams["visitor2"] if role == "visitor2" else users[role]
    response = client_as(user).post(visit_url(approved_with_problem, "problem/"), {"deadline": "2027-01-10"})
    assert response.status_code == status
    assert Problem.objects.count() == 0


def test_problem_with_a_past_deadline_is_refused(approved_with_problem, users, client_as):
    response = client_as(users["town_admin"]).post(visit_url(approved_with_problem, "problem/"), {"deadline": "2020-01-01"})
    assert response.status_code == 400 and "整改期限不能早于挂号日期" in response.content.decode()
    assert Problem.objects.count() == 0


def test_secretary_of_another_org_is_not_the_fallback(approved_with_problem, users, town):
    other = f.UserFactory(username="sec_a2")
    f.grant(other, RoleGrant.Role.SECRETARY, town["branch_a1"])
    problem = visit_problem_register(visit=approved_with_problem, by=users["town_admin"])
    assert problem.owner == users["secretary_a"]
