"""Opinions on a public bulletin: every step from every state, moderation apart from handling,
rate limit, who may handle; refused steps change nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from qiangji.core.errors import DomainError
from qiangji.council.models import Bulletin, Deliberation, Milestone, Opinion, OpinionEvent, Project
from qiangji.council.services import (
    RateLimited,
    bulletin_publish,
    deliberation_record,
    deliberation_to_problem,
    milestone_done,
    opinion_moderate,
    opinion_move,
    opinion_submit,
)
from qiangji.ledger.models import Problem

LEGAL = {
    ("received", "evaluate"): "under_evaluation",
    ("received", "answer"): "answered",
    ("under_evaluation", "accept"): "accepted",
    ("under_evaluation", "decline"): "not_accepted",
    ("under_evaluation", "answer"): "answered",
    ("accepted", "answer"): "answered",
    ("not_accepted", "answer"): "answered",
}
PATHS = {
    "received": [],
    "under_evaluation": ["evaluate"],
    "accepted": ["evaluate", "accept"],
    "not_accepted": ["evaluate", "decline"],
    "answered": ["answer"],
}


@pytest.fixture
def project(town):
    return Project.objects.create(name="东村和美乡村建设", organization=town["village_a"], description="五好两宜示范村")


@pytest.fixture
def bulletin(project, users):
    return bulletin_publish(
        project=project,
        by=users["secretary_a"],
        title="东村和美乡村建设进度通报（第一期）",
        body="河道整治已完成，村道硬化进行中。",
    )


@pytest.fixture
def opinion(bulletin):
    return opinion_submit(
        bulletin=bulletin,
        data={"content": "建议村道两侧加装路灯", "author_name": "王大伯", "phone": "13800138000"},
        client_key="k1",
    )


@pytest.mark.parametrize("state", list(PATHS))
@pytest.mark.parametrize("action", list(Opinion.TRANSITIONS))
def test_every_step_from_every_state(opinion, users, state, action):
    sec = users["secretary_a"]
    for step in PATHS[state]:
        opinion_move(opinion=opinion, by=sec, action=step, note="已研究")
    opinion.refresh_from_db()
    assert opinion.state == state
    events = OpinionEvent.objects.filter(opinion=opinion).count()
    target = LEGAL.get((state, action))
    if target is None:
        with pytest.raises(DomainError):
            opinion_move(opinion=opinion, by=sec, action=action, note="说明")
        opinion.refresh_from_db()
        assert opinion.state == state
        assert OpinionEvent.objects.filter(opinion=opinion).count() == events
    else:
        opinion_move(opinion=opinion, by=sec, action=action, note="说明")
        opinion.refresh_from_db()
        assert opinion.state == target
        assert OpinionEvent.objects.filter(opinion=opinion).count() == events + 1


def test_an_opinion_is_hidden_until_moderated(opinion, users):
    assert (opinion.state, opinion.moderation, opinion.phone) == ("received", "pending", "13800138000")
    opinion_moderate(opinion=opinion, by=users["secretary_a"], show=True)
    opinion.refresh_from_db()
    assert opinion.moderation == "shown" and opinion.state == "received"


def test_answer_is_published_with_who_and_when(opinion, users):
    opinion_move(opinion=opinion, by=users["secretary_a"], action="answer", note="已列入明年计划")
    opinion.refresh_from_db()
    assert (opinion.answer, opinion.answered_by) == ("已列入明年计划", users["secretary_a"])
    assert opinion.answered_at is not None


@pytest.mark.parametrize("action", ["decline", "answer"])
def test_decline_and_answer_need_text(opinion, users, action):
    if action == "decline":
        opinion_move(opinion=opinion, by=users["secretary_a"], action="evaluate")
    before = Opinion.objects.get(pk=opinion.pk).state
    with pytest.raises(DomainError):
        opinion_move(opinion=opinion, by=users["secretary_a"], action=action, note="  ")
    assert Opinion.objects.get(pk=opinion.pk).state == before


@pytest.mark.parametrize("who", ["secretary_b", "member", "visitor", "liaison"])
def test_only_those_running_the_project_handle_opinions(opinion, users, who):
    with pytest.raises(PermissionDenied):
        opinion_move(opinion=opinion, by=users[who], action="evaluate")
    with pytest.raises(PermissionDenied):
        opinion_moderate(opinion=opinion, by=users[who], show=True)
    opinion.refresh_from_db()
    assert (opinion.state, opinion.moderation) == ("received", "pending")


def test_rate_limit_per_client(bulletin, settings):
    settings.COUNCIL_OPINIONS_PER_HOUR = 2
    for _ in range(2):
        opinion_submit(bulletin=bulletin, data={"content": "垃圾分类点位太远"}, client_key="c")
    with pytest.raises(RateLimited):
        opinion_submit(bulletin=bulletin, data={"content": "垃圾分类点位太远"}, client_key="c")
    assert Opinion.objects.count() == 2
    opinion_submit(bulletin=bulletin, data={"content": "垃圾分类点位太远"}, client_key="other")
    assert Opinion.objects.count() == 3


@pytest.mark.parametrize(
    ("data", "message"), [({"content": "好"}, "至少5个字"), ({"content": "建议增设停车位", "phone": "123"}, "11位手机号")]
)
def test_bad_opinion_changes_nothing(bulletin, data, message):
    with pytest.raises(DomainError, match=message):
        opinion_submit(bulletin=bulletin, data=data)
    assert Opinion.objects.count() == 0


def test_unpublished_bulletin_takes_no_opinion(project):
    draft = Bulletin.objects.create(project=project, title="草稿", body="尚未发布的通报内容")
    with pytest.raises(DomainError, match="尚未发布"):
        opinion_submit(bulletin=draft, data={"content": "建议增设停车位"})
    assert Opinion.objects.count() == 0


def test_milestones_drive_progress(project, users):
    stones = [
        Milestone.objects.create(project=project, title=t, due_on=dt.date(2026, m, 1), order=m)
        for t, m in (("规划", 3), ("施工", 6), ("验收", 9), ("总结", 11))
    ]
    milestone_done(milestone=stones[0], by=users["secretary_a"], on=dt.date(2026, 3, 2))
    project.refresh_from_db()
    assert (project.progress, project.state) == (25, "in_progress")
    for stone in stones[1:]:
        milestone_done(milestone=stone, by=users["secretary_a"], on=dt.date(2026, 11, 1))
    project.refresh_from_db()
    assert (project.progress, project.state) == (100, "completed")


def test_deliberation_outcome_becomes_a_problem_once(project, users, town):
    session = deliberation_record(
        project=project,
        by=users["secretary_a"],
        data={
            "topic": "村道拓宽占用农户自留地",
            "held_on": dt.date(2026, 11, 2),
            "attendees": "村两委、党员代表、农户代表",
            "outcome": "按每平方米补偿并重新划定",
        },
    )
    problem = deliberation_to_problem(
        deliberation=session, by=users["town_admin"], owner=users["secretary_a"], deadline=dt.date(2026, 12, 31)
    )
    assert problem.source == Problem.Source.VISIT_TALK and problem.organization == town["village_a"]
    assert "村道拓宽占用农户自留地" in problem.description
    with pytest.raises(DomainError, match="已登记"):
        deliberation_to_problem(
            deliberation=session, by=users["town_admin"], owner=users["secretary_a"], deadline=dt.date(2026, 12, 31)
        )
    assert Problem.objects.count() == 1
    assert Deliberation.objects.get().problem == problem
