"""Mediation cases over the API (/api/v1/mediation-cases): the same selectors, forms and services
as the pages, the same scoping; parties only for those who run the studio."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from qiangji.core.api import ErrorOut, FormInvalid, ValidationErrorOut, form_data
from qiangji.mediation.forms import CaseForm, MoveForm, SessionForm
from qiangji.mediation.models import MediationCase
from qiangji.mediation.schemas import CaseDetailOut, CaseIn, CaseOut, MoveIn, SessionIn, SessionOut
from qiangji.mediation.selectors import (
    STATE_FILTERS,
    cases_for_list,
    get_case_for_user,
    sees_mediation,
    studios_run_by,
)
from qiangji.mediation.services import case_move, case_open, case_session_record, runs_studio

router = Router(tags=["调解工作室"])
READ = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE = {**READ, 409: ErrorOut}


def _staff(user: Any) -> None:
    if not sees_mediation(user):
        raise PermissionDenied("只有镇党委、指导联络组和党组织书记可以查看调解案件。")


def _out(c: MediationCase) -> dict[str, Any]:
    return {
        "id": c.pk,
        "number": c.number,
        "studio": c.studio.name,
        "studio_id": c.studio_id,
        "category": c.category,
        "dispute": c.dispute,
        "opened_on": c.opened_on,
        "state": c.state,
        "state_label": c.get_state_display(),
        "closed_on": c.closed_on,
    }


def _session(s: Any) -> dict[str, Any]:
    return {"id": s.pk, "held_on": s.held_on, "notes": s.notes, "mediators": [m.name for m in s.mediators.all()]}


def _detail(user: Any, c: MediationCase) -> dict[str, Any]:
    runs = runs_studio(user, c.studio)
    return {
        **_out(c),
        "parties": c.parties if runs else "",
        "parties_visible": runs,
        "mediators": [m.name for m in c.mediators.all()],
        "agreement": c.agreement,
        "failure_reason": c.failure_reason,
        "follow_up": c.follow_up,
        "allowed_actions": c.allowed_actions() if runs else [],
        "sessions": [_session(s) for s in c.sessions.prefetch_related("mediators")],
        "events": [
            {"action": e.action, "from_state": e.from_state, "to_state": e.to_state, "on": e.on, "note": e.note}
            for e in c.events.all()
        ],
    }


@router.get("", response={200: list[CaseOut], **READ}, operation_id="mediation_case_list", summary="调解案件")
def case_list(request: HttpRequest, state: str = "") -> Any:
    """Cases the caller may see; `state` is open (未结案) or one of accepted, mediating, agreed, failed, closed."""
    user = request.auth
    _staff(user)
    if state and state not in STATE_FILTERS:
        raise FormInvalid({"state": [f"“{state}”不是有效的选项，可选：{'、'.join(STATE_FILTERS)}。"]})
    return [_out(c) for c in cases_for_list(user=user, state=state)]


@router.get("/{id:pk}", response={200: CaseDetailOut, **READ}, operation_id="mediation_case_detail", summary="调解案件详情")
def case_detail(request: HttpRequest, pk: int) -> Any:
    user = request.auth
    _staff(user)
    return _detail(user, get_case_for_user(user, pk))


@router.post("", response={201: CaseDetailOut, **WRITE}, operation_id="mediation_case_open", summary="受理案件")
def case_open_api(request: HttpRequest, payload: CaseIn) -> Any:
    user = request.auth
    _staff(user)
    studios = studios_run_by(user)
    if not studios:
        raise PermissionDenied("您无权为工作室受理案件")
    form = CaseForm({**payload.dict(), "opened_on": payload.opened_on or timezone.localdate()}, studios=studios)
    data = dict(form_data(form))
    mediators = list(data.pop("mediators"))
    case = case_open(studio=data["studio"], by=user, data=data, mediators=mediators)
    return Status(201, _detail(user, get_case_for_user(user, case.pk)))


@router.post("/{id:pk}/sessions", response={201: SessionOut, **WRITE}, operation_id="mediation_session_add", summary="登记调解")
def session_add(request: HttpRequest, pk: int, payload: SessionIn) -> Any:
    user = request.auth
    _staff(user)
    case = get_case_for_user(user, pk)
    if not runs_studio(user, case.studio):
        raise PermissionDenied("您无权办理该案件")
    session = case_session_record(case=case, by=user, **form_data(SessionForm(payload.dict(), case=case)))
    return Status(201, _session(session))


@router.post("/{id:pk}/move", response={200: CaseDetailOut, **WRITE}, operation_id="mediation_case_move", summary="案件办理")
def case_move_api(request: HttpRequest, pk: int, payload: MoveIn) -> Any:
    """`action`: start, agree (note: the agreement), fail (note: why), resume, close (note: the follow-up)."""
    user = request.auth
    _staff(user)
    case = get_case_for_user(user, pk)
    data = form_data(MoveForm(payload.dict()))
    case_move(case=case, by=user, action=data["action"], note=data["note"], on=data["on"])
    return _detail(user, get_case_for_user(user, pk))
