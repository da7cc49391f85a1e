"""Reads of the ledger: scoped lists, duplicate suggestions, the seed's counts, grades and plans."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import median
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from qiangji.core.nextactions import SHOWN_PER_ITEM, TodoItem, TodoLink
from qiangji.core.text import natural_key
from qiangji.ledger.models import Grade, Measure, Mechanism, Problem, PublicReport, RectificationPlan
from qiangji.orgs.models import LiaisonGroup, Organization

DUPLICATE_WINDOW_DAYS = 90
DUPLICATE_THRESHOLD = 0.3


def get_problem_for_user(user: Any, pk: int) -> Problem:
    """404 alike for a problem that does not exist and one the user may not see."""
    return get_object_or_404(
        Problem.objects.for_user(user).select_related(
            "organization", "village", "owner", "registered_by", "checked_by", "merged_into"
        ),
        pk=pk,
    )


def problems_for_list(
    *,
    user: Any,
    state: str = "",
    source: str = "",
    organization: Organization | None = None,
    owner: Any = None,
    overdue_on: dt.date | None = None,
    q: str = "",
) -> QuerySet[Problem]:
    """The ledger as a user may see it, filtered as the list page and the API filter it."""
    problems = Problem.objects.for_user(user)
    if state == "open":
        problems = problems.open()
    elif state:
        problems = problems.filter(state=state)
    if source:
        problems = problems.filter(source=source)
    if organization is not None:
        problems = problems.filter(organization__path__startswith=organization.path)
    if owner is not None:
        problems = problems.filter(owner=owner)
    if overdue_on is not None:
        problems = problems.overdue(overdue_on)
    if q:
        problems = problems.filter(Q(description__icontains=q) | Q(number__icontains=q) | Q(external_ref__icontains=q))
    return problems.select_related("organization", "owner").order_by("-registered_on", "-id")


def _bigrams(text: str) -> set[str]:
    compact = "".join(ch for ch in text if ch.isalnum())
    return {compact[i : i + 2] for i in range(len(compact) - 1)} or ({compact} if compact else set())


def similarity(a: str, b: str) -> float:
    """Overlap of character pairs (Jaccard): Chinese has no spaces, pairs of characters work well."""
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def problems_similar(
    *,
    user: Any,
    description: str,
    organization: Organization | None = None,
    village: Any = None,
    today: dt.date,
    exclude_pk: int | None = None,
    limit: int = 5,
) -> list[tuple[Problem, float]]:
    """Possible duplicates of a problem being registered: same organization or village, recent,
    similar text. One problem reported by the hotline and by a visit should become one."""
    if not description or (organization is None and village is None):
        return []
    near = Q()
    if organization is not None:
        near |= Q(organization=organization)
    if village is not None:
        near |= Q(village=village)
    candidates = (
        Problem.objects.for_user(user)
        .filter(near, registered_on__gte=today - dt.timedelta(days=DUPLICATE_WINDOW_DAYS))
        .exclude(state__in=(Problem.State.MERGED, Problem.State.WITHDRAWN))
        .select_related("organization", "owner")
        .order_by("-registered_on")[:300]
    )
    scored = [(p, similarity(description, p.description)) for p in candidates if p.pk != exclude_pk]
    scored = [(p, s) for p, s in scored if s >= DUPLICATE_THRESHOLD]
    scored.sort(key=lambda pair: (-pair[1], -pair[0].pk))
    return scored[:limit]


def ledger_counts(*, user: Any, start: dt.date, end: dt.date, organization: Organization | None = None) -> dict[str, Any]:
    """The seed's figures for a date range, counted from records:
    "自查自纠问题N个，其中即知即改M个，建立或落实长效机制K个".

    N: problems registered in the range (merged duplicates and withdrawn ones do not count);
    M: those of them fixed at once (即知即改); K: mechanisms established or put into effect in
    the range. Also closed and open counts and days to close.
    """
    problems = Problem.objects.for_user(user).counted().filter(registered_on__gte=start, registered_on__lte=end)
    mechanisms = Mechanism.objects.for_user(user).filter(effective_on__gte=start, effective_on__lte=end)
    if organization is not None:
        problems = problems.filter(organization__path__startswith=organization.path)
        mechanisms = mechanisms.filter(organization__path__startswith=organization.path)
    totals = problems.aggregate(
        total=Count("id"),
        immediate=Count("id", filter=Q(fix_kind=Problem.FixKind.IMMEDIATE)),
        long_term=Count("id", filter=Q(fix_kind=Problem.FixKind.LONG_TERM)),
        closed=Count("id", filter=Q(state=Problem.State.CLOSED)),
    )
    days = [
        (closed - registered).days
        for registered, closed in problems.filter(state=Problem.State.CLOSED).values_list("registered_on", "closed_on")
    ]
    mechanism_counts = dict(mechanisms.values_list("kind").annotate(n=Count("id")).order_by())
    k = sum(mechanism_counts.values())
    n, m = totals["total"], totals["immediate"]
    return {
        **totals,
        "open": n - totals["closed"],
        "mechanisms": k,
        "mechanisms_established": mechanism_counts.get(Mechanism.Kind.ESTABLISHED, 0),
        "mechanisms_enforced": mechanism_counts.get(Mechanism.Kind.ENFORCED, 0),
        "days_to_close_median": median(days) if days else None,
        "days_to_close_mean": round(sum(days) / len(days), 1) if days else None,
        "sentence": f"自查自纠问题{n}个，其中即知即改{m}个，建立或落实长效机制{k}个",
    }


def _in(problems: QuerySet[Problem], organization: Organization | None) -> QuerySet[Problem]:
    return problems if organization is None else problems.filter(organization__path__startswith=organization.path)


def ledger_by_source(
    *, user: Any, start: dt.date, end: dt.date, organization: Organization | None = None
) -> list[dict[str, Any]]:
    rows = (
        _in(Problem.objects.for_user(user).counted(), organization)
        .filter(registered_on__gte=start, registered_on__lte=end)
        .values("source")
        .annotate(n=Count("id"))
        .order_by("-n", "source")
    )
    labels = dict(Problem.Source.choices)
    return [{"source": r["source"], "label": labels[r["source"]], "count": r["n"]} for r in rows]


def ledger_by_month(*, user: Any, start: dt.date, end: dt.date, organization: Organization | None = None) -> list[dict[str, Any]]:
    """Registered and closed per month: the trend chart of the ledger page."""
    base = _in(Problem.objects.for_user(user).counted(), organization)
    registered = dict(
        base.filter(registered_on__gte=start, registered_on__lte=end)
        .annotate(month=TruncMonth("registered_on"))
        .values_list("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    closed = dict(
        base.filter(closed_on__gte=start, closed_on__lte=end)
        .annotate(month=TruncMonth("closed_on"))
        .values_list("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    months = []
    cursor = dt.date(start.year, start.month, 1)
    while cursor <= end:
        months.append(cursor)
        cursor = dt.date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)

    def at(counts: dict[Any, int], month: dt.date) -> int:
        # TruncMonth gives a date on PostgreSQL and SQLite alike for a DateField.
        return counts.get(month, 0)

    return [{"month": f"{m:%Y-%m}", "registered": at(registered, m), "closed": at(closed, m)} for m in months]


def public_reports_pending() -> QuerySet[PublicReport]:
    return PublicReport.objects.filter(state=PublicReport.State.PENDING).select_related("village").order_by("created_at")


# Grades and rectification plans ---------------------------------------------------------------


def organizations_needing_plan(*, user: Any, year: int) -> QuerySet[Organization]:
    """Organizations graded 较好 or lower for `year` (a grade whose level needs a plan)."""
    graded = Grade.objects.filter(organization=OuterRef("pk"), year=year, level__needs_plan=True)
    return Organization.objects.for_user(user).filter(Exists(graded))


def organizations_without_plan(*, user: Any, year: int) -> QuerySet[Organization]:
    """Those that need a plan for `year` and have none: the town's to-do list."""
    has_plan = RectificationPlan.objects.filter(organization=OuterRef("pk"), year=year)
    return organizations_needing_plan(user=user, year=year).filter(~Exists(has_plan)).order_by("path")


def plans_for_list(*, user: Any, year: int, today: dt.date) -> QuerySet[RectificationPlan]:
    """Plans of `year` with their item counts; `behind` counts open items past their deadline."""
    return (
        RectificationPlan.objects.for_user(user)
        .filter(year=year)
        .select_related("organization")
        .annotate(
            item_count=Count("items"),
            checked_count=Count("items", filter=Q(items__state=Measure.State.CHECKED)),
            behind_count=Count("items", filter=Q(items__state=Measure.State.OPEN, items__deadline__lt=today)),
        )
        .order_by("organization__path")
    )


def get_plan_for_user(user: Any, pk: int) -> RectificationPlan:
    return get_object_or_404(RectificationPlan.objects.for_user(user).select_related("organization"), pk=pk)


def grades_for_year(*, user: Any, year: int) -> dict[int, Grade]:
    return {g.organization_id: g for g in Grade.objects.for_user(user).filter(year=year).select_related("level")}


def problems_by_ids(user: Any, ids: Iterable[int]) -> list[Problem]:
    return list(Problem.objects.for_user(user).filter(pk__in=list(ids)))


# Grading and plan pages -----------------------------------------------------------------------

NO_LIAISON_GROUP = "未分配指导联络组"


@dataclass
class GradeRow:
    """One organization on the grading page: its grade for the year and, if it needs one, its plan."""

    organization: Organization
    grade: Grade | None
    plan: RectificationPlan | None

    @property
    def needs_plan(self) -> bool:
        return self.grade is not None and self.grade.level.needs_plan

    @property
    def plan_status(self) -> str:
        """none / behind / filed, for those whose grade calls for a plan; "" for the others."""
        if not self.needs_plan:
            return ""
        if self.plan is None:
            return "none"
        return "behind" if self.plan.behind_count else "filed"


def grading_rows(*, user: Any, year: int, today: dt.date) -> list[GradeRow]:
    """Every general branch and branch the user sees, with its grade and plan for `year`: three queries."""
    organizations = (
        Organization.objects.for_user(user)
        .active()
        .filter(kind__in=(Organization.Kind.GENERAL_BRANCH, Organization.Kind.BRANCH))
        .order_by("path")
    )
    grades = grades_for_year(user=user, year=year)
    plans = {p.organization_id: p for p in plans_for_list(user=user, year=year, today=today)}
    return [GradeRow(org, grades.get(org.pk), plans.get(org.pk)) for org in organizations]


def organizations_without_plan_by_group(*, user: Any, year: int) -> list[tuple[str, list[Organization]]]:
    """The town's to-do list under each liaison group (as access counts them: the group's
    organizations and their subtrees); organizations in no group come last. Two queries."""
    missing = list(organizations_without_plan(user=user, year=year))
    group_paths: dict[str, list[str]] = {}
    for name, path in LiaisonGroup.objects.filter(organizations__isnull=False).values_list("name", "organizations__path"):
        group_paths.setdefault(name, []).append(path)
    blocks: dict[str, list[Organization]] = {}
    loose: list[Organization] = []
    for org in missing:
        names = sorted((n for n, paths in group_paths.items() if any(org.path.startswith(p) for p in paths)), key=natural_key)
        for name in names:
            blocks.setdefault(name, []).append(org)
        if not names:
            loose.append(org)
    ordered = [(name, blocks[name]) for name in sorted(blocks, key=natural_key)]  # 第一…第四, not by code point
    return ordered + ([(NO_LIAISON_GROUP, loose)] if loose else [])


# Next actions on the home page ------------------------------------------------------------------


def public_reports_todo() -> TodoItem | None:
    """What the public reported and the town has not yet accepted or declined: two queries.
    Only the town handles them; the caller checks the role."""
    pending = public_reports_pending()
    count = pending.count()
    if not count:
        return None
    links = [
        TodoLink(
            r.description[:24] + ("…" if len(r.description) > 24 else ""),
            reverse("ledger:public_report_handle", args=[r.pk]),
            f"{r.reference}，{timezone.localtime(r.created_at):%m-%d}提交{('，' + r.village.name) if r.village_id else ''}",
        )
        for r in pending[:SHOWN_PER_ITEM]
    ]
    return TodoItem(
        key="public_reports",
        title="待受理的群众反映",
        hint="核实后登记为问题，或说明理由不予受理",
        level="warning",
        count=count,
        links=links,
        more_url=reverse("ledger:public_reports"),
    )


def _overdue_links(problems: QuerySet[Problem], today: dt.date) -> list[TodoLink]:
    """The first overdue problems, longest overdue first, each linked to its page."""
    return [
        TodoLink(
            p.headline,
            reverse("ledger:problem_detail", args=[p.pk]),
            f"{p.number}，{p.organization.name}，已超期{p.days_overdue(today)}天",
        )
        for p in problems.select_related("organization").order_by("deadline", "pk")[:SHOWN_PER_ITEM]
    ]


def problems_overdue_todo(*, user: Any, today: dt.date) -> TodoItem | None:
    """Every open problem past its deadline in the user's scope (the town's view, not only their
    own), longest overdue first: two queries."""
    overdue = Problem.objects.for_user(user).overdue(today)
    count = overdue.count()
    if not count:
        return None
    links = _overdue_links(overdue, today)
    return TodoItem(
        key="problems_overdue_all",
        title="超期未销号的问题",
        hint="督促整改责任人，必要时约谈或延期",
        level="danger",
        count=count,
        links=links,
        more_url=reverse("ledger:problem_list") + "?status=overdue",
    )


def problems_escalated_todo(*, user: Any, today: dt.date) -> TodoItem | None:
    """Open problems of the user's liaison groups overdue long enough to be escalated to the group
    (settings.LEDGER_ESCALATION_DAYS, its second stage): two queries."""
    after = settings.LEDGER_ESCALATION_DAYS[1]
    escalated = Problem.objects.for_user(user).overdue(today - dt.timedelta(days=after - 1))
    count = escalated.count()
    if not count:
        return None
    links = _overdue_links(escalated, today)
    return TodoItem(
        key="problems_escalated",
        title="提级到联络组督办的超期问题",
        hint="督促整改，必要时调整责任人或延期",
        level="danger",
        count=count,
        links=links,
        more_url=reverse("ledger:problem_list") + "?status=overdue",
    )


def plans_missing_todo(*, user: Any, year: int) -> TodoItem | None:
    """Organizations graded 较好 or below for `year` that have no rectification plan: one query."""
    missing = list(organizations_without_plan(user=user, year=year)[:200])
    if not missing:
        return None
    new = reverse("ledger:plan_create")
    return TodoItem(
        key="rectification_plans_missing",
        title=f"{year}年评定为较好及以下、尚未制定整改方案的党组织",
        hint="制定整改提升方案，逐项明确措施和时限",
        level="warning",
        count=len(missing),
        links=[TodoLink(o.name, f"{new}?org={o.pk}&year={year}") for o in missing[:SHOWN_PER_ITEM]],
        more_url=reverse("ledger:grades") + f"?year={year}",
    )


def problems_registered(*, user: Any, start: dt.date, end: dt.date) -> QuerySet[Problem]:
    """The problems `ledger_counts` counts: registered in [start, end], merged and withdrawn left out."""
    qs = Problem.objects.for_user(user).counted().filter(registered_on__gte=start, registered_on__lte=end)
    return qs.select_related("organization").order_by("-registered_on", "-id")


def mechanisms_effective(*, user: Any, start: dt.date, end: dt.date) -> QuerySet[Mechanism]:
    """The long-term mechanisms `ledger_counts` counts: in effect from a day in [start, end]."""
    qs = Mechanism.objects.for_user(user).filter(effective_on__gte=start, effective_on__lte=end)
    return qs.select_related("organization").order_by("-effective_on", "-id")


def grades_needing_plan(*, user: Any, start: dt.date, end: dt.date) -> QuerySet[Grade]:
    """Grades of the years [start, end] touches at a level calling for a plan (较好 and below)."""
    qs = Grade.objects.for_user(user).filter(year__gte=start.year, year__lte=end.year, level__needs_plan=True)
    return qs.select_related("organization", "level").order_by("-year", "organization__path")


def rectification_plans_of(*, user: Any, start: dt.date, end: dt.date) -> QuerySet[RectificationPlan]:
    """Rectification plans (一支部一方案) of the years [start, end] touches."""
    qs = RectificationPlan.objects.for_user(user).filter(year__gte=start.year, year__lte=end.year)
    return qs.select_related("organization").order_by("-year", "organization__path")


def public_report_by_reference(reference: str) -> PublicReport | None:
    """The report a 受理编号 names, with only what its public status page shows: the state, the
    reply, and the problem's state and dates once accepted (never the reporter's name or phone)."""
    return (
        PublicReport.objects.filter(reference=reference)
        .select_related("problem")
        .only(
            "id", "reference", "description", "state", "reply", "created_at", "handled_at",
            "problem__id", "problem__number", "problem__state", "problem__deadline", "problem__closed_on",
        )
        .first()
    )  # fmt: skip
