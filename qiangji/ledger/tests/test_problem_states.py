"""The problem state machine (RULES.md "Problem ledger"): every legal and illegal step."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from qiangji import factories as f
from qiangji.core.errors import DomainError
from qiangji.ledger.models import Measure, Problem, ProblemEvent
from qiangji.ledger.services import (
    ACTIONS,
    measure_add,
    measure_check,
    measure_progress,
    mechanism_record,
    problem_analyse,
    problem_close,
    problem_close_immediate,
    problem_dispute,
    problem_merge,
    problem_reassign,
    problem_register,
    problem_reopen,
    problem_send_back,
    problem_start,
    problem_submit,
    problem_uphold,
    problem_withdraw,
)
from qiangji.ledger.tests.conftest import TODAY
from qiangji.notifications.models import Notification

S = Problem.State
OWNER_SIDE = {"start", "submit", "dispute"}


def _kwargs(action, problem, *, other_owner, target):
    return {
        "reassign": {"owner": other_owner, "reason": "应由二支部负责"},
        "dispute": {"reason": "该问题不属于本支部"},
        "uphold": {"reason": "经核实属实"},
        "submit": {"evidence": "已制定开放制度并上墙公示"},
        "send_back": {"reason": "制度未落实"},
        "close": {"evidence": "现场核实已整改"},
        "close_immediate": {"evidence": "当场整改到位"},
        "merge": {"into": target, "reason": "与12345工单重复"},
        "withdraw": {"reason": "经核实不属实"},
        "reopen": {"reason": "群众再次反映"},
        "start": {},
    }[action]


def _matrix():
    for action in [a for a in Problem.TRANSITIONS]:
        for state in S.values:
            yield action, state


@pytest.mark.parametrize("action,state", list(_matrix()))
def test_every_transition_from_every_state(action, state, register, users, owner):
    problem = register()
    target = register(description="另一个问题：村务公开栏内容未及时更新")
    Problem.objects.filter(pk=problem.pk).update(state=state, fix_kind=Problem.FixKind.IMMEDIATE, evidence="")
    problem.refresh_from_db()
    other_owner = f.UserFactory(username="sec_a2", display_name="二支部书记")
    actor = owner if action in OWNER_SIDE else users["town_admin"]
    events_before = ProblemEvent.objects.filter(problem=problem).count()
    sources, to_state = Problem.TRANSITIONS[action]
    kwargs = _kwargs(action, problem, other_owner=other_owner, target=target)

    if state in sources:
        result = ACTIONS[action](problem=problem, by=actor, **kwargs)
        problem.refresh_from_db()
        assert problem.state == to_state == result.state
        event = ProblemEvent.objects.filter(problem=problem).latest("id")
        assert (event.action, event.from_state, event.to_state, event.by) == (action, state, to_state, actor)
        assert ProblemEvent.objects.filter(problem=problem).count() == events_before + 1
    else:
        with pytest.raises(DomainError) as error:
            ACTIONS[action](problem=problem, by=actor, **kwargs)
        assert error.value.message.startswith(f"问题当前状态为“{S(state).label}”，不能")
        problem.refresh_from_db()
        assert problem.state == state
        assert ProblemEvent.objects.filter(problem=problem).count() == events_before


def test_register_numbers_per_year_and_tells_the_owner(register, owner, users):
    first = register()
    second = register(description="党员学习档案不全")
    next_year = register(description="三会一课记录不规范", today=dt.date(2027, 1, 3))
    assert (first.number, second.number, next_year.number) == ("2026-0001", "2026-0002", "2027-0001")
    assert first.state == S.REGISTERED and first.registered_on == TODAY and first.registered_by == users["town_admin"]
    assert list(first.events.values_list("action", "to_state")) == [("register", "registered")]
    assert Notification.objects.filter(recipient=owner, kind="problem").count() == 3
    assert Notification.objects.filter(recipient=owner).first().link == f"/ledger/problems/{next_year.pk}/"


@pytest.mark.parametrize(
    "change,message,field",
    [
        ({"deadline": TODAY - dt.timedelta(days=1)}, "整改期限不能早于挂号日期", "deadline"),
        ({"description": "   "}, "请填写问题描述", "description"),
    ],
)
def test_register_refuses_bad_input_and_writes_nothing(register, change, message, field):
    with pytest.raises(DomainError) as error:
        register(**change)
    assert (error.value.message, error.value.field) == (message, field)
    assert Problem.objects.count() == 0 and ProblemEvent.objects.count() == 0


def test_register_refuses_inactive_owner(register, owner):
    owner.is_active = False
    owner.save()
    with pytest.raises(DomainError, match="请选择在职的整改责任人"):
        register()
    assert Problem.objects.count() == 0


def test_register_outside_ones_scope_is_forbidden(register, users, town):
    with pytest.raises(PermissionDenied):
        register(by=users["secretary_b"], organization=town["branch_a1"])
    with pytest.raises(PermissionDenied):
        register(by=users["member"])
    assert Problem.objects.count() == 0


def test_same_external_reference_is_registered_once(register):
    register(source=Problem.Source.HOTLINE, external_ref="GD20260518001")
    with pytest.raises(DomainError, match="GD20260518001"):
        register(source=Problem.Source.HOTLINE, external_ref="GD20260518001", description="重复")
    register(source=Problem.Source.PETITION, external_ref="GD20260518001", description="信访同号不冲突")
    assert Problem.objects.count() == 2


def test_full_life_register_analyse_measures_submit_check_close(register, owner, users):
    problem = register()
    problem_start(problem=problem, by=owner)
    problem_analyse(problem=problem, by=owner, root_cause="无专人管理", fix_kind=Problem.FixKind.LONG_TERM)
    measure = measure_add(
        problem=problem,
        by=owner,
        data={"description": "制定开放制度", "owner": owner, "deadline": TODAY + dt.timedelta(days=10)},
        today=TODAY,
    )
    with pytest.raises(DomainError, match="还有1项整改措施未完成"):
        problem_submit(problem=problem, by=owner, evidence="已整改")
    measure_progress(measure=measure, by=owner, progress=100, note="制度已上墙", today=TODAY)
    problem_submit(problem=problem, by=owner, evidence="制度已上墙，每周二、四开放")
    problem_send_back(problem=problem, by=users["liaison"], reason="未见值班安排")
    problem_submit(problem=problem, by=owner, evidence="补充了值班表")
    # A long-term fix closes only with its mechanism linked and every measure checked.
    for message in ("该问题需建立长效机制，请先关联长效机制再验收销号", "还有1项整改措施未验收，请先验收整改措施再销号"):
        events = problem.events.count()
        with pytest.raises(DomainError) as refused:
            problem_close(problem=problem, by=users["secretary_a"], today=TODAY + dt.timedelta(days=12))
        assert refused.value.message == message
        problem.refresh_from_db()
        assert (problem.state, problem.closed_on, problem.checked_by, problem.events.count()) == (
            S.AWAITING_CHECK,
            None,
            None,
            events,
        )
        if not problem.mechanisms.exists():
            data = {"name": "开放制度", "organization": problem.organization, "kind": "established", "effective_on": TODAY}
            mechanism_record(by=owner, data=data, problems=[problem])
    measure_check(measure=measure, by=users["secretary_a"], passed=True, note="已落实", today=TODAY)
    problem_close(problem=problem, by=users["secretary_a"], today=TODAY + dt.timedelta(days=12))
    problem.refresh_from_db()
    assert (problem.state, problem.checked_by, problem.closed_on, problem.evidence) == (
        S.CLOSED,
        users["secretary_a"],
        TODAY + dt.timedelta(days=12),
        "补充了值班表",
    )
    assert list(problem.events.values_list("action", flat=True)) == [
        "register",
        "start",
        "analyse",
        "measure_add",
        "measure_progress",
        "submit",
        "send_back",
        "submit",
        "mechanism",
        "measure_check",
        "close",
    ]
    Measure.objects.get(pk=measure.pk)


def test_the_owner_cannot_check_their_own_problem(register, users, town):
    admin = users["town_admin"]
    problem = register(owner=admin, by=users["liaison"])
    Problem.objects.filter(pk=problem.pk).update(state=S.AWAITING_CHECK, evidence="已整改")
    problem.refresh_from_db()
    with pytest.raises(DomainError, match="验收人不能是整改责任人"):
        problem_close(problem=problem, by=admin)
    with pytest.raises(DomainError, match="验收人不能是整改责任人"):
        problem_send_back(problem=problem, by=admin, reason="x")
    problem.refresh_from_db()
    assert problem.state == S.AWAITING_CHECK and problem.closed_on is None


def test_closing_needs_evidence(register, users):
    problem = register()
    Problem.objects.filter(pk=problem.pk).update(state=S.AWAITING_CHECK, evidence="")
    problem.refresh_from_db()
    with pytest.raises(DomainError, match="销号须有整改成效及佐证"):
        problem_close(problem=problem, by=users["town_admin"], evidence=" ")
    fresh = register(description="另一个问题")
    with pytest.raises(DomainError, match="销号须有整改成效及佐证"):
        problem_close_immediate(problem=fresh, by=users["town_admin"], evidence="")
    problem.refresh_from_db()
    fresh.refresh_from_db()
    assert (problem.state, fresh.state) == (S.AWAITING_CHECK, S.REGISTERED)


def test_immediate_fix_closes_in_one_step_but_not_a_long_term_one(register, users, owner):
    problem = register()
    problem_close_immediate(problem=problem, by=users["liaison"], evidence="当场整改", today=TODAY)
    problem.refresh_from_db()
    assert (problem.state, problem.fix_kind, problem.checked_by, problem.closed_on) == (
        S.CLOSED,
        Problem.FixKind.IMMEDIATE,
        users["liaison"],
        TODAY,
    )
    long_term = register(description="村级组织运转经费不足")
    problem_analyse(problem=long_term, by=owner, root_cause="制度缺失", fix_kind=Problem.FixKind.LONG_TERM)
    with pytest.raises(DomainError, match="需建立长效机制的问题不能即知即改销号"):
        problem_close_immediate(problem=long_term, by=users["liaison"], evidence="x")
    long_term.refresh_from_db()
    assert long_term.state == S.REGISTERED


def test_who_may_do_what(register, users, owner):
    problem = register()
    with pytest.raises(PermissionDenied):
        problem_start(problem=problem, by=users["secretary_b"])  # another branch
    with pytest.raises(PermissionDenied):
        problem_dispute(problem=problem, by=users["secretary_a"], reason="x")  # only the owner disputes
    with pytest.raises(PermissionDenied):
        problem_withdraw(problem=problem, by=owner, reason="x")  # those above withdraw
    with pytest.raises(PermissionDenied):
        problem_withdraw(problem=problem, by=users["member"], reason="x")
    problem.refresh_from_db()
    assert problem.state == S.REGISTERED and problem.events.count() == 1
    # The secretary of the organization itself works on it; the one above may withdraw it.
    problem_start(problem=problem, by=owner)
    problem_withdraw(problem=problem, by=users["secretary_a"], reason="经核实不属实")
    problem.refresh_from_db()
    assert problem.state == S.WITHDRAWN


def test_reasons_are_required(register, users, owner):
    problem = register()
    for call in (
        lambda: problem_dispute(problem=problem, by=owner, reason=" "),
        lambda: problem_withdraw(problem=problem, by=users["town_admin"], reason=""),
        lambda: problem_reassign(problem=problem, by=users["town_admin"], owner=users["secretary_a"], reason=""),
    ):
        with pytest.raises(DomainError):
            call()
    problem.refresh_from_db()
    assert problem.state == S.REGISTERED and problem.owner == owner and problem.events.count() == 1


def test_dispute_then_reassign_or_uphold(register, users, owner):
    problem = register()
    problem_dispute(problem=problem, by=owner, reason="属于二支部")
    problem_reassign(problem=problem, by=users["liaison"], owner=users["secretary_a"], reason="异议成立")
    problem.refresh_from_db()
    assert (problem.state, problem.owner) == (S.REGISTERED, users["secretary_a"])
    assert problem.events.latest("id").data == {"owner": ["一支部书记", "东村书记"]}
    assert Notification.objects.filter(recipient=users["secretary_a"], kind="problem").count() == 1

    other = register(description="发展党员程序不规范")
    problem_dispute(problem=other, by=owner, reason="不属实")
    problem_uphold(problem=other, by=users["town_admin"], reason="经核实属实")
    other.refresh_from_db()
    assert (other.state, other.owner) == (S.IN_PROGRESS, owner)


def test_merge_keeps_both_stories(register, users):
    kept = register(source=Problem.Source.HOTLINE, external_ref="GD1")
    duplicate = register(description="活动室开放时间不固定（走访）")
    with pytest.raises(DomainError, match="不能合并到问题本身"):
        problem_merge(problem=duplicate, by=users["town_admin"], into=duplicate, reason="x")
    problem_merge(problem=duplicate, by=users["town_admin"], into=kept, reason="同一问题")
    duplicate.refresh_from_db()
    assert (duplicate.state, duplicate.merged_into) == (S.MERGED, kept)
    assert kept.events.latest("id").data == {"merged": duplicate.number}
    third = register(description="第三个")
    with pytest.raises(DomainError, match="不能作为合并目标"):
        problem_merge(problem=third, by=users["town_admin"], into=duplicate, reason="x")
    third.refresh_from_db()
    assert third.state == S.REGISTERED


def test_reopen_keeps_the_earlier_closing_in_history(register, users):
    problem = register()
    problem_close_immediate(problem=problem, by=users["town_admin"], evidence="当场整改", today=TODAY)
    problem_reopen(problem=problem, by=users["town_admin"], reason="群众再次反映")
    problem.refresh_from_db()
    assert (problem.state, problem.closed_on, problem.checked_by) == (S.IN_PROGRESS, None, None)
    assert list(problem.events.values_list("action", "from_state", "to_state")) == [
        ("register", "", "registered"),
        ("close_immediate", "registered", "closed"),
        ("reopen", "closed", "in_progress"),
    ]


def test_measure_check_by_someone_above_not_the_owner(register, users, owner):
    problem = register()
    measure = measure_add(
        problem=problem, by=owner, data={"description": "建立值班表", "owner": owner, "deadline": TODAY}, today=TODAY
    )
    with pytest.raises(DomainError, match="只有已完成的措施才能验收"):
        measure_check(measure=measure, by=users["liaison"], passed=True, note="")
    measure_progress(measure=measure, by=owner, progress=100, note="已建立", today=TODAY)
    with pytest.raises(DomainError, match="验收人不能是措施责任人"):
        measure_check(measure=measure, by=owner, passed=True, note="")
    with pytest.raises(PermissionDenied):
        measure_check(measure=measure, by=users["secretary_b"], passed=True, note="")
    with pytest.raises(DomainError, match="请说明验收未通过的原因"):
        measure_check(measure=measure, by=users["liaison"], passed=False, note="")
    measure.refresh_from_db()
    assert measure.state == Measure.State.DONE
    measure_check(measure=measure, by=users["liaison"], passed=False, note="值班表未公示", today=TODAY)
    measure.refresh_from_db()
    assert (measure.state, measure.done_on, measure.check_note) == (Measure.State.OPEN, None, "值班表未公示")


def test_measure_refuses_past_deadline_and_closed_problem(register, users, owner):
    problem = register()
    with pytest.raises(DomainError, match="完成时限不能早于今天"):
        measure_add(
            problem=problem,
            by=owner,
            data={"description": "x", "owner": owner, "deadline": TODAY - dt.timedelta(days=1)},
            today=TODAY,
        )
    problem_close_immediate(problem=problem, by=users["town_admin"], evidence="当场整改", today=TODAY)
    with pytest.raises(DomainError, match="问题已销号，不能再添加措施"):
        measure_add(
            problem=problem, by=users["town_admin"], data={"description": "x", "owner": owner, "deadline": TODAY}, today=TODAY
        )
    assert Measure.objects.count() == 0


def test_problem_register_is_the_public_entry_too(town, users, owner):
    problem = problem_register(
        by=users["liaison"],
        data={
            "source": Problem.Source.SELF_CHECK,
            "organization": town["branch_a2"],
            "description": "支部委员分工不明确",
            "owner": owner,
            "deadline": TODAY,
        },
        today=TODAY,
    )
    assert problem.organization == town["branch_a2"] and problem.deadline == TODAY
