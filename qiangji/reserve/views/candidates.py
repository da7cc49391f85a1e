"""Reserve pool pages: the pools, one candidate's profile and timeline, entering a member, and the
steps on a candidate (move, assess, mentor), each calling its one service.

A refused step (DomainError) shows its message on the candidate page with the input kept (400);
a step the user has no right to (PermissionDenied) answers 403; a candidate they cannot see 404.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from qiangji.core.access import get_scope
from qiangji.core.converters import parse_id
from qiangji.core.errors import DomainError
from qiangji.reserve.forms import AssessmentForm, EnterForm, MentorshipForm, MoveForm
from qiangji.reserve.models import Candidate
from qiangji.reserve.selectors import (
    candidate_timeline,
    candidate_trainings,
    get_candidate_for_user,
    members_enterable,
    pools_overview,
    sees_reserve,
)
from qiangji.reserve.services import (
    ACTION_LABELS,
    assessment_record,
    candidate_enter,
    candidate_move,
    manages_member,
    mentorship_sign,
    runs_pools,
)

MOVE_DONE = {"assess": "已列为考察对象。", "return": "已退回在库。", "appoint": "已登记任用。", "leave": "已办理出库。"}


def require_reserve(request: HttpRequest) -> None:
    if not sees_reserve(request.user):
        raise Http404


@login_required
def pools(request: HttpRequest) -> HttpResponse:
    """Each pool: its current candidates by state with counts, and the history of those who left it."""
    require_reserve(request)
    context = {
        "pools": pools_overview(user=request.user),
        "states": Candidate.State,
        "can_enter": bool(get_scope(request.user).manage_paths) or get_scope(request.user).superuser,
        "runs_pools": runs_pools(request.user),
    }
    return render(request, "reserve/pools.html", context)


def render_candidate(
    request: HttpRequest, candidate: Candidate, *, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    bound = bound or {}
    member = candidate.member
    today = timezone.localdate()
    admin = runs_pools(request.user)
    current = candidate.state in Candidate.CURRENT_STATES
    context = {
        "candidate": candidate,
        "member": member,
        "age": member.age_on(today),
        "timeline": candidate_timeline(candidate),
        "trainings": candidate_trainings(candidate, today.year),
        "mentorships": list(candidate.mentorships.select_related("mentor")),
        "actions": [(a, ACTION_LABELS[a]) for a in candidate.allowed_actions()] if admin else [],
        "move_form": bound.get("move") or MoveForm(initial={"on": today}),
        "move_action": bound.get("move_action", ""),
        "assessment_form": bound.get("assessment") or AssessmentForm(initial={"on": today}),
        "mentorship_form": bound.get("mentorship") or MentorshipForm(initial={"started_on": today}),
        "can_assess": current and manages_member(request.user, member),
        "can_sign": current and admin,
    }
    return render(request, "reserve/candidate.html", context, status=status)


@login_required
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_reserve(request)
    return render_candidate(request, get_candidate_for_user(request.user, pk))


def _refused(request: HttpRequest, candidate: Candidate, key: str, form: Any, error: DomainError, **extra: Any) -> HttpResponse:
    form.add_error(error.field if error.field in form.fields else None, error.message)
    messages.error(request, error.message)
    return render_candidate(request, candidate, bound={key: form, **extra}, status=400)


@login_required
@require_POST
def candidate_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_reserve(request)
    candidate = get_candidate_for_user(request.user, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "填写的内容有误，请按提示修改后再提交。")
        return render_candidate(request, candidate, bound={"move": form}, status=400)
    data = form.cleaned_data
    try:
        candidate_move(
            candidate=candidate, by=request.user, action=data["action"], reason=data["reason"], post=data["post"], on=data["on"]
        )
    except DomainError as error:
        return _refused(request, candidate, "move", form, error, move_action=data["action"])
    messages.success(request, MOVE_DONE[data["action"]])
    return redirect("reserve:candidate", candidate.pk)


@login_required
@require_POST
def assessment_add(request: HttpRequest, pk: int) -> HttpResponse:
    require_reserve(request)
    candidate = get_candidate_for_user(request.user, pk)
    form = AssessmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "填写的内容有误，请按提示修改后再提交。")
        return render_candidate(request, candidate, bound={"assessment": form}, status=400)
    try:
        assessment_record(candidate=candidate, by=request.user, **form.cleaned_data)
    except DomainError as error:
        return _refused(request, candidate, "assessment", form, error)
    messages.success(request, "已记录跟踪考察。")
    return redirect("reserve:candidate", candidate.pk)


@login_required
@require_POST
def mentorship_add(request: HttpRequest, pk: int) -> HttpResponse:
    require_reserve(request)
    candidate = get_candidate_for_user(request.user, pk)
    if not runs_pools(request.user):
        raise PermissionDenied("只有镇党委管理员可以签订带教协议")
    form = MentorshipForm(request.POST)
    if not form.is_valid():
        messages.error(request, "填写的内容有误，请按提示修改后再提交。")
        return render_candidate(request, candidate, bound={"mentorship": form}, status=400)
    try:
        mentorship_sign(candidate=candidate, by=request.user, **form.cleaned_data)
    except DomainError as error:
        return _refused(request, candidate, "mentorship", form, error)
    messages.success(request, "已签订带教协议。")
    return redirect("reserve:candidate", candidate.pk)


def _require_enter(request: HttpRequest) -> None:
    require_reserve(request)
    scope = get_scope(request.user)
    if not (scope.superuser or scope.manage_paths):
        raise PermissionDenied("只有镇党委和党组织书记可以推荐党员入库")


@login_required
def candidate_enter_view(request: HttpRequest) -> HttpResponse:
    """Enter a member the user manages: found by name through htmx, chosen, with the route."""
    _require_enter(request)
    form = EnterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            candidate = candidate_enter(
                pool=data["pool"],
                member=data["member"],
                by=request.user,
                route=data["route"],
                recommendation=data["recommendation"],
                on=data["entered_on"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"已将{candidate.member.name}列入{candidate.pool.name}。")
            return redirect("reserve:candidate", candidate.pk)
    chosen = form["member"].value()
    options = list(members_enterable(user=request.user, text=request.GET.get("q", "")))
    if parse_id(chosen) is not None and all(str(m.pk) != str(chosen) for m in options):
        options = list(form.fields["member"].queryset.filter(pk=chosen)) + options
    context = {"form": form, "options": options, "chosen": str(chosen or "")}
    return render(request, "reserve/enter.html", context, status=400 if form.errors else 200)


@login_required
def member_options(request: HttpRequest) -> HttpResponse:
    """The htmx fragment: options of the member select for a name typed."""
    _require_enter(request)
    options = members_enterable(user=request.user, text=request.GET.get("q", ""))
    return render(request, "reserve/_member_options.html", {"options": options, "chosen": ""})
