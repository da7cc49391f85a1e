"""The candidate's way through a pool: every step from every state, who may take it, the
mentoring agreement and assessments; refused steps change nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from qiangji import factories as f
from qiangji.core.errors import DomainError
from qiangji.reserve.models import Assessment, Candidate, CandidateEvent, Mentorship, ReservePool
from qiangji.reserve.services import assessment_record, candidate_enter, candidate_move, mentorship_sign

STATES = list(Candidate.State)
LEGAL = {
    (Candidate.State.IN_POOL, "assess"): Candidate.State.UNDER_ASSESSMENT,
    (Candidate.State.IN_POOL, "leave"): Candidate.State.LEFT,
    (Candidate.State.UNDER_ASSESSMENT, "return"): Candidate.State.IN_POOL,
    (Candidate.State.UNDER_ASSESSMENT, "appoint"): Candidate.State.APPOINTED,
    (Candidate.State.UNDER_ASSESSMENT, "leave"): Candidate.State.LEFT,
}
ENTERED = dt.date(2026, 3, 1)


@pytest.fixture
def pool(db):
    return ReservePool.objects.get(name="瀛洲好班长")


@pytest.fixture
def candidate(pool, town, users):
    member = f.member(organization=town["branch_a1"], name="张后备")
    return candidate_enter(pool=pool, member=member, by=users["town_admin"], route="org", recommendation="群众基础好", on=ENTERED)


def bring_to(candidate, state, admin):
    steps = {
        Candidate.State.IN_POOL: [],
        Candidate.State.UNDER_ASSESSMENT: ["assess"],
        Candidate.State.APPOINTED: ["assess", "appoint"],
        Candidate.State.LEFT: ["leave"],
    }[state]
    for action in steps:
        if action == "appoint":
            assessment_record(candidate=candidate, by=admin, on=dt.date(2026, 5, 1), findings="表现突出", conclusion="good")
        candidate_move(candidate=candidate, by=admin, action=action, reason="个人原因", post="东村党总支书记")
    candidate.refresh_from_db()
    assert candidate.state == state


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(Candidate.TRANSITIONS))
def test_every_step_from_every_state(candidate, users, state, action):
    admin = users["town_admin"]
    bring_to(candidate, state, admin)
    if candidate.state in Candidate.CURRENT_STATES and not candidate.assessments.exists():
        # Appointing needs an assessment; give every current candidate one so only the state decides.
        assessment_record(candidate=candidate, by=admin, on=dt.date(2026, 5, 1), findings="表现突出", conclusion="good")
    events = CandidateEvent.objects.filter(candidate=candidate).count()
    target = LEGAL.get((state, action))

    def call():
        return candidate_move(candidate=candidate, by=admin, action=action, reason="工作调动", post="村党总支书记")

    if target is None:
        with pytest.raises(DomainError):
            call()
        candidate.refresh_from_db()
        assert candidate.state == state
        assert CandidateEvent.objects.filter(candidate=candidate).count() == events
    else:
        call()
        candidate.refresh_from_db()
        assert candidate.state == target
        assert CandidateEvent.objects.filter(candidate=candidate).count() == events + 1


def test_entry_is_recorded_as_the_first_event(candidate):
    event = candidate.events.get()
    assert (event.action, event.to_state, event.on, event.reason) == ("enter", "in_pool", ENTERED, "党组织推荐")


def test_a_member_is_once_current_in_a_pool(candidate, pool, users):
    with pytest.raises(DomainError, match="已在瀛洲好班长中"):
        candidate_enter(pool=pool, member=candidate.member, by=users["town_admin"], route="self")
    assert Candidate.objects.count() == 1
    candidate_move(candidate=candidate, by=users["town_admin"], action="leave", reason="外出务工")
    again = candidate_enter(pool=pool, member=candidate.member, by=users["town_admin"], route="self")
    assert again.state == Candidate.State.IN_POOL and Candidate.objects.count() == 2


def test_secretary_proposes_own_members_only(pool, town, users):
    own = f.member(organization=town["branch_a2"], name="东村后备")
    other = f.member(organization=town["branch_b"], name="公司后备")
    assert candidate_enter(pool=pool, member=own, by=users["secretary_a"], route="org").member == own
    with pytest.raises(PermissionDenied):
        candidate_enter(pool=pool, member=other, by=users["secretary_a"], route="org")
    assert Candidate.objects.filter(member=other).count() == 0


def test_only_the_town_moves_candidates(candidate, users):
    with pytest.raises(PermissionDenied):
        candidate_move(candidate=candidate, by=users["secretary_a"], action="assess")
    candidate.refresh_from_db()
    assert candidate.state == Candidate.State.IN_POOL


@pytest.mark.parametrize(
    ("action", "kwargs", "message"),
    [("appoint", {"post": ""}, "任用职务"), ("leave", {"reason": " "}, "原因"), ("return", {"reason": ""}, "原因")],
)
def test_steps_need_their_reason(candidate, users, action, kwargs, message):
    admin = users["town_admin"]
    candidate_move(candidate=candidate, by=admin, action="assess")
    assessment_record(candidate=candidate, by=admin, on=dt.date(2026, 5, 1), findings="表现突出", conclusion="good")
    with pytest.raises(DomainError, match=message):
        candidate_move(candidate=candidate, by=admin, action=action, **kwargs)
    candidate.refresh_from_db()
    assert candidate.state == Candidate.State.UNDER_ASSESSMENT


def test_appointment_needs_an_assessment(candidate, users):
    candidate_move(candidate=candidate, by=users["town_admin"], action="assess")
    with pytest.raises(DomainError, match="跟踪考察"):
        candidate_move(candidate=candidate, by=users["town_admin"], action="appoint", post="书记")
    candidate.refresh_from_db()
    assert candidate.state == Candidate.State.UNDER_ASSESSMENT


def test_a_new_mentorship_ends_the_running_one(candidate, users):
    leader1, leader2 = f.UserFactory(display_name="镇领导甲"), f.UserFactory(display_name="镇领导乙")
    first = mentorship_sign(
        candidate=candidate, by=users["town_admin"], mentor=leader1, started_on=dt.date(2026, 3, 5), goals="熟悉村务"
    )
    second = mentorship_sign(
        candidate=candidate, by=users["town_admin"], mentor=leader2, started_on=dt.date(2026, 9, 1), goals="独立主持支委会"
    )
    first.refresh_from_db()
    assert first.ended_on == dt.date(2026, 9, 1) and second.ended_on is None
    with pytest.raises(DomainError, match="开始日期"):
        mentorship_sign(
            candidate=candidate, by=users["town_admin"], mentor=leader1, started_on=dt.date(2026, 8, 1), goals="再带教"
        )
    assert Mentorship.objects.count() == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"findings": ""}, "考察情况"),
        ({"conclusion": "great"}, "考察结论"),
        ({"on": dt.date(2026, 2, 1)}, "考察日期"),
    ],
)
def test_bad_assessment_changes_nothing(candidate, users, kwargs, message):
    data = {"on": dt.date(2026, 5, 1), "findings": "表现突出", "conclusion": "good", **kwargs}
    with pytest.raises(DomainError, match=message):
        assessment_record(candidate=candidate, by=users["town_admin"], **data)
    assert Assessment.objects.count() == 0


def test_secretary_of_another_organization_cannot_assess(candidate, users):
    with pytest.raises(PermissionDenied):
        assessment_record(candidate=candidate, by=users["secretary_b"], on=dt.date(2026, 5, 1), findings="好", conclusion="good")
    assert Assessment.objects.count() == 0
