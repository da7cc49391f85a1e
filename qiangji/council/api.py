"""Projects, bulletins and opinions over the API: the same services and scoping as the pages.

A project the caller may not see answers 404; a write on one they see but do not run answers 403;
a step the opinion's state (or the ledger, for a session's outcome) forbids answers 409 and
changes nothing.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from qiangji.core.api import ErrorOut, ValidationErrorOut, choice_or_422, form_data, paginate
from qiangji.council import services as s
from qiangji.council.forms import BulletinForm, DeliberationForm, ToMeasureForm, ToProblemForm
from qiangji.council.models import Deliberation, Opinion, Project
from qiangji.council.schemas import (
    BulletinIn,
    BulletinOut,
    DeliberationIn,
    DeliberationMeasureIn,
    DeliberationMeasureOut,
    DeliberationOut,
    DeliberationProblemIn,
    DeliberationProblemOut,
    ModerationIn,
    OpinionMoveIn,
    OpinionOut,
    ProjectDetailOut,
    ProjectOut,
    ProjectPageOut,
)
from qiangji.council.selectors import get_project_for_user, projects_for_list, staff_opinions

router = Router(tags=["试点项目与议事厅"])
READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}


@router.get("", response={200: ProjectPageOut, **READ_ERRORS}, operation_id="project_list", summary="试点项目列表")
def project_list(request: HttpRequest, page: int = Query(1, ge=1), page_size: int = Query(20, ge=1, le=100)) -> Any:
    """The projects of the organizations the caller sees (members see none)."""
    result = paginate(projects_for_list(user=request.auth), page=page, page_size=page_size)
    result["items"] = [ProjectOut.of(p) for p in result["items"]]
    return result


@router.get(
    "/{id:project_id}", response={200: ProjectDetailOut, **READ_ERRORS}, operation_id="project_detail", summary="项目详情"
)
def project_detail(request: HttpRequest, project_id: int) -> Any:
    """With its milestones and its bulletins."""
    project = get_project_for_user(request.auth, project_id)
    return ProjectDetailOut.of_detail(project, s.runs_project(request.auth, project))


@router.post(
    "/{id:project_id}/bulletins",
    response={201: BulletinOut, **WRITE_ERRORS},
    operation_id="bulletin_publish",
    summary="发布进度通报",
)
def bulletin_publish(request: HttpRequest, project_id: int, payload: BulletinIn) -> Any:
    """Public at once on the consultation hall, with the project's progress of today."""
    project = get_project_for_user(request.auth, project_id)
    if not s.runs_project(request.auth, project):
        raise PermissionDenied("您无权管理该项目")
    data = form_data(BulletinForm(payload.model_dump()))
    bulletin = s.bulletin_publish(project=project, by=request.auth, title=data["title"], body=data["body"])
    return Status(201, BulletinOut.of(bulletin))


@router.get(
    "/{id:project_id}/opinions",
    response={200: list[OpinionOut], **READ_ERRORS},
    operation_id="project_opinions",
    summary="项目收到的意见建议",
)
def project_opinions(request: HttpRequest, project_id: int) -> Any:
    """Every opinion on the project's bulletins, moderated or not; phones masked."""
    project = get_project_for_user(request.auth, project_id)
    return [OpinionOut.of(o) for o in staff_opinions(project)]


def _opinion(request: HttpRequest, project_id: int, opinion_id: int) -> Opinion:
    project = get_project_for_user(request.auth, project_id)
    opinion = staff_opinions(project).filter(pk=opinion_id).first()
    if opinion is None:
        raise Http404
    if not s.runs_project(request.auth, project):
        raise PermissionDenied("您无权办理该项目的意见")
    return opinion


@router.post(
    "/{id:project_id}/opinions/{id:opinion_id}/moves",
    response={200: OpinionOut, **WRITE_ERRORS},
    operation_id="opinion_move",
    summary="办理意见（状态流转）",
)
def opinion_move(request: HttpRequest, project_id: int, opinion_id: int, payload: OpinionMoveIn) -> Any:
    """evaluate → accept / decline (with the reason) → answer (with the published answer)."""
    action = choice_or_422("action", payload.action, [(a, s.ACTION_LABELS[a]) for a in Opinion.TRANSITIONS], required=True)
    opinion = _opinion(request, project_id, opinion_id)
    return OpinionOut.of(s.opinion_move(opinion=opinion, by=request.auth, action=action, note=payload.note))


@router.post(
    "/{id:project_id}/opinions/{id:opinion_id}/moderation",
    response={200: OpinionOut, **WRITE_ERRORS},
    operation_id="opinion_moderate",
    summary="审核意见是否公开",
)
def opinion_moderate(request: HttpRequest, project_id: int, opinion_id: int, payload: ModerationIn) -> Any:
    opinion = _opinion(request, project_id, opinion_id)
    return OpinionOut.of(s.opinion_moderate(opinion=opinion, by=request.auth, show=payload.show))


@router.get(
    "/{id:project_id}/deliberations",
    response={200: list[DeliberationOut], **READ_ERRORS},
    operation_id="deliberation_list",
    summary="项目的议事会记录",
)
def deliberation_list(request: HttpRequest, project_id: int) -> Any:
    """Newest first, each with the ledger problem or measure its outcome became (or null)."""
    project = get_project_for_user(request.auth, project_id)
    return [DeliberationOut.of(d) for d in project.deliberations.select_related("problem")]


@router.post(
    "/{id:project_id}/deliberations",
    response={201: DeliberationOut, **WRITE_ERRORS},
    operation_id="deliberation_record",
    summary="记录议事会",
)
def deliberation_record(request: HttpRequest, project_id: int, payload: DeliberationIn) -> Any:
    """A council session on a difficulty of the project: topic, date (not after today), place,
    who took part and what was agreed."""
    project = get_project_for_user(request.auth, project_id)
    if not s.runs_project(request.auth, project):
        raise PermissionDenied("您无权管理该项目")
    data = form_data(DeliberationForm(payload.model_dump()))
    return Status(201, DeliberationOut.of(s.deliberation_record(project=project, by=request.auth, data=data)))


def _deliberation(request: HttpRequest, project_id: int, deliberation_id: int) -> tuple[Project, Deliberation]:
    project = get_project_for_user(request.auth, project_id)
    deliberation = project.deliberations.filter(pk=deliberation_id).first()
    if deliberation is None:
        raise Http404
    if not s.runs_project(request.auth, project):
        raise PermissionDenied("您无权管理该项目")
    return project, deliberation


@router.post(
    "/{id:project_id}/deliberations/{id:deliberation_id}/problem",
    response={201: DeliberationProblemOut, **WRITE_ERRORS},
    operation_id="deliberation_to_problem",
    summary="议事结果登记为问题",
)
def deliberation_to_problem(request: HttpRequest, project_id: int, deliberation_id: int, payload: DeliberationProblemIn) -> Any:
    """The session's outcome becomes a ledger problem (source 走访座谈) of the project's
    organization, once; a session already registered as a problem or a measure answers 409."""
    _, deliberation = _deliberation(request, project_id, deliberation_id)
    data = form_data(ToProblemForm(payload.model_dump()))
    problem = s.deliberation_to_problem(
        deliberation=deliberation, by=request.auth, owner=data["owner"], deadline=data["deadline"]
    )
    return Status(201, DeliberationProblemOut(id=problem.pk, number=problem.number))


@router.post(
    "/{id:project_id}/deliberations/{id:deliberation_id}/measures",
    response={201: DeliberationMeasureOut, **WRITE_ERRORS},
    operation_id="deliberation_to_measure",
    summary="议事结果转为已有问题的整改措施",
)
def deliberation_to_measure(request: HttpRequest, project_id: int, deliberation_id: int, payload: DeliberationMeasureIn) -> Any:
    """The session's outcome becomes a measure of an open problem of the project's organization
    tree, once; the ledger's rules for adding a measure apply (a closed problem answers 409)."""
    project, deliberation = _deliberation(request, project_id, deliberation_id)
    data = form_data(ToMeasureForm(payload.model_dump(), user=request.auth, project=project))
    s.deliberation_to_measure(
        deliberation=deliberation, problem=data["problem"], by=request.auth, owner=data["owner"], deadline=data["deadline"]
    )
    deliberation.refresh_from_db()
    return Status(201, DeliberationMeasureOut.of(deliberation))
