"""Grading pages (晋位升级): each organization's grade for a year, and the town's list of grades."""

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from qiangji.core.access import LIAISON, SECRETARY, TOWN_ADMIN, get_scope
from qiangji.core.concurrency import StaleEdit
from qiangji.core.errors import DomainError
from qiangji.ledger.forms.grades import GradeForm, GradeLevelForm
from qiangji.ledger.models import GradeLevel
from qiangji.ledger.selectors import GradeRow, grading_rows
from qiangji.ledger.services.grades import GRADED_KINDS, grade_level_save, grade_set
from qiangji.orgs.selectors import get_organization_for_user

STAFF = (TOWN_ADMIN, LIAISON, SECRETARY)
# The navigation entry "晋位升级" shares /ledger/ with the problem list; these pages mark it active.
NAV_SECTION = "grading"


def require_role(request: HttpRequest, *roles: str) -> None:
    """Pages a role has no use for answer 404, like a missing page."""
    if not get_scope(request.user).has_role(*roles):
        raise Http404


def year_from(params: Any) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(params.get("year", this_year))
    except (TypeError, ValueError):
        return this_year
    return year if this_year - 10 <= year <= this_year + 1 else this_year


def years_around() -> range:
    this_year = timezone.localdate().year
    return range(this_year + 1, this_year - 5, -1)


def _summary(rows: list[GradeRow], levels: list[GradeLevel]) -> dict[str, Any]:
    by_level = Counter(row.grade.level_id for row in rows if row.grade is not None)
    plans = Counter(row.plan_status for row in rows if row.needs_plan)
    return {
        "levels": [(level, by_level.get(level.pk, 0)) for level in levels],
        "ungraded": sum(1 for row in rows if row.grade is None),
        "needing_plan": sum(plans.values()),
        "without_plan": plans.get("none", 0),
        "behind": plans.get("behind", 0),
    }


def _levels_shown(rows: list[GradeRow]) -> list[GradeLevel]:
    # Switched-off levels still show while organizations hold them for the year.
    used = {row.grade.level.pk: row.grade.level for row in rows if row.grade is not None}
    active = {level.pk: level for level in GradeLevel.objects.filter(active=True)}
    return sorted({**used, **active}.values(), key=lambda level: level.rank)


@login_required
def grades(request: HttpRequest) -> HttpResponse:
    """Every general branch and branch in scope with its grade and, where needed, its plan."""
    require_role(request, *STAFF)
    year = year_from(request.GET)
    rows = grading_rows(user=request.user, year=year, today=timezone.localdate())
    levels = _levels_shown(rows)
    context = {
        "year": year,
        "years": years_around(),
        "rows": rows,
        "summary": _summary(rows, levels),
        "active_levels": [level for level in levels if level.active],
        "can_grade": get_scope(request.user).has_role(TOWN_ADMIN),
        "nav_section": NAV_SECTION,
    }
    return render(request, "ledger/grade_list.html", context)


@login_required
@require_POST
def grade_save(request: HttpRequest, org_pk: int) -> HttpResponse:
    """Save one row of the grading page (htmx swaps the row; without scripts, back to the page)."""
    require_role(request, TOWN_ADMIN)
    organization = get_organization_for_user(request.user, org_pk, "manage")
    if organization.kind not in GRADED_KINDS:
        raise Http404
    year = year_from(request.POST)
    form = GradeForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            grade_set(by=request.user, organization=organization, year=year, **form.cleaned_data)
        except (DomainError, PermissionDenied) as exc:
            error = getattr(exc, "message", None) or str(exc)
    else:
        error = "；".join(e for errors in form.errors.values() for e in errors)
    if not request.htmx:
        if error:
            messages.error(request, f"{organization.name}：{error}")
        else:
            messages.success(request, f"已保存{organization.name}{year}年的等次。")
        return redirect(reverse("ledger:grades") + f"?year={year}")
    rows = grading_rows(user=request.user, year=year, today=timezone.localdate())
    levels = _levels_shown(rows)
    row = next(r for r in rows if r.organization.pk == organization.pk)
    context = {
        "row": row,
        "year": year,
        "summary": _summary(rows, levels),
        "active_levels": [level for level in levels if level.active],
        "can_grade": True,
        "row_error": error,
        "saved": not error,
        "oob": True,
    }
    # htmx swaps only 2xx answers: the row carries its own error message.
    return render(request, "ledger/_grade_row.html", context)


@login_required
def grade_levels(request: HttpRequest) -> HttpResponse:
    """The town's list of grades, and a form to add one."""
    require_role(request, TOWN_ADMIN)
    form = GradeLevelForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            level = grade_level_save(by=request.user, data=form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"已添加等次“{level.name}”。")
            return redirect("ledger:grade_levels")
    levels = GradeLevel.objects.all()
    status = 400 if request.method == "POST" else 200
    context = {"levels": levels, "form": form, "nav_section": NAV_SECTION}
    return render(request, "ledger/grade_levels.html", context, status=status)


@login_required
def grade_level_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request, TOWN_ADMIN)
    level = get_object_or_404(GradeLevel, pk=pk)
    initial = {"name": level.name, "rank": level.rank, "needs_plan": level.needs_plan, "active": level.active}
    form = GradeLevelForm(request.POST or None, initial=initial, instance=level)
    if request.method == "POST" and form.is_valid():
        try:
            grade_level_save(by=request.user, level=level, data=form.cleaned_data, expected_version=form.cleaned_data["version"])
        except StaleEdit as stale:
            form.show_stale(stale)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"已保存等次“{form.cleaned_data['name']}”。")
            return redirect("ledger:grade_levels")
    status = 400 if request.method == "POST" else 200
    context = {"level": level, "form": form, "nav_section": NAV_SECTION}
    return render(request, "ledger/grade_level_form.html", context, status=status)
