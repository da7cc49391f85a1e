"""The problems API: who sees and does what, exact answers, 409 for every kind of illegal step
and 422 for bad input, each with nothing changed."""

import datetime as dt

import pytest
from django.utils import timezone

from qiangji import factories as f
from qiangji.accounts.models import RoleGrant
from qiangji.ledger.models import Measure, Mechanism, Problem, ProblemEvent
from qiangji.ledger.services import (
    measure_add,
    mechanism_record,
    problem_analyse,
    problem_close_immediate,
    problem_start,
    problem_submit,
    problem_withdraw,
)

S = Problem.State
ROLES = ["town_admin", "liaison", "secretary_a", "secretary_b", "member", "visitor"]


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def sec_b1(town):
    """Responsible person of the company branch's problems, beside its secretary (secretary_b)."""
    user = f.UserFactory(username="sec_b1", display_name="公司支部委员")
    f.grant(user, RoleGrant.Role.SECRETARY, town["branch_b"], title="委员")
    return user


@pytest.fixture
def p1(register, today):
    return register(today=today, description="党员活动室长期闲置，群众反映开放时间不固定", category="阵地建设")


@pytest.fixture
def p2(register, town, sec_b1, today):
    return register(
        today=today,
        organization=town["branch_b"],
        owner=sec_b1,
        source=Problem.Source.HOTLINE,
        external_ref="20260520001",
        description="企业党支部三会一课记录不全",
    )


def ledger_state():
    return (
        list(Problem.objects.order_by("id").values_list("number", "state", "owner__username", "deadline", "evidence")),
        ProblemEvent.objects.count(),
        Measure.objects.count(),
    )


# List ----------------------------------------------------------------------------------------

VISIBLE = {
    "town_admin": ["p2", "p1"],
    "liaison": ["p1"],
    "secretary_a": ["p1"],
    "secretary_b": ["p2"],
    "member": [],
    "visitor": [],
}


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_each_role_its_subtree(role, api_as, users, p1, p2):
    response = api_as(users[role]).get("/problems")
    assert response.status_code == 200
    expected = [{"p1": p1, "p2": p2}[k].number for k in VISIBLE[role]]
    assert [item["number"] for item in response.json()["items"]] == expected
    assert response.json()["count"] == len(expected)


def test_list_needs_credentials(api_as, p1):
    response = api_as(None).get("/problems")
    assert response.status_code == 401
    assert response.json() == {"detail": "请先登录，或在请求头中提供有效的接口令牌（Authorization: Bearer 令牌）。"}


def test_owner_sees_their_own_problem_anywhere(api_as, owner, p1, p2):
    # sec_a1 manages branch A1 only; they see its problem and none of the company's.
    assert [i["number"] for i in api_as(owner).get("/problems").json()["items"]] == [p1.number]


def test_list_item_exact(api_as, users, p1, owner, town, today):
    item = api_as(users["town_admin"]).get("/problems").json()["items"][0]
    assert item == {
        "id": p1.pk,
        "number": p1.number,
        "source": "visit_talk",
        "source_label": "走访座谈",
        "organization": town["branch_a1"].pk,
        "organization_name": "东村第一党支部",
        "village": None,
        "village_name": "",
        "category": "阵地建设",
        "description": "党员活动室长期闲置，群众反映开放时间不固定",
        "external_ref": "",
        "owner": owner.pk,
        "owner_name": "一支部书记",
        "deadline": (today + dt.timedelta(days=30)).isoformat(),
        "state": "registered",
        "state_label": "已挂号",
        "overdue": False,
        "days_overdue": 0,
        "root_cause": "",
        "fix_kind": "",
        "fix_kind_label": "",
        "evidence": "",
        "merged_into": None,
        "registered_on": today.isoformat(),
        "closed_on": None,
        "checked_by": "",
        "actions": sorted(
            ["analyse", "close_immediate", "measure", "merge", "postpone", "reassign", "start", "update", "withdraw"]
        ),
        "version": 1,
    }


def test_list_filters(api_as, users, owner, p1, p2, today):
    admin = users["town_admin"]
    problem_close_immediate(problem=p2, by=admin, evidence="已补齐记录", today=today)
    late = Problem.objects.create(
        number="2025-0099",
        source=Problem.Source.SELF_CHECK,
        organization=p1.organization,
        description="村务公开栏未按月更新",
        owner=owner,
        deadline=today - dt.timedelta(days=2),
        registered_on=today - dt.timedelta(days=40),
    )
    client = api_as(admin)

    def numbers(**params):
        response = client.get("/problems", params)
        assert response.status_code == 200, response.json()
        return [i["number"] for i in response.json()["items"]]

    assert numbers(state="open") == [p1.number, late.number]
    assert numbers(state="closed") == [p2.number]
    assert numbers(source="hotline") == [p2.number]
    assert numbers(organization=p1.organization.parent_id) == [p1.number, late.number]
    assert numbers(organization=p2.organization_id) == [p2.number]
    assert numbers(overdue="true") == [late.number]
    assert numbers(q="三会一课") == [p2.number]
    assert numbers(q="20260520001") == [p2.number]
    assert api_as(owner).get("/problems", {"owner": "me"}).json()["count"] == 2
    assert numbers(owner="me") == []
    # An organization the caller cannot see filters to nothing rather than revealing it exists.
    assert api_as(users["secretary_b"]).get("/problems", {"organization": p1.organization_id}).json()["count"] == 0
    overdue_item = client.get("/problems", {"overdue": "true"}).json()["items"][0]
    assert (overdue_item["overdue"], overdue_item["days_overdue"]) == (True, 2)


@pytest.mark.parametrize(
    "params,field,message",
    [
        ({"state": "done"}, "state", "“done”不是有效的选项"),
        ({"source": "email"}, "source", "“email”不是有效的选项"),
        ({"owner": "sec_a1"}, "owner", "“sec_a1”不是有效的选项"),
        ({"page": "0"}, "page", "不能小于 1。"),
    ],
)
def test_list_bad_filters_are_422(api_as, users, p1, params, field, message):
    response = api_as(users["town_admin"]).get("/problems", params)
    assert response.status_code == 422
    assert response.json()["detail"] == "提交的数据有误，请按提示修改。"
    assert response.json()["errors"][field][0].startswith(message)


def test_list_query_count_does_not_grow_with_rows(api_as, users, register, today, django_assert_num_queries):
    for i in range(5):
        register(today=today, description=f"第{i}个问题：党建阵地标识不规范")
    client = api_as(users["town_admin"])
    client.get("/problems")  # the token's first use records itself
    # token, scope (grants, liaison groups, member), count, one page: not one more per row
    with django_assert_num_queries(6):
        assert client.get("/problems").json()["count"] == 5


# Detail --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role,status", [(r, 404 if r in ("secretary_b", "member", "visitor") else 200) for r in ROLES])
def test_detail_per_role(role, status, api_as, users, p1):
    response = api_as(users[role]).get(f"/problems/{p1.pk}")
    assert response.status_code == status
    if status == 404:
        assert response.json() == {"detail": "对象不存在，或您无权访问。"}


def test_detail_has_events_and_measures(api_as, users, owner, p1, today):
    measure = measure_add(
        by=owner, problem=p1, data={"description": "制定开放制度", "owner": owner, "deadline": today + dt.timedelta(days=10)}
    )
    body = api_as(users["town_admin"]).get(f"/problems/{p1.pk}").json()
    assert [(e["action"], e["action_label"], e["from_state"], e["to_state"], e["by"]) for e in body["events"]] == [
        ("register", "挂号", "", "registered", "镇管理员"),
        ("measure_add", "新增整改措施", "registered", "registered", "一支部书记"),
    ]
    assert body["measures"] == [
        {
            "id": measure.pk,
            "problem": p1.pk,
            "plan": None,
            "description": "制定开放制度",
            "owner": owner.pk,
            "owner_name": "一支部书记",
            "deadline": (today + dt.timedelta(days=10)).isoformat(),
            "state": "open",
            "state_label": "推进中",
            "progress": 0,
            "progress_note": "",
            "done_on": None,
            "checked_by": "",
            "checked_on": None,
            "check_note": "",
            "behind": False,
        }
    ]
    assert body["mechanisms"] == []


def test_detail_of_a_missing_problem_is_404(api_as, users):
    assert api_as(users["town_admin"]).get("/problems/999999").status_code == 404
    assert api_as(None).get("/problems/999999").status_code == 401


# Register ------------------------------------------------------------------------------------


def payload(town, responsible, today, **overrides):
    return {
        "source": "hotline",
        "organization": town["branch_a1"].pk,
        "description": "群众反映村党群服务站周末无人值守",
        "external_ref": "12345-0001",
        "owner": responsible.pk,
        "deadline": (today + dt.timedelta(days=15)).isoformat(),
        **overrides,
    }


@pytest.mark.parametrize("role", ["town_admin", "liaison", "secretary_a"])
def test_register_by_those_who_supervise(role, api_as, users, town, owner, today):
    response = api_as(users[role]).post("/problems", payload(town, owner, today))
    assert response.status_code == 201, response.json()
    problem = Problem.objects.get()
    body = response.json()
    assert (body["id"], body["number"], body["state"], body["source_label"]) == (
        problem.pk,
        f"{today.year}-0001",
        "registered",
        "12345热线",
    )
    assert (problem.registered_by, problem.owner, problem.external_ref, problem.registered_on) == (
        users[role],
        owner,
        "12345-0001",
        today,
    )
    assert [(e["action"], e["by"]) for e in body["events"]] == [("register", str(users[role]))]
    assert body["similar"] == []


@pytest.mark.parametrize(
    "role,status,detail",
    [
        ("member", 403, "您没有登记问题的权限。"),
        ("visitor", 403, "您没有登记问题的权限。"),
        ("secretary_b", 422, "提交的数据有误，请按提示修改。"),
        ("anonymous", 401, "请先登录，或在请求头中提供有效的接口令牌（Authorization: Bearer 令牌）。"),
    ],
)
def test_register_denied(role, status, detail, api_as, users, town, owner, today):
    response = api_as(users[role]).post("/problems", payload(town, owner, today))
    assert response.status_code == status
    assert response.json()["detail"] == detail
    if status == 422:
        # Neither the organization nor its possible owners are among what secretary_b may choose.
        assert list(response.json()["errors"]) == ["organization", "owner"]
    assert ledger_state() == ([], 0, 0)


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"source": "email"}, "source"),
        ({"description": "   "}, "description"),
        ({"deadline": "2026-13-01"}, "deadline"),
        ({"owner": 999999}, "owner"),
        ({"organization": "东村"}, "organization"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_register_bad_input_is_422(overrides, field, api_as, users, town, owner, today):
    response = api_as(users["town_admin"]).post("/problems", payload(town, owner, today, **overrides))
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert ledger_state() == ([], 0, 0)


def test_register_owner_outside_the_line_is_422(api_as, users, town, sec_b1, today):
    response = api_as(users["town_admin"]).post("/problems", payload(town, sec_b1, today))
    assert response.status_code == 422
    assert response.json()["errors"] == {"owner": ["公司支部委员不是东村第一党支部或其上级党组织的书记、联络组成员或镇管理员。"]}
    assert ledger_state() == ([], 0, 0)


def test_register_past_deadline_is_409(api_as, users, town, owner, today):
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    response = api_as(users["town_admin"]).post("/problems", payload(town, owner, today, deadline=yesterday))
    assert response.status_code == 409
    assert response.json() == {"detail": "整改期限不能早于挂号日期"}
    assert ledger_state() == ([], 0, 0)


def test_register_same_work_order_twice_is_409(api_as, users, town, owner, today):
    client = api_as(users["town_admin"])
    assert client.post("/problems", payload(town, owner, today)).status_code == 201
    before = ledger_state()
    response = client.post("/problems", payload(town, owner, today, description="同一工单再次登记"))
    assert response.status_code == 409
    assert "12345-0001" in response.json()["detail"]
    assert ledger_state() == before


def test_register_suggests_the_same_problem_from_another_channel(api_as, users, town, owner, today, register):
    visit = register(today=today, description="群众反映村党群服务站周末无人值守，办事不方便")
    response = api_as(users["town_admin"]).post("/problems", payload(town, owner, today))
    similar = response.json()["similar"]
    assert [(s["id"], s["number"], s["organization_name"]) for s in similar] == [(visit.pk, visit.number, "东村第一党支部")]
    assert 0.3 <= similar[0]["similarity"] <= 1


# Transitions ---------------------------------------------------------------------------------


def step(client, problem, **body):
    return client.post(f"/problems/{problem.pk}/transitions", body)


def test_register_to_close_over_the_api(api_as, users, owner, p1, today):
    mine, admin = api_as(owner), api_as(users["town_admin"])
    assert step(mine, p1, action="start").json()["state"] == "in_progress"
    response = mine.post(f"/problems/{p1.pk}/analysis", {"root_cause": "无专人管理", "fix_kind": "long_term", "version": 2})
    assert (response.status_code, response.json()["fix_kind_label"]) == (200, "长效机制")
    deadline = (today + dt.timedelta(days=5)).isoformat()
    response = mine.post(f"/problems/{p1.pk}/measures", {"description": "明确专人管理", "owner": owner.pk, "deadline": deadline})
    assert response.status_code == 201
    measure_id = response.json()["id"]
    response = mine.post(f"/measures/{measure_id}/progress", {"progress": 100, "progress_note": "已指定管理员"})
    assert (response.json()["state"], response.json()["done_on"]) == ("done", today.isoformat())
    response = admin.post(f"/measures/{measure_id}/check", {"passed": True, "check_note": "属实"})
    assert (response.json()["state"], response.json()["checked_by"]) == ("checked", "镇管理员")
    response = step(mine, p1, action="submit", evidence="制度上墙，专人值守")
    assert response.json()["state"] == "awaiting_check"
    # A long-term fix is not closed until its mechanism is on record.
    response = step(admin, p1, action="close", evidence="")
    assert (response.status_code, response.json()) == (409, {"detail": "该问题需建立长效机制，请先关联长效机制再验收销号"})
    p1.refresh_from_db()
    assert (p1.state, p1.closed_on, p1.events.count()) == ("awaiting_check", None, 7)
    mechanism = {"name": "党群服务站专人值守制度", "organization": p1.organization_id, "kind": "established",
                 "effective_on": today.isoformat(), "problems": [p1.pk]}  # fmt: skip
    assert admin.post("/mechanisms", mechanism).status_code == 201
    response = step(admin, p1, action="close", evidence="")
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["evidence"], body["checked_by"], body["closed_on"]) == (
        "closed",
        "制度上墙，专人值守",
        "镇管理员",
        today.isoformat(),
    )
    assert [e["action"] for e in body["events"]] == [
        "register",
        "start",
        "analyse",
        "measure_add",
        "measure_progress",
        "measure_check",
        "submit",
        "mechanism",
        "close",
    ]


@pytest.mark.parametrize(
    "setup,actor,body,detail",
    [
        ("registered", "town_admin", {"action": "close", "evidence": "已整改"}, "问题当前状态为“已挂号”，不能验收销号"),
        ("in_progress", "town_admin", {"action": "reopen", "reason": "再次反映"}, "问题当前状态为“整改中”，不能重新打开"),
        ("awaiting_check", "owner", {"action": "close", "evidence": "已整改"}, "验收人不能是整改责任人"),
        ("in_progress", "owner", {"action": "close_immediate", "evidence": "已整改"}, "验收人不能是整改责任人"),
        ("registered", "owner", {"action": "submit", "evidence": "已整改"}, "问题当前状态为“已挂号”，不能提交验收"),
        ("closed", "town_admin", {"action": "withdraw", "reason": "不属实"}, "问题当前状态为“已销号”，不能撤销"),
        ("registered", "town_admin", {"action": "uphold", "reason": "属实"}, "问题当前状态为“已挂号”，不能维持交办"),
        ("awaiting_check", "town_admin", {"action": "send_back", "reason": ""}, None),
    ],
)
def test_illegal_steps_are_409_and_change_nothing(setup, actor, body, detail, api_as, users, owner, p1, today):
    if setup != "registered":
        problem_start(problem=p1, by=owner)
        if setup in ("awaiting_check", "closed"):
            problem_analyse(problem=p1, by=owner, root_cause="无专人管理", fix_kind="immediate")
            problem_submit(problem=p1, by=owner, evidence="已安排专人")
        if setup == "closed":
            from qiangji.ledger.services import problem_close

            problem_close(problem=p1, by=users["town_admin"], today=today)
    before = ledger_state()
    response = step(api_as(owner if actor == "owner" else users[actor]), p1, **body)
    if detail is None:
        # A step whose required text is missing is bad input, not a rule: 422.
        assert response.status_code == 422
        assert list(response.json()["errors"]) == ["reason"]
    else:
        assert response.status_code == 409
        assert response.json() == {"detail": detail}
    assert ledger_state() == before


@pytest.mark.parametrize(
    "role,status,detail",
    [
        ("liaison", 403, "您无权进行此项操作"),  # above the branch, not its side: cannot start its work
        ("secretary_b", 404, "对象不存在，或您无权访问。"),
        ("member", 404, "对象不存在，或您无权访问。"),
        ("visitor", 404, "对象不存在，或您无权访问。"),
        ("anonymous", 401, "请先登录，或在请求头中提供有效的接口令牌（Authorization: Bearer 令牌）。"),
    ],
)
def test_start_denied_per_role(role, status, detail, api_as, users, p1):
    before = ledger_state()
    response = step(api_as(users[role]), p1, action="start")
    assert (response.status_code, response.json()["detail"]) == (status, detail)
    assert ledger_state() == before


@pytest.mark.parametrize("role", ["town_admin", "secretary_a"])
def test_start_allowed_for_the_side_of_the_problem(role, api_as, users, p1):
    response = step(api_as(users[role]), p1, action="start")
    assert (response.status_code, response.json()["state"]) == (200, "in_progress")
    assert ProblemEvent.objects.filter(problem=p1).latest("id").by == users[role]


def test_unknown_action_is_422(api_as, users, p1):
    before = ledger_state()
    response = step(api_as(users["town_admin"]), p1, action="delete")
    assert response.status_code == 422
    assert response.json()["errors"]["action"][0].startswith("“delete”不是有效的选项")
    assert ledger_state() == before


def test_reassign_dispute_uphold_merge_withdraw_reopen_postpone(api_as, users, owner, p1, register, today):
    admin, mine = api_as(users["town_admin"]), api_as(owner)
    other = f.UserFactory(username="sec_a2", display_name="二支部书记")
    f.grant(other, RoleGrant.Role.SECRETARY, p1.organization.parent, title="副书记")

    response = step(mine, p1, action="dispute", reason="不属于本支部")
    assert response.json()["state"] == "disputed"
    response = step(admin, p1, action="uphold", reason="经核实属实")
    assert response.json()["state"] == "in_progress"
    response = step(admin, p1, action="reassign", owner=other.pk, reason="由总支负责")
    assert (response.json()["state"], response.json()["owner_name"]) == ("registered", "二支部书记")
    new_deadline = (today + dt.timedelta(days=60)).isoformat()
    response = step(admin, p1, action="postpone", deadline=new_deadline, reason="需协调资金")
    assert (response.json()["state"], response.json()["deadline"]) == ("registered", new_deadline)

    duplicate = register(today=today, description="活动室不开放")
    response = step(admin, duplicate, action="merge", into=p1.pk, reason="同一问题")
    assert (response.json()["state"], response.json()["merged_into"]) == ("merged", p1.number)
    response = step(admin, p1, action="close_immediate", evidence="已开放")
    assert response.json()["state"] == "closed"
    response = step(admin, p1, action="reopen", reason="群众再次反映")
    assert (response.json()["state"], response.json()["closed_on"]) == ("in_progress", None)
    third = register(today=today, description="不实反映")
    assert step(admin, third, action="withdraw", reason="经核实不属实").json()["state"] == "withdrawn"
    assert list(ProblemEvent.objects.filter(problem=p1).values_list("action", flat=True)) == [
        "register",
        "dispute",
        "uphold",
        "reassign",
        "postpone",
        "merge",
        "close_immediate",
        "reopen",
    ]


def test_merge_into_an_unseen_problem_is_422(api_as, users, p1, p2):
    before = ledger_state()
    response = step(api_as(users["secretary_a"]), p1, action="merge", into=p2.pk, reason="重复")
    assert response.status_code == 422
    assert response.json()["errors"] == {"into": [f"没有找到编号为“{p2.pk}”的问题。"]}
    assert ledger_state() == before


def test_postpone_into_the_past_is_409(api_as, users, p1, today):
    before = ledger_state()
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    response = step(api_as(users["town_admin"]), p1, action="postpone", deadline=yesterday, reason="调整")
    assert response.json() == {"detail": "新的整改期限不能早于今天"}
    assert response.status_code == 409
    assert ledger_state() == before


# Analysis and measures -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status",
    [("town_admin", 200), ("secretary_a", 200), ("liaison", 403), ("secretary_b", 404), ("member", 404), ("visitor", 404)],
)
def test_analysis_per_role(role, status, api_as, users, p1):
    before = ledger_state()
    response = api_as(users[role]).post(
        f"/problems/{p1.pk}/analysis", {"root_cause": "制度缺失", "fix_kind": "immediate", "version": 1}
    )
    assert response.status_code == status
    p1.refresh_from_db()
    if status == 200:
        assert (p1.root_cause, p1.fix_kind) == ("制度缺失", "immediate")
    else:
        assert ledger_state() == before
        assert (p1.root_cause, p1.fix_kind) == ("", "")


def test_analysis_bad_kind_is_422(api_as, users, p1):
    before = ledger_state()
    response = api_as(users["town_admin"]).post(
        f"/problems/{p1.pk}/analysis", {"root_cause": "x", "fix_kind": "later", "version": 1}
    )
    assert (response.status_code, list(response.json()["errors"])) == (422, ["fix_kind"])
    assert ledger_state() == before


@pytest.mark.parametrize(
    "role,status", [("town_admin", 201), ("secretary_a", 201), ("liaison", 403), ("secretary_b", 404), ("member", 404)]
)
def test_measure_add_per_role(role, status, api_as, users, owner, p1, today):
    before = ledger_state()
    body = {"description": "每周六开放", "owner": owner.pk, "deadline": (today + dt.timedelta(days=3)).isoformat()}
    response = api_as(users[role]).post(f"/problems/{p1.pk}/measures", body)
    assert response.status_code == status
    if status == 201:
        assert list(Measure.objects.values_list("description", "owner", "problem")) == [("每周六开放", owner.pk, p1.pk)]
    else:
        assert ledger_state() == before


def test_measure_on_a_closed_problem_is_409(api_as, users, owner, p1, today):
    problem_close_immediate(problem=p1, by=users["town_admin"], evidence="已整改", today=today)
    before = ledger_state()
    body = {"description": "补充措施", "owner": owner.pk, "deadline": (today + dt.timedelta(days=3)).isoformat()}
    response = api_as(users["town_admin"]).post(f"/problems/{p1.pk}/measures", body)
    assert response.json() == {"detail": "问题已销号，不能再添加措施"}
    assert response.status_code == 409
    assert ledger_state() == before


@pytest.fixture
def measure(p1, owner, today):
    return measure_add(
        by=owner, problem=p1, data={"description": "制定开放制度", "owner": owner, "deadline": today + dt.timedelta(days=10)}
    )


@pytest.mark.parametrize(
    "role,status", [("town_admin", 200), ("secretary_a", 200), ("liaison", 403), ("secretary_b", 404), ("member", 404)]
)
def test_measure_progress_per_role(role, status, api_as, users, measure):
    response = api_as(users[role]).post(f"/measures/{measure.pk}/progress", {"progress": 50, "progress_note": "制度起草中"})
    assert response.status_code == status
    measure.refresh_from_db()
    assert (measure.progress, measure.progress_note) == ((50, "制度起草中") if status == 200 else (0, ""))


def test_measure_progress_bad_input_is_422(api_as, owner, measure):
    response = api_as(owner).post(f"/measures/{measure.pk}/progress", {"progress": 120, "progress_note": "超额"})
    assert (response.status_code, list(response.json()["errors"])) == (422, ["progress"])
    measure.refresh_from_db()
    assert (measure.progress, measure.state) == (0, "open")


@pytest.mark.parametrize(
    "role,status,detail",
    [
        ("owner", 409, "验收人不能是措施责任人"),
        ("secretary_a", 200, None),  # the general branch's secretary is above branch A1
        ("liaison", 200, None),
        ("secretary_b", 404, "对象不存在，或您无权访问。"),
        ("member", 404, "对象不存在，或您无权访问。"),
    ],
)
def test_measure_check_per_role(role, status, detail, api_as, users, owner, measure):
    from qiangji.ledger.services import measure_progress

    measure_progress(measure=measure, by=owner, progress=100, note="已完成")
    response = api_as(owner if role == "owner" else users[role]).post(f"/measures/{measure.pk}/check", {"passed": True})
    assert response.status_code == status
    measure.refresh_from_db()
    if status == 200:
        assert (measure.state, measure.checked_by) == ("checked", users[role])
    else:
        assert response.json()["detail"] == detail
        assert (measure.state, measure.checked_by) == ("done", None)


def test_failed_check_needs_its_reason(api_as, users, owner, measure):
    from qiangji.ledger.services import measure_progress

    measure_progress(measure=measure, by=owner, progress=100, note="已完成")
    response = api_as(users["town_admin"]).post(f"/measures/{measure.pk}/check", {"passed": False})
    assert response.json() == {"detail": "请说明验收未通过的原因"}
    assert response.status_code == 409
    measure.refresh_from_db()
    assert measure.state == "done"


# Counts --------------------------------------------------------------------------------------


@pytest.fixture
def counted(register, users, owner, town, sec_b1):
    """Hand-computed: in 2026-03..2026-05, branch A1 has 3 problems counted (one withdrawn does
    not count), 2 of them fixed at once; the company branch 1, fixed at once; 2 mechanisms in
    range (one of A1, one of the company), 1 outside."""
    admin = users["town_admin"]
    days = [dt.date(2026, 3, 2), dt.date(2026, 4, 10), dt.date(2026, 5, 6), dt.date(2026, 5, 7)]
    a = [register(today=d, description=f"问题{i}：党员教育管理不规范") for i, d in enumerate(days)]
    problem_close_immediate(problem=a[0], by=admin, evidence="当场整改", today=dt.date(2026, 3, 4))
    problem_close_immediate(problem=a[1], by=admin, evidence="当场整改", today=dt.date(2026, 4, 20))
    problem_withdraw(problem=a[3], by=admin, reason="不属实")
    b = register(today=dt.date(2026, 4, 1), organization=town["branch_b"], owner=sec_b1, description="企业支部阵地不规范")
    problem_close_immediate(problem=b, by=admin, evidence="已规范", today=dt.date(2026, 4, 11))
    register(today=dt.date(2026, 6, 1), description="范围外的问题")
    for org, day in [(town["branch_a1"], dt.date(2026, 4, 1)), (town["branch_b"], dt.date(2026, 5, 1))]:
        mechanism_record(
            by=admin, data={"name": "活动室开放制度", "organization": org, "kind": "established", "effective_on": day}
        )
    mechanism_record(
        by=admin,
        data={"name": "范围外机制", "organization": town["branch_a1"], "kind": "enforced", "effective_on": dt.date(2026, 7, 1)},
    )


def test_counts_match_the_hand_computed_fixture(api_as, users, counted):
    response = api_as(users["town_admin"]).get("/problems/counts", {"start": "2026-03-01", "end": "2026-05-31"})
    assert response.status_code == 200
    assert response.json() == {
        "start": "2026-03-01",
        "end": "2026-05-31",
        "total": 4,
        "immediate": 3,
        "long_term": 0,
        "closed": 3,
        "open": 1,
        "mechanisms": 2,
        "mechanisms_established": 2,
        "mechanisms_enforced": 0,
        "days_to_close_median": 10.0,
        "days_to_close_mean": 7.3,
        "sentence": "自查自纠问题4个，其中即知即改3个，建立或落实长效机制2个",
    }


@pytest.mark.parametrize(
    "role,status,sentence",
    [
        ("liaison", 200, "自查自纠问题3个，其中即知即改2个，建立或落实长效机制1个"),
        ("secretary_a", 200, "自查自纠问题3个，其中即知即改2个，建立或落实长效机制1个"),
        ("secretary_b", 200, "自查自纠问题1个，其中即知即改1个，建立或落实长效机制1个"),
        ("member", 403, None),
        ("visitor", 403, None),
        ("anonymous", 401, None),
    ],
)
def test_counts_per_role(role, status, sentence, api_as, users, counted):
    response = api_as(users[role]).get("/problems/counts", {"start": "2026-03-01", "end": "2026-05-31"})
    assert response.status_code == status
    if sentence:
        assert response.json()["sentence"] == sentence


def test_counts_of_one_organization_and_bad_ranges(api_as, users, town, counted):
    client = api_as(users["town_admin"])
    response = client.get("/problems/counts", {"start": "2026-03-01", "end": "2026-05-31", "organization": town["branch_b"].pk})
    assert response.json()["sentence"] == "自查自纠问题1个，其中即知即改1个，建立或落实长效机制1个"
    response = client.get("/problems/counts", {"start": "2026-06-01", "end": "2026-05-31"})
    assert (response.status_code, response.json()["errors"]) == (422, {"end": ["结束日期不能早于开始日期。"]})
    hidden = api_as(users["secretary_b"]).get("/problems/counts", {"organization": town["branch_a1"].pk})
    assert hidden.status_code == 404


# Mechanisms ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,names",
    [
        ("town_admin", ["企业支部学习制度", "活动室开放制度"]),
        ("liaison", ["活动室开放制度"]),
        ("secretary_a", ["活动室开放制度"]),
        ("secretary_b", ["企业支部学习制度"]),
        ("member", []),
        ("visitor", []),
    ],
)
def test_mechanisms_list_per_role(role, names, api_as, users, town, p1):
    admin = users["town_admin"]
    mechanism_record(
        by=admin,
        data={
            "name": "活动室开放制度",
            "organization": town["branch_a1"],
            "kind": "established",
            "effective_on": dt.date(2026, 4, 1),
        },
        problems=[p1],
    )
    mechanism_record(
        by=admin,
        data={
            "name": "企业支部学习制度",
            "organization": town["branch_b"],
            "kind": "enforced",
            "effective_on": dt.date(2026, 5, 1),
        },
    )
    response = api_as(users[role]).get("/mechanisms")
    assert response.status_code == 200
    assert [m["name"] for m in response.json()["items"]] == names


def test_mechanism_record_exact_and_denied(api_as, users, town, p1, p2):
    body = {
        "name": "活动室开放制度",
        "organization": town["branch_a1"].pk,
        "kind": "established",
        "effective_on": "2026-04-01",
        "problems": [p1.pk],
    }
    response = api_as(users["secretary_a"]).post("/mechanisms", body)
    assert response.status_code == 201
    mechanism = Mechanism.objects.get()
    assert response.json() == {
        "id": mechanism.pk,
        "name": "活动室开放制度",
        "organization": town["branch_a1"].pk,
        "organization_name": "东村第一党支部",
        "kind": "established",
        "kind_label": "建立",
        "effective_on": "2026-04-01",
        "description": "",
        "problems": [p1.number],
    }
    assert list(ProblemEvent.objects.filter(problem=p1).values_list("action", flat=True)) == ["register", "mechanism"]
    for role, status in [("member", 403), ("visitor", 403), ("secretary_b", 422), ("anonymous", 401)]:
        response = api_as(users[role]).post("/mechanisms", {**body, "name": f"{role}机制"})
        assert response.status_code == status, role
    # A problem of another organization: the form offers only the chosen organization's subtree.
    response = api_as(users["town_admin"]).post("/mechanisms", {**body, "name": "越界", "problems": [p2.pk]})
    assert (response.status_code, list(response.json()["errors"])) == (422, ["problems"])
    assert list(Mechanism.objects.values_list("name", flat=True)) == ["活动室开放制度"]


def test_openapi_lists_the_ledger_paths(db):
    from django.test import Client

    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    prefixes = ("/api/v1/problems", "/api/v1/measures", "/api/v1/mechanisms", "/api/v1/grades", "/api/v1/rectification-plans")
    assert {p: sorted(paths[p]) for p in sorted(paths) if p.startswith(prefixes)} == {
        "/api/v1/grades": ["get"],
        "/api/v1/grades/levels": ["get"],
        "/api/v1/grades/{organization_id}/{year}": ["put"],
        "/api/v1/measures/{measure_id}/check": ["post"],
        "/api/v1/measures/{measure_id}/progress": ["post"],
        "/api/v1/mechanisms": ["get", "post"],
        "/api/v1/problems": ["get", "post"],
        "/api/v1/problems/counts": ["get"],
        "/api/v1/problems/{problem_id}": ["get"],
        "/api/v1/problems/{problem_id}/analysis": ["post"],
        "/api/v1/problems/{problem_id}/measures": ["post"],
        "/api/v1/problems/{problem_id}/transitions": ["post"],
        "/api/v1/rectification-plans": ["get", "post"],
        "/api/v1/rectification-plans/missing": ["get"],
        "/api/v1/rectification-plans/{plan_id}": ["get", "put"],
        "/api/v1/rectification-plans/{plan_id}/items": ["post"],
    }


@pytest.mark.parametrize("action", ["", "  "])
def test_a_transition_without_an_action_is_422(api_as, users, p1, action):
    response = step(api_as(users["town_admin"]), p1, action=action)
    assert response.status_code == 422
    assert response.json()["errors"] == {"action": ["操作未填写"]}
    p1.refresh_from_db()
    assert p1.state == "registered"
