"""Reads of work plans and term reminders, always starting from `for_user`."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.shortcuts import get_object_or_404

from qiangji.core.access import LIAISON, TOWN_ADMIN, Action, get_scope
from qiangji.core.text import natural_key
from qiangji.orgs.models import LiaisonGroup, Organization
from qiangji.plans.models import WorkPlan

NO_GROUP = "未分配指导联络组"


@dataclass
class PlanRow:
    organization: Organization
    plan: WorkPlan | None
    groups: list[str]

    @property
    def filed(self) -> bool:
        return self.plan is not None and self.plan.status == WorkPlan.Status.FILED


@dataclass
class GroupBlock:
    name: str
    rows: list[PlanRow] = field(default_factory=list)


def get_workplan_for_user(user: Any, pk: int, action: Action = "view") -> WorkPlan:
    """404 alike for a missing plan and one outside the user's scope."""
    qs = WorkPlan.objects.for_user(user, action).select_related("organization", "filed_by", "returned_by")
    return get_object_or_404(qs, pk=pk)


def organizations_filing(*, user: Any, action: Action = "view") -> Any:
    """The organizations that file a plan: active ones above the Party group."""
    return Organization.objects.for_user(user, action).active().exclude(kind=Organization.Kind.GROUP).order_by("path")


def plan_rows(*, user: Any, year: int) -> list[PlanRow]:
    """Each organization in scope with its plan for the year and its liaison groups: three queries.

    An organization belongs to a liaison group when the group contacts it or an organization
    above it, as access does. Groups are those the user sees: all for the town, their own for a
    liaison member.
    """
    scope = get_scope(user)
    orgs = list(organizations_filing(user=user))
    plans = {
        p.organization_id: p for p in WorkPlan.objects.for_user(user).filter(year=year).select_related("filed_by").defer("text")
    }
    groups = LiaisonGroup.objects.all()
    if scope.has_role(LIAISON) and not scope.has_role(TOWN_ADMIN):
        groups = groups.filter(pk__in=scope.liaison_group_ids)
    group_paths: dict[str, list[str]] = {}
    for name, path in groups.filter(organizations__isnull=False).values_list("name", "organizations__path"):
        group_paths.setdefault(name, []).append(path)
    rows = []
    for org in orgs:
        names = sorted(
            (name for name, paths in group_paths.items() if any(org.path.startswith(p) for p in paths)), key=natural_key
        )
        rows.append(PlanRow(organization=org, plan=plans.get(org.pk), groups=names))
    return rows


def not_filed_by_group(rows: list[PlanRow]) -> list[GroupBlock]:
    """The organizations without a filed plan, under each liaison group; those in none come last."""
    blocks: dict[str, GroupBlock] = {}
    loose = GroupBlock(NO_GROUP)
    for row in rows:
        if row.filed:
            continue
        if not row.groups:
            loose.rows.append(row)
        for name in row.groups:
            blocks.setdefault(name, GroupBlock(name)).rows.append(row)
    ordered = [blocks[name] for name in sorted(blocks, key=natural_key)]  # 第一…第四, not by code point
    return ordered + ([loose] if loose.rows else [])


def terms_ending(*, user: Any, today: dt.date) -> list[Organization]:
    """Organizations in scope whose term has ended or ends within 6 months, most urgent first."""
    orgs = list(Organization.objects.for_user(user).term_ending(today=today, months=6).order_by("term_end", "path"))
    for org in orgs:
        org.term_state = org.term_status(today)
        org.term_label = Organization.TERM_STATUS_LABELS[org.term_state]
    return orgs


def organizations_not_filed(*, user: Any, year: int) -> Any:
    """Organizations in scope without a filed plan for the year (a returned one is not filed)."""
    filed = WorkPlan.objects.filter(year=year, status=WorkPlan.Status.FILED).values("organization_id")
    return organizations_filing(user=user).exclude(pk__in=filed)


def plans_filed(*, user: Any, start: dt.date, end: dt.date) -> Any:
    """Filed plans (a returned one is not filed) for the years [start, end] touches, in scope."""
    qs = WorkPlan.objects.for_user(user).filed().filter(year__gte=start.year, year__lte=end.year)
    return qs.select_related("organization").order_by("-year", "organization__path")
