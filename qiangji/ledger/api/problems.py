"""Problems, their steps and measures, long-term mechanisms over the API."""

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.responses import Status

from qiangji.core.access import get_scope
from qiangji.core.api import FormInvalid, StaleOut, choice_or_422, form_data, paginate
from qiangji.ledger.api.common import READ_ERRORS, WRITE_ERRORS, staff_only, today_local, visible_organization
from qiangji.ledger.forms.grades import CheckForm, ProgressForm
from qiangji.ledger.forms.mechanisms import MechanismForm
from qiangji.ledger.forms.problems import MeasureForm, ProblemRegisterForm, action_form
from qiangji.ledger.models import Measure, Mechanism, Problem, RectificationPlan
from qiangji.ledger.schemas import (
    AnalysisIn,
    CheckIn,
    CountsOut,
    MeasureIn,
    MeasureOut,
    MechanismIn,
    MechanismOut,
    MechanismPageOut,
    ProblemCreatedOut,
    ProblemDetailOut,
    ProblemIn,
    ProblemOut,
    ProblemPageOut,
    ProgressIn,
    TransitionIn,
)
from qiangji.ledger.selectors import (
    get_problem_for_user,
    ledger_counts,
    problems_for_list,
    problems_similar,
)
from qiangji.ledger.services import (
    ACTIONS,
    measure_add,
    measure_check,
    measure_progress,
    mechanism_record,
    problem_analyse,
    problem_register,
)
from qiangji.orgs.models import Organization

router = Router(tags=["问题清单"])
measures_router = Router(tags=["问题清单"])
mechanisms_router = Router(tags=["问题清单"])

STATE_FILTERS = [("open", "未销号"), *Problem.State.choices]
# What each step takes from the request, by the names its service uses.
ACTION_ARGS = {
    "start": (),
    "reassign": ("owner", "reason"),
    "dispute": ("reason",),
    "uphold": ("reason",),
    "submit": ("evidence",),
    "send_back": ("reason",),
    "close": ("evidence",),
    "close_immediate": ("evidence",),
    "merge": ("into", "reason"),
    "withdraw": ("reason",),
    "reopen": ("reason",),
    "postpone": ("deadline", "reason"),
}


def _detail(problem: Problem, user: Any) -> ProblemDetailOut:
    # Re-read through the scope: a step may have moved the problem out of the caller's sight
    # (reassigned away from its former owner); the answer then comes from the service's copy.
    fresh = (
        Problem.objects.for_user(user)
        .filter(pk=problem.pk)
        .select_related("organization", "village", "owner", "checked_by", "merged_into")
    )
    return ProblemDetailOut.of(fresh.first() or problem, user, today_local())


# Problems -------------------------------------------------------------------------------------


@router.get("", response={200: ProblemPageOut, **READ_ERRORS}, operation_id="problem_list", summary="问题清单")
def problem_list(
    request: HttpRequest,
    state: str = "",
    source: str = "",
    organization: int | None = None,
    owner: str = "",
    overdue: bool = False,
    q: str = "",
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
) -> Any:
    """`state=open` means every state before closing; `organization` includes its subtree (one
    the caller cannot see filters to nothing); `owner=me` the caller's own; `overdue=true` those
    past their deadline and not closed."""
    user = request.auth
    choice_or_422("state", state, STATE_FILTERS)
    choice_or_422("source", source, Problem.Source.choices)
    choice_or_422("owner", owner, [("me", "我负责的")])
    org = None
    if organization is not None:
        org = Organization.objects.for_user(user).filter(pk=organization).first()
        if org is None:
            return paginate(Problem.objects.none(), page=page, page_size=page_size)
    qs = problems_for_list(
        user=user,
        state=state,
        source=source,
        organization=org,
        owner=user if owner == "me" else None,
        overdue_on=today_local() if overdue else None,
        q=q.strip(),
    ).select_related("village", "checked_by", "merged_into")
    result = paginate(qs, page=page, page_size=page_size)
    today = today_local()
    result["items"] = [ProblemOut.fields_of(p, user, today) for p in result["items"]]
    return result


@router.get("/counts", response={200: CountsOut, **READ_ERRORS}, operation_id="problem_counts", summary="问题统计")
def problem_counts(
    request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None, organization: int | None = None
) -> Any:
    """The seed's figures for a date range (default: this year to today), counted from records."""
    user = request.auth
    staff_only(user, "只有镇党委、指导联络组和党组织书记可以查看问题统计。")
    today = today_local()
    start = start or dt.date(today.year, 1, 1)
    end = end or today
    if start > end:
        raise FormInvalid({"end": ["结束日期不能早于开始日期。"]})
    org = visible_organization(user, organization) if organization is not None else None
    return {"start": start, "end": end, **ledger_counts(user=user, start=start, end=end, organization=org)}


@router.get("/{id:problem_id}", response={200: ProblemDetailOut, **READ_ERRORS}, operation_id="problem_get", summary="问题详情")
def problem_get(request: HttpRequest, problem_id: int) -> Any:
    return ProblemDetailOut.of(get_problem_for_user(request.auth, problem_id), request.auth, today_local())


@router.post("", response={201: ProblemCreatedOut, **WRITE_ERRORS}, operation_id="problem_register", summary="登记问题（挂号）")
def problem_register_view(request: HttpRequest, payload: ProblemIn) -> Any:
    """Validated by the register page's form; the answer lists possible duplicates (same
    organization or village, similar text, recent) for the caller to merge if need be."""
    user = request.auth
    scope = get_scope(user)
    if not (scope.superuser or scope.view_paths):
        raise HttpError(403, "您没有登记问题的权限。")
    data = form_data(ProblemRegisterForm(payload.model_dump(), user=user))
    problem = problem_register(by=user, data=data)
    similar = problems_similar(
        user=user,
        description=problem.description,
        organization=problem.organization,
        village=problem.village,
        today=problem.registered_on,
        exclude_pk=problem.pk,
    )
    body = _detail(problem, user).model_dump()
    body["similar"] = [
        {
            "id": p.pk,
            "number": p.number,
            "description": p.description,
            "organization_name": p.organization.name,
            "registered_on": p.registered_on,
            "similarity": round(score, 2),
        }
        for p, score in similar
    ]
    return Status(201, body)


@router.post(
    "/{id:problem_id}/transitions",
    response={200: ProblemDetailOut, **WRITE_ERRORS},
    operation_id="problem_transition",
    summary="办理问题（状态流转）",
)
def problem_transition(request: HttpRequest, problem_id: int, payload: TransitionIn) -> Any:
    """One step of the problem's life, as on its page. Each action reads its own fields:
    reassign owner+reason; dispute/uphold/send_back/withdraw/reopen reason; submit/close/
    close_immediate evidence; merge into+reason; postpone deadline+reason; start nothing."""
    user = request.auth
    action = choice_or_422("action", payload.action, [(a, a) for a in ACTION_ARGS], required=True)
    problem = get_problem_for_user(user, problem_id)
    fields = payload.model_dump()
    if action == "merge" and isinstance(payload.into, int):
        # The page's form takes the target's number; an id the caller can see is turned into it,
        # any other is left for the form to report as not found.
        numbers = Problem.objects.for_user(user).filter(pk=payload.into).values_list("number", flat=True)
        fields["into"] = numbers.first() or str(payload.into)
    names = ACTION_ARGS[action]
    form = action_form(action, problem, user, data={f"{action}-{n}": fields.get(n) or "" for n in names})
    cleaned = form_data(form)
    problem = ACTIONS[action](problem=problem, by=user, **{n: cleaned[n] for n in names})
    return _detail(problem, user)


@router.post(
    "/{id:problem_id}/analysis",
    response={200: ProblemDetailOut, **WRITE_ERRORS, 409: StaleOut},
    operation_id="problem_analyse",
    summary="原因分析",
)
def problem_analyse_view(request: HttpRequest, problem_id: int, payload: AnalysisIn) -> Any:
    user = request.auth
    problem = get_problem_for_user(user, problem_id)
    cleaned = form_data(action_form("analyse", problem, user, data={f"analyse-{k}": v for k, v in payload.model_dump().items()}))
    problem = problem_analyse(
        problem=problem,
        by=user,
        root_cause=cleaned["root_cause"],
        fix_kind=cleaned["fix_kind"],
        expected_version=cleaned["version"],
    )
    return _detail(problem, user)


@router.post(
    "/{id:problem_id}/measures",
    response={201: MeasureOut, **WRITE_ERRORS},
    operation_id="problem_measure_add",
    summary="新增整改措施",
)
def problem_measure_add(request: HttpRequest, problem_id: int, payload: MeasureIn) -> Any:
    user = request.auth
    problem = get_problem_for_user(user, problem_id)
    data = form_data(MeasureForm(payload.model_dump(), problem=problem))
    measure = measure_add(by=user, data=data, problem=problem)
    return Status(201, MeasureOut.of(measure, today_local()))


# Measures (a problem's measures and a plan's items alike) -------------------------------------


def _measures_for(user: Any) -> QuerySet[Measure]:
    return Measure.objects.filter(
        Q(problem__in=Problem.objects.for_user(user).values("pk"))
        | Q(plan__in=RectificationPlan.objects.for_user(user).values("pk"))
    )


def _measure(user: Any, measure_id: int) -> Measure:
    measure = _measures_for(user).filter(pk=measure_id).first()
    if measure is None:
        raise Http404
    return measure


@measures_router.post(
    "/{id:measure_id}/progress",
    response={200: MeasureOut, **WRITE_ERRORS},
    operation_id="measure_progress",
    summary="填报措施进展",
)
def measure_progress_view(request: HttpRequest, measure_id: int, payload: ProgressIn) -> Any:
    """The owner (or the organization's side) reports; at 100 the measure waits for its check."""
    user = request.auth
    measure = _measure(user, measure_id)
    cleaned = form_data(ProgressForm(payload.model_dump()))
    measure = measure_progress(measure=measure, by=user, progress=cleaned["progress"], note=cleaned["progress_note"])
    return MeasureOut.of(measure, today_local())


@measures_router.post(
    "/{id:measure_id}/check", response={200: MeasureOut, **WRITE_ERRORS}, operation_id="measure_check", summary="验收整改措施"
)
def measure_check_view(request: HttpRequest, measure_id: int, payload: CheckIn) -> Any:
    """Someone above, never the owner: passed, or back to open with the reason."""
    user = request.auth
    measure = _measure(user, measure_id)
    cleaned = form_data(CheckForm({"passed": "1" if payload.passed else "0", "check_note": payload.check_note}))
    measure = measure_check(measure=measure, by=user, passed=cleaned["passed"], note=cleaned["check_note"])
    return MeasureOut.of(measure, today_local())


# Long-term mechanisms -------------------------------------------------------------------------


@mechanisms_router.get("", response={200: MechanismPageOut, **READ_ERRORS}, operation_id="mechanism_list", summary="长效机制")
def mechanism_list(
    request: HttpRequest,
    organization: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
) -> Any:
    """`organization` includes its subtree; `start`/`end` bound the date it was established or put into effect."""
    user = request.auth
    qs = Mechanism.objects.for_user(user).select_related("organization").prefetch_related("problems")
    if organization is not None:
        org = Organization.objects.for_user(user).filter(pk=organization).first()
        qs = qs.filter(organization__path__startswith=org.path) if org is not None else qs.none()
    if start:
        qs = qs.filter(effective_on__gte=start)
    if end:
        qs = qs.filter(effective_on__lte=end)
    result = paginate(qs.order_by("-effective_on", "-id"), page=page, page_size=page_size)
    result["items"] = [MechanismOut.of(m) for m in result["items"]]
    return result


@mechanisms_router.post("", response={201: MechanismOut, **WRITE_ERRORS}, operation_id="mechanism_record", summary="登记长效机制")
def mechanism_record_view(request: HttpRequest, payload: MechanismIn) -> Any:
    user = request.auth
    scope = get_scope(user)
    if not (scope.superuser or scope.view_paths):
        raise HttpError(403, "您没有登记长效机制的权限。")
    cleaned = form_data(MechanismForm(payload.model_dump(), user=user))
    mechanism = mechanism_record(by=user, data=cleaned, problems=cleaned["problems"])
    return Status(201, MechanismOut.of(mechanism))
