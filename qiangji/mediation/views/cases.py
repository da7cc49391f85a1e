"""Mediation case pages: the scoped list, one case with its sittings and timeline, a new case,
and the steps on a case, each calling its one service.

A refused step (DomainError) shows its message on the case page (400); a step on a case the
user sees but does not run answers 403; a case they cannot see 404.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from qiangji.core.converters import parse_id
from qiangji.core.errors import DomainError
from qiangji.core.pagination import paginate
from qiangji.mediation.forms import CaseForm, MoveForm, SessionForm
from qiangji.mediation.models import MediationCase
from qiangji.mediation.selectors import cases_for_list, get_case_for_user, parties_for, studios_run_by
from qiangji.mediation.services import ACTION_LABELS, case_move, case_open, case_session_record, runs_studio
from qiangji.mediation.views.studios import require_mediation

STATE_CHOICES = [("open", "未结案"), *MediationCase.State.choices]
NOTE_LABELS = {"agree": "协议内容", "fail": "未达成原因", "close": "回访情况", "start": "说明", "resume": "说明"}
DONE = {
    "start": "已开始调解。",
    "agree": "已登记达成协议。",
    "fail": "已登记未达成协议。",
    "resume": "已重新开始调解。",
    "close": "已回访结案。",
}


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    require_mediation(request)
    state = request.GET.get("state", "")
    if state not in dict(STATE_CHOICES):
        state = ""
    context = {
        "page": paginate(request, cases_for_list(user=request.user, state=state)),
        "state": state,
        "state_choices": STATE_CHOICES,
        "can_open": bool(studios_run_by(request.user)),
    }
    return render(request, "mediation/cases.html", context)


def _events(case: MediationCase) -> list[Any]:
    labels = {**dict(MediationCase.State.choices), "": ""}
    events = list(case.events.select_related("by"))
    for e in events:
        e.from_label, e.to_label = labels.get(e.from_state, e.from_state), labels.get(e.to_state, e.to_state)
        e.action_label = ACTION_LABELS.get(e.action, "受理")
    return events


def render_case(
    request: HttpRequest, case: MediationCase, *, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    bound = bound or {}
    runs = runs_studio(request.user, case.studio)
    context = {
        "case": case,
        "parties": parties_for(request.user, case),
        "runs": runs,
        "mediators": case.mediators.all(),
        "sessions": case.sessions.prefetch_related("mediators"),
        "events": _events(case),
        "actions": [(a, ACTION_LABELS[a], NOTE_LABELS[a]) for a in case.allowed_actions()] if runs else [],
        "move_form": bound.get("move") or MoveForm(initial={"on": timezone.localdate()}),
        "move_action": bound.get("move_action", ""),
        "session_form": bound.get("session") or SessionForm(case=case),
        "can_add_session": runs and case.state in (MediationCase.State.ACCEPTED, MediationCase.State.MEDIATING),
    }
    return render(request, "mediation/case.html", context, status=status)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_case(request, get_case_for_user(request.user, pk))


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    require_mediation(request)
    studios = studios_run_by(request.user)
    if not studios:
        raise PermissionDenied("您无权为工作室受理案件")
    initial = {}
    if (studio_pk := parse_id(request.GET.get("studio"))) is not None:
        initial["studio"] = studio_pk
    form = CaseForm(request.POST or None, studios=studios, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        mediators = list(data.pop("mediators"))
        try:
            case = case_open(studio=data["studio"], by=request.user, data=data, mediators=mediators)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"已受理案件，编号{case.number}。")
            return redirect("mediation:case", case.pk)
    return render(request, "mediation/case_form.html", {"form": form}, status=400 if form.errors else 200)


def _refused(request: HttpRequest, case: MediationCase, key: str, form: Any, error: DomainError, **extra: Any) -> HttpResponse:
    form.add_error(error.field if error.field in form.fields else None, error.message)
    messages.error(request, error.message)
    return render_case(request, case, bound={key: form, **extra}, status=400)


@login_required
@require_POST
def session_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    if not runs_studio(request.user, case.studio):
        raise PermissionDenied("您无权办理该案件")
    form = SessionForm(request.POST, case=case)
    if not form.is_valid():
        messages.error(request, "填写的内容有误，请按提示修改后再提交。")
        return render_case(request, case, bound={"session": form}, status=400)
    try:
        case_session_record(case=case, by=request.user, **form.cleaned_data)
    except DomainError as error:
        return _refused(request, case, "session", form, error)
    messages.success(request, "已登记调解记录。")
    return redirect("mediation:case", case.pk)


@login_required
@require_POST
def case_act(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "填写的内容有误，请按提示修改后再提交。")
        return render_case(request, case, bound={"move": form}, status=400)
    data = form.cleaned_data
    try:
        case_move(case=case, by=request.user, action=data["action"], note=data["note"], on=data["on"])
    except DomainError as error:
        return _refused(request, case, "move", form, error, move_action=data["action"])
    messages.success(request, DONE[data["action"]])
    return redirect("mediation:case", case.pk)
