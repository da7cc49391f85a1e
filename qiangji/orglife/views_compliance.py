"""Compliance pages: one organization's year grid, the town/liaison heat map, the requirement table."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from qiangji.core.access import TOWN_ADMIN, get_scope
from qiangji.core.concurrency import StaleEdit
from qiangji.core.errors import DomainError
from qiangji.orglife.compliance import (
    HELD,
    MISSED,
    NOT_REQUIRED,
    STATUS_LABELS,
    compliance_grid,
    compliance_grids,
    compliance_missed_last_period,
    compliance_summary,
    requirements_active,
)
from qiangji.orglife.forms import RequirementForm
from qiangji.orglife.models import Requirement
from qiangji.orglife.selectors import organizations_for_compliance, requirements_all
from qiangji.orglife.services import requirement_update
from qiangji.orglife.views import STAFF, can_manage_any, require_role
from qiangji.orgs.selectors import get_organization_for_user

MONTHS = [f"{m}月" for m in range(1, 13)]
_SENTINEL_PK = 987654321


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        raise Http404
    if not 2000 <= year <= today.year + 1:
        raise Http404
    return year


@login_required
def grid(request: HttpRequest, org_pk: int) -> HttpResponse:
    """One organization, one year: a row per required kind, a cell per month, quarter or year."""
    require_role(request, *STAFF)
    organization = get_organization_for_user(request.user, org_pk)
    year, today = _year(request), timezone.localdate()
    rows = compliance_grid(organization, year=year, today=today)
    return render(
        request,
        "orglife/compliance_grid.html",
        {
            "organization": organization,
            "year": year,
            "years": range(today.year, today.year - 5, -1),
            "rows": rows,
            "summary": compliance_summary(rows),
            "labels": STATUS_LABELS,
            "months": MONTHS,
            "can_create": can_manage_any(request),
        },
    )


def heatmap_data(
    organizations: list[Any], grids: dict[int, list[Any]], requirements: list[Requirement], year: int
) -> dict[str, Any]:
    """ECharts heat map: organizations × kinds, value = share of due periods held (null: none due/required)."""
    points = []
    for y, org in enumerate(organizations):
        for x, row in enumerate(grids[org.pk]):
            # One pass over the cells instead of three (row.total twice, row.required): a town has ~1,400 rows.
            statuses = [cell.status for cell in row.cells]
            if statuses.count(NOT_REQUIRED) == len(statuses):
                continue
            held, missed = statuses.count(HELD), statuses.count(MISSED)
            value = round(100 * held / (held + missed)) if held + missed else None
            points.append([x, y, value, held, missed])
    # reverse() costs ~25 µs and the links differ only in the id: resolve once, fill in the ids.
    head, tail = reverse("orglife:grid", args=[_SENTINEL_PK]).split(str(_SENTINEL_PK))
    return {
        "kinds": [r.get_kind_display() for r in requirements],
        "organizations": [o.name for o in organizations],
        "links": [f"{head}{o.pk}{tail}?year={year}" for o in organizations],
        "points": points,
    }


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The town's (or a liaison group's) organizations at a glance, and who missed what."""
    require_role(request, *STAFF)
    year, today = _year(request), timezone.localdate()
    organizations = organizations_for_compliance(user=request.user)
    requirements = requirements_active()
    grids = compliance_grids(organizations, year=year, today=today, requirements=requirements)
    missed = compliance_missed_last_period(organizations, today=today, requirements=requirements, grids=grids, year=year)
    head, tail = reverse("orglife:grid", args=[_SENTINEL_PK]).split(str(_SENTINEL_PK))
    for item in missed:
        item["url"] = f"{head}{item['organization'].pk}{tail}?year={item['period'].year}"
    return render(
        request,
        "orglife/compliance_overview.html",
        {
            "year": year,
            "years": range(today.year, today.year - 5, -1),
            "heatmap": heatmap_data(organizations, grids, requirements, year),
            "organization_count": len(organizations),
            "missed": missed,
        },
    )


@login_required
def requirements(request: HttpRequest) -> HttpResponse:
    require_role(request, *STAFF)
    return render(
        request,
        "orglife/requirements.html",
        {"requirements": requirements_all(), "can_edit": require_admin_ok(request)},
    )


def require_admin_ok(request: HttpRequest) -> bool:
    return get_scope(request.user).has_role(TOWN_ADMIN)


@login_required
def requirement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not require_admin_ok(request):
        raise Http404
    requirement = get_object_or_404(Requirement, pk=pk)
    initial = {name: getattr(requirement, name) for name in Requirement.HISTORY_FIELDS}
    form = RequirementForm(request.POST or None, initial=initial, instance=requirement)
    if request.method == "POST" and form.is_valid():
        try:
            requirement_update(
                requirement=requirement, by=request.user, data=form.cleaned_data, expected_version=form.cleaned_data["version"]
            )
        except StaleEdit as stale:
            form.show_stale(stale)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"已保存“{requirement.get_kind_display()}”的要求。")
            return redirect("orglife:requirements")
    return render(request, "orglife/requirement_form.html", {"form": form, "requirement": requirement})
