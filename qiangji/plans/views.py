"""Work plan pages (the year's overview, filing, one plan, the not-filed export) and the term list."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from qiangji.core.access import LIAISON, SECRETARY, TOWN_ADMIN, get_scope
from qiangji.core.concurrency import StaleEdit
from qiangji.core.errors import DomainError
from qiangji.core.exports import xlsx_response
from qiangji.orgs.selectors import get_organization_for_user
from qiangji.plans.forms import ReturnForm, WorkPlanForm
from qiangji.plans.models import WorkPlan
from qiangji.plans.selectors import get_workplan_for_user, not_filed_by_group, plan_rows, terms_ending
from qiangji.plans.services import workplan_file, workplan_return

STAFF = (TOWN_ADMIN, LIAISON, SECRETARY)


def _require_role(request: HttpRequest, *roles: str) -> None:
    """Pages a role has no use for answer 404, like a missing page."""
    if not get_scope(request.user).has_role(*roles):
        raise Http404


def _year(request: HttpRequest) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        return this_year
    return year if this_year - 10 <= year <= this_year + 1 else this_year


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The year's plans: who has filed, and who has not, by liaison group."""
    _require_role(request, *STAFF)
    year = _year(request)
    rows = plan_rows(user=request.user, year=year)
    scope = get_scope(request.user)
    this_year = timezone.localdate().year
    context: dict[str, Any] = {
        "year": year,
        "years": range(this_year + 1, this_year - 5, -1),
        "rows": rows,
        "filed_count": sum(1 for r in rows if r.filed),
        "blocks": not_filed_by_group(rows),
        "can_file": bool(scope.manage_paths) or scope.superuser,
    }
    return render(request, "plans/index.html", context)


@login_required
def export_not_filed(request: HttpRequest) -> HttpResponse:
    _require_role(request, *STAFF)
    year = _year(request)
    blocks = not_filed_by_group(plan_rows(user=request.user, year=year))

    def rows():
        for block in blocks:
            for row in block.rows:
                yield [
                    block.name,
                    row.organization.name,
                    row.organization.get_kind_display(),
                    "已退回" if row.plan else "未备案",
                    row.plan.comment if row.plan else "",
                ]

    return xlsx_response(
        request=request,
        filename=f"{year}年工作计划未备案党组织.xlsx",
        title=f"{year}年未备案",
        headers=["指导联络组", "党组织", "组织类别", "状态", "退回意见"],
        rows=rows(),
        object_type="plans.WorkPlan",
    )


@login_required
def create(request: HttpRequest) -> HttpResponse:
    """File (or file again) a plan for an organization the user manages."""
    scope = get_scope(request.user)
    if not (scope.manage_paths or scope.superuser):
        raise Http404
    initial: dict[str, Any] = {"year": _year(request)}
    if request.GET.get("org"):
        try:
            organization = get_organization_for_user(request.user, int(request.GET["org"]), "manage")
        except ValueError:
            raise Http404
        initial["organization"] = organization.pk
        initial["title"] = f"{organization.name}{initial['year']}年工作计划"
        # The plan this page will replace, as it is now (0: none yet).
        existing = WorkPlan.objects.filter(organization=organization, year=initial["year"]).first()
        initial["version"] = existing.version if existing else 0
    form = WorkPlanForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    form.fields["organization"].empty_label = "请选择党组织"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = workplan_file(
                organization=data["organization"],
                year=data["year"],
                by=request.user,
                title=data["title"],
                text=data["text"],
                file=data["file"],
                expected_version=data["version"],
            )
        except StaleEdit as stale:
            form.show_stale(stale)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"已备案“{plan.organization.name}”{plan.year}年工作计划。")
            return redirect("plans:detail", plan.pk)
    return render(request, "plans/form.html", {"form": form})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_workplan_for_user(request.user, pk)
    scope = get_scope(request.user)
    context = {
        "plan": plan,
        "can_file": scope.covers(plan.organization.path, "manage"),
        "can_return": scope.has_role(TOWN_ADMIN) and scope.covers(plan.organization.path, "manage"),
        "return_form": ReturnForm(),
    }
    return render(request, "plans/detail.html", context)


@login_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_workplan_for_user(request.user, pk)
    if not plan.file:
        raise Http404
    return FileResponse(plan.file.open("rb"), as_attachment=True, filename=plan.file_name or plan.file.name)


@login_required
@require_POST
def return_plan(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_workplan_for_user(request.user, pk, "manage")
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            workplan_return(plan=plan, by=request.user, comment=form.cleaned_data["comment"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "已退回，并通知了备案人。")
    else:
        messages.error(request, "请填写退回意见。")
    return redirect("plans:detail", plan.pk)


@login_required
def terms(request: HttpRequest) -> HttpResponse:
    """Terms ended or ending within 6 months, read from the dates (not from a job)."""
    _require_role(request, *STAFF)
    today = timezone.localdate()
    orgs = terms_ending(user=request.user, today=today)
    return render(request, "plans/terms.html", {"orgs": orgs, "today": today})
