"""Writes on reserve pools: enter a member, move a candidate, mentor, assess, record an event.

The town admin runs the pools; a secretary may propose members of the organizations they manage
(entry by 党组织推荐) and record assessments of them. Each function is one atomic service; a
refused step raises DomainError or PermissionDenied and changes nothing.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from qiangji.core.access import TOWN_ADMIN, get_scope
from qiangji.core.errors import DomainError
from qiangji.core.text import clean_text
from qiangji.reserve.models import Assessment, Candidate, CandidateEvent, Event, Mentorship, ReservePool

State = Candidate.State
ACTION_LABELS = {"assess": "列为考察对象", "return": "退回在库", "appoint": "任用", "leave": "出库"}


def runs_pools(user: Any) -> bool:
    scope = get_scope(user)
    return scope.superuser or scope.has_role(TOWN_ADMIN)


def _manages(user: Any, member: Any) -> bool:
    return runs_pools(user) or get_scope(user).covers(member.organization.path, "manage")


def _event(candidate: Candidate, action: str, by: Any, before: str, on: dt.date, reason: str = "") -> None:
    CandidateEvent.objects.create(
        candidate=candidate, action=action, from_state=before, to_state=candidate.state, on=on, by=by, reason=reason
    )


@transaction.atomic
def candidate_enter(
    *, pool: ReservePool, member: Any, by: Any, route: str, recommendation: str = "", on: dt.date | None = None
) -> Candidate:
    """Put a member into a pool (入库)."""
    on = on or timezone.localdate()
    if not _manages(by, member):
        raise PermissionDenied("您无权推荐该党员入库")
    if route not in Candidate.Route.values:
        raise DomainError("请选择入库方式", field="route")
    if on > timezone.localdate():
        raise DomainError("入库日期不能晚于今天", field="entered_on")
    if Candidate.objects.filter(pool=pool, member=member, state__in=Candidate.CURRENT_STATES).exists():
        raise DomainError(f"{member}已在{pool}中", field="member")
    candidate = Candidate.objects.create(
        pool=pool, member=member, route=route, recommendation=clean_text(recommendation), entered_on=on
    )
    _event(candidate, "enter", by, "", on, candidate.get_route_display())
    return candidate


@transaction.atomic
def candidate_move(
    *, candidate: Candidate, by: Any, action: str, reason: str = "", post: str = "", on: dt.date | None = None
) -> Candidate:
    """assess (在库→考察中), return (考察中→在库), appoint (考察中→已任用, with the post), leave
    (在库/考察中→已出库, with the reason). Only the town admin moves candidates."""
    if action not in Candidate.TRANSITIONS:
        raise DomainError("未知的操作")
    if not runs_pools(by):
        raise PermissionDenied("只有镇党委管理员可以调整后备人选状态")
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    sources, target = Candidate.TRANSITIONS[action]
    if candidate.state not in sources:
        raise DomainError(f"该人选{candidate.get_state_display()}，不能{ACTION_LABELS[action]}")
    on = on or timezone.localdate()
    if on < candidate.entered_on or on > timezone.localdate():
        raise DomainError("日期应在入库日期和今天之间", field="on")
    reason, post = clean_text(reason), clean_text(post)
    if action == "appoint":
        if not post:
            raise DomainError("请填写任用职务", field="post")
        if not candidate.assessments.exists():
            raise DomainError("任用前应至少有一次跟踪考察记录")
        candidate.appointed_post, candidate.appointed_on = post, on
    if action in ("leave", "return") and not reason:
        raise DomainError("请填写原因", field="reason")
    if action == "leave":
        candidate.left_on, candidate.left_reason = on, reason
    before = candidate.state
    candidate.state = target
    candidate.save()
    _event(candidate, action, by, before, on, reason or post)
    return candidate


@transaction.atomic
def mentorship_sign(*, candidate: Candidate, by: Any, mentor: Any, started_on: dt.date, goals: str) -> Mentorship:
    """A mentoring agreement with a town leader; a candidate has one running agreement at a time."""
    if not runs_pools(by):
        raise PermissionDenied("只有镇党委管理员可以签订带教协议")
    if candidate.state not in Candidate.CURRENT_STATES:
        raise DomainError("该人选已不在库，不能签订带教协议")
    goals = clean_text(goals)
    if not goals:
        raise DomainError("请填写带教目标", field="goals")
    if mentor.pk == candidate.member.user_id:
        raise DomainError("带教领导不能是本人", field="mentor")
    running = candidate.mentorships.filter(ended_on=None)
    for old in running:
        if old.started_on >= started_on:
            raise DomainError("新协议的开始日期应晚于正在执行的协议", field="started_on")
        old.ended_on = started_on
        old.save(update_fields=["ended_on"])
    return Mentorship.objects.create(candidate=candidate, mentor=mentor, started_on=started_on, goals=goals)


@transaction.atomic
def assessment_record(*, candidate: Candidate, by: Any, on: dt.date, findings: str, conclusion: str) -> Assessment:
    """A dated tracking assessment; the town admin or the candidate's own secretary records it."""
    if not _manages(by, candidate.member):
        raise PermissionDenied("您无权记录该人选的考察情况")
    if candidate.state not in Candidate.CURRENT_STATES:
        raise DomainError("该人选已不在库，不能再记录考察")
    if on > timezone.localdate() or on < candidate.entered_on:
        raise DomainError("考察日期应在入库日期和今天之间", field="on")
    findings = clean_text(findings)
    if not findings:
        raise DomainError("请填写考察情况", field="findings")
    if conclusion not in Assessment.Conclusion.values:
        raise DomainError("请选择考察结论", field="conclusion")
    return Assessment.objects.create(candidate=candidate, on=on, assessor=by, findings=findings, conclusion=conclusion)


@transaction.atomic
def event_record(*, by: Any, data: dict[str, Any], attendees: list[Any]) -> Event:
    """An event (头雁论坛, 情景党课, activity) with who attended."""
    if not runs_pools(by):
        raise PermissionDenied("只有镇党委管理员可以登记头雁活动")
    title = clean_text(data.get("title"))
    if not title:
        raise DomainError("请填写活动名称", field="title")
    if data.get("kind") not in Event.Kind.values:
        raise DomainError("请选择活动类别", field="kind")
    held_on = data.get("held_on")
    if not held_on:
        raise DomainError("请填写活动日期", field="held_on")
    event = Event.objects.create(
        kind=data["kind"],
        title=title,
        held_on=held_on,
        place=clean_text(data.get("place")),
        speakers=clean_text(data.get("speakers")),
        summary=clean_text(data.get("summary")),
        created_by=by,
    )
    event.attendees.set(attendees)
    return event


def manages_member(user: Any, member: Any) -> bool:
    """Whether the user may propose and assess this member: the town admin or the member's own secretary."""
    return _manages(user, member)
