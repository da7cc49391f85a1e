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

from django.db import transaction
from django.utils import timezone

from qiangji.core.errors import DomainError
from qiangji.core.history import change_log
from qiangji.core.models import ChangeRecord
from qiangji.members.models import Member
from qiangji.orglife.models import Attendance, HomeStudyVisit, Meeting
from qiangji.orglife.selectors import eligible_members
from qiangji.orgs.models import Organization

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
