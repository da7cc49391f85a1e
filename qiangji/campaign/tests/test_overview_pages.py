"""/campaign/: the town's dashboard, the scoped view of secretaries and liaison groups, the
team member's way to their tasks, 404 for the rest; and the navigation entry."""

import datetime as dt

import pytest
from django.utils import timezone

from qiangji.campaign.models import EntityBatch, Summary, Visit, VisitTask, VoiceMessage
from qiangji.campaign.services.visits import visit_submit

INDEX = "/campaign/"
ALL_DONE = ["见到主体负责人", "核实基本信息", "摸清党员情况", "宣讲党建政策", "留下服务卡和联系方式"]


def test_town_dashboard(coverage_register, record_task, places, teams, users, client_as):
    today = timezone.localdate()
    _, overdue = record_task(today=today - dt.timedelta(days=30))
    _, fresh = record_task(
        data={"name": "新发现农场", "village": places["south"].pk, "address": "南村1号", "chains": []}, today=today
    )
    data = {"checklist": ALL_DONE, "visited_on": today.isoformat(), "card_number": "XLX-0100", "care_package": True}
    visit_submit(task=fresh, by=teams["visitor2"], data=data)
    VoiceMessage.objects.create(carrier_kind="grid", grid=places["grid1"], content="希望多组织招聘会")
    summary = Summary.objects.create(kind=Summary.Kind.DAILY, start=dt.date(2026, 11, 24), end=dt.date(2026, 11, 24))
    response = client_as(users["town_admin"]).get(INDEX)
    assert response.status_code == 200
    c = response.context
    assert (c["town"].total, c["town"].org, c["town"].work, c["town"].uncovered, c["closed"]) == (6, 2, 2, 3, 1)
    assert (c["tasks_open"], c["tasks_overdue"], c["visits_waiting"], c["voice_waiting"]) == (1, 1, 1, 1)
    assert [label for label, _ in c["blocks"]] == ["产业链", "商业街区", "网格"]
    assert [row.name for row in c["blocks"][2][1]] == ["第一网格", "第二网格"]
    body = response.content.decode()
    assert '<div class="qj-stat" id="ov-total">6</div>' in body
    assert '<div class="qj-stat" id="ov-org">33.3%</div>' in body
    assert "2026年11月24日" in body
    assert c["batch"] == EntityBatch.objects.order_by("-created_at", "-id").first()
    assert overdue.status == VisitTask.Status.OPEN and Visit.objects.count() == 1
    for href in [
        f"/campaign/summaries/{summary.pk}/",
        f"/campaign/batches/{c['batch'].pk}/",
        "/campaign/batches/",
        "/campaign/review/",
        "/campaign/tasks/",
        "/campaign/voice/messages/",
        "/campaign/summaries/",
    ]:
        assert f'href="{href}"' in body


def test_town_dashboard_query_count(coverage_register, users, client_as, django_assert_num_queries):
    client = client_as(users["town_admin"])
    # session, user, scope (3), town coverage, closed, 3 carrier kinds, open and overdue tasks,
    # visits, voice, latest summary, latest batch, bell
    with django_assert_num_queries(17):
        assert client.get(INDEX).status_code == 200


@pytest.mark.parametrize("role", ["secretary_a", "liaison"])
def test_scoped_view(coverage_register, users, client_as, role):
    response = client_as(users[role]).get(INDEX)
    assert response.status_code == 200
    mine = response.context["mine"]
    # e1 (org+work), e2 (org), e3 (uncovered); e5 is closed
    assert (mine.total, mine.org, mine.work, mine.covered, mine.uncovered) == (3, 2, 1, 2, 1)
    assert [e.name for e in response.context["uncovered"]] == ["东村小超市"]
    assert "66.7%" in response.content.decode()


def test_scoped_view_of_a_secretary_who_sees_no_entity(coverage_register, users, client_as):
    response = client_as(users["secretary_b"]).get(INDEX)
    assert response.status_code == 200
    assert response.context["mine"].total == 0
    assert "暂无可查看的主体" in response.content.decode()


def test_team_member_goes_to_their_tasks(coverage_register, users, client_as):
    response = client_as(users["visitor"]).get(INDEX)
    assert (response.status_code, response["Location"]) == (302, "/campaign/tasks/")


def test_member_gets_404(coverage_register, users, client_as):
    assert client_as(users["member"]).get(INDEX).status_code == 404


def test_anonymous_is_sent_to_login(client_as, db):
    response = client_as(None).get(INDEX)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "role,shown",
    [("town_admin", True), ("liaison", True), ("secretary_a", True), ("visitor", True), ("member", False)],
)
def test_navigation_entry(users, client_as, role, shown):
    body = client_as(users[role]).get("/").content.decode()
    assert ('href="/campaign/"' in body) is shown
