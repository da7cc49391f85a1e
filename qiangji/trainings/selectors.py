"""Reads of trainings and hours, always starting from `for_user`.

A member's hours are a record for them and a check against RULES.md, never a ranking: lists
are ordered by organization and name, never by hours.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from qiangji.core.access import Action, get_scope
from qiangji.members.models import Member
from qiangji.orgs.models import Organization
from qiangji.trainings.models import (
    DEFAULT_HOURS,
    LEADER_POSTS,
    Attendance,
    Enrolment,
    HoursRequirement,
    Session,
    Training,
    WarningBatch,
)

ZERO = Decimal("0")
TENTH = Decimal("0.1")
HOURS_FIELD = DecimalField(max_digits=7, decimal_places=1)


def get_training_for_user(user: Any, pk: int, action: Action = "view") -> Training:
    """404 alike for a missing training and one outside the user's scope."""
    return get_object_or_404(Training.objects.for_user(user, action).select_related("organization"), pk=pk)


def get_session_for_user(user: Any, pk: int) -> Session:
    visible = Training.objects.for_user(user).values("pk")
    return get_object_or_404(Session.objects.select_related("training"), pk=pk, training__in=visible)


def can_manage_training(user: Any, training: Training) -> bool:
    return Training.objects.for_user(user, "manage").filter(pk=training.pk).exists()


def can_enrol(user: Any) -> bool:
    """Town admins enrol any member, secretaries the members they manage."""
    scope = get_scope(user)
    return scope.superuser or bool(scope.manage_paths)


def _count(model: Any, **filters: Any) -> Subquery:
    qs = model.objects.filter(training=OuterRef("pk"), **filters).order_by().values("training")
    return Coalesce(Subquery(qs.annotate(n=Count("pk")).values("n")), Value(0))


def trainings_list(*, user: Any, kind: str = "", year: int | None = None) -> Any:
    qs = Training.objects.for_user(user).select_related("organization")
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(pk__in=Session.objects.filter(date__year=year).values("training_id"))
    first = Session.objects.filter(training=OuterRef("pk")).order_by("date").values("date")[:1]
    return qs.annotate(
        session_count=_count(Session),
        enrolment_count=_count(Enrolment),
        first_date=Subquery(first),
    )


def training_sessions(training: Training) -> Any:
    return training.sessions.annotate(present_count=Count("attendances", filter=Q(attendances__present=True)))


def training_enrolments(*, training: Training, user: Any) -> Any:
    """Enrolled members the user may see (a secretary sees only their own members)."""
    members = Member.objects.for_user(user).values("pk")
    return training.enrolments.filter(member__in=members).select_related("member", "member__organization")


def attendance_sheet(*, session: Session, user: Any) -> list[tuple[Member, bool | None]]:
    """The enrolled members the user manages, with their recorded presence (None: not yet)."""
    members = (
        Member.objects.for_user(user, "manage")
        .filter(training_enrolments__training_id=session.training_id)
        .select_related("organization")
    )
    recorded = dict(Attendance.objects.filter(session=session).values_list("member_id", "present"))
    return [(m, recorded.get(m.pk)) for m in members.order_by("organization__path", "name", "id")]


def requirements() -> dict[str, int]:
    """{"member": 32, "leader": 56} as the town admin set them (RULES.md defaults)."""
    rows = dict(HoursRequirement.objects.values_list("category", "hours"))
    return {str(k): rows.get(str(k), v) for k, v in DEFAULT_HOURS.items()}


def members_with_hours(*, user: Any, organization: Organization, year: int, reqs: dict[str, int]) -> Any:
    """Members of the organization's subtree the user may see, with their hours in `year`."""
    credited = Q(training_attendances__present=True, training_attendances__session__date__year=year)
    return (
        Member.objects.for_user(user)
        .filter(organization__path__startswith=organization.path)
        .select_related("organization")
        .annotate(
            hours=Coalesce(Sum("training_attendances__session__hours", filter=credited), Value(ZERO), output_field=HOURS_FIELD),
            required=Case(
                When(party_post__in=LEADER_POSTS, then=Value(reqs["leader"])),
                default=Value(reqs["member"]),
            ),
        )
        .order_by("organization__path", "name", "id")
    )


@dataclass
class HoursSummary:
    """Members, members below their requirement, average hours, completion rate (percent)."""

    name: str
    members: int = 0
    below: int = 0
    total: Decimal = ZERO
    rows: list[Any] = field(default_factory=list)

    def add(self, member: Any) -> None:
        self.members += 1
        self.total += member.hours
        if member.hours < member.required:
            self.below += 1

    @property
    def average(self) -> Decimal:
        return (self.total / self.members).quantize(TENTH) if self.members else ZERO

    @property
    def completion_rate(self) -> Decimal:
        done = self.members - self.below
        return (Decimal(done * 100) / self.members).quantize(TENTH) if self.members else ZERO


def hours_report(*, user: Any, organization: Organization, year: int) -> dict[str, Any]:
    """The whole subtree and each organization in it, from one query over the members."""
    reqs = requirements()
    members = list(members_with_hours(user=user, organization=organization, year=year, reqs=reqs))
    total = HoursSummary(name=organization.name)
    by_org: dict[int, HoursSummary] = {}
    for member in members:
        member.hours = Decimal(member.hours).quantize(TENTH)  # SQLite and PostgreSQL alike
        total.add(member)
        summary = by_org.setdefault(member.organization_id, HoursSummary(name=member.organization.name))
        summary.add(member)
    return {"total": total, "organizations": list(by_org.values()), "members": members, "requirements": reqs}


def member_hours(*, member: Member, year: int) -> dict[str, Any]:
    """A member's own record for a year: the sessions attended, the total and the requirement."""
    reqs = requirements()
    attended = (
        Attendance.objects.filter(member=member, present=True, session__date__year=year)
        .select_related("session", "session__training")
        .order_by("session__date", "session__id")
    )
    sessions = [a.session for a in attended]
    total = sum((s.hours for s in sessions), ZERO)
    required = reqs["leader"] if member.party_post in LEADER_POSTS else reqs["member"]
    return {"sessions": sessions, "total": total, "required": required, "reached": total >= required}


def trainings_held(*, user: Any, start: dt.date, end: dt.date) -> Any:
    """Trainings the user sees with at least one session dated in [start, end]."""
    sessions = Session.objects.filter(date__gte=start, date__lte=end)
    return (
        Training.objects.for_user(user)
        .filter(pk__in=sessions.values("training_id"))
        .select_related("organization")
        .order_by("-created_at", "-id")
    )


def attendances_present(*, user: Any, start: dt.date, end: dt.date) -> Any:
    """Person-times present (参训人次) at sessions dated in [start, end] of trainings the user sees."""
    return (
        Attendance.objects.filter(
            present=True,
            session__date__gte=start,
            session__date__lte=end,
            session__training__in=Training.objects.for_user(user),
        )
        .select_related("member__organization", "session__training")
        .order_by("-session__date", "session_id", "member_id")
    )


# Warning education (警示教育) ------------------------------------------------------------------


def town_root(user: Any) -> Organization:
    """The organization the town admin runs (the root when none is granted): it hosts the programme."""
    from qiangji.accounts.models import RoleGrant

    grant = RoleGrant.objects.filter(user=user, role=RoleGrant.Role.TOWN_ADMIN).select_related("organization").first()
    if grant is not None:
        return grant.organization
    return Organization.objects.filter(parent__isnull=True).order_by("pk").first()


def warning_batches(*, user: Any, year: int) -> Any:
    """The year's batches the user sees, with how many were sent and how many went."""
    return (
        WarningBatch.objects.for_user(user)
        .filter(session__date__year=year)
        .select_related("session", "training")
        .prefetch_related("organizations")
        .annotate(
            member_count=Count("members", distinct=True),
            present_count=Count("session__attendances", filter=Q(session__attendances__present=True), distinct=True),
        )
        .order_by("session__date", "number")
    )


def get_warning_batch_for_user(user: Any, pk: int) -> WarningBatch:
    """404 alike for a missing batch and one the user may not see."""
    return get_object_or_404(
        WarningBatch.objects.for_user(user).select_related("session", "training").prefetch_related("organizations"), pk=pk
    )


def members_of(organizations: Any) -> list[Member]:
    """Every member of the organizations' subtrees, once each."""
    q = Q()
    for org in organizations:
        q |= Q(organization__path__startswith=org.path)
    if not q:
        return []
    return list(
        Member.objects.filter(q)
        .select_related("organization")
        .defer("id_number", "phone", "address")
        .order_by("organization__path", "name_initials", "id")
    )


def warning_batch_sheet(*, batch: WarningBatch, user: Any) -> list[tuple[Member, bool | None]]:
    """The batch's members the user may see, with whether they went (None: not recorded yet)."""
    visible = Member.objects.for_user(user).values("pk")
    members = (
        batch.members.filter(pk__in=visible)
        .select_related("organization")
        .defer("id_number", "phone", "address")
        .order_by("organization__path", "name_initials", "id")
    )
    recorded = dict(Attendance.objects.filter(session=batch.session).values_list("member_id", "present"))
    return [(m, recorded.get(m.pk)) for m in members]
