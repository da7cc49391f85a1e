"""Campaign pages: the visiting teams (三人行) by grid, their editing, and the five-musts
checklist editor (五必须). The town admin edits; team members see the list read-only."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from qiangji.campaign.access import runs_campaign, team_grid_ids
from qiangji.campaign.forms_visits import ChecklistItemForm, TeamForm
from qiangji.campaign.models import ChecklistItem, VisitTeam
from qiangji.campaign.selectors_tasks import teams_for_page
from qiangji.campaign.services.teams import (
    checklist_item_add,
    checklist_item_move,
    checklist_item_rename,
    checklist_item_set_active,
    team_create,
    team_size_warning,
    team_update,
)
from qiangji.core.concurrency import StaleEdit
from qiangji.core.errors import DomainError


def _require_viewer(request: HttpRequest) -> bool:
    """The town and team members see the teams; everybody else gets 404. Returns: may edit."""
    town = runs_campaign(request.user)
    if not town and not team_grid_ids(request.user):
        raise Http404
    return town


def _require_town(request: HttpRequest) -> None:
    if not _require_viewer(request):
        raise PermissionDenied("只有镇党委管理员可以调整走访队伍和“五必须”事项")


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    """Teams by grid: members, leader, open tasks, visits this month; a warning if not three."""
    town = _require_viewer(request)
    teams = list(teams_for_page())
    for team in teams:
        team.size_warning = team_size_warning(len(team.members.all()))
    return render(request, "campaign/team_list.html", {"teams": teams, "town": town})


def _save(request: HttpRequest, form: TeamForm, team: VisitTeam | None) -> HttpResponse | None:
    if not form.is_valid():
        return None
    try:
        if team is None:
            team = team_create(by=request.user, data=form.cleaned_data)
        else:
            team = team_update(team=team, by=request.user, data=form.cleaned_data, expected_version=form.cleaned_data["version"])
    except StaleEdit as stale:
        form.show_stale(stale)
        return None
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None
    messages.success(request, f"已保存走访队伍“{team.name}”。")
    warning = team_size_warning(team.members.count())
    if warning:
        messages.warning(request, warning)
    return redirect("campaign:team_list")


@login_required
def team_create_page(request: HttpRequest) -> HttpResponse:
    _require_town(request)
    form = TeamForm(request.POST or None)
    done = _save(request, form, None) if request.method == "POST" else None
    return done or render(request, "campaign/team_form.html", {"form": form, "team": None}, status=400 if form.errors else 200)


@login_required
def team_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    _require_town(request)
    team = get_object_or_404(VisitTeam, pk=pk)
    form = TeamForm(request.POST or None, initial=TeamForm.initial_for(team), instance=team)
    done = _save(request, form, team) if request.method == "POST" else None
    return done or render(request, "campaign/team_form.html", {"form": form, "team": team}, status=400 if form.errors else 200)


def _checklist_page(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    context = {
        "items": list(ChecklistItem.objects.order_by("order", "id")),
        "form": extra.pop("form", None) or ChecklistItemForm(),
        **extra,
    }
    return render(request, "campaign/team_checklist.html", context, status=status)


@login_required
def checklist_page(request: HttpRequest) -> HttpResponse:
    """The five musts as teams are asked them; the town adds, renames, reorders, switches off."""
    _require_town(request)
    if request.method == "POST":
        form = ChecklistItemForm(request.POST)
        if form.is_valid():
            try:
                item = checklist_item_add(by=request.user, label=form.cleaned_data["label"])
            except DomainError as error:
                form.add_error("label", error.message)
            else:
                messages.success(request, f"已新增事项“{item.label}”。")
                return redirect("campaign:checklist")
        return _checklist_page(request, status=400, form=form)
    return _checklist_page(request)


OPS = {"rename", "up", "down", "disable", "enable"}


@login_required
@require_POST
def checklist_item_op(request: HttpRequest, pk: int, op: str) -> HttpResponse:
    _require_town(request)
    if op not in OPS:
        raise Http404
    item = get_object_or_404(ChecklistItem, pk=pk)
    try:
        if op == "rename":
            checklist_item_rename(item=item, by=request.user, label=request.POST.get("label", ""))
            messages.success(request, f"已修改为“{item.label}”，已提交的走访记录保留原事项。")
        elif op in ("up", "down"):
            checklist_item_move(item=item, by=request.user, step=-1 if op == "up" else 1)
        else:
            checklist_item_set_active(item=item, by=request.user, active=op == "enable")
            messages.success(request, f"已{'启用' if op == 'enable' else '停用'}“{item.label}”。")
    except DomainError as error:
        messages.error(request, error.message)
        return _checklist_page(request, status=400, failed=item.pk)
    return redirect("campaign:checklist")


urlpatterns = [
    path("teams/", team_list, name="team_list"),
    path("teams/new/", team_create_page, name="team_create"),
    path("teams/<id:pk>/edit/", team_edit_page, name="team_edit"),
    path("checklist/", checklist_page, name="checklist"),
    path("checklist/<id:pk>/<str:op>/", checklist_item_op, name="checklist_op"),
]
