"""Rectification plan pages (一支部一方案): the year's plans and to-do list, one plan and its items."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from qiangji.core.concurrency import StaleEdit, VersionedForm
from qiangji.core.converters import parse_id
from qiangji.core.errors import DomainError
from qiangji.ledger.forms.grades import CheckForm, PlanForm, PlanItemForm, ProgressForm
from qiangji.ledger.models import Measure, RectificationPlan
from qiangji.ledger.permissions import can_check_measure, can_edit_plan, can_work_measure
from qiangji.ledger.selectors import get_plan_for_user, organizations_without_plan_by_group, plans_for_list
from qiangji.ledger.services.grades import plan_save
from qiangji.ledger.services.measures import measure_add, measure_check, measure_progress
from qiangji.ledger.views.grades import NAV_SECTION, STAFF, require_role, year_from, years_around
from qiangji.orgs.selectors import get_organization_for_user


def _refused(form: Any, error: Exception) -> None:
    """A service's refusal as a form error: on its field when the form has it."""
    if isinstance(error, StaleEdit) and isinstance(form, VersionedForm):
        form.show_stale(error)
    elif isinstance(error, DomainError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
    else:
        form.add_error(None, str(error) or "您无权进行此项操作")


@login_required
def plans(request: HttpRequest) -> HttpResponse:
    """The year's plans with their progress, and the organizations still without one."""
    require_role(request, *STAFF)
    year = year_from(request.GET)
    today = timezone.localdate()
    rows = list(plans_for_list(user=request.user, year=year, today=today))
    context = {
        "year": year,
        "years": years_around(),
        "plans": rows,
        "behind_count": sum(1 for p in rows if p.behind_count),
        "blocks": organizations_without_plan_by_group(user=request.user, year=year),
        "nav_section": NAV_SECTION,
    }
    return render(request, "ledger/plan_list.html", context)


def _items(plan: RectificationPlan, user: Any, today: Any) -> list[Measure]:
    items = list(plan.items.select_related("owner", "checked_by"))
    for item in items:
        item.plan = plan  # the permission checks read item.organization through the plan
        item.behind = item.is_behind(today)
        item.may_work = item.state != Measure.State.CHECKED and can_work_measure(user, item)
        item.may_check = item.state == Measure.State.DONE and can_check_measure(user, item)
    return items


def _detail(
    request: HttpRequest, plan: RectificationPlan, *, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    forms = forms or {}
    context = {
        "plan": plan,
        "items": _items(plan, request.user, today),
        "can_edit": can_edit_plan(request.user, plan),
        "item_form": forms.get("item") or PlanItemForm(organization=plan.organization),
        "failed_item": forms.get("failed_item"),
        "progress_form": forms.get("progress") or ProgressForm(),
        "check_form": forms.get("check") or CheckForm(),
        "today": today,
        "nav_section": NAV_SECTION,
    }
    return render(request, "ledger/plan_detail.html", context, status=status)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One plan: its analysis and goals, and its items with progress and checks; behind ones marked."""
    return _detail(request, get_plan_for_user(request.user, pk))


@login_required
def plan_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Write a plan (for ?org=&year=) or edit one: the organization's secretary or those above it."""
    if pk is not None:
        plan = get_plan_for_user(request.user, pk)
        organization, year = plan.organization, plan.year
        initial = {"title": plan.title, "analysis": plan.analysis, "goals": plan.goals}
    else:
        org_pk = parse_id(request.GET.get("org"))
        if org_pk is None:
            raise Http404
        organization = get_organization_for_user(request.user, org_pk)
        year = year_from(request.GET)
        plan = RectificationPlan.objects.filter(organization=organization, year=year).first()
        if plan is not None:
            return redirect("ledger:plan_edit", plan.pk)
        initial = {"title": f"{organization.name}{year}年整改提升方案"}
    if not can_edit_plan(request.user, plan or RectificationPlan(organization=organization, year=year)):
        raise Http404
    form = PlanForm(request.POST or None, initial=initial, instance=plan)
    if request.method == "POST" and form.is_valid():
        # A new plan's page expects none: one written meanwhile by someone else is shown, not replaced.
        expected = form.cleaned_data["version"] if plan is not None else 0
        try:
            saved = plan_save(
                by=request.user, organization=organization, year=year, data=form.cleaned_data, expected_version=expected
            )
        except (DomainError, PermissionDenied) as error:
            _refused(form, error)
        else:
            messages.success(request, "已保存整改方案。" if plan else "已制定整改方案，请逐项添加整改措施。")
            return redirect("ledger:plan_detail", saved.pk)
    context = {"form": form, "plan": plan, "organization": organization, "year": year, "nav_section": NAV_SECTION}
    return render(request, "ledger/plan_form.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def plan_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk)
    form = PlanItemForm(request.POST, organization=plan.organization)
    if form.is_valid():
        try:
            measure_add(by=request.user, data=form.cleaned_data, plan=plan)
        except (DomainError, PermissionDenied) as error:
            _refused(form, error)
        else:
            messages.success(request, "已添加整改措施。")
            return redirect("ledger:plan_detail", plan.pk)
    return _detail(request, plan, forms={"item": form}, status=400)


def _item(request: HttpRequest, pk: int, item_pk: int) -> tuple[RectificationPlan, Measure]:
    plan = get_plan_for_user(request.user, pk)
    return plan, get_object_or_404(Measure, pk=item_pk, plan=plan)


@login_required
@require_POST
def plan_item_progress(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """The item's owner (or the organization) reports progress; 100% means done, ready to check."""
    plan, item = _item(request, pk, item_pk)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            measure_progress(
                measure=item, by=request.user, progress=form.cleaned_data["progress"], note=form.cleaned_data["progress_note"]
            )
        except (DomainError, PermissionDenied) as error:
            _refused(form, error)
        else:
            messages.success(request, "已填报进展。")
            return redirect("ledger:plan_detail", plan.pk)
    return _detail(request, plan, forms={"progress": form, "failed_item": item.pk}, status=400)


@login_required
@require_POST
def plan_item_check(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """The liaison group (or those above), never the item's owner, checks a done item."""
    plan, item = _item(request, pk, item_pk)
    form = CheckForm(request.POST)
    if form.is_valid():
        try:
            measure_check(measure=item, by=request.user, passed=form.cleaned_data["passed"], note=form.cleaned_data["check_note"])
        except (DomainError, PermissionDenied) as error:
            _refused(form, error)
        else:
            messages.success(request, "验收通过。" if form.cleaned_data["passed"] else "已退回整改。")
            return redirect("ledger:plan_detail", plan.pk)
    return _detail(request, plan, forms={"check": form, "failed_item": item.pk}, status=400)
