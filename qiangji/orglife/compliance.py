"""Compliance with the requirement table (RULES.md "Organizational life requirements").

For an organization, a required kind and a period: held (enough held meetings dated inside the
period), missed (the period is over without them), pending (the period is not over yet), or
not_required. Held meetings are counted in one grouped query for all organizations at once
(organization × kind × year × month); periods are then sums of months, so a meeting held late
can never fill an earlier period.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.db.models.functions import ExtractMonth, ExtractYear

from qiangji.orglife.models import Meeting, Requirement

HELD, MISSED, PENDING, NOT_REQUIRED = "held", "missed", "pending", "not_required"
STATUS_LABELS = {HELD: "已开展", MISSED: "未开展", PENDING: "进行中", NOT_REQUIRED: "不适用"}
MONTHS_IN = {Requirement.Period.MONTH: 1, Requirement.Period.QUARTER: 3, Requirement.Period.YEAR: 12}


@dataclass(frozen=True)
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


@dataclass
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


def held_counts(organization_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[tuple[int, str, int, int], int]:
    """{(organization, kind, year, month): held meetings}, one query for any number of organizations."""
    rows = (
        Meeting.objects.held()
        .filter(organization_id__in=list(organization_ids), date__gte=start, date__lte=end)
        .annotate(y=ExtractYear("date"), m=ExtractMonth("date"))
        .values("organization_id", "kind", "y", "m")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["organization_id"], r["kind"], r["y"], r["m"]): r["n"] for r in rows}


def cell_for(
    counts: dict[tuple[int, str, int, int], int], organization: Any, requirement: Requirement, period: Period, today: dt.date
) -> Cell:
    n = sum(
        counts.get((organization.pk, requirement.kind, period.year, m), 0)
        for m in range(period.first_month, period.first_month + period.months)
    )
    founded, dissolved = getattr(organization, "founded_on", None), getattr(organization, "dissolved_on", None)
    if not requirement.applies(organization) or (founded and period.end < founded) or (dissolved and period.start > dissolved):
        return Cell(period, NOT_REQUIRED, n)
    if n >= requirement.minimum_count:
        return Cell(period, HELD, n)
    if period.end < today:
        return Cell(period, MISSED, n)
    return Cell(period, PENDING, n, future=period.start > today)


def compliance_grids(
    organizations: list[Any], *, year: int, today: dt.date, requirements: list[Requirement] | None = None
) -> dict[int, list[Row]]:
    """{organization pk: one row per active requirement with a cell per period of `year`}."""
    requirements = requirements_active() if requirements is None else requirements
    counts = held_counts([o.pk for o in organizations], dt.date(year, 1, 1), dt.date(year, 12, 31))
    return {
        org.pk: [Row(req, [cell_for(counts, org, req, p, today) for p in periods_of(req.period, year)]) for req in requirements]
        for org in organizations
    }


def compliance_grid(organization: Any, *, year: int, today: dt.date) -> list[Row]:
    return compliance_grids([organization], year=year, today=today)[organization.pk]


def compliance_summary(rows: list[Row]) -> dict[str, int]:
    return {s: sum(r.total(s) for r in rows) for s in STATUS_LABELS}


def compliance_missed_last_period(organizations: list[Any], *, today: dt.date) -> list[dict[str, Any]]:
    """For each required kind, the organizations that missed its last finished period.

    "This period" for a monthly kind in May is April: the current period is still pending.
    """
    requirements = requirements_active()
    if not requirements or not organizations:
        return []
    lasts = {
        r.pk: period_containing(r.period, period_containing(r.period, today).start - dt.timedelta(days=1)) for r in requirements
    }
    counts = held_counts([o.pk for o in organizations], min(p.start for p in lasts.values()), max(p.end for p in lasts.values()))
    result = []
    for org in organizations:
        for req in requirements:
            cell = cell_for(counts, org, req, lasts[req.pk], today)
            if cell.status == MISSED:
                result.append({"organization": org, "requirement": req, "period": cell.period, "count": cell.count})
    return result
