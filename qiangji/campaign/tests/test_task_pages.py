"""My visit tasks and one task: who sees which tasks (a team member only its grid's), the town's
filters, the pinned query count, and the phone shown in full only on request, audit-logged."""

import datetime as dt

import pytest

from qiangji.campaign.models import VisitTask
from qiangji.core.models import AuditEvent

LIST = "/campaign/tasks/"


def task_url(task, rest=""):
    return f"/campaign/tasks/{task.pk}/{rest}"


def titles(response):
    return [t.title for t in response.context["page"]]


@pytest.mark.parametrize(
    ("role", "status", "seen"),
    [
        ("town_admin", 200, ["崇明新发现民宿", "崇明南村家庭农场", "崇明测试1号农业有限公司"]),
        ("visitor", 200, ["崇明新发现民宿", "崇明测试1号农业有限公司"]),
        ("visitor2", 200, ["崇明南村家庭农场"]),
        # Secretaries see (read only) the tasks of the registered entities in their villages.
        ("secretary_a", 200, ["崇明测试1号农业有限公司"]),
        ("secretary_b", 200, []),  # may be given covered entities; none here
        ("member", 404, None),
    ],
)
def test_list_per_role(role, status, seen, verify_tasks, users, teams, client_as):
    user = teams["visitor2"] if role == "visitor2" else users[role]
    response = client_as(user).get(LIST)
    assert response.status_code == status
    if seen is not None:
        assert sorted(titles(response)) == sorted(seen)


def test_list_anonymous_goes_to_login(verify_tasks, client_as):
    response = client_as(None).get(LIST)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_list_cards_show_kind_due_date_and_overdue(verify_tasks, users, client_as):
    VisitTask.objects.filter(pk=verify_tasks["new1"].pk).update(due_on=dt.date(2020, 1, 1))
    html = client_as(users["visitor"]).get(LIST).content.decode()
    assert html.count("已超期") == 2  # the filter label and the one overdue card
    assert "校核" in html and "2020-01-01" in html
    assert "js/campaign-visit.js" in html  # the page sends visits kept offline


def test_list_sorted_by_due_date(verify_tasks, users, client_as):
    VisitTask.objects.filter(pk=verify_tasks["changed"].pk).update(due_on=dt.date(2026, 11, 1))
    response = client_as(users["visitor"]).get(LIST)
    assert titles(response) == ["崇明测试1号农业有限公司", "崇明新发现民宿"]


def test_town_filters(verify_tasks, users, places, teams, client_as):
    client = client_as(users["town_admin"])
    assert titles(client.get(LIST, {"grid": places["grid2"].pk})) == ["崇明南村家庭农场"]
    assert titles(client.get(LIST, {"team": teams["team2"].pk})) == ["崇明南村家庭农场"]
    assert titles(client.get(LIST, {"kind": "care"})) == []
    VisitTask.objects.filter(pk=verify_tasks["new2"].pk).update(due_on=dt.date(2020, 1, 1))
    assert titles(client.get(LIST, {"overdue": "1"})) == ["崇明南村家庭农场"]
    VisitTask.objects.filter(pk=verify_tasks["new2"].pk).update(status=VisitTask.Status.DONE)
    assert titles(client.get(LIST, {"status": "done"})) == ["崇明南村家庭农场"]
    assert len(titles(client.get(LIST))) == 2  # default: not finished
    assert len(titles(client.get(LIST, {"status": "all"}))) == 3


def test_htmx_filter_returns_the_cards_only(verify_tasks, users, client_as):
    response = client_as(users["town_admin"]).get(LIST, {"kind": "verify"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "task-filters" not in html and "崇明新发现民宿" in html


def test_list_query_count_is_pinned(verify_tasks, record_task, users, client_as, django_assert_num_queries):
    client = client_as(users["visitor"])
    client.get(LIST)
    # session, user, scope (grants, liaison, member), team grids, count, tasks, my teams, grids, inbox bell
    with django_assert_num_queries(11):
        client.get(LIST)
    for n in range(4):
        record_task(data={"name": f"又一家{n}", "village": verify_tasks["known"].village_id})
    with django_assert_num_queries(11):
        response = client.get(LIST)
    assert len(response.context["page"]) == 6


# One task ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "key", "status"),
    [
        ("town_admin", "new1", 200),
        ("visitor", "new1", 200),
        ("visitor2", "new1", 404),
        ("visitor2", "new2", 200),
        ("secretary_a", "changed", 200),
        ("secretary_a", "new1", 404),
        ("secretary_b", "changed", 404),
        ("member", "changed", 404),
    ],
)
def test_detail_per_role(role, key, status, verify_tasks, users, teams, client_as):
    user = teams["visitor2"] if role == "visitor2" else users[role]
    response = client_as(user).get(task_url(verify_tasks[key]))
    assert response.status_code == status


def test_detail_shows_batch_facts_masked_and_the_analysis(verify_tasks, users, client_as):
    html = client_as(users["visitor"]).get(task_url(verify_tasks["new1"])).content.decode()
    assert "崇明新发现民宿" in html and "民宿链" in html and "东村88号" in html
    assert "139****5678" in html and "13912345678" not in html
    assert "来自区级底数（区级底数.xlsx 第4行）" in html
    assert "填写走访记录" in html
    html = client_as(users["visitor"]).get(task_url(verify_tasks["changed"])).content.decode()
    assert "来自登记底数" in html
    assert "<del>东村1号</del>" in html and "东村2号" in html


def test_secretary_reads_without_form_or_phone(verify_tasks, users, client_as):
    html = client_as(users["secretary_a"]).get(task_url(verify_tasks["changed"])).content.decode()
    assert "填写走访记录" not in html and "显示完整号码" not in html
    assert "138****8000" in html


@pytest.mark.parametrize("role", ["town_admin", "visitor"])
def test_phone_reveal_is_logged(role, verify_tasks, users, client_as):
    task = verify_tasks["new1"]
    response = client_as(users[role]).post(task_url(task, "phone/"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'href="tel:13912345678"' in response.content.decode()
    event = AuditEvent.objects.get()
    assert (event.user, event.action, event.fields, event.object_type) == (
        users[role],
        AuditEvent.Action.REVEAL,
        ["phone"],
        "campaign.BaseRecord",
    )


@pytest.mark.parametrize(
    ("role", "key", "status"), [("secretary_a", "changed", 403), ("visitor2", "new1", 404), ("member", "changed", 404)]
)
def test_phone_reveal_refused(role, key, status, verify_tasks, users, teams, client_as):
    user = teams["visitor2"] if role == "visitor2" else users[role]
    response = client_as(user).post(task_url(verify_tasks[key], "phone/"))
    assert response.status_code == status
    assert AuditEvent.objects.count() == 0


def test_phone_reveal_needs_post(verify_tasks, users, client_as):
    assert client_as(users["visitor"]).get(task_url(verify_tasks["new1"], "phone/")).status_code == 405
    assert AuditEvent.objects.count() == 0
