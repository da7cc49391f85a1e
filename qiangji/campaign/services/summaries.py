"""The daily summary (一日一汇总) and weekly analysis (一周一分析), counted from the records.

A period is one local day (daily) or Monday–Sunday (weekly); "in the period" for a timestamp
means its local date (Asia/Shanghai) falls in it. The figures, stored as JSON on `Summary`:

- ``visits``: visits with `visited_on` in the period, in any state but rejected — ``total``,
  ``entities`` (distinct tasks visited), ``teams`` (distinct teams that visited).
- ``register``: counted from the town's review, by the local date of `reviewed_at`, because only
  an approved visit writes the register and a past day's figures then stay fixed —
  ``verified``: approved visits of verify tasks; ``new``: distinct entities registered by an
  approved visit of a `new` batch record; ``corrected``: distinct entities with a field changed
  by an approved visit (EntityChange with a visit, dated in the period, status changes and newly
  found entities left out); ``closed``: distinct entities set closed in the period (EntityChange
  of `status`, whoever made it).
- ``findings`` of approved visits reviewed in the period: ``party_members`` (sum of
  party_members_found), ``wants_party_org`` (visits with a wish to set up an organization),
  ``care_packages`` (visits that handed one out), ``service_cards`` (cards those visits issued).
- ``care``: the care visits (三送三问) among ``visits`` that answered — ``visits``, ``sends``
  [{label, visits}] (visits that delivered each send), ``asks`` [{label, answered}] (visits that
  answered each ask), ``asks_answered`` (services/care.py `care_figures`).
- ``as_of``: the last day counted — the period's end, or the day it was generated when that is
  earlier (a week analysed on its Tuesday covers Monday and Tuesday, not the days to come); the
  coverage and tasks below stand at the end of that day.
- ``coverage`` at the end of the period: ``town`` and ``carriers`` {grid, chain, street} rows
  (total, org, work, covered and their rates in %); for a period already over, today's counts
  are rolled back through the register history (EntityChange of status, covering organization,
  instructor; entities registered later left out), carrier membership as it is now.
  ``previous`` names the latest earlier summary of the same kind and ``change`` the difference
  of the town's rates against its stored figures (percentage points), ``carrier_change`` per
  carrier ref ("grid:3").
- ``problems``: visits in the period (not rejected) with `problems` text — ``count`` and
  ``items`` (visit, entity, team, grid, text, the ledger problem if registered).
- ``tasks`` at the end of the period: open = created by then and not closed by then; overdue =
  open, due before the period's last day, and no visit submitted by then — ``open``,
  ``overdue``.
- ``teams`` (every active team, and any team that visited): visits, verified, open, overdue;
  ``grids``: the same per grid.
- weekly only: ``daily`` (visits and verified per day of the week), ``trend`` (the 8 weeks ending
  with this one: visits, verified, town covered rate at each week's end), ``behind`` {teams,
  grids, team_threshold, grid_threshold} with Chinese reasons, each measured against its group
  (BEHIND_SHARE of it, stated in the text): a team with work this week (visits or open tasks)
  whose visits are below that share of the median of such teams; a grid whose covered rate is
  below that share of the town's.

Lists are lists of rows, not name → count objects: PostgreSQL's jsonb does not keep key order.
"""

import datetime as dt
import statistics
from collections import Counter
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from qiangji.campaign.models import (
    BaseRecord,
    Entity,
    EntityChange,
    ServiceCard,
    Summary,
    Visit,
    VisitTask,
    VisitTeam,
)
from qiangji.campaign.services.care import care_figures
from qiangji.campaign.services.coverage_history import coverage_at, midnight
from qiangji.core.errors import DomainError
from qiangji.orgs.models import Grid

FIGURES_VERSION = 1
TREND_WEEKS = 8
NO_TEAM = "未分配队伍"
RATE_KEYS = ("org_rate", "work_rate", "covered_rate")
# "Lagging" is relative: below this share of the group's median (teams) or the town's rate (grids).
BEHIND_SHARE = 0.8


def period_of(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The day itself, or the Monday–Sunday week holding it."""
    if kind == Summary.Kind.DAILY:
        return day, day
    start = day - dt.timedelta(days=day.weekday())
    return start, start + dt.timedelta(days=6)


def _between(field: str, start: dt.date, end: dt.date) -> Q:
    return Q(**{f"{field}__gte": midnight(start), f"{field}__lt": midnight(end + dt.timedelta(days=1))})


def _change(now: dict[str, Any], before: dict[str, Any] | None) -> dict[str, float | None] | None:
    if before is None:
        return None
    return {k: round(now[k] - before[k], 1) if now.get(k) is not None and before.get(k) is not None else None for k in RATE_KEYS}


def _coverage(end: dt.date, previous: Summary | None) -> dict[str, Any]:
    coverage = coverage_at(midnight(end + dt.timedelta(days=1)))
    old = (previous.figures or {}).get("coverage", {}) if previous else {}
    coverage["previous"] = {"id": previous.pk, "start": previous.start.isoformat()} if previous else None
    coverage["change"] = _change(coverage["town"], old.get("town")) if previous else None
    old_rows = {f"{r['kind']}:{r['id']}": r for rows in old.get("carriers", {}).values() for r in rows}
    coverage["carrier_change"] = {
        f"{r['kind']}:{r['id']}": _change(r, old_rows[f"{r['kind']}:{r['id']}"])
        for rows in coverage["carriers"].values()
        for r in rows
        if f"{r['kind']}:{r['id']}" in old_rows
    }
    return coverage


def _tasks_at(end: dt.date) -> tuple[Any, Any]:
    """Open and overdue tasks as they stood at the end of `end`."""
    moment = midnight(end + dt.timedelta(days=1))
    open_then = VisitTask.objects.filter(created_at__lt=moment).filter(
        Q(closed_at__gte=moment) | Q(closed_at__isnull=True, status__in=(VisitTask.Status.OPEN, VisitTask.Status.SUBMITTED))
    )
    visited = Visit.objects.filter(task=OuterRef("pk"), submitted_at__lt=moment)
    overdue = open_then.filter(due_on__lt=end).exclude(Exists(visited))
    return open_then, overdue


def _counted(qs: Any, key: str) -> Counter:
    return Counter(dict(qs.order_by().values_list(key).annotate(n=Count("pk")).values_list(key, "n")))


def _figures(kind: str, start: dt.date, end: dt.date, previous: Summary | None) -> dict[str, Any]:
    as_of = min(end, timezone.localdate())
    visits = Visit.objects.filter(visited_on__gte=start, visited_on__lte=as_of).exclude(state=Visit.State.REJECTED)
    approved = Visit.objects.filter(_between("reviewed_at", start, as_of), state=Visit.State.APPROVED)
    verified = approved.filter(task__kind=VisitTask.Kind.VERIFY)
    # The period's approvals are few; reading their ids first keeps PostgreSQL from planning the
    # record ⋈ task ⋈ visit join as nested loops over the whole campaign.
    approved_ids = list(approved.values_list("pk", flat=True))
    new_ids = set(
        BaseRecord.objects.filter(
            klass=BaseRecord.Klass.NEW, state=BaseRecord.State.REGISTERED, task__visits__in=approved_ids, entity__isnull=False
        )
        .order_by()
        .values_list("entity_id", flat=True)
        .distinct()
    )
    corrected = (
        EntityChange.objects.filter(_between("at", start, as_of), visit__state=Visit.State.APPROVED)
        .exclude(field="status")
        .exclude(entity_id__in=new_ids)
        .values("entity_id")
        .distinct()
        .count()
    )
    closed = (
        EntityChange.objects.filter(_between("at", start, as_of), field="status", new=Entity.Status.CLOSED.label)
        .values("entity_id")
        .distinct()
        .count()
    )
    found = approved.aggregate(
        party=Sum("party_members_found"),
        wish=Count("pk", filter=Q(wants_party_org=True)),
        care=Count("pk", filter=Q(care_package=True)),
    )
    open_then, overdue = _tasks_at(as_of)
    team_visits = _counted(visits, "team_id")
    team_verified = _counted(verified, "team_id")
    team_open, team_overdue = _counted(open_then, "team_id"), _counted(overdue, "team_id")
    grid_visits = _counted(visits, "task__grid_id")
    grid_open, grid_overdue = _counted(open_then, "grid_id"), _counted(overdue, "grid_id")
    seen_teams = set(team_visits) | set(team_open)
    teams = [
        {
            "id": t.pk,
            "name": t.name,
            "grid": t.grid.name,
            "active": t.active,
            "visits": team_visits[t.pk],
            "verified": team_verified[t.pk],
            "open": team_open[t.pk],
            "overdue": team_overdue[t.pk],
        }
        for t in VisitTeam.objects.filter(Q(active=True) | Q(pk__in=[p for p in seen_teams if p])).select_related("grid")
    ]
    if team_visits[None] or team_open[None]:
        teams.append(
            {"id": None, "name": NO_TEAM, "grid": "", "active": True, "visits": team_visits[None],
             "verified": team_verified[None], "open": team_open[None], "overdue": team_overdue[None]}
        )  # fmt: skip
    grids = [
        {"id": g.pk, "name": g.name, "visits": grid_visits[g.pk], "open": grid_open[g.pk], "overdue": grid_overdue[g.pk]}
        for g in Grid.objects.order_by("number", "pk")
    ]
    problem_visits = (
        visits.exclude(problems="").select_related("task", "team", "task__grid", "problem").order_by("visited_on", "pk")
    )
    figures: dict[str, Any] = {
        "version": FIGURES_VERSION,
        "as_of": as_of.isoformat(),
        "visits": {
            "total": visits.count(),
            "entities": visits.values("task_id").distinct().count(),
            "teams": len([t for t in team_visits if t]),
        },
        "register": {"verified": verified.count(), "new": len(new_ids), "corrected": corrected, "closed": closed},
        "findings": {
            "party_members": found["party"] or 0,
            "wants_party_org": found["wish"],
            "care_packages": found["care"],
            "service_cards": ServiceCard.objects.filter(visit__in=approved_ids).count(),
        },
        "care": care_figures(visits.filter(task__kind=VisitTask.Kind.CARE).values_list("sends", "asks")),
        "coverage": _coverage(as_of, previous),
        "problems": {
            "count": len(problem_visits),
            "items": [
                {
                    "visit": v.pk,
                    "visited_on": v.visited_on.isoformat(),
                    "entity": v.task.title,
                    "team": v.team.name if v.team else NO_TEAM,
                    "grid": v.task.grid.name,
                    "text": v.problems,
                    "problem": v.problem_id,
                    "problem_number": v.problem.number if v.problem else "",
                }
                for v in problem_visits
            ],
        },
        "tasks": {"open": open_then.count(), "overdue": overdue.count()},
        "teams": teams,
        "grids": grids,
        "teams_active": sum(1 for t in teams if t["active"] and t["id"]),
    }
    if kind == Summary.Kind.WEEKLY:
        figures.update(_weekly(start, end, figures))
    return figures


def _weekly(start: dt.date, end: dt.date, figures: dict[str, Any]) -> dict[str, Any]:
    first = start - dt.timedelta(weeks=TREND_WEEKS - 1)
    by_day = dict(
        Visit.objects.filter(visited_on__gte=first, visited_on__lte=end)
        .exclude(state=Visit.State.REJECTED)
        .order_by()
        .values_list("visited_on")
        .annotate(n=Count("pk"))
        .values_list("visited_on", "n")
    )
    verified_by_day = dict(
        Visit.objects.filter(_between("reviewed_at", first, end), state=Visit.State.APPROVED, task__kind=VisitTask.Kind.VERIFY)
        .order_by()
        .annotate(day=TruncDate("reviewed_at"))
        .values_list("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    days = [start + dt.timedelta(days=i) for i in range(7)]
    daily = [{"date": d.isoformat(), "visits": by_day.get(d, 0), "verified": verified_by_day.get(d, 0)} for d in days]
    trend = []
    for w in range(TREND_WEEKS):
        w_start = first + dt.timedelta(weeks=w)
        w_days = [w_start + dt.timedelta(days=i) for i in range(7)]
        rate = (
            figures["coverage"]["town"]["covered_rate"]
            if w_start == start
            else coverage_at(midnight(w_start + dt.timedelta(days=7)), carriers=False)["town"]["covered_rate"]
        )
        trend.append(
            {
                "start": w_start.isoformat(),
                "end": w_days[-1].isoformat(),
                "visits": sum(by_day.get(d, 0) for d in w_days),
                "verified": sum(verified_by_day.get(d, 0) for d in w_days),
                "covered_rate": rate,
            }
        )
    return {"daily": daily, "trend": trend, "behind": _behind(figures)}


def _behind(figures: dict[str, Any]) -> dict[str, Any]:
    """Who lags behind their group: a fixed count would name every team early in the week."""
    working = [t for t in figures["teams"] if t["id"] and t["active"] and (t["visits"] or t["open"])]
    median = statistics.median(t["visits"] for t in working) if working else 0
    team_threshold = round(median * BEHIND_SHARE, 1)
    teams = []
    for t in working:
        if t["visits"] >= team_threshold:
            continue
        reasons = [f"走访{t['visits']}家次", f"待办任务{t['open']}个"]
        if t["overdue"]:
            reasons.append(f"其中超期{t['overdue']}个")
        row = {key: t[key] for key in ("id", "name", "grid", "visits", "overdue")}
        teams.append({**row, "reasons": reasons})
    # The fewest visits first, then the most overdue: the list is read top down.
    teams.sort(key=lambda t: (t["visits"], -t["overdue"], t["name"]))
    town_rate = figures["coverage"]["town"]["covered_rate"]
    grid_threshold = None if town_rate is None else round(town_rate * BEHIND_SHARE, 1)
    rates = {r["id"]: r["covered_rate"] for r in figures["coverage"]["carriers"]["grid"] if r["covered_rate"] is not None}
    grids = []
    for g in figures["grids"]:
        rate = rates.get(g["id"])
        if rate is None or grid_threshold is None or rate >= grid_threshold:
            continue
        reasons = [f"覆盖率{rate}%"]
        if g["overdue"]:
            reasons.append(f"超期未走访任务{g['overdue']}个")
        grids.append({"id": g["id"], "name": g["name"], "rate": rate, "reasons": reasons})
    grids.sort(key=lambda g: (g["rate"], g["name"]))
    return {
        "teams": teams,
        "grids": grids,
        "team_median": median,
        "team_threshold": team_threshold,
        "town_rate": town_rate,
        "grid_threshold": grid_threshold,
    }


def _checked(kind: str, day: Any) -> tuple[str, dt.date]:
    if kind not in Summary.Kind.values:
        raise DomainError("汇总类别应为“一日一汇总”（daily）或“一周一分析”（weekly）", field="kind")
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            raise DomainError("日期格式应为 YYYY-MM-DD", field="date") from None
    if not isinstance(day, dt.date) or day.year < 2000:
        raise DomainError("请选择 2000 年以后的日期", field="date")
    start, _ = period_of(kind, day)
    if start > timezone.localdate():
        raise DomainError("不能生成尚未开始的日期或周的汇总", field="date")
    return kind, day


@transaction.atomic
def summary_generate(*, kind: str, day: Any) -> Summary:
    """Compute the figures of the period holding `day` and store them: one Summary per kind and
    period, replaced when generated again (earlier periods keep theirs)."""
    kind, day = _checked(kind, day)
    start, end = period_of(kind, day)
    previous = Summary.objects.filter(kind=kind, start__lt=start).order_by("-start").first()
    figures = _figures(kind, start, end, previous)
    summary, _ = Summary.objects.update_or_create(kind=kind, start=start, defaults={"end": end, "figures": figures})
    return summary


def summary_is_final(summary: Summary) -> bool:
    """Generated after its period ended: later runs need not write it again."""
    return summary.generated_at >= midnight(summary.end + dt.timedelta(days=1))


def summaries_catch_up(*, today: dt.date, days: int = 7, weeks: int = 4) -> dict[str, int]:
    """Write the summaries the scheduler may have missed: each of the last `days` days (today's
    refreshed while it lasts) and the last `weeks` complete weeks, oldest first (so each compares
    with the one before); a period already generated after it ended is left as it is."""
    if days < 0 or weeks < 0:
        raise DomainError("天数和周数不能为负数")
    wanted = [(Summary.Kind.DAILY, today - dt.timedelta(days=n)) for n in range(days, -1, -1)]
    monday = today - dt.timedelta(days=today.weekday())
    wanted += [(Summary.Kind.WEEKLY, monday - dt.timedelta(weeks=n)) for n in range(weeks, 0, -1)]
    existing = {(s.kind, s.start): s for s in Summary.objects.filter(start__gte=min(d for _, d in wanted))}
    done = {"daily": 0, "weekly": 0}
    for kind, start in wanted:
        summary = existing.get((kind, start))
        if summary is not None and summary_is_final(summary):
            continue
        summary_generate(kind=kind, day=start)
        done[str(kind)] += 1
    return done
