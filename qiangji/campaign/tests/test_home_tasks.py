"""A visiting-team member's phone home lists their own visits to make, overdue and today's first,
each linked to its visit form; new tasks also reach the team's inboxes."""

import datetime as dt

import pytest
from django.urls import reverse

from qiangji.campaign.models import Entity, Visit, VisitTask
from qiangji.campaign.services.visits import care_tasks_schedule, task_for_record
from qiangji.notifications.models import Notification

TODAY = dt.date(2026, 11, 25)


def home_items(response):
    return {item.key: (item.count, [(x.label, x.url, x.note) for x in item.links]) for item in response.context["visit_todos"]}


@pytest.fixture
def due_tasks(verify_tasks, record_task, places, teams):
    """Grid 1: new1 overdue (22 Nov), changed due today, one due 28 Nov, one due 20 Dec (too far),
    one done; grid 2: new2 overdue (another team's)."""
    t = verify_tasks
    VisitTask.objects.filter(pk=t["new1"].pk).update(due_on=dt.date(2026, 11, 22))
    VisitTask.objects.filter(pk=t["changed"].pk).update(due_on=TODAY)
    VisitTask.objects.filter(pk=t["new2"].pk).update(due_on=dt.date(2026, 11, 20))
    extra = []
    later = ((dt.date(2026, 11, 28), VisitTask.Status.OPEN), (dt.date(2026, 12, 20), VisitTask.Status.OPEN))
    for i, (due, status) in enumerate((*later, (TODAY, VisitTask.Status.DONE))):
        task = VisitTask.objects.create(
            kind=VisitTask.Kind.CARE, grid=places["grid1"], team=teams["team1"], title=f"回访{i}号民宿", due_on=due, status=status
        )
        extra.append(task)
    return {**t, "soon": extra[0]}


def test_team_member_sees_overdue_today_and_coming_tasks_with_their_visit_forms(client_as, users, due_tasks):
    response = client_as(users["visitor"]).get(reverse("home:index"))
    visit = lambda task: reverse("campaign:task_visit", args=[task.pk])  # noqa: E731
    assert home_items(response) == {
        "tasks_overdue": (1, [("崇明新发现民宿", visit(due_tasks["new1"]), "已超期3天，底数校核")]),
        "tasks_today": (1, [(due_tasks["changed"].title, visit(due_tasks["changed"]), "今天到期，底数校核，东村")]),
        "tasks_upcoming": (1, [("回访0号民宿", visit(due_tasks["soon"]), "11月28日到期，三送三问回访")]),
    }
    body = response.content.decode()
    assert body.index("已超期的走访任务") < body.index("今天到期的走访任务") < body.index("7天内到期的走访任务")


def test_another_grids_tasks_are_never_shown(client_as, users, teams, due_tasks):
    body = client_as(users["visitor"]).get(reverse("home:index")).content.decode()
    assert "崇明南村家庭农场" not in body
    items = home_items(client_as(teams["visitor2"]).get(reverse("home:index")))
    assert items == {
        "tasks_overdue": (
            1,
            [("崇明南村家庭农场", reverse("campaign:task_visit", args=[due_tasks["new2"].pk]), "已超期5天，底数校核")],
        )
    }
    # Staff without a team see no visit tasks on their home.
    assert "visit_todos" not in client_as(users["secretary_a"]).get(reverse("home:index")).context


def test_a_visit_sent_back_leads_to_its_edit_form(client_as, users, due_tasks, visit_on):
    visit = visit_on(due_tasks["changed"])
    Visit.objects.filter(pk=visit.pk).update(state=Visit.State.HAS_ISSUES, review_comment="请补充负责人电话")
    items = home_items(client_as(users["visitor"]).get(reverse("home:index")))
    assert items["visits_sent_back"] == (
        1,
        [(due_tasks["changed"].title, reverse("campaign:visit_edit", args=[visit.pk]), "请补充负责人电话")],
    )


def test_team_member_home_query_count_does_not_grow(client_as, users, places, teams, due_tasks, django_assert_num_queries):
    client = client_as(users["visitor"])
    client.get(reverse("home:index"))
    # session, user, scope (3), the user's problems (2), the teams' grids, open tasks due within a week, visits
    # sent back, the inbox's unread count, the home-study visits the user is to make.
    with django_assert_num_queries(12):
        client.get(reverse("home:index"))
    for i in range(20):
        VisitTask.objects.create(grid=places["grid1"], team=teams["team1"], title=f"新任务{i}", due_on=TODAY)
    with django_assert_num_queries(12):
        response = client.get(reverse("home:index"))
    assert home_items(response)["tasks_today"][0] == 21


def test_a_new_task_reaches_the_teams_inbox_once(record_task, users, teams, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record, task = record_task()
    notices = Notification.objects.filter(kind="campaign_task").order_by("recipient__username")
    assert sorted(n.recipient.display_name for n in notices) == ["一队乙", "一队甲", "走访队员"]
    body = "最早的须在11月27日前走访，请在“我的走访任务”中查看并按期完成。"
    assert {(n.title, n.body, n.link) for n in notices} == {
        ("第一网格三人行一队有1个新的走访任务", body, reverse("campaign:my_tasks"))
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert task_for_record(record=record, grid_id=task.grid_id) == task
    assert Notification.objects.filter(kind="campaign_task").count() == 3


def test_care_visits_due_reach_each_team_once_a_day(entity, places, teams, django_capture_on_commit_callbacks):
    entity(name="东村甲公司")
    entity(name="东村乙公司")
    entity(name="南村丙农场", village=places["south"])
    with django_capture_on_commit_callbacks(execute=True):
        assert care_tasks_schedule(today=TODAY) == 3
    titles = sorted(Notification.objects.filter(kind="campaign_task").values_list("recipient__display_name", "title"))
    assert titles == [
        ("一队乙", "第一网格三人行一队有2个新的走访任务"),
        ("一队甲", "第一网格三人行一队有2个新的走访任务"),
        ("二队甲", "第二网格三人行一队有1个新的走访任务"),
        ("二队队员", "第二网格三人行一队有1个新的走访任务"),
        ("走访队员", "第一网格三人行一队有2个新的走访任务"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert care_tasks_schedule(today=TODAY) == 0
    assert Notification.objects.filter(kind="campaign_task").count() == 5
    assert Entity.objects.count() == 3
