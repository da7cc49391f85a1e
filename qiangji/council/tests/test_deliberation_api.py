"""Deliberation sessions over the API: listed for whoever sees the project, recorded and turned
into a ledger problem only by those who run it; every refusal changes nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from qiangji.council.models import Deliberation, Project
from qiangji.council.services import deliberation_record, deliberation_to_measure, deliberation_to_problem
from qiangji.ledger.models import Measure, Problem

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2030, 6, 30)
OUTCOME = "东村和美乡村建设议事会（2026年06月02日）：村道拓宽占用农户自留地。议定：按每平方米补偿并重新划定"
BODY = {
    "topic": "公共空间改造选址",
    "held_on": "2026-06-10",
    "place": "村民活动中心",
    "attendees": "村两委、党员代表",
    "outcome": "选址村委会东侧空地",
}


def _number(n):
    return f"{timezone.localdate().year}-{n:04d}"


@pytest.fixture
def session(hall_project, users):
    return deliberation_record(
        project=hall_project,
        by=users["secretary_a"],
        data={
            "topic": "村道拓宽占用农户自留地",
            "held_on": dt.date(2026, 6, 2),
            "place": "村委会议室",
            "attendees": "村两委、党员代表、农户代表",
            "outcome": "按每平方米补偿并重新划定",
        },
    )


@pytest.fixture
def sessions(hall_project, session, users):
    """Three sessions: the oldest registered as a problem, the newest a measure of that problem,
    the middle one not in the ledger."""
    by = users["secretary_a"]

    def record(topic, day):
        data = {"topic": topic, "held_on": day, "place": "", "attendees": "村两委", "outcome": f"{topic}：议定处理办法"}
        return deliberation_record(project=hall_project, by=by, data=data)

    middle = record("垃圾清运点位调整", dt.date(2026, 6, 5))
    newest = record("护栏加装费用分摊", dt.date(2026, 6, 8))
    problem = deliberation_to_problem(deliberation=session, by=by, owner=by, deadline=DEADLINE)
    measure = deliberation_to_measure(deliberation=newest, problem=problem, by=by, owner=by, deadline=DEADLINE)
    return {"oldest": session, "middle": middle, "newest": newest, "problem": problem, "measure": measure}


def _list(project):
    return f"/projects/{project.pk}/deliberations"


def _problem(project, session):
    return f"/projects/{project.pk}/deliberations/{session.pk}/problem"


# GET /projects/{id}/deliberations ------------------------------------------------------------


@pytest.mark.parametrize("who", ["town_admin", "secretary_a", "liaison"])
def test_list_newest_first_with_ledger_links(hall_project, sessions, users, api_as, who):
    response = api_as(users[who]).get(_list(hall_project))
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": sessions["newest"].pk,
            "topic": "护栏加装费用分摊",
            "held_on": "2026-06-08",
            "place": "",
            "attendees": "村两委",
            "outcome": "护栏加装费用分摊：议定处理办法",
            "problem": None,
            "measure": {"id": sessions["measure"].pk},
        },
        {
            "id": sessions["middle"].pk,
            "topic": "垃圾清运点位调整",
            "held_on": "2026-06-05",
            "place": "",
            "attendees": "村两委",
            "outcome": "垃圾清运点位调整：议定处理办法",
            "problem": None,
            "measure": None,
        },
        {
            "id": sessions["oldest"].pk,
            "topic": "村道拓宽占用农户自留地",
            "held_on": "2026-06-02",
            "place": "村委会议室",
            "attendees": "村两委、党员代表、农户代表",
            "outcome": "按每平方米补偿并重新划定",
            "problem": {"id": sessions["problem"].pk, "number": _number(1)},
            "measure": None,
        },
    ]


@pytest.mark.parametrize(("who", "status"), [("secretary_b", 404), ("member", 404), ("visitor", 404), ("anonymous", 401)])
def test_list_refused_alike_for_missing_and_forbidden(hall_project, sessions, users, api_as, who, status):
    api = api_as(users.get(who))
    response = api.get(_list(hall_project))
    assert response.status_code == status
    if status == 404:
        assert response.json() == api.get("/projects/999999/deliberations").json()


def test_list_of_a_project_without_sessions_is_empty(hall_project, users, api_as):
    response = api_as(users["secretary_a"]).get(_list(hall_project))
    assert (response.status_code, response.json()) == (200, [])


# The token with its user, the caller's grants, liaison groups and member record (the scope), the
# project, the sessions with their problems: the same however many sessions and conversions there are.
QUERIES = 6


def test_list_query_count_does_not_grow_with_sessions(hall_project, sessions, users, api_as, django_assert_num_queries):
    api = api_as(users["liaison"])
    api.get(_list(hall_project))  # issue the token first
    with django_assert_num_queries(QUERIES):
        assert len(api.get(_list(hall_project)).json()) == 3
    more = Deliberation.objects.create(
        project=hall_project, topic="再议", held_on=dt.date(2026, 6, 9), attendees="村两委", outcome="再议定"
    )
    problem = deliberation_to_problem(deliberation=more, by=users["secretary_a"], owner=users["secretary_a"], deadline=DEADLINE)
    assert problem.number == _number(2)
    with django_assert_num_queries(QUERIES):
        assert len(api.get(_list(hall_project)).json()) == 4


# POST /projects/{id}/deliberations ---------------------------------------------------------


@pytest.mark.parametrize("who", ["town_admin", "secretary_a"])
def test_record_a_session(hall_project, users, api_as, who):
    response = api_as(users[who]).post(_list(hall_project), BODY)
    assert response.status_code == 201, response.json()
    session = Deliberation.objects.get()
    assert response.json() == {"id": session.pk, **BODY, "problem": None, "measure": None}
    assert (session.project, session.created_by, session.topic, session.held_on) == (
        hall_project,
        users[who],
        "公共空间改造选址",
        dt.date(2026, 6, 10),
    )


def test_record_without_place(hall_project, users, api_as):
    body = {k: v for k, v in BODY.items() if k != "place"}
    response = api_as(users["secretary_a"]).post(_list(hall_project), body)
    assert response.status_code == 201
    assert response.json()["place"] == ""
    assert Deliberation.objects.get().place == ""


@pytest.mark.parametrize(
    ("who", "status"), [("liaison", 403), ("secretary_b", 404), ("member", 404), ("visitor", 404), ("anonymous", 401)]
)
def test_record_refused_for_who_does_not_run_the_project(hall_project, users, api_as, who, status):
    response = api_as(users.get(who)).post(_list(hall_project), BODY)
    assert response.status_code == status
    if status == 403:
        assert response.json()["detail"] == "您无权管理该项目"
    assert Deliberation.objects.count() == 0


def test_record_on_a_missing_project_is_not_found(hall_project, users, api_as):
    assert api_as(users["secretary_a"]).post("/projects/999999/deliberations", BODY).status_code == 404
    assert Deliberation.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "status", "detail", "errors"),
    [
        ({"topic": ""}, 422, "提交的数据有误，请按提示修改。", {"topic": ["议题（难点）未填写"]}),
        ({"attendees": "   "}, 422, "提交的数据有误，请按提示修改。", {"attendees": ["参加人员未填写"]}),
        ({"outcome": None}, 422, "提交的数据有误，请按提示修改。", None),
        ({"held_on": "2026-13-01"}, 422, "提交的数据有误，请按提示修改。", None),
        ({"topic": "议" * 201}, 422, "提交的数据有误，请按提示修改。", None),
        ({"created_by": 1}, 422, "提交的数据有误，请按提示修改。", None),
        ({"held_on": "tomorrow"}, 409, "议事日期不能晚于今天", None),
    ],
)
def test_record_bad_input_changes_nothing(hall_project, users, api_as, change, status, detail, errors):
    body = {**BODY, **change}
    if change.get("held_on") == "tomorrow":
        body["held_on"] = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    body = {k: v for k, v in body.items() if v is not None}
    response = api_as(users["secretary_a"]).post(_list(hall_project), body)
    assert response.status_code == status, response.json()
    assert response.json()["detail"] == detail
    if errors is not None:
        assert response.json()["errors"] == errors
    assert Deliberation.objects.count() == 0


# POST /projects/{id}/deliberations/{deliberation}/problem ----------------------------------


def _unchanged(session):
    session.refresh_from_db()
    assert (session.problem, session.measure) == (None, None)
    assert Problem.objects.count() == 0


@pytest.mark.parametrize("who", ["town_admin", "secretary_a"])
def test_outcome_becomes_a_problem(hall_project, session, town, users, api_as, who):
    body = {"owner": users["secretary_a"].pk, "deadline": "2030-06-30"}
    response = api_as(users[who]).post(_problem(hall_project, session), body)
    assert response.status_code == 201, response.json()
    problem = Problem.objects.get()
    assert response.json() == {"id": problem.pk, "number": _number(1)}
    assert (problem.source, problem.organization, problem.village, problem.description, problem.owner, problem.deadline) == (
        Problem.Source.VISIT_TALK,
        town["village_a"],
        hall_project.village,
        OUTCOME,
        users["secretary_a"],
        DEADLINE,
    )
    assert problem.registered_by == users[who]
    session.refresh_from_db()
    assert (session.problem, session.measure) == (problem, None)
    listed = api_as(users["liaison"]).get(_list(hall_project)).json()
    assert listed[0]["problem"] == {"id": problem.pk, "number": _number(1)}


@pytest.mark.parametrize(
    ("who", "status"), [("liaison", 403), ("secretary_b", 404), ("member", 404), ("visitor", 404), ("anonymous", 401)]
)
def test_problem_refused_for_who_does_not_run_the_project(hall_project, session, users, api_as, who, status):
    body = {"owner": users["secretary_a"].pk, "deadline": "2030-06-30"}
    response = api_as(users.get(who)).post(_problem(hall_project, session), body)
    assert response.status_code == status
    if status == 403:
        assert response.json()["detail"] == "您无权管理该项目"
    _unchanged(session)


@pytest.mark.parametrize(
    ("owner", "deadline", "extra", "status", "detail"),
    [
        ("secretary_a", "2026-01-05", {}, 409, "整改期限不能早于挂号日期"),
        ("member", "2030-06-30", {}, 422, "提交的数据有误，请按提示修改。"),
        ("secretary_a", "", {}, 422, "提交的数据有误，请按提示修改。"),
        (None, "2030-06-30", {}, 422, "提交的数据有误，请按提示修改。"),
        ("secretary_a", "2030-06-30", {"description": "另写问题"}, 422, "提交的数据有误，请按提示修改。"),
    ],
)
def test_problem_bad_input_changes_nothing(hall_project, session, users, api_as, owner, deadline, extra, status, detail):
    body = {"deadline": deadline, **extra}
    if owner:
        body["owner"] = users[owner].pk
    response = api_as(users["town_admin"]).post(_problem(hall_project, session), body)
    assert response.status_code == status, response.json()
    assert response.json()["detail"] == detail
    _unchanged(session)


def test_a_member_without_a_role_is_an_invalid_owner(hall_project, session, users, api_as):
    body = {"owner": users["member"].pk, "deadline": "2030-06-30"}
    response = api_as(users["secretary_a"]).post(_problem(hall_project, session), body)
    assert response.status_code == 422
    assert response.json()["errors"] == {"owner": ["请从列表中选择整改责任人"]}
    _unchanged(session)


def test_problem_twice_is_a_conflict(hall_project, session, users, api_as):
    api = api_as(users["secretary_a"])
    body = {"owner": users["secretary_a"].pk, "deadline": "2030-06-30"}
    first = api.post(_problem(hall_project, session), body)
    assert first.status_code == 201
    response = api.post(_problem(hall_project, session), body)
    assert (response.status_code, response.json()["detail"]) == (409, "该议事结果已登记为问题")
    assert list(Problem.objects.values_list("pk", flat=True)) == [first.json()["id"]]


def test_a_session_already_a_measure_is_a_conflict(hall_project, sessions, users, api_as):
    body = {"owner": users["secretary_a"].pk, "deadline": "2030-06-30"}
    response = api_as(users["secretary_a"]).post(_problem(hall_project, sessions["newest"]), body)
    assert (response.status_code, response.json()["detail"]) == (409, "该议事结果已转为整改措施")
    assert Problem.objects.count() == 1 and Measure.objects.count() == 1
    sessions["newest"].refresh_from_db()
    assert (sessions["newest"].problem, sessions["newest"].measure) == (None, sessions["measure"])


def test_problem_of_a_missing_session_is_not_found(hall_project, session, town, users, api_as):
    other = Project.objects.create(name="其他项目", organization=town["village_a"], description="其他项目内容其他项目内容")
    body = {"owner": users["secretary_a"].pk, "deadline": "2030-06-30"}
    api = api_as(users["secretary_a"])
    assert api.post(_problem(other, session), body).status_code == 404
    assert api.post(f"/projects/{hall_project.pk}/deliberations/999999/problem", body).status_code == 404
    _unchanged(session)
