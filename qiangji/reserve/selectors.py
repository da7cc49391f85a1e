"""Reads of the reserve pools, always starting from `Candidate.objects.for_user`.

A candidate's profile is read from the member record; the timeline merges the dated tracking
assessments with the state events, oldest first, so one list tells the candidate's story.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from qiangji.core.access import LIAISON, SECRETARY, TOWN_ADMIN, get_scope
from qiangji.members.models import Member
from qiangji.reserve.models import Assessment, Candidate, Event, Mentorship, ReservePool
from qiangji.trainings.models import Attendance

STAFF = (TOWN_ADMIN, SECRETARY, LIAISON)
EVENT_LABELS = {
    "enter": "入库",
    "assess": "列为考察对象",
    "return": "退回在库",
    "appoint": "任用",
    "leave": "出库",
}


def sees_reserve(user: Any) -> bool:
    """Town admin, secretaries and liaison groups use the pools; members and visitors do not."""
    return get_scope(user).has_role(*STAFF)


def get_candidate_for_user(user: Any, pk: int) -> Candidate:
    """404 alike for a missing candidate and one outside the user's scope."""
    qs = Candidate.objects.for_user(user).select_related("pool", "member__organization")
    return get_object_or_404(qs, pk=pk)


def candidates_for_list(*, user: Any, pool: ReservePool | None = None, state: str = "") -> QuerySet[Candidate]:
    qs = Candidate.objects.for_user(user).select_related("pool", "member__organization")
    if pool is not None:
        qs = qs.filter(pool=pool)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("pool_id", "state", "-entered_on", "id")


def pools_overview(*, user: Any) -> list[dict[str, Any]]:
    """Each pool with its current candidates by state (and counts) and the history of those
    appointed or gone, from two queries whatever the number of pools."""
    pools = list(
        ReservePool.objects.annotate(
            **{
                f"n_{s}": Count("candidates", filter=Q(candidates__in=Candidate.objects.for_user(user), candidates__state=s))
                for s in Candidate.State.values
            }
        ).order_by("id")
    )
    rows = list(candidates_for_list(user=user))
    result = []
    for pool in pools:
        mine = [c for c in rows if c.pool_id == pool.pk]
        result.append(
            {
                "pool": pool,
                "counts": {s: getattr(pool, f"n_{s}") for s in Candidate.State.values},
                "in_pool": [c for c in mine if c.state == Candidate.State.IN_POOL],
                "under_assessment": [c for c in mine if c.state == Candidate.State.UNDER_ASSESSMENT],
                "history": sorted(
                    (c for c in mine if c.state not in Candidate.CURRENT_STATES),
                    key=lambda c: c.appointed_on or c.left_on or c.entered_on,
                    reverse=True,
                ),
            }
        )
    return result


@dataclass(frozen=True)
class TimelineItem:
    """One dated line of a candidate's story: a state step or a tracking assessment."""

    on: dt.date
    kind: str  # "event" or "assessment"
    title: str
    text: str
    by: str
    conclusion: str = ""
    order: float = 0


def candidate_timeline(candidate: Candidate) -> list[TimelineItem]:
    """State events and assessments merged in date order (a step before an assessment on the same day
    when it was recorded first)."""
    state_labels = dict(Candidate.State.choices)
    items: list[TimelineItem] = []
    for e in candidate.events.select_related("by"):
        title = EVENT_LABELS.get(e.action, e.action)
        if e.from_state:
            title += f"（{state_labels.get(e.from_state, e.from_state)} → {state_labels.get(e.to_state, e.to_state)}）"
        by = e.by.display_name if e.by else ""
        items.append(TimelineItem(on=e.on, kind="event", title=title, text=e.reason, by=by, order=e.at.timestamp()))
    for a in candidate.assessments.select_related("assessor"):
        by = a.assessor.display_name if a.assessor else ""
        items.append(
            TimelineItem(
                on=a.on,
                kind="assessment",
                title="跟踪考察",
                text=a.findings,
                by=by,
                conclusion=a.get_conclusion_display(),
                order=a.created_at.timestamp(),
            )
        )
    return sorted(items, key=lambda i: (i.on, i.order))


def candidate_trainings(candidate: Candidate, year: int) -> dict[str, Any]:
    """The sessions the member attended this year (present), and their hours."""
    attended = (
        Attendance.objects.filter(member_id=candidate.member_id, present=True, session__date__year=year)
        .select_related("session__training")
        .order_by("session__date", "session_id")
    )
    sessions = [a.session for a in attended]
    return {"sessions": sessions, "hours": sum((s.hours for s in sessions), Decimal("0")), "year": year}


def members_enterable(*, user: Any, text: str = "", limit: int = 20) -> QuerySet[Member]:
    """Members the user manages (the town admin: all), found by name or pinyin initials."""
    qs = Member.objects.for_user(user, "manage").select_related("organization").search(text)
    return qs.order_by("organization__path", "name", "id")[:limit]


def events_for_list(*, user: Any) -> QuerySet[Event]:
    return Event.objects.annotate(attendee_count=Count("attendees")).order_by("-held_on", "-id")


def get_event_for_user(user: Any, pk: int) -> Event:
    if not sees_reserve(user):
        raise Http404
    return get_object_or_404(Event, pk=pk)


def latest_assessment(candidate: Candidate) -> Assessment | None:
    return candidate.assessments.first()


def candidates_in_pool(*, user: Any, start: dt.date, end: dt.date) -> QuerySet[Candidate]:
    """Candidates who were in a pool at some day of [start, end] (entered by its end, not left before its start)."""
    if not sees_reserve(user):
        return Candidate.objects.none()
    qs = Candidate.objects.for_user(user).filter(entered_on__lte=end).filter(Q(left_on=None) | Q(left_on__gte=start))
    return qs.select_related("pool", "member__organization").order_by("pool_id", "-entered_on", "id")


def mentorships_signed(*, user: Any, start: dt.date, end: dt.date) -> QuerySet[Mentorship]:
    """Mentoring agreements (带教协议) started in [start, end] with candidates the user sees."""
    if not sees_reserve(user):
        return Mentorship.objects.none()
    qs = Mentorship.objects.filter(candidate__in=Candidate.objects.for_user(user), started_on__gte=start, started_on__lte=end)
    return qs.select_related("candidate__member__organization", "mentor").order_by("-started_on", "id")
