"""Reads of meetings, always starting from `for_user`."""

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse

from qiangji.core.access import Action, get_scope, subtree_q
from qiangji.core.nextactions import SHOWN_PER_ITEM, TodoItem, TodoLink, day_label
from qiangji.members.models import Member
from qiangji.orglife.models import Attendance, HomeStudyVisit, Meeting, Requirement
from qiangji.orgs.models import Organization

# Organizations that hold organizational life themselves (and so appear in compliance views).
MEETING_ORG_KINDS = (Organization.Kind.BRANCH, Organization.Kind.GROUP)
# A general branch records the meetings of its own committee and assembly too (总支委员会,
# 党总支党员大会); it joins the compliance views only when the town requires something of it.
RECORDING_ORG_KINDS = (Organization.Kind.GENERAL_BRANCH, *MEETING_ORG_KINDS)


def compliance_org_q() -> Q:
    """Branches and groups, and general branches while an active requirement applies to them
    (read in the same query as the organizations, as a subquery)."""
    required = Requirement.objects.filter(active=True, applies_to=Requirement.AppliesTo.GENERAL_BRANCH)
    return Q(kind__in=MEETING_ORG_KINDS) | Q(Exists(required), kind=Organization.Kind.GENERAL_BRANCH)


def get_meeting_for_user(user: Any, pk: int, action: Action = "view") -> Meeting:
    """404 alike for a missing meeting and one outside the user's scope."""
    return get_object_or_404(
        Meeting.objects.for_user(user, action).select_related("organization", "presenter", "created_by"), pk=pk
    )


def meetings_list(
    *,
    user: Any,
    organization: Organization | None = None,
    kind: str = "",
    status: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    action: Action = "view",
) -> Any:
    """The meeting list as the list page, the export and the API show it; `organization` includes its subtree."""
    qs = Meeting.objects.for_user(user, action).select_related("organization", "presenter").annotate_attendance()
    if organization is not None:
        qs = qs.filter(organization__path__startswith=organization.path)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs.order_by("-date", "-id")


def meeting_attendances(meeting: Meeting) -> Any:
    return meeting.attendances.select_related("member").order_by("-present", "member__name_initials", "member_id")


def eligible_members(organization: Organization) -> Any:
    """Who may attend: the organization's members (a Party group's are those of its branch)."""
    if organization.kind == Organization.Kind.GROUP and organization.parent_id:
        return Member.objects.filter(organization_id=organization.parent_id).order_by("name_initials", "id")
    return Member.objects.filter(organization__path__startswith=organization.path).order_by("name_initials", "id")


def organizations_for_compliance(*, user: Any, within: Organization | None = None) -> list[Organization]:
    """Active branches and Party groups (and general branches, when required of) the user may view, in tree order."""
    qs = Organization.objects.for_user(user).active().filter(compliance_org_q())
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    return list(qs.order_by("path"))


def requirements_all() -> Any:
    return Requirement.objects.order_by("id")


# Next actions on the home page ------------------------------------------------------------------

# How far back an absence still calls for a home-study visit (送学上门): this month and last.
MISSED_LOOKBACK_DAYS = 62


def meetings_due_todos(*, user: Any, today: dt.date) -> list[TodoItem]:
    """This period's required meetings not yet held by the organizations the user runs, one item
    per requirement with its deadline; a meeting already scheduled links to its completion form,
    the others to a new meeting of that kind. Five queries, whatever the number of organizations."""
    from qiangji.orglife.compliance import PENDING, cell_for, committee_spans, held_counts, period_containing

    organizations = list(Organization.objects.for_user(user, "manage").active().filter(compliance_org_q()).order_by("path"))
    if not organizations:
        return []
    requirements = list(Requirement.objects.filter(active=True).order_by("id"))
    periods = {r.pk: period_containing(r.period, today) for r in requirements}
    if not requirements:
        return []
    ids = [o.pk for o in organizations]
    start, end = min(p.start for p in periods.values()), max(p.end for p in periods.values())
    counts = held_counts(ids, start, end)
    committees = (
        committee_spans(ids, start, end)
        if any(r.applies_to == Requirement.AppliesTo.COMMITTEE_BRANCH for r in requirements)
        else {}
    )
    scheduled: dict[tuple[int, str], Meeting] = {}
    for meeting in (
        Meeting.objects.filter(organization_id__in=ids, status=Meeting.Status.SCHEDULED, date__range=(start, end))
        .only("pk", "organization_id", "kind", "date")
        .order_by("date", "pk")
    ):
        scheduled.setdefault((meeting.organization_id, meeting.kind), meeting)
    items = []
    for req in sorted(requirements, key=lambda r: (periods[r.pk].end, r.pk)):
        period = periods[req.pk]
        links = []
        for org in organizations:
            cell = cell_for(counts, org, req, period, today, committees=committees)
            if cell.status != PENDING:
                continue
            planned = scheduled.get((org.pk, req.kind))
            if planned is not None and period.start <= planned.date <= period.end:
                note = f"已安排{day_label(planned.date)}，召开后登记出席"
                links.append(TodoLink(org.name, reverse("orglife:complete", args=[planned.pk]), note))
            else:
                query = f"?org={org.pk}&kind={req.kind}"
                if req.kind == Meeting.Kind.THEME_DAY:
                    query += f"&month={today.month}"
                note = f"本期已开{cell.count}次，需{req.minimum_count}次" if cell.count else ""
                links.append(TodoLink(org.name, reverse("orglife:create") + query, note))
        if not links:
            continue
        days_left = (period.end - today).days
        items.append(
            TodoItem(
                key=f"meetings_due_{req.kind}_{req.applies_to}",
                title=f"{period.label}{req.get_kind_display()}尚未召开",
                hint=f"截止{day_label(period.end)}（还有{days_left}天），召开后登记会议和出席情况",
                level="danger" if days_left <= 7 else "warning",
                count=len(links),
                links=links[:SHOWN_PER_ITEM],
                more_url=reverse("orglife:overview"),
            )
        )
    return items


def members_missed_todo(*, user: Any, today: dt.date) -> TodoItem | None:
    """Members the user manages who were absent from a held meeting in the last two months and
    have had no home-study visit (送学上门) since: each links to the visit form for that meeting.
    Two queries."""
    scope = get_scope(user)
    since = today - dt.timedelta(days=MISSED_LOOKBACK_DAYS)
    visited_since = HomeStudyVisit.objects.filter(member_id=OuterRef("member_id"), date__gte=OuterRef("meeting__date"))
    absences = Attendance.objects.filter(
        present=False, meeting__status=Meeting.Status.HELD, meeting__date__range=(since, today)
    ).filter(~Exists(visited_since))
    if not scope.superuser:
        within = subtree_q("member__organization__path", scope.manage_paths)
        if within is None:
            return None
        absences = absences.filter(within)
    count = absences.order_by().values("member_id").distinct().count()
    if not count:
        return None
    links: list[TodoLink] = []
    seen: set[int] = set()
    rows = absences.select_related("member", "meeting").order_by("-meeting__date", "member__name_initials", "pk")
    for absence in rows[: SHOWN_PER_ITEM * 6]:
        if absence.member_id in seen:
            continue
        seen.add(absence.member_id)
        meeting = absence.meeting
        url = reverse("orglife:home_study_record", args=[absence.member_id]) + f"?meeting={meeting.pk}&next=/"
        reason = f"（{absence.get_absence_reason_display()}）" if absence.absence_reason else ""
        links.append(TodoLink(absence.member.name, url, f"缺席{day_label(meeting.date)}{meeting.get_kind_display()}{reason}"))
        if len(links) == SHOWN_PER_ITEM:
            break
    return TodoItem(
        key="home_study_needed",
        title="缺席组织生活、尚未送学上门的党员",
        hint="上门补学后登记送学情况，做到一个不掉队",
        level="warning",
        count=count,
        links=links,
        more_url=reverse("orglife:home_study"),
    )


# What the work brief counts as "三会一课和主题党日" held.
REGULAR_KINDS = (
    Meeting.Kind.ASSEMBLY,
    Meeting.Kind.COMMITTEE_MEETING,
    Meeting.Kind.GROUP_MEETING,
    Meeting.Kind.LECTURE,
    Meeting.Kind.THEME_DAY,
)


def meetings_held(*, user: Any, start: dt.date, end: dt.date, kinds: tuple[str, ...]) -> Any:
    """Meetings of `kinds` held in [start, end] that the user sees (the brief's counts)."""
    qs = Meeting.objects.for_user(user).held().filter(kind__in=kinds, date__gte=start, date__lte=end)
    return qs.select_related("organization").order_by("-date", "-id")


def home_study_visits(*, user: Any, start: dt.date, end: dt.date) -> Any:
    """Home-study visits (送学上门) dated in [start, end] that the user sees."""
    qs = HomeStudyVisit.objects.for_user(user).filter(date__gte=start, date__lte=end)
    return qs.select_related("organization", "member").order_by("-date", "-id")
