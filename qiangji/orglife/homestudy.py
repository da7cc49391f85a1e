"""No member left behind (一个不掉队): home-study visits (送学上门) and who is covered in a period.

A member is covered in a period when they were present at a held meeting (of the chosen kind,
or any organizational life) or received a home-study visit; everyone else is "neither" and is
listed, frail and mobile members first, so a visit can be planned and recorded. Computed in
three grouped queries per organization and period, never one per member.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from qiangji.core.access import SECRETARY
from qiangji.core.errors import DomainError
from qiangji.core.history import change_log, snapshot
from qiangji.core.models import ChangeRecord
from qiangji.members.models import Member
from qiangji.orglife.models import Attendance, HomeStudyPlan, HomeStudyVisit, Meeting
from qiangji.orglife.permissions import may_complete_home_study_plan, may_plan_home_study
from qiangji.orglife.selectors import eligible_members
from qiangji.orgs.models import Organization

PLAN_NOTE_MAX_LENGTH = HomeStudyPlan._meta.get_field("note").max_length
ATTENDED, VISITED, NEITHER = "attended", "visited", "neither"
COVERAGE_LABELS = {ATTENDED: "参加组织生活", VISITED: "已送学上门", NEITHER: "未参加也未送学"}


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the month `month` falls in."""
    start = month.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return start, following - dt.timedelta(days=1)


@transaction.atomic
def home_study_record(
    *,
    by: Any,
    member: Member,
    date: dt.date,
    topic: str,
    visitors: str = "",
    visitor_users: Iterable[Any] = (),
    meeting: Meeting | None = None,
    notes: str = "",
    today: dt.date | None = None,
    source: str = ChangeRecord.Source.WEB,
) -> HomeStudyVisit:
    """Record that someone brought a session to `member` at home (who went, when, what was studied)."""
    today = today or timezone.localdate()
    visitor_users = list(visitor_users)
    if date > today:
        raise DomainError("送学日期在今天之后，请在送学后登记", field="date")
    if not topic.strip():
        raise DomainError("请填写学习内容", field="topic")
    if not visitors.strip() and not visitor_users:
        raise DomainError("请填写送学人员", field="visitors")
    organization = member.organization
    if meeting is not None:
        own = meeting.organization_id == organization.pk or meeting.organization.parent_id == organization.pk
        if not own:
            raise DomainError("补学的会议不是该党员所在组织的会议", field="meeting")
        if meeting.status != Meeting.Status.HELD:
            raise DomainError("补学的会议尚未召开", field="meeting")
    visit = HomeStudyVisit.objects.create(
        member=member,
        organization=organization,
        date=date,
        topic=topic.strip(),
        visitors=visitors.strip(),
        meeting=meeting,
        notes=notes,
        created_by=by,
    )
    if visitor_users:
        visit.visitor_users.set(visitor_users)
    change_log(instance=visit, user=by, action=ChangeRecord.Action.CREATE, before=None, source=source)
    return visit


@dataclass
class Coverage:
    """One member's status in a period, and their absences in it not yet made up at home."""

    member: Member
    status: str
    absences: list[Attendance] = field(default_factory=list)

    @property
    def label(self) -> str:
        return COVERAGE_LABELS[self.status]

    @property
    def left_behind(self) -> bool:
        """On the no-member-left-behind list: no organizational life in the period, or an
        absence from a meeting that no home-study visit has made up yet."""
        return self.status == NEITHER or bool(self.absences)


def coverage(organization: Organization, *, start: dt.date, end: dt.date, kind: str = "") -> list[Coverage]:
    """Every member of `organization` (its subtree; a Party group's branch) with their status
    for [start, end]: frail and mobile members first, then by name. Four queries.

    An absence is made up by a visit for that meeting, or by a visit for no meeting in particular
    made on or after the meeting's day."""
    # The list never shows contact data; decrypting it was most of the cost (docs/benchmarks.md).
    members = list(eligible_members(organization).select_related("organization").defer("id_number", "phone", "address"))
    ids = [m.pk for m in members]
    held = {"meeting__status": Meeting.Status.HELD, "meeting__date__range": (start, end)}
    if kind:
        held["meeting__kind"] = kind
    present = Attendance.objects.filter(member_id__in=ids, present=True, **held)
    absent = (
        Attendance.objects.filter(member_id__in=ids, present=False, **held)
        .select_related("meeting")
        .order_by("meeting__date", "meeting_id")
    )
    # Visits from the period's start on: those inside it cover the period, later ones may make
    # up an absence inside it.
    visits = list(
        HomeStudyVisit.objects.filter(member_id__in=ids, date__gte=start)
        .order_by()
        .values_list("member_id", "meeting_id", "meeting__kind", "date")
    )
    # order_by(): the default ordering would join members into the DISTINCT.
    attended = set(present.order_by().values_list("member_id", flat=True).distinct())
    # A visit made up for a meeting of another kind does not count for this one.
    visited = {
        member_id
        for member_id, meeting_id, meeting_kind, date in visits
        if date <= end and (not kind or meeting_id is None or meeting_kind == kind)
    }
    made_up_meetings = {(member_id, meeting_id) for member_id, meeting_id, _, _ in visits if meeting_id}
    free_visits: dict[int, list[dt.date]] = {}
    for member_id, meeting_id, _, date in visits:
        if meeting_id is None:
            free_visits.setdefault(member_id, []).append(date)
    open_absences: dict[int, list[Attendance]] = {}
    for absence in absent:
        if (absence.member_id, absence.meeting_id) in made_up_meetings:
            continue
        if any(date >= absence.meeting.date for date in free_visits.get(absence.member_id, ())):
            continue
        open_absences.setdefault(absence.member_id, []).append(absence)
    rows = [
        Coverage(
            m,
            ATTENDED if m.pk in attended else VISITED if m.pk in visited else NEITHER,
            open_absences.get(m.pk, []),
        )
        for m in members
    ]
    rows.sort(key=lambda row: (not (row.member.is_frail or row.member.is_mobile), row.member.name_initials, row.member.pk))
    return rows


def coverage_counts(rows: list[Coverage]) -> Mapping[str, int]:
    """Members per status, and how many are on the no-member-left-behind list."""
    counts = {status: sum(1 for r in rows if r.status == status) for status in COVERAGE_LABELS}
    return {**counts, "left_behind": sum(1 for r in rows if r.left_behind)}


def home_study_counts(user: Any, start: dt.date, end: dt.date) -> dict[str, int]:
    """As the seed quotes them, over any date range and the user's scope:
    "交流研讨N次，送学上门M次" (held discussions; home-study visits). Two queries."""
    discussions = Meeting.objects.for_user(user).held().filter(kind=Meeting.Kind.DISCUSSION, date__range=(start, end)).count()
    visits = HomeStudyVisit.objects.for_user(user).filter(date__range=(start, end)).count()
    return {"discussions": discussions, "home_study_visits": visits}


def home_study_recent(*, user: Any, organization: Organization, start: dt.date, end: dt.date) -> Any:
    """The visits recorded in an organization's subtree for the period."""
    return (
        HomeStudyVisit.objects.for_user(user)
        .filter(organization__path__startswith=organization.path, date__range=(start, end))
        .select_related("member", "meeting")
        .order_by("-date", "-id")
    )


# Planned home study (送学上门安排) ------------------------------------------------------------


def home_study_visitors(organization: Organization) -> Any:
    """Who may be sent: active accounts of the organization's members (a Party group's: its
    branch's), and the secretaries and party-affairs workers of the organization or one above it."""
    branch = organization.parent if organization.kind == Organization.Kind.GROUP and organization.parent_id else organization
    members = Q(member__organization__path__startswith=branch.path)
    parts = [p for p in branch.path.split("/") if p]
    above = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
    staff = Q(grants__role=SECRETARY, grants__organization__path__in=above)
    return get_user_model().objects.filter(members | staff, is_active=True).distinct().order_by("display_name", "username", "id")


def left_behind_unplanned(organization: Organization, month: dt.date) -> tuple[list[Coverage], dict[int, Meeting | None]]:
    """The month's left-behind members without an open plan, and the meeting each would make up
    (their first absence not made up). Five queries."""
    start, end = month_bounds(month)
    rows = [r for r in coverage(organization, start=start, end=end) if r.left_behind]
    planned = set(
        HomeStudyPlan.objects.open().filter(member_id__in=[r.member.pk for r in rows]).values_list("member_id", flat=True)
    )
    rows = [r for r in rows if r.member.pk not in planned]
    return rows, {r.member.pk: (r.absences[0].meeting if r.absences else None) for r in rows}


def _plan_after(plan: HomeStudyPlan) -> dict[str, Any]:
    return {**snapshot(plan), "状态": plan.get_status_display()}


@transaction.atomic
def home_study_plan(
    *,
    by: Any,
    organization: Organization,
    members: Iterable[Member],
    visitor: Any,
    due: dt.date,
    note: str = "",
    meetings: Mapping[int, Meeting | None] | None = None,
    today: dt.date | None = None,
    source: str = ChangeRecord.Source.WEB,
) -> list[HomeStudyPlan]:
    """Plan a home-study visit to each of `members` (of `organization`) by `visitor`, due by `due`.

    `meetings`: {member pk: the meeting whose absence the visit makes up}. A member who already
    has an open plan is refused, so nobody is visited twice for one absence."""
    today = today or timezone.localdate()
    if not may_plan_home_study(by, organization):
        raise PermissionDenied("只有本组织书记、党务工作者和镇党委可以安排送学上门")
    members = list(members)
    meetings = meetings or {}
    if not members:
        raise DomainError("请选择要送学上门的党员", field="members")
    eligible = set(eligible_members(organization).filter(pk__in=[m.pk for m in members]).values_list("pk", flat=True))
    if any(m.pk not in eligible for m in members):
        raise DomainError("所选党员不属于本组织", field="members")
    if visitor is None or not home_study_visitors(organization).filter(pk=visitor.pk).exists():
        raise DomainError("送学人员应是本组织的党员或书记、党务工作者", field="visitor")
    if due < today:
        raise DomainError("完成期限不能早于今天", field="due")
    note = note.strip()
    if len(note) > PLAN_NOTE_MAX_LENGTH:
        raise DomainError(f"送学要求不能超过{PLAN_NOTE_MAX_LENGTH}字", field="note")
    already = list(
        HomeStudyPlan.objects.open().filter(member__in=members).select_related("member").order_by("member__name_initials")
    )
    if already:
        names = "、".join(p.member.name for p in already)
        raise DomainError(f"{names}已有待完成的送学上门安排", field="members")
    plans = []
    for member in members:
        meeting = meetings.get(member.pk)
        if meeting is not None and not Attendance.objects.filter(meeting=meeting, member=member, present=False).exists():
            raise DomainError(f"{member.name}没有缺席所选会议", field="members")
        plan = HomeStudyPlan.objects.create(
            member=member,
            organization=member.organization,
            meeting=meeting,
            visitor=visitor,
            due=due,
            note=note,
            created_by=by,
        )
        change_log(instance=plan, user=by, action=ChangeRecord.Action.CREATE, before=None, after=_plan_after(plan), source=source)
        plans.append(plan)
    return plans


@transaction.atomic
def home_study_plan_complete(
    *,
    plan: HomeStudyPlan,
    by: Any,
    date: dt.date,
    topic: str,
    notes: str = "",
    today: dt.date | None = None,
    source: str = ChangeRecord.Source.WEB,
) -> HomeStudyVisit:
    """The visitor (or a manager) reports the visit done with what was studied: it becomes the
    member's home-study record, made by the planned visitor, for the planned meeting."""
    # Lock the plan row alone (of=self): its meeting is an outer join PostgreSQL cannot lock.
    plan = (
        HomeStudyPlan.objects.select_for_update(of=("self",)).select_related("organization", "member", "meeting").get(pk=plan.pk)
    )
    if not may_complete_home_study_plan(by, plan):
        raise PermissionDenied("只有被安排的送学人员或本组织书记可以登记完成")
    if plan.status != HomeStudyPlan.Status.PLANNED:
        raise DomainError("该送学上门安排已完成", field="date")
    before = _plan_after(plan)
    visit = home_study_record(
        by=by,
        member=plan.member,
        date=date,
        topic=topic,
        visitor_users=[plan.visitor],
        meeting=plan.meeting,
        notes=notes,
        today=today,
        source=source,
    )
    plan.status, plan.visit, plan.completed_at = HomeStudyPlan.Status.DONE, visit, timezone.now()
    plan.save(update_fields=["status", "visit", "completed_at"])
    change_log(instance=plan, user=by, action=ChangeRecord.Action.UPDATE, before=before, after=_plan_after(plan), source=source)
    return visit


def home_study_due_for(user: Any) -> list[HomeStudyPlan]:
    """The visits `user` is assigned and has not reported yet, soonest due first (their home page)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        HomeStudyPlan.objects.open()
        .filter(visitor=user)
        .select_related("member", "organization", "meeting")
        .defer("member__id_number", "member__phone", "member__address")
        .order_by("due", "id")
    )


def home_study_plan_counts(user: Any, start: dt.date, end: dt.date, *, today: dt.date) -> dict[str, int]:
    """Plans made in [start, end] (local days) in the user's scope: "安排送学上门N人次，已完成X人次，
    逾期Y人次", with those still within their due day as planned. One query."""
    plans = HomeStudyPlan.objects.for_user(user).filter(created_at__date__range=(start, end))
    counts = plans.aggregate(
        done=Count("pk", filter=Q(status=HomeStudyPlan.Status.DONE)),
        overdue=Count("pk", filter=Q(status=HomeStudyPlan.Status.PLANNED, due__lt=today)),
        planned=Count("pk", filter=Q(status=HomeStudyPlan.Status.PLANNED, due__gte=today)),
    )
    return {"planned": counts["planned"], "done": counts["done"], "overdue": counts["overdue"]}


PLAN_STATES = {"planned": "待送学", "done": "已完成", "overdue": "已逾期"}


def home_study_plans_of(*, user: Any, organization: Organization) -> Any:
    """The open plans of an organization's subtree (a Party group's: its branch's) the user sees."""
    branch = organization.parent if organization.kind == Organization.Kind.GROUP and organization.parent_id else organization
    return (
        HomeStudyPlan.objects.for_user(user)
        .open()
        .filter(organization__path__startswith=branch.path)
        .select_related("member", "visitor", "meeting")
        .order_by("due", "id")
    )


def get_home_study_plan_for_user(user: Any, pk: int) -> HomeStudyPlan:
    """A plan the user is assigned or may see; 404 alike for missing and forbidden."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    visible = HomeStudyPlan.objects.for_user(user).values("pk")
    qs = HomeStudyPlan.objects.filter(Q(visitor=user) | Q(pk__in=visible))
    return get_object_or_404(qs.select_related("member", "organization", "meeting", "visitor"), pk=pk)
