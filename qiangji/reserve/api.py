"""Reserve candidates over the API (/api/v1/reserve-candidates): the same selectors, forms and
services as the pages, the same scoping."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from qiangji.core.api import ErrorOut, FormInvalid, ValidationErrorOut, choice_or_422, form_data
from qiangji.reserve.forms import AssessmentForm, EnterForm, MentorshipForm, MoveForm
from qiangji.reserve.models import Candidate, ReservePool
from qiangji.reserve.schemas import (
    AssessmentIn,
    AssessmentOut,
    CandidateDetailOut,
    CandidateOut,
    EnterIn,
    MentorshipIn,
    MentorshipOut,
    MoveIn,
)
from qiangji.reserve.selectors import (
    candidate_timeline,
    candidate_trainings,
    candidates_for_list,
    get_candidate_for_user,
    sees_reserve,
)
from qiangji.reserve.services import assessment_record, candidate_enter, candidate_move, mentorship_sign, runs_pools

router = Router(tags=["头雁培优"])
READ = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE = {**READ, 409: ErrorOut}


def _staff(user: Any) -> None:
    if not sees_reserve(user):
        raise PermissionDenied("只有镇党委、指导联络组和党组织书记可以查看后备人员库。")


def _candidate(user: Any, pk: int) -> Candidate:
    _staff(user)
    return get_candidate_for_user(user, pk)


def _detail(c: Candidate) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        **CandidateOut.of(c, actions=True),
        "recommendation": c.recommendation,
        "age": c.member.age_on(today),
        "education": c.member.get_education_display(),
        "mentorships": [
            {
                "id": m.pk,
                "mentor": m.mentor.display_name or m.mentor.username,
                "started_on": m.started_on,
                "ended_on": m.ended_on,
                "goals": m.goals,
            }
            for m in c.mentorships.select_related("mentor")
        ],
        "timeline": [vars(i) for i in candidate_timeline(c)],
        "training_hours": str(candidate_trainings(c, today.year)["hours"]),
    }


@router.get("", response={200: list[CandidateOut], **READ}, operation_id="reserve_candidate_list", summary="后备人选")
def candidate_list(request: HttpRequest, pool: int | None = None, state: str = "") -> Any:
    """Candidates the caller may see; `pool` (id) and `state` (in_pool, under_assessment, appointed, left) filter."""
    user = request.auth
    _staff(user)
    state = choice_or_422("state", state, Candidate.State.choices)
    chosen = None
    if pool is not None:
        chosen = ReservePool.objects.filter(pk=pool).first()
        if chosen is None:
            raise FormInvalid({"pool": ["没有该人才库。"]})
    return [CandidateOut.of(c) for c in candidates_for_list(user=user, pool=chosen, state=state)]


@router.get(
    "/{id:pk}", response={200: CandidateDetailOut, **READ}, operation_id="reserve_candidate_detail", summary="后备人选详情"
)
def candidate_detail(request: HttpRequest, pk: int) -> Any:
    """The profile, mentoring agreements and the timeline (state steps and assessments in date order)."""
    return _detail(_candidate(request.auth, pk))


@router.post("", response={201: CandidateDetailOut, **WRITE}, operation_id="reserve_candidate_enter", summary="推荐入库")
def candidate_enter_api(request: HttpRequest, payload: EnterIn) -> Any:
    user = request.auth
    _staff(user)
    form = EnterForm({**payload.dict(), "entered_on": payload.entered_on or timezone.localdate()}, user=user)
    data = form_data(form)
    candidate = candidate_enter(
        pool=data["pool"],
        member=data["member"],
        by=user,
        route=data["route"],
        recommendation=data["recommendation"],
        on=data["entered_on"],
    )
    return Status(201, _detail(get_candidate_for_user(user, candidate.pk)))


@router.post(
    "/{id:pk}/move", response={200: CandidateDetailOut, **WRITE}, operation_id="reserve_candidate_move", summary="调整状态"
)
def candidate_move_api(request: HttpRequest, pk: int, payload: MoveIn) -> Any:
    """`action`: assess, return (needs reason), appoint (needs post), leave (needs reason); town admin only."""
    user = request.auth
    candidate = _candidate(user, pk)
    data = form_data(MoveForm(payload.dict()))
    candidate_move(candidate=candidate, by=user, action=data["action"], reason=data["reason"], post=data["post"], on=data["on"])
    return _detail(get_candidate_for_user(user, pk))


@router.post(
    "/{id:pk}/assessments", response={201: AssessmentOut, **WRITE}, operation_id="reserve_assessment_add", summary="记录跟踪考察"
)
def assessment_add(request: HttpRequest, pk: int, payload: AssessmentIn) -> Any:
    user = request.auth
    candidate = _candidate(user, pk)
    a = assessment_record(candidate=candidate, by=user, **form_data(AssessmentForm(payload.dict())))
    return Status(201, {"id": a.pk, "on": a.on, "findings": a.findings, "conclusion": a.conclusion})


@router.post(
    "/{id:pk}/mentorships",
    response={201: MentorshipOut, **WRITE},
    operation_id="reserve_mentorship_sign",
    summary="签订带教协议",
)
def mentorship_add(request: HttpRequest, pk: int, payload: MentorshipIn) -> Any:
    user = request.auth
    candidate = _candidate(user, pk)
    if not runs_pools(user):
        raise PermissionDenied("只有镇党委管理员可以签订带教协议")
    m = mentorship_sign(candidate=candidate, by=user, **form_data(MentorshipForm(payload.dict())))
    return Status(
        201,
        {
            "id": m.pk,
            "mentor": m.mentor.display_name or m.mentor.username,
            "started_on": m.started_on,
            "ended_on": m.ended_on,
            "goals": m.goals,
        },
    )
