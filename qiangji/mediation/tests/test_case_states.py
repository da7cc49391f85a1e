"""A mediation case from intake to the follow-up: every step from every state, what each step
needs, who may act; refused steps change nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from qiangji.core.errors import DomainError
from qiangji.mediation.models import CaseEvent, MediationCase, MediationStudio, Mediator
from qiangji.mediation.services import case_move, case_open, case_session_record

OPENED = dt.date(2026, 10, 8)
LEGAL = {
    ("accepted", "start"): "mediating",
    ("mediating", "agree"): "agreed",
    ("mediating", "fail"): "failed",
    ("failed", "resume"): "mediating",
    ("agreed", "close"): "closed",
    ("failed", "close"): "closed",
}
PATHS = {
    "accepted": [],
    "mediating": ["start"],
    "agreed": ["start", "agree"],
    "failed": ["start", "fail"],
    "closed": ["start", "agree", "close"],
}


@pytest.fixture
def studio(town):
    studio = MediationStudio.objects.create(name="东村老娘舅工作室", organization=town["village_a"])
    Mediator.objects.create(studio=studio, name="陈老伯", title="老村干部")
    return studio


@pytest.fixture
def case(studio, users):
    return case_open(
        studio=studio,
        by=users["secretary_a"],
        data={"parties": "张某、李某", "dispute": "宅基地边界围墙纠纷", "category": "邻里", "opened_on": OPENED},
        mediators=studio.mediators.all(),
    )


def bring_to(case, state, by):
    if state != "accepted":
        case_session_record(case=case, by=by, held_on=dt.date(2026, 10, 10), notes="双方到场陈述")  # starts the mediation
    for action in PATHS[state][1:]:
        case_move(case=case, by=by, action=action, note="说明", on=dt.date(2026, 10, 20))
    case.refresh_from_db()
    assert case.state == state


@pytest.mark.parametrize("state", list(PATHS))
@pytest.mark.parametrize("action", list(MediationCase.TRANSITIONS))
def test_every_step_from_every_state(case, users, state, action):
    sec = users["secretary_a"]
    bring_to(case, state, sec)
    events = CaseEvent.objects.filter(case=case).count()
    target = LEGAL.get((state, action))
    if target is None:
        with pytest.raises(DomainError):
            case_move(case=case, by=sec, action=action, note="说明", on=dt.date(2026, 10, 25))
        case.refresh_from_db()
        assert case.state == state
        assert CaseEvent.objects.filter(case=case).count() == events
    else:
        case_move(case=case, by=sec, action=action, note="说明", on=dt.date(2026, 10, 25))
        case.refresh_from_db()
        assert case.state == target
        assert CaseEvent.objects.filter(case=case).count() == events + 1


def test_numbers_run_per_year(case, studio, users):
    second = case_open(
        studio=studio,
        by=users["secretary_a"],
        data={"parties": "王某、赵某", "dispute": "承包地灌溉用水纠纷", "opened_on": OPENED},
    )
    assert (case.number, second.number) == ("2026-001", "2026-002")


def test_first_sitting_starts_the_mediation(case, users):
    case_session_record(case=case, by=users["secretary_a"], held_on=dt.date(2026, 10, 9), notes="分别听取双方意见")
    case.refresh_from_db()
    assert case.state == "mediating"
    assert list(case.events.values_list("action", flat=True)) == ["open", "start"]


def test_agreement_needs_a_sitting_and_its_text(case, users):
    sec = users["secretary_a"]
    case_move(case=case, by=sec, action="start", on=dt.date(2026, 10, 9))
    with pytest.raises(DomainError, match="调解记录"):
        case_move(case=case, by=sec, action="agree", note="围墙后退20厘米", on=dt.date(2026, 10, 9))
    case_session_record(case=case, by=sec, held_on=dt.date(2026, 10, 9), notes="现场丈量")
    with pytest.raises(DomainError, match="协议内容"):
        case_move(case=case, by=sec, action="agree", note=" ", on=dt.date(2026, 10, 9))
    case.refresh_from_db()
    assert (case.state, case.agreement) == ("mediating", "")
    case_move(case=case, by=sec, action="agree", note="围墙后退20厘米", on=dt.date(2026, 10, 9))
    case.refresh_from_db()
    assert (case.state, case.agreement) == ("agreed", "围墙后退20厘米")


def test_closing_records_the_follow_up(case, users):
    bring_to(case, "agreed", users["secretary_a"])
    case_move(case=case, by=users["secretary_a"], action="close", note="一个月后回访，双方履行良好", on=dt.date(2026, 11, 10))
    case.refresh_from_db()
    assert (case.state, case.follow_up, case.closed_on) == ("closed", "一个月后回访，双方履行良好", dt.date(2026, 11, 10))


@pytest.mark.parametrize("who", ["secretary_b", "liaison", "member", "visitor"])
def test_others_cannot_act_on_the_case(case, users, who):
    with pytest.raises(PermissionDenied):
        case_move(case=case, by=users[who], action="start")
    with pytest.raises(PermissionDenied):
        case_session_record(case=case, by=users[who], held_on=dt.date(2026, 10, 9), notes="旁听")
    case.refresh_from_db()
    assert case.state == "accepted" and case.sessions.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"parties": "", "dispute": "宅基地纠纷问题"}, "当事人"),
        ({"parties": "甲、乙", "dispute": "吵架"}, "至少5个字"),
        ({"parties": "甲、乙", "dispute": "宅基地纠纷问题", "opened_on": dt.date(2099, 1, 1)}, "晚于今天"),
    ],
)
def test_bad_intake_changes_nothing(studio, users, data, message):
    with pytest.raises(DomainError, match=message):
        case_open(studio=studio, by=users["secretary_a"], data=data)
    assert MediationCase.objects.count() == 0


def test_mediators_come_from_the_studio(studio, users, town):
    other = MediationStudio.objects.create(name="公司调解室", organization=town["branch_b"])
    stranger = Mediator.objects.create(studio=other, name="外人")
    with pytest.raises(DomainError, match="本工作室"):
        case_open(
            studio=studio, by=users["secretary_a"], data={"parties": "甲、乙", "dispute": "宅基地纠纷问题"}, mediators=[stranger]
        )
    assert MediationCase.objects.count() == 0
