"""Campaign pages: the town's review queue, one visit with its review, correcting a visit sent
back, and registering a visit's problems in the ledger.

Review steps are buttons (htmx swaps the review card in place; without script the page reloads);
each calls `visit_review`, which alone decides what a state allows.
"""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from qiangji.campaign.access import runs_campaign
from qiangji.campaign.forms_visits import ProblemFromVisitForm, ReviewForm, visit_form_class
from qiangji.campaign.models import Visit, VisitTeam
from qiangji.campaign.selectors import get_visit_for_user
from qiangji.campaign.selectors_tasks import can_visit_grid, visit_comparison, visits_for_queue
from qiangji.campaign.services.visit_problems import PROBLEM_DAYS, visit_problem_register
from qiangji.campaign.services.visits import ACTION_LABELS, is_first_visit, visit_resubmit, visit_review
from qiangji.campaign.views.tasks import require_campaign, visit_done_response, visit_form_response
from qiangji.core.audit import audit
from qiangji.core.converters import parse_id
from qiangji.core.errors import DomainError
from qiangji.core.models import AuditEvent
from qiangji.core.pagination import paginate
from qiangji.orgs.models import Grid

REVIEW_DONE = {"approve": "已审核通过，主体信息已登记。", "send_back": "已退回修改，并告知走访队员。", "reject": "已不予采纳。"}
STATE_CHOICES = [(s, label) for s, label in Visit.State.choices]
EVENT_LABELS = {"submit": "提交", **ACTION_LABELS}


def require_town(request: HttpRequest) -> None:
    if not runs_campaign(request.user):
        raise Http404


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """Submitted visits waiting for the town, oldest first; by grid, team or another state."""
    require_town(request)
    state = request.GET.get("state", "")
    filters = {
        "grid": parse_id(request.GET.get("grid")),
        "team": parse_id(request.GET.get("team")),
        "state": state if state in Visit.State.values else "",
    }
    page = paginate(request, visits_for_queue(user=request.user, **filters))
    context: dict[str, Any] = {"page": page, "filters": filters}
    if request.htmx and not request.htmx.boosted:
        return render(request, "campaign/_review_table.html", context)
    context.update(
        {
            "grids": list(Grid.objects.order_by("number").values_list("pk", "name")),
            "teams": list(VisitTeam.objects.order_by("grid__number", "name").values_list("pk", "name")),
            "states": STATE_CHOICES,
        }
    )
    return render(request, "campaign/review_queue.html", context)


def _visit(request: HttpRequest, pk: int) -> Visit:
    require_campaign(request)
    visit = get_visit_for_user(request.user, pk)
    return Visit.objects.select_related(
        "task", "task__grid", "task__entity", "task__record", "team", "by", "reviewed_by", "problem"
    ).get(pk=visit.pk)


def _detail_context(request: HttpRequest, visit: Visit, *, revealed: bool = False, **extra: Any) -> dict[str, Any]:
    town = runs_campaign(request.user)
    may_reveal = can_visit_grid(request.user, visit.task.grid_id)
    actions = [a for a in ("approve", "send_back", "reject") if a in visit.allowed_actions()] if town else []
    events = [
        {"event": e, "label": EVENT_LABELS.get(e.action, e.action), "to": Visit.State(e.to_state).label}
        for e in visit.events.select_related("by")
    ]
    return {
        "visit": visit,
        "task": visit.task,
        "town": town,
        "actions": actions,
        "own": visit.by_id == request.user.pk,
        # The phones stay masked until the grid's team or the town asks (audited), as on the task.
        "comparison": visit_comparison(visit, reveal=revealed and may_reveal),
        "can_reveal": may_reveal and not revealed and "phone" in visit.facts,
        "events": events,
        "can_fix": visit.state == Visit.State.HAS_ISSUES and can_visit_grid(request.user, visit.task.grid_id),
        "can_register_problem": town and visit.state == Visit.State.APPROVED and bool(visit.problems) and not visit.problem_id,
        "problem_form": extra.pop("problem_form", None)
        or ProblemFromVisitForm(initial={"deadline": timezone.localdate() + dt.timedelta(days=PROBLEM_DAYS)}),
        "review_form": extra.pop("review_form", None) or ReviewForm(),
        **extra,
    }


def _render_detail(request: HttpRequest, visit: Visit, *, status: int = 200, **extra: Any) -> HttpResponse:
    context = _detail_context(request, visit, **extra)
    if extra.get("revealed"):
        return render(request, "campaign/visit_detail.html", context, status=status)
    if request.htmx and not request.htmx.boosted:
        # htmx swaps only 2xx answers: a refused step comes back as the panel with its message.
        return render(request, "campaign/_review_panel.html", context)
    return render(request, "campaign/visit_detail.html", context, status=status)


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A visit: the five musts, facts beside the register and the batch, its story, the review."""
    return _render_detail(request, _visit(request, pk))


@login_required
@require_POST
def visit_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The visit's phones in full for the grid's team and the town, each read in the audit log;
    others answer 404 like a missing page."""
    visit = _visit(request, pk)
    if not can_visit_grid(request.user, visit.task.grid_id):
        raise Http404
    audit(
        user=request.user,
        action=AuditEvent.Action.REVEAL,
        obj=visit,
        fields=["phone"],
        detail={"task": visit.task_id},
        request=request,
    )
    return _render_detail(request, visit, revealed=True)


@login_required
@require_POST
def visit_review_act(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    if not runs_campaign(request.user):
        raise PermissionDenied("只有镇党委管理员可以审核走访记录")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, visit, status=400, review_form=form, review_error="请选择审核操作。")
    action = form.cleaned_data["action"]
    try:
        visit = visit_review(visit=visit, by=request.user, action=action, comment=form.cleaned_data["comment"])
    except DomainError as error:
        form.add_error("comment" if error.field == "comment" else None, error.message)
        return _render_detail(request, visit, status=400, review_form=form, review_error=error.message, failed=action)
    messages.success(request, REVIEW_DONE[action])
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("campaign:visit_detail", args=[visit.pk])
        return response
    return redirect("campaign:visit_detail", visit.pk)


@login_required
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a visit that was sent back and submit it again (its team member, or the town)."""
    visit = _visit(request, pk)
    task = visit.task
    if not can_visit_grid(request.user, task.grid_id):
        raise PermissionDenied("该任务不属于您所在走访队伍的网格")
    if visit.state != Visit.State.HAS_ISSUES:
        messages.info(request, f"该走访记录{visit.get_state_display()}，无需修改。")
        return redirect("campaign:visit_detail", visit.pk)
    card_required = is_first_visit(task)
    form_class = visit_form_class(task)
    form = form_class(request.POST or None, initial=form_class.initial_for(visit), card_required=card_required)
    if request.method != "POST":
        if visit.facts.get("phone"):
            # The form gives the corrected phone back in full to be fixed: a read like the reveal.
            audit(
                user=request.user,
                action=AuditEvent.Action.REVEAL,
                obj=visit,
                fields=["phone"],
                detail={"task": task.pk, "via": "edit"},
                request=request,
            )
        return visit_form_response(request, task, form, visit=visit)
    if not form.is_valid():
        return visit_form_response(request, task, form, visit=visit, status=400)
    try:
        visit = visit_resubmit(visit=visit, by=request.user, data=form.service_data())
    except DomainError as error:
        form.add_domain_error(error)
        return visit_form_response(request, task, form, visit=visit, status=409 if error.field is None else 400)
    return visit_done_response(request, visit, created=False)


@login_required
@require_POST
def visit_problem(request: HttpRequest, pk: int) -> HttpResponse:
    """Register what the visit found as a problem (走访座谈) in the ledger."""
    visit = _visit(request, pk)
    if not runs_campaign(request.user):
        raise PermissionDenied("只有镇党委管理员可以将走访发现的问题登记到问题清单")
    form = ProblemFromVisitForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, visit, status=400, problem_form=form)
    try:
        problem = visit_problem_register(visit=visit, by=request.user, deadline=form.cleaned_data["deadline"])
    except DomainError as error:
        form.add_error("deadline" if error.field == "deadline" else None, error.message)
        return _render_detail(request, visit, status=400, problem_form=form, problem_error=error.message)
    messages.success(request, f"已登记到问题清单，编号{problem.number}，整改责任人：{problem.owner}。")
    return redirect("campaign:visit_detail", visit.pk)


urlpatterns = [
    path("review/", review_queue, name="review_queue"),
    path("visits/<id:pk>/", visit_detail, name="visit_detail"),
    path("visits/<id:pk>/reveal/", visit_reveal, name="visit_reveal"),
    path("visits/<id:pk>/review/", visit_review_act, name="visit_review"),
    path("visits/<id:pk>/edit/", visit_edit, name="visit_edit"),
    path("visits/<id:pk>/problem/", visit_problem, name="visit_problem"),
]
