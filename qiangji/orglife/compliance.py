"""Compliance with the requirement table (RULES.md "Organizational life requirements").

For an organization, a required kind and a period: held (enough held meetings dated inside the
period), missed (the period is over without them), pending (the period is not over yet), or
not_required. Held meetings are counted in one grouped query for all organizations at once
(organization × kind × year × month); periods are then sums of months, so a meeting held late
can never fill an earlier period.

Committee meetings (applies_to committee_branch) are asked of a branch for the periods in which
it had its committee, read from orgs.CommitteePeriod (one query for all organizations), not from
today's `has_committee`. The rule: a month requires them only if the committee existed on every
day of it; a quarter or year, if it contains at least one such month. A committee established on
15 July owes its first meeting in August (June and July: not required); one dissolved on
15 September (its last day 14 September) owed August's and owes none from September. A half
month is not held against a branch: the first meeting of a new committee is normally its
election, and a dissolving committee hands over rather than meets.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from qiangji.orglife.models import Meeting, Requirement
from qiangji.orgs.models import CommitteePeriod

HELD, MISSED, PENDING, NOT_REQUIRED = "held", "missed", "pending", "not_required"
STATUS_LABELS = {HELD: "已开展", MISSED: "未开展", PENDING: "进行中", NOT_REQUIRED: "不适用"}
MONTHS_IN = {Requirement.Period.MONTH: 1, Requirement.Period.QUARTER: 3, Requirement.Period.YEAR: 12}

# (established_on, dissolved_on) of an organization's committee; None: open at that end.
Span = tuple[dt.date | None, dt.date | None]


@dataclass(frozen=True, slots=True)
class Period:
    """A month, quarter or year: `first_month`..`first_month + months - 1` of `year`."""

    year: int
    first_month: int
    months: int

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        last = self.first_month + self.months
        nxt = dt.date(self.year + 1, 1, 1) if last > 12 else dt.date(self.year, last, 1)
        return nxt - dt.timedelta(days=1)

    @property
    def key(self) -> str:
        if self.months == 1:
            return f"{self.year}-{self.first_month:02d}"
        if self.months == 3:
            return f"{self.year}-Q{(self.first_month - 1) // 3 + 1}"
        return str(self.year)

    @property
    def label(self) -> str:
        if self.months == 1:
            return f"{self.first_month}月"
        if self.months == 3:
            return f"第{'一二三四'[(self.first_month - 1) // 3]}季度"
        return f"{self.year}年"


def periods_of(period: str, year: int) -> list[Period]:
    size = MONTHS_IN[period]
    return [Period(year, month, size) for month in range(1, 13, size)]


def period_containing(period: str, day: dt.date) -> Period:
    size = MONTHS_IN[period]
    return Period(day.year, (day.month - 1) // size * size + 1, size)


@dataclass(slots=True)  # a town grid holds some 17,000 cells
class Cell:
    period: Period
    status: str
    count: int
    future: bool = False  # a pending period that has not begun

    @property
    def label(self) -> str:
        return "未到期" if self.future else STATUS_LABELS[self.status]


@dataclass
class Row:
    requirement: Requirement
    cells: list[Cell] = field(default_factory=list)

    @property
    def required(self) -> bool:
        return any(c.status != NOT_REQUIRED for c in self.cells)

    def total(self, status: str) -> int:
        return sum(1 for c in self.cells if c.status == status)


def requirements_active() -> list[Requirement]:
    return list(Requirement.objects.filter(active=True).order_by("id"))


def held_counts(
    organization_ids: Iterable[int], start: dt.date, end: dt.date, kinds: Iterable[str] | None = None
) -> dict[tuple[int, str, int, int], int]:
    """{(organization, kind, year, month): held meetings}, one query for any number of organizations.

    Grouped by the date itself and folded into months here: on SQLite, extracting year and month
    in SQL calls a Python function per row, twice (docs/benchmarks.md); an organization rarely
    holds two meetings of one kind on one day, so as many rows come back either way.
    """
    counts: dict[tuple[int, str, int, int], int] = {}
    for org_id, kind, day, n in held_counts_query(organization_ids, start, end, kinds):
        key = (org_id, kind, day.year, day.month)
        counts[key] = counts.get(key, 0) + n
    return counts


def held_counts_query(
    organization_ids: Iterable[int], start: dt.date, end: dt.date, kinds: Iterable[str] | None = None
) -> QuerySet:
    """The one query behind `held_counts`: (organization, kind, date, held meetings) rows."""
    meetings = Meeting.objects.held().filter(organization_id__in=list(organization_ids), date__gte=start, date__lte=end)
    if kinds is not None:
        meetings = meetings.filter(kind__in=list(kinds))
    return meetings.values_list("organization_id", "kind", "date").annotate(n=Count("id")).order_by()


def committee_spans(organization_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, list[Span]]:
    """{organization: its committee's spans touching start..end, adjacent ones merged}, one query."""
    rows = (
        CommitteePeriod.objects.filter(organization_id__in=list(organization_ids))
        .overlapping(start, end)
        .order_by("organization_id", "established_on")
        .values_list("organization_id", "established_on", "dissolved_on")
    )
    spans: dict[int, list[Span]] = {}
    for org_id, established, dissolved in rows:
        merged = spans.setdefault(org_id, [])
        last = merged[-1] if merged else None
        # Re-established on the day it was dissolved: one committee without a gap.
        if last and last[1] is not None and (established is None or established <= last[1]):
            merged[-1] = (last[0], None if dissolved is None else max(last[1], dissolved))
        else:
            merged.append((established, dissolved))
    return spans


def _month_end(year: int, month: int) -> dt.date:
    return Period(year, month, 1).end


def committee_existed(spans: list[Span], period: Period) -> bool:
    """Whether the committee existed on every day of at least one month of `period` (module rule)."""
    for month in range(period.first_month, period.first_month + period.months):
        first, last = dt.date(period.year, month, 1), _month_end(period.year, month)
        for established, dissolved in spans:
            if (established is None or established <= first) and (dissolved is None or dissolved > last):
                return True
    return False


def _required(requirement: Requirement, organization: Any, period: Period, committees: dict[int, list[Span]]) -> bool:
    if requirement.applies_to == Requirement.AppliesTo.COMMITTEE_BRANCH:
        return organization.kind == "branch" and committee_existed(committees.get(organization.pk, []), period)
    return requirement.applies(organization)


def _cell(
    period: Period,
    start: dt.date,
    end: dt.date,
    n: int,
    required: bool,
    founded: Any,
    dissolved: Any,
    minimum: int,
    today: dt.date,
) -> Cell:
    # start/end are passed in: computed once per period, not once per cell of every organization.
    if not required or (founded and end < founded) or (dissolved and start > dissolved):
        return Cell(period, NOT_REQUIRED, n)
    if n >= minimum:
        return Cell(period, HELD, n)
    if end < today:
        return Cell(period, MISSED, n)
    return Cell(period, PENDING, n, future=start > today)


def cell_for(
    counts: dict[tuple[int, str, int, int], int],
    organization: Any,
    requirement: Requirement,
    period: Period,
    today: dt.date,
    *,
    committees: dict[int, list[Span]],
) -> Cell:
    n = sum(
        counts.get((organization.pk, requirement.kind, period.year, m), 0)
        for m in range(period.first_month, period.first_month + period.months)
    )
    required = _required(requirement, organization, period, committees)
    founded, dissolved = getattr(organization, "founded_on", None), getattr(organization, "dissolved_on", None)
    return _cell(period, period.start, period.end, n, required, founded, dissolved, requirement.minimum_count, today)


def compliance_grids(
    organizations: list[Any], *, year: int, today: dt.date, requirements: list[Requirement] | None = None
) -> dict[int, list[Row]]:
    """{organization pk: one row per active requirement with a cell per period of `year`}.

    Works per organization and requirement, not per cell: month counts of an (organization,
    kind) are read once, and whether a requirement applies is asked once (per period only for
    committee meetings, whose answer follows the committee's dates).
    """
    requirements = requirements_active() if requirements is None else requirements
    ids, start, end = [o.pk for o in organizations], dt.date(year, 1, 1), dt.date(year, 12, 31)
    counts = held_counts(ids, start, end)
    committees = _committees_if_asked(requirements, ids, start, end)
    months: dict[tuple[int, str], list[int]] = {}
    for (org_id, kind, _, m), n in counts.items():
        months.setdefault((org_id, kind), [0] * 13)[m] = n
    none = [0] * 13
    plans = [
        (
            req,
            [(p, p.start, p.end) for p in periods_of(req.period, year)],
            req.applies_to == Requirement.AppliesTo.COMMITTEE_BRANCH,
        )
        for req in requirements
    ]
    grids = {}
    for org in organizations:
        founded, dissolved = getattr(org, "founded_on", None), getattr(org, "dissolved_on", None)
        rows = []
        for req, periods, per_period in plans:
            held_in = months.get((org.pk, req.kind), none)
            applies = None if per_period else req.applies(org)
            cells = [
                _cell(
                    p,
                    start,
                    end,
                    sum(held_in[p.first_month : p.first_month + p.months]),
                    _required(req, org, p, committees) if per_period else bool(applies),
                    founded,
                    dissolved,
                    req.minimum_count,
                    today,
                )
                for p, start, end in periods
            ]
            rows.append(Row(req, cells))
        grids[org.pk] = rows
    return grids


def _committees_if_asked(requirements: list[Requirement], ids: list[int], start: dt.date, end: dt.date) -> dict[int, list[Span]]:
    """Committee spans, read only when a requirement depends on them (no query otherwise)."""
    if not ids or not any(r.applies_to == Requirement.AppliesTo.COMMITTEE_BRANCH for r in requirements):
        return {}
    return committee_spans(ids, start, end)


def compliance_grid(organization: Any, *, year: int, today: dt.date) -> list[Row]:
    return compliance_grids([organization], year=year, today=today)[organization.pk]


def compliance_summary(rows: list[Row]) -> dict[str, int]:
    return {s: sum(r.total(s) for r in rows) for s in STATUS_LABELS}


def compliance_missed_last_period(
    organizations: list[Any],
    *,
    today: dt.date,
    requirements: list[Requirement] | None = None,
    grids: dict[int, list[Row]] | None = None,
    year: int | None = None,
) -> list[dict[str, Any]]:
    """For each required kind, the organizations that missed its last finished period.

    "This period" for a monthly kind in May is April: the current period is still pending.
    A page that already holds the `grids` of `year` passes them: when every last period lies in
    that year the answer is read from them instead of being counted again.
    """
    requirements = requirements_active() if requirements is None else requirements
    if not requirements or not organizations:
        return []
    lasts = {
        r.pk: period_containing(r.period, period_containing(r.period, today).start - dt.timedelta(days=1)) for r in requirements
    }
    # Periods inside the grids' year are read from them; only the others (e.g. last year's yearly
    # review in this year's grids) are counted, for their kinds alone.
    from_grid = {r.pk for r in requirements if grids is not None and lasts[r.pk].year == year}
    rest = [r for r in requirements if r.pk not in from_grid]
    ids = [o.pk for o in organizations]
    counts: dict[tuple[int, str, int, int], int] = {}
    committees: dict[int, list[Span]] = {}
    if rest:
        start, end = min(lasts[r.pk].start for r in rest), max(lasts[r.pk].end for r in rest)
        counts = held_counts(ids, start, end, kinds={r.kind for r in rest})
        committees = _committees_if_asked(rest, ids, start, end)
    result = []
    for org in organizations:
        cells = {row.requirement.pk: row.cells for row in grids[org.pk]} if from_grid and grids is not None else {}
        for req in requirements:
            if req.pk in from_grid:
                cell = next(c for c in cells[req.pk] if c.period == lasts[req.pk])
            else:
                cell = cell_for(counts, org, req, lasts[req.pk], today, committees=committees)
            if cell.status == MISSED:
                result.append({"organization": org, "requirement": req, "period": cell.period, "count": cell.count})
    return result
