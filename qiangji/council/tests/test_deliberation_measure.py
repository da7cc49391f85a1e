"""A session's outcome as a measure of an open ledger problem (issue 6): the service, the project
page and the API per role; every refusal leaves no measure and the session unconverted."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from qiangji.core.errors import DomainError
from qiangji.council.models import Deliberation, Project
from qiangji.council.services import deliberation_to_measure, deliberation_to_problem
from qiangji.ledger.models import Measure, Problem, ProblemEvent
from qiangji.ledger.services import problem_register

pytestmark = pytest.mark.django_db

REGISTERED_ON = dt.date(2026, 5, 20)
TODAY = dt.date(2026, 6, 3)
DEADLINE = dt.date(2030, 6, 30)  # later than any day the suite runs on: the pages use the real today
OUTCOME = "东村和美乡村建设议事会（2026年06月02日）：村道拓宽占用农户自留地。议定：按每平方米补偿并重新划定"


def _register(by, organization, owner, description):
    data = {
        "source": Problem.Source.VISIT_TALK,
        "organization": organization,
        "description": description,
        "owner": owner,
        "deadline": dt.date(2030, 12, 31),
    }
    return problem_register(by=by, data=data, today=REGISTERED_ON)


@pytest.fixture
def problems(hall_project, town, users):
    """2026-0001 open in branch_a1, 2026-0002 closed in branch_a1, 2026-0003 open in branch_b
    (outside the project's village_a tree)."""
    admin = users["town_admin"]
    made = {
        "open": _register(admin, town["branch_a1"], users["secretary_a"], "村道破损严重，雨天积水"),
        "closed": _register(admin, town["branch_a1"], users["secretary_a"], "村务公开栏长期未更新"),
        "outside": _register(admin, town["branch_b"], users["secretary_b"], "企业党员活动室闲置"),
    }
    Problem.objects.filter(pk=made["closed"].pk).update(state=Problem.State.CLOSED)
    made["closed"].refresh_from_db()
    return made


@pytest.fixture
def session(hall_project, users):
    return Deliberation.objects.create(
        project=hall_project,
        topic="村道拓宽占用农户自留地",
        held_on=dt.date(2026, 6, 2),
        place="村委会议室",
        attendees="村两委、党员代表、农户代表",
        outcome="按每平方米补偿并重新划定",
        created_by=users["secretary_a"],
    )


def _unchanged(session):
    session.refresh_from_db()
    assert Measure.objects.count() == 0
    assert (session.measure, session.problem) == (None, None)


# The service -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["secretary_a", "town_admin"])
def test_outcome_becomes_a_measure_of_the_open_problem(problems, session, users, who):
    measure = deliberation_to_measure(
        deliberation=session, problem=problems["open"], by=users[who], owner=users["secretary_a"], deadline=DEADLINE, today=TODAY
    )
    session.refresh_from_db()
    assert session.measure == measure and session.problem is None
    assert (measure.problem, measure.description, measure.owner, measure.deadline, measure.state) == (
        problems["open"],
        OUTCOME,
        users["secretary_a"],
        DEADLINE,
        Measure.State.OPEN,
    )
    event = ProblemEvent.objects.filter(problem=problems["open"]).last()
    assert (event.action, event.by, event.data["measure"]) == ("measure_add", users[who], OUTCOME[:60])


def test_a_closed_problem_takes_no_measure(problems, session, users):
    with pytest.raises(DomainError, match=r"^问题已销号，不能再添加措施$"):
        deliberation_to_measure(
            deliberation=session,
            problem=problems["closed"],
            by=users["secretary_a"],
            owner=users["secretary_a"],
            deadline=DEADLINE,
            today=TODAY,
        )
    _unchanged(session)


def test_a_problem_outside_the_project_tree_is_refused(problems, session, users):
    # The town admin may add measures to branch_b's problem in the ledger, but not from this project.
    with pytest.raises(DomainError, match=r"^只能添加到本项目所属党组织的问题$"):
        deliberation_to_measure(
            deliberation=session,
            problem=problems["outside"],
            by=users["town_admin"],
            owner=users["town_admin"],
            deadline=DEADLINE,
            today=TODAY,
        )
    _unchanged(session)


def test_only_once_and_not_after_a_problem(problems, session, users):
    kwargs = {"by": users["secretary_a"], "owner": users["secretary_a"], "deadline": DEADLINE, "today": TODAY}
    first = deliberation_to_measure(deliberation=session, problem=problems["open"], **kwargs)
    with pytest.raises(DomainError, match=r"^该议事结果已转为整改措施$"):
        deliberation_to_measure(deliberation=session, problem=problems["open"], **kwargs)
    with pytest.raises(DomainError, match=r"^该议事结果已转为整改措施$"):
        deliberation_to_problem(deliberation=session, by=users["secretary_a"], owner=users["secretary_a"], deadline=DEADLINE)
    assert list(Measure.objects.all()) == [first]
    assert Problem.objects.count() == 3
    session.refresh_from_db()
    assert (session.measure, session.problem) == (first, None)


def test_a_session_already_a_problem_takes_no_measure(problems, session, users):
    problem = deliberation_to_problem(
        deliberation=session, by=users["secretary_a"], owner=users["secretary_a"], deadline=DEADLINE
    )
    with pytest.raises(DomainError, match=r"^该议事结果已登记为问题$"):
        deliberation_to_measure(
            deliberation=session,
            problem=problems["open"],
            by=users["secretary_a"],
            owner=users["secretary_a"],
            deadline=DEADLINE,
            today=TODAY,
        )
    session.refresh_from_db()
    assert Measure.objects.count() == 0
    assert (session.measure, session.problem) == (None, problem)


@pytest.mark.parametrize("who", ["liaison", "secretary_b", "member", "visitor"])
def test_a_user_who_does_not_run_the_project_is_refused(problems, session, users, who):
    with pytest.raises(PermissionDenied, match=r"^您无权管理该项目$"):
        deliberation_to_measure(
            deliberation=session,
            problem=problems["open"],
            by=users[who],
            owner=users["secretary_a"],
            deadline=DEADLINE,
            today=TODAY,
        )
    _unchanged(session)


@pytest.mark.parametrize(
    ("deadline", "owner", "message"),
    [
        (dt.date(2026, 6, 2), "secretary_a", "^完成时限不能早于今天$"),
        (None, "secretary_a", "^请填写完成时限$"),
        (DEADLINE, None, "^请选择在职的责任人$"),
    ],
)
def test_the_ledgers_own_checks_apply(problems, session, users, deadline, owner, message):
    with pytest.raises(DomainError, match=message):
        deliberation_to_measure(
            deliberation=session,
            problem=problems["open"],
            by=users["secretary_a"],
            owner=users[owner] if owner else None,
            deadline=deadline,
            today=TODAY,
        )
    _unchanged(session)


# The project page ------------------------------------------------------------------------------


def _url(project, rest=""):
    return f"/council/projects/{project.pk}/{rest}"


def _body(problem, owner, deadline="2030-06-30"):
    return {"problem": problem.pk if problem else "", "owner": owner.pk if owner else "", "deadline": deadline}


@pytest.mark.parametrize(
    ("who", "status", "form"),
    [
        ("town_admin", 200, True),
        ("secretary_a", 200, True),
        ("liaison", 200, False),
        ("secretary_b", 404, False),
        ("member", 404, False),
        ("visitor", 404, False),
    ],
)
def test_page_offers_the_open_problems_of_the_tree(hall_project, problems, session, users, client_as, who, status, form):
    response = client_as(users[who]).get(_url(hall_project))
    assert response.status_code == status
    if status != 200:
        return
    page = response.content.decode()
    assert ("转为已有问题的整改措施" in page) is form
    assert (f'<option value="{problems["open"].pk}">2026-0001 村道破损严重，雨天积水</option>' in page) is form
    # Neither the closed problem nor the other unit's problem is offered.
    assert "2026-0002" not in page and "2026-0003" not in page


@pytest.mark.parametrize("who", ["town_admin", "secretary_a"])
def test_page_turns_the_outcome_into_a_measure(hall_project, problems, session, users, client_as, who):
    client = client_as(users[who])
    response = client.post(
        _url(hall_project, f"deliberations/{session.pk}/measure/"), _body(problems["open"], users["secretary_a"])
    )
    assert response.status_code == 302 and response["Location"] == _url(hall_project) + f"#deliberation-{session.pk}"
    measure = Measure.objects.get()
    assert (measure.problem, measure.description, measure.owner, measure.deadline) == (
        problems["open"],
        OUTCOME,
        users["secretary_a"],
        DEADLINE,
    )
    page = client.get(response["Location"]).content.decode()
    assert "已转为问题2026-0001的整改措施。" in page
    assert f'<a href="/ledger/problems/{problems["open"].pk}/">2026-0001</a>' in page
    assert (
        f'<a href="/ledger/problems/{problems["open"].pk}/#measure-{measure.pk}">整改措施</a>（推进中，完成时限 2030-06-30）'
        in page
    )
    assert "转为已有问题的整改措施" not in page and "登记为问题</button>" not in page


@pytest.mark.parametrize(("who", "status"), [("liaison", 403), ("secretary_b", 404), ("member", 404), ("visitor", 404)])
def test_page_refuses_who_does_not_run_the_project(hall_project, problems, session, users, client_as, who, status):
    url = _url(hall_project, f"deliberations/{session.pk}/measure/")
    assert client_as(users[who]).post(url, _body(problems["open"], users["secretary_a"])).status_code == status
    _unchanged(session)


def test_page_anonymous_goes_to_login(hall_project, problems, session, users, client_as):
    response = client_as(None).post(
        _url(hall_project, f"deliberations/{session.pk}/measure/"), _body(problems["open"], users["secretary_a"])
    )
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    _unchanged(session)


@pytest.mark.parametrize(
    ("problem", "owner", "deadline", "message"),
    [
        ("closed", "secretary_a", "2030-06-30", "问题已销号，不能再添加措施"),
        ("outside", "town_admin", "2030-06-30", "只能添加到本项目所属党组织的问题"),
        ("open", "secretary_a", "2026-01-05", "完成时限不能早于今天"),
        ("open", "secretary_a", "", "请填写完成时限"),
        ("open", None, "2030-06-30", "请选择措施责任人"),
        (None, "secretary_a", "2030-06-30", "请选择要添加措施的问题"),
        ("open", "secretary_b", "2030-06-30", "请从列表中选择责任人"),
    ],
)
def test_page_bad_input_changes_nothing(hall_project, problems, session, users, client_as, problem, owner, deadline, message):
    body = _body(problems[problem] if problem else None, users[owner] if owner else None, deadline)
    response = client_as(users["town_admin"]).post(_url(hall_project, f"deliberations/{session.pk}/measure/"), body)
    assert response.status_code == 400
    assert message in response.content.decode()
    _unchanged(session)


def test_page_owner_must_be_able_to_own_the_problem(hall_project, problems, session, town, users, client_as):
    """The owner list covers the whole tree; a secretary of branch_a2 cannot own branch_a1's problem."""
    from qiangji import factories as f
    from qiangji.accounts.models import RoleGrant

    other = f.UserFactory(username="sec_a2", display_name="二支部书记")
    f.grant(other, RoleGrant.Role.SECRETARY, town["branch_a2"], title="书记")
    response = client_as(users["secretary_a"]).post(
        _url(hall_project, f"deliberations/{session.pk}/measure/"), _body(problems["open"], other)
    )
    assert response.status_code == 400
    assert "二支部书记不是东村第一党支部或其上级党组织的书记、联络组成员或镇管理员。" in response.content.decode()
    _unchanged(session)


def test_page_twice_is_refused(hall_project, problems, session, users, client_as):
    client = client_as(users["secretary_a"])
    url = _url(hall_project, f"deliberations/{session.pk}/measure/")
    assert client.post(url, _body(problems["open"], users["secretary_a"])).status_code == 302
    response = client.post(url, _body(problems["open"], users["secretary_a"]))
    assert response.status_code == 400 and "该议事结果已转为整改措施" in response.content.decode()
    assert Measure.objects.count() == 1


def test_page_session_of_another_project_is_not_found(hall_project, problems, session, town, users, client_as):
    other = Project.objects.create(name="其他项目", organization=town["village_a"], description="其他项目内容其他项目内容")
    response = client_as(users["secretary_a"]).post(
        _url(other, f"deliberations/{session.pk}/measure/"), _body(problems["open"], users["secretary_a"])
    )
    assert response.status_code == 404
    _unchanged(session)


# The API ---------------------------------------------------------------------------------------


def _api_path(project, session):
    return f"/projects/{project.pk}/deliberations/{session.pk}/measures"


@pytest.mark.parametrize("who", ["town_admin", "secretary_a"])
def test_api_turns_the_outcome_into_a_measure(hall_project, problems, session, users, api_as, who):
    body = {"problem": problems["open"].pk, "owner": users["secretary_a"].pk, "deadline": "2030-06-30"}
    response = api_as(users[who]).post(_api_path(hall_project, session), body)
    assert response.status_code == 201, response.json()
    measure = Measure.objects.get()
    assert response.json() == {
        "id": measure.pk,
        "deliberation": session.pk,
        "problem": problems["open"].pk,
        "problem_number": "2026-0001",
        "description": OUTCOME,
        "owner": users["secretary_a"].pk,
        "deadline": "2030-06-30",
        "state": "open",
    }
    session.refresh_from_db()
    assert session.measure == measure


@pytest.mark.parametrize(
    ("who", "status"), [("liaison", 403), ("secretary_b", 404), ("member", 404), ("visitor", 404), ("anonymous", 401)]
)
def test_api_refuses_who_does_not_run_the_project(hall_project, problems, session, users, api_as, who, status):
    body = {"problem": problems["open"].pk, "owner": users["secretary_a"].pk, "deadline": "2030-06-30"}
    response = api_as(users[who]).post(_api_path(hall_project, session), body)
    assert response.status_code == status
    _unchanged(session)


@pytest.mark.parametrize(
    ("problem", "owner", "deadline", "extra", "status", "detail"),
    [
        ("closed", "secretary_a", "2030-06-30", {}, 409, "问题已销号，不能再添加措施"),
        ("outside", "town_admin", "2030-06-30", {}, 409, "只能添加到本项目所属党组织的问题"),
        ("open", "secretary_a", "2026-01-05", {}, 409, "完成时限不能早于今天"),
        ("open", "secretary_b", "2030-06-30", {}, 422, "提交的数据有误，请按提示修改。"),
        ("open", "secretary_a", "2030-06-30", {"description": "另写措施"}, 422, "提交的数据有误，请按提示修改。"),
    ],
)
def test_api_bad_input_changes_nothing(
    hall_project, problems, session, users, api_as, problem, owner, deadline, extra, status, detail
):
    body = {"problem": problems[problem].pk, "owner": users[owner].pk, "deadline": deadline, **extra}
    response = api_as(users["town_admin"]).post(_api_path(hall_project, session), body)
    assert response.status_code == status
    assert response.json()["detail"] == detail
    _unchanged(session)


def test_api_an_invisible_problem_is_an_invalid_choice(hall_project, problems, session, users, api_as):
    # secretary_a does not see branch_b's problem: the same answer as for a missing one.
    body = {"problem": problems["outside"].pk, "owner": users["secretary_a"].pk, "deadline": "2030-06-30"}
    response = api_as(users["secretary_a"]).post(_api_path(hall_project, session), body)
    assert response.status_code == 422
    assert response.json()["errors"] == {"problem": ["请从列表中选择问题"]}
    _unchanged(session)


def test_api_twice_is_a_conflict(hall_project, problems, session, users, api_as):
    api = api_as(users["secretary_a"])
    body = {"problem": problems["open"].pk, "owner": users["secretary_a"].pk, "deadline": "2030-06-30"}
    assert api.post(_api_path(hall_project, session), body).status_code == 201
    response = api.post(_api_path(hall_project, session), body)
    assert (response.status_code, response.json()["detail"]) == (409, "该议事结果已转为整改措施")
    assert Measure.objects.count() == 1


def test_api_missing_session_is_not_found(hall_project, problems, session, town, users, api_as):
    other = Project.objects.create(name="其他项目", organization=town["village_a"], description="其他项目内容其他项目内容")
    body = {"problem": problems["open"].pk, "owner": users["secretary_a"].pk, "deadline": "2030-06-30"}
    assert api_as(users["secretary_a"]).post(_api_path(other, session), body).status_code == 404
    assert (
        api_as(users["secretary_a"]).post(f"/projects/{hall_project.pk}/deliberations/999999/measures", body).status_code == 404
    )
    _unchanged(session)
