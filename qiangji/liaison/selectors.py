"""Reads of liaison attendance: which assemblies and theme days each group must attend, and
whether it did. Computed on read, in a fixed number of queries whatever the number of meetings."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from qiangji.core.access import TOWN_ADMIN, get_scope, subtree_q
from qiangji.core.nextactions import SHOWN_PER_ITEM, TodoItem, TodoLink
from qiangji.liaison.models import LIAISON_KINDS, LiaisonAttendance
from qiangji.orglife.models import Meeting
from qiangji.orgs.models import LiaisonGroup, Organization


@dataclass
class Row:
    """One meeting a group must attend, with its record (None: not recorded yet)."""

    meeting: Meeting
    record: LiaisonAttendance | None

    @property
    def attended(self) -> bool:
        return self.record is not None and self.record.attended

    @property
    def label(self) -> str:
        if self.record is None:
            return "未登记"
        return "已列席" if self.record.attended else "未列席"


@dataclass
class Block:
    """A group and its meetings in date order."""

    group: LiaisonGroup
    rows: list[Row] = field(default_factory=list)

    @property
    def attended_count(self) -> int:
        return sum(1 for r in self.rows if r.attended)

    @property
    def missed(self) -> list[Row]:
        return [r for r in self.rows if not r.attended]


def group_paths(group: LiaisonGroup) -> list[str]:
    """The subtrees a group covers (reads the prefetched organizations)."""
    return [o.path for o in group.organizations.all()]


def group_covers(group: LiaisonGroup, organization: Organization) -> bool:
    return any(organization.path.startswith(p) for p in group_paths(group))


def _groups(qs: Any) -> list[LiaisonGroup]:
    return list(qs.prefetch_related(Prefetch("organizations", queryset=Organization.objects.only("id", "path"))).order_by("name"))


def groups_of_member(user: Any) -> Any:
    """The groups a user sits in (as a member or as its leader)."""
    if user is None or not user.is_authenticated:
        return LiaisonGroup.objects.none()
    return LiaisonGroup.objects.filter(Q(members=user) | Q(leader=user)).distinct()


def get_group_for_member(user: Any, pk: int) -> LiaisonGroup:
    """404 alike for a missing group and one the user does not sit in."""
    groups = _groups(groups_of_member(user).filter(pk=pk))
    if not groups:
        raise Http404
    return groups[0]


def get_meeting_for_group(group: LiaisonGroup, pk: int) -> Meeting:
    """An assembly or theme day of the group's organizations; 404 for anything else."""
    qs = Meeting.objects.filter(kind__in=LIAISON_KINDS).select_related("organization")
    q = subtree_q("organization__path", tuple(group_paths(group)))
    return get_object_or_404(qs.filter(q) if q is not None else qs.none(), pk=pk)


def group_meetings(
    *, groups: list[LiaisonGroup], date_from: dt.date, date_to: dt.date, due_on: dt.date | None = None
) -> list[Block]:
    """Each group's assemblies and theme days dated within [date_from, date_to].

    With `due_on`, only those whose attendance is due: held, or dated before that day.
    """
    blocks = [Block(group=g) for g in groups]
    paths = tuple(sorted({p for g in groups for p in group_paths(g)}))
    if not paths:
        return blocks
    qs = (
        Meeting.objects.filter(subtree_q("organization__path", paths), kind__in=LIAISON_KINDS)
        .filter(date__gte=date_from, date__lte=date_to)
        .select_related("organization")
        .order_by("date", "id")
    )
    if due_on is not None:
        qs = qs.filter(Q(status=Meeting.Status.HELD) | Q(date__lt=due_on))
    meetings = list(qs)
    records = {
        (r.meeting_id, r.group_id): r
        for r in LiaisonAttendance.objects.filter(meeting__in=[m.pk for m in meetings], group__in=groups).prefetch_related(
            "attendees"
        )
    }
    for block in blocks:
        covered = tuple(group_paths(block.group))
        block.rows = [
            Row(meeting=m, record=records.get((m.pk, block.group.pk)))
            for m in meetings
            if m.organization.path.startswith(covered)
        ]
    return blocks


def liaison_meetings_for_member(*, user: Any, today: dt.date, days: int = 30) -> list[Block]:
    """A liaison member's page: the last and the next `days` days of their groups' meetings."""
    delta = dt.timedelta(days=days)
    return group_meetings(groups=_groups(groups_of_member(user)), date_from=today - delta, date_to=today + delta)


def liaison_unattended(*, user: Any, date_from: dt.date, date_to: dt.date, today: dt.date) -> list[Block]:
    """The town's view: per group, the meetings due in the range (held or past) and which were
    not attended. The town admin sees every group, a liaison member their own."""
    qs = LiaisonGroup.objects.all()
    if not get_scope(user).has_role(TOWN_ADMIN):
        qs = groups_of_member(user)
    return group_meetings(groups=_groups(qs), date_from=date_from, date_to=min(date_to, today), due_on=today)


# Next actions on a liaison member's home --------------------------------------------------------

# How far ahead the home page lists assemblies and theme days to attend, and how far back it
# asks for the 列席 record of those already past.
AHEAD_DAYS = 14
RECORD_BACK_DAYS = 14


def liaison_todos(*, user: Any, today: dt.date) -> list[TodoItem]:
    """Assemblies and theme days of the member's groups' organizations in the next two weeks, and
    those of the last two weeks whose 列席 is not recorded yet: each leads to the group's meeting
    page, where one tap records it. Five queries."""
    groups = _groups(groups_of_member(user))
    blocks = group_meetings(
        groups=groups, date_from=today - dt.timedelta(days=RECORD_BACK_DAYS), date_to=today + dt.timedelta(days=AHEAD_DAYS)
    )
    ahead: list[tuple[Row, LiaisonGroup]] = []
    unrecorded: list[tuple[Row, LiaisonGroup]] = []
    for block in blocks:
        for row in block.rows:
            if row.meeting.date >= today and row.record is None:
                ahead.append((row, block.group))
            elif row.meeting.date < today and row.record is None:
                unrecorded.append((row, block.group))
    mine = reverse("liaison_meetings:mine")

    def link(row: Row, group: LiaisonGroup) -> TodoLink:
        m = row.meeting
        when = "今天" if m.date == today else f"{m.date.month}月{m.date.day}日"
        note = (
            f"{when}{m.get_kind_display()}"
            + (f"，{m.place}" if m.place else "")
            + (f"（{group.name}）" if len(groups) > 1 else "")
        )
        return TodoLink(m.organization.name, f"{mine}#m-{group.pk}-{m.pk}", note)

    items = []
    if ahead:
        ahead.sort(key=lambda pair: (pair[0].meeting.date, pair[0].meeting.pk))
        items.append(
            TodoItem(
                key="liaison_meetings_ahead",
                title=f"{AHEAD_DAYS}天内要列席的党员大会和主题党日",
                hint="凡党员大会必列席、凡主题活动必参加，会后登记列席情况",
                level="warning",
                count=len(ahead),
                links=[link(r, g) for r, g in ahead[:SHOWN_PER_ITEM]],
                more_url=mine,
            )
        )
    if unrecorded:
        unrecorded.sort(key=lambda pair: (pair[0].meeting.date, pair[0].meeting.pk))
        items.append(
            TodoItem(
                key="liaison_meetings_unrecorded",
                title="尚未登记列席情况的会议",
                hint="登记已列席或未列席",
                level="info",
                count=len(unrecorded),
                links=[link(r, g) for r, g in unrecorded[:SHOWN_PER_ITEM]],
                more_url=mine,
            )
        )
    return items


def liaison_meetings_held(*, user: Any, start: dt.date, end: dt.date) -> Any:
    """Assemblies and theme days held in [start, end] by organizations a liaison group covers
    (with their subtrees) that the user sees: what the groups were to attend (凡党员大会必列席)."""
    paths = tuple(sorted(set(Organization.objects.filter(liaison_groups__isnull=False).values_list("path", flat=True))))
    q = subtree_q("organization__path", paths)
    if q is None:
        return Meeting.objects.none()
    return (
        Meeting.objects.for_user(user)
        .held()
        .filter(q, kind__in=LIAISON_KINDS, date__gte=start, date__lte=end)
        .select_related("organization")
        .order_by("-date", "-id")
    )


def liaison_meetings_attended(*, user: Any, start: dt.date, end: dt.date) -> Any:
    """Those of `liaison_meetings_held` that a liaison group attended (列席)."""
    attended = LiaisonAttendance.objects.filter(attended=True).values("meeting_id")
    return liaison_meetings_held(user=user, start=start, end=end).filter(pk__in=attended)
