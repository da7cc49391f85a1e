"""Campaign pages: my visit tasks (我的走访任务), one task, and the visit form on a phone.

The visit form is sent by static/js/campaign-visit.js with fetch (Accept: application/json) so a
dropped connection keeps the visit on the phone; without script it posts as a plain form. Both
go through `visit_submit`, whose client_uuid makes a visit sent twice count once.
"""

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from qiangji.campaign.access import runs_campaign, team_grid_ids
from qiangji.campaign.forms_visits import VisitForm, visit_form_class
from qiangji.campaign.models import Visit, VisitTask, VisitTeam
from qiangji.campaign.selectors import get_task_for_user
from qiangji.campaign.selectors_tasks import (
    ACTIVE,
    STATUS_CHOICES,
    TaskFilters,
    analysis_rows,
    can_visit_grid,
    card_of,
    sees_campaign,
    subject_rows,
    subject_values,
    tasks_for_list,
)
from qiangji.campaign.services.visits import is_first_visit, visit_submit
from qiangji.core.audit import audit
from qiangji.core.converters import parse_id
from qiangji.core.errors import DomainError
from qiangji.core.models import AuditEvent
from qiangji.core.pagination import paginate
from qiangji.orgs.models import Grid

SUBMITTED_MESSAGE = "走访记录已提交，等待镇党委审核。"


def require_campaign(request: HttpRequest) -> None:
    """Roles with no part in the campaign get 404, like a missing page."""
    if not sees_campaign(request.user):
        raise Http404


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _filters(request: HttpRequest) -> TaskFilters:
    status = request.GET.get("status", ACTIVE) or ACTIVE
    kind = request.GET.get("kind", "")
    return TaskFilters(
        grid=parse_id(request.GET.get("grid")),
        team=parse_id(request.GET.get("team")),
        status=status if status in dict(STATUS_CHOICES) else ACTIVE,
        kind=kind if kind in VisitTask.Kind.values else "",
        overdue=request.GET.get("overdue") == "1",
    )


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    """A team member's tasks in their grids, soonest due first; the town sees all, with filters."""
    require_campaign(request)
    filters = _filters(request)
    today = timezone.localdate()
    page = paginate(request, tasks_for_list(user=request.user, filters=filters, today=today))
    town = runs_campaign(request.user)
    grids = team_grid_ids(request.user)
    context: dict[str, Any] = {
        "page": page,
        "filters": filters,
        "today": today,
        "town": town,
        "statuses": STATUS_CHOICES[1:],
        "kinds": VisitTask.Kind.choices,
        "my_teams": [] if town else list(VisitTeam.objects.filter(members=request.user, active=True).select_related("grid")),
    }
    if town:
        context["grids"] = list(Grid.objects.order_by("number").values_list("pk", "name"))
        context["teams"] = list(VisitTeam.objects.order_by("grid__number", "name").values_list("pk", "name"))
    elif grids:
        context["grids"] = list(Grid.objects.filter(pk__in=grids).order_by("number").values_list("pk", "name"))
    if request.htmx and not request.htmx.boosted:
        return render(request, "campaign/_task_cards.html", context)
    return render(request, "campaign/task_list.html", context)


def _task(request: HttpRequest, pk: int) -> VisitTask:
    require_campaign(request)
    task = get_task_for_user(request.user, pk)
    return VisitTask.objects.select_related("grid", "team", "entity", "entity__village", "record", "record__duplicate_of").get(
        pk=task.pk
    )


def _task_context(request: HttpRequest, task: VisitTask, *, reveal: bool = False) -> dict[str, Any]:
    _, source = subject_values(task)
    visits = list(task.visits.select_related("by", "team").order_by("-submitted_at", "-id"))
    return {
        "task": task,
        "today": timezone.localdate(),
        "rows": subject_rows(task, reveal=reveal),
        "revealed": reveal,
        "source": source,
        "analysis": analysis_rows(task),
        "record": task.record,
        "visits": visits,
        "sent_back": next((v for v in visits if v.state == Visit.State.HAS_ISSUES), None),
        "can_visit": can_visit_grid(request.user, task.grid_id),
        "card": card_of(task),
    }


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One task: what the team goes out with, what the analysis found, its visits."""
    task = _task(request, pk)
    return render(request, "campaign/task_detail.html", _task_context(request, task))


@login_required
@require_POST
def task_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """The full phone number, for the team to call; each read is written to the audit log."""
    task = _task(request, pk)
    if not can_visit_grid(request.user, task.grid_id):
        raise PermissionDenied("只有本网格走访队员和镇党委管理员可以查看完整联系电话")
    audit(
        user=request.user,
        action=AuditEvent.Action.REVEAL,
        obj=task.entity or task.record,
        fields=["phone"],
        detail={"task": task.pk},
        request=request,
    )
    context = _task_context(request, task, reveal=True)
    if request.htmx:
        return render(request, "campaign/_task_phone.html", context)
    return render(request, "campaign/task_detail.html", context)


def client_key(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _form_errors(form: VisitForm) -> dict[str, list[str]]:
    return {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}


def visit_form_response(
    request: HttpRequest, task: VisitTask, form: VisitForm, *, visit: Visit | None = None, status: int = 200
) -> HttpResponse:
    if wants_json(request) and request.method == "POST":
        message = form.non_field_errors()[0] if form.non_field_errors() else "填写的内容有误，请按提示修改后再提交。"
        return JsonResponse({"ok": False, "message": message, "errors": _form_errors(form)}, status=status)
    rows = subject_rows(task)
    form.show_current({row.field: row.value for row in rows})
    context = {
        "task": task,
        "form": form,
        "visit": visit,
        "rows": rows,
        "analysis": analysis_rows(task),
    }
    return render(request, "campaign/visit_form.html", context, status=status)


def visit_done_response(request: HttpRequest, visit: Visit, *, created: bool) -> HttpResponse:
    url = reverse("campaign:visit_detail", args=[visit.pk])
    if wants_json(request):
        body = {"ok": True, "visit": visit.pk, "state": visit.get_state_display(), "url": url, "message": SUBMITTED_MESSAGE}
        return JsonResponse(body, status=201 if created else 200)
    messages.success(request, SUBMITTED_MESSAGE)
    return redirect(url)


@login_required
def task_visit(request: HttpRequest, pk: int) -> HttpResponse:
    """The visit form: five musts, findings, corrected facts (a care task: the three sends and
    three asks instead); kept on the phone until sent."""
    task = _task(request, pk)
    if not can_visit_grid(request.user, task.grid_id):
        raise PermissionDenied("该任务不属于您所在走访队伍的网格")
    card_required = is_first_visit(task)
    form = visit_form_class(task)(request.POST or None, card_required=card_required)
    if request.method != "POST":
        return visit_form_response(request, task, form)
    key = client_key(form.data.get("client_uuid"))
    known = Visit.objects.filter(client_uuid=key, task=task).first() if key else None
    if known is not None:
        # The same visit sent again (a phone back online): answer as the first time.
        return visit_done_response(request, known, created=False)
    if not form.is_valid():
        return visit_form_response(request, task, form, status=400)
    try:
        visit = visit_submit(
            task=task, by=request.user, data=form.service_data(), client_uuid=form.cleaned_data["client_uuid"] or None
        )
    except DomainError as error:
        form.add_domain_error(error)
        return visit_form_response(request, task, form, status=409 if error.field is None else 400)
    return visit_done_response(request, visit, created=True)


urlpatterns = [
    path("tasks/", my_tasks, name="my_tasks"),
    path("tasks/<id:pk>/", task_detail, name="task_detail"),
    path("tasks/<id:pk>/phone/", task_phone, name="task_phone"),
    path("tasks/<id:pk>/visit/", task_visit, name="task_visit"),
]
