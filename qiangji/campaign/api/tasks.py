"""API /api/v1/visit-tasks: visit tasks, visits and their review, for the visiting teams' app.

The app lists its tasks, opens one (facts, the batch analysis, the checklist as asked now — for
a care task the three sends and three asks instead, answered as `sends` / `asks`),
posts a visit with the client_uuid it made when the form opened (posting it again after a dropped
connection answers 200 with the same visit), corrects a visit sent back, and the town reviews.
Rules answer as the pages do: a visit's invalid field 422, a refused step 409, not yours 403,
not visible 404.
"""

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import Field

from qiangji.campaign.models import ChecklistItem, Entity, Visit, VisitTask
from qiangji.campaign.selectors import get_task_for_user, get_visit_for_user
from qiangji.campaign.selectors_tasks import (
    STATUS_CHOICES,
    TaskFilters,
    analysis_rows,
    can_visit_grid,
    subject_rows,
    tasks_for_list,
)
from qiangji.campaign.services.care import care_items
from qiangji.campaign.services.visits import is_first_visit, visit_resubmit, visit_review, visit_submit
from qiangji.core.api import ErrorOut, FormInvalid, ValidationErrorOut, choice_or_422, paginate
from qiangji.core.audit import audit
from qiangji.core.errors import DomainError
from qiangji.core.models import AuditEvent
from qiangji.core.personal import shown_payload

router = Router(tags=["新连心攻坚"])

READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 409: ErrorOut}


class TaskOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    title: str
    reason: str
    grid: int
    grid_name: str
    team: int | None
    team_name: str
    entity: int | None
    due_on: dt.date
    overdue: bool

    @classmethod
    def of(cls, task: VisitTask, today: dt.date) -> "TaskOut":
        return cls(
            id=task.pk,
            kind=task.kind,
            kind_label=task.get_kind_display(),
            status=task.status,
            status_label=task.get_status_display(),
            title=task.title,
            reason=task.reason,
            grid=task.grid_id,
            grid_name=task.grid.name,
            team=task.team_id,
            team_name=task.team.name if task.team_id else "",
            entity=task.entity_id,
            due_on=task.due_on,
            overdue=task.status == VisitTask.Status.OPEN and task.due_on < today,
        )


class TaskPageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[TaskOut]


class FactOut(Schema):
    field: str
    label: str
    value: str


class ChangeOut(Schema):
    label: str
    old: str
    new: str


class AnalysisOut(Schema):
    klass: str
    klass_label: str
    note: str
    batch: int
    row_number: int | None
    changes: list[ChangeOut]
    duplicate_of: int | None
    duplicate_of_name: str


class ChecklistItemOut(Schema):
    id: int
    label: str


class CareItemOut(Schema):
    id: int
    label: str
    prompt: str


class TaskDetailOut(TaskOut):
    facts: list[FactOut]
    analysis: AnalysisOut | None
    checklist: list[ChecklistItemOut]
    # A care task (三送三问) answers these instead of the checklist; empty for a verify task.
    sends: list[CareItemOut]
    asks: list[CareItemOut]
    card_required: bool
    visits: list[int]


class EventOut(Schema):
    action: str
    from_state: str
    to_state: str
    by: str
    at: dt.datetime
    comment: str


class VisitOut(Schema):
    id: int
    task: int
    state: str
    state_label: str
    visited_on: dt.date
    client_uuid: str | None
    checklist: list[dict[str, Any]]
    sends: list[dict[str, Any]]
    asks: list[dict[str, Any]]
    facts: dict[str, Any]
    found_exists: bool
    party_members_found: int
    wants_party_org: bool
    needs: str
    problems: str
    care_package: bool
    card_number: str
    notes: str
    submitted_at: dt.datetime
    review_comment: str
    reviewed_at: dt.datetime | None
    problem: str | None
    events: list[EventOut]

    @classmethod
    def of(cls, visit: Visit, user: Any, *, revealed: bool = False) -> "VisitOut":
        """Personal facts masked unless `revealed` (visit_get with reveal=true, audit-logged)."""
        facts = shown_payload(visit.facts, Entity, revealed=revealed)
        return cls(
            id=visit.pk,
            task=visit.task_id,
            state=visit.state,
            state_label=visit.get_state_display(),
            visited_on=visit.visited_on,
            client_uuid=str(visit.client_uuid) if visit.client_uuid else None,
            checklist=visit.checklist,
            sends=visit.sends,
            asks=visit.asks,
            facts=facts,
            found_exists=visit.found_exists,
            party_members_found=visit.party_members_found,
            wants_party_org=visit.wants_party_org,
            needs=visit.needs,
            problems=visit.problems,
            care_package=visit.care_package,
            card_number=visit.card_number,
            notes=visit.notes,
            submitted_at=visit.submitted_at,
            review_comment=visit.review_comment,
            reviewed_at=visit.reviewed_at,
            problem=visit.problem.number if visit.problem_id else None,
            events=[
                EventOut(
                    action=e.action, from_state=e.from_state, to_state=e.to_state, by=str(e.by or ""), at=e.at, comment=e.comment
                )
                for e in visit.events.select_related("by")
            ],
        )


class SendIn(Schema):
    item: int | str = Field(description="三送事项：编号或名称")
    done: bool = False
    note: str = Field("", max_length=500, description="送达的内容（已送达时必填）")


class AskIn(Schema):
    item: int | str = Field(description="三问事项：编号或名称")
    answer: str = Field("", max_length=1000, description="回答（必填）")


class VisitIn(Schema):
    client_uuid: str | None = None
    visited_on: dt.date | None = None
    checklist: list[int | str] = Field(default_factory=list, description="完成的“五必须”事项：编号或名称")
    sends: list[SendIn] = Field(default_factory=list, description="三送三问回访：每项“送”是否送达及内容")
    asks: list[AskIn] = Field(default_factory=list, description="三送三问回访：每项“问”的回答")
    facts: dict[str, Any] = Field(default_factory=dict, description="核实后与底数不一致的主体信息")
    found_exists: bool = True
    party_members_found: int = Field(0, ge=0)
    wants_party_org: bool = False
    needs: str = Field("", max_length=2000)
    problems: str = Field("", max_length=2000)
    care_package: bool = False
    card_number: str = Field("", max_length=30)
    notes: str = Field("", max_length=2000)

    def service_data(self) -> dict[str, Any]:
        data = self.model_dump(exclude={"client_uuid"})
        data["checklist"] = [str(c) for c in self.checklist]
        for answer in (*data["sends"], *data["asks"]):
            answer["item"] = str(answer["item"])
        if data["visited_on"] is None:
            data.pop("visited_on")
        return data


class ReviewIn(Schema):
    action: str
    comment: str = Field("", max_length=2000)


def _field_errors(error: DomainError) -> None:
    """A refused field is invalid input (422); a refused step is a conflict (409)."""
    if error.field:
        raise FormInvalid({error.field: [error.message]})
    raise error


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None  # the service answers a malformed one in Chinese


def _visit(user: Any, pk: int) -> Visit:
    get_visit_for_user(user, pk)
    return Visit.objects.select_related("task", "task__grid", "problem").get(pk=pk)


@router.get("", response={200: TaskPageOut, **READ_ERRORS}, operation_id="visit_task_list", summary="走访任务")
def task_list(
    request: HttpRequest,
    status: str = "active",
    kind: str = "",
    grid: int | None = None,
    overdue: bool = False,
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
) -> Any:
    """A team member's tasks in their grids (the town: all), soonest due first.
    `status=active` (default) means open or waiting for review; `all` every status."""
    user = request.auth
    choice_or_422("status", status, STATUS_CHOICES)
    choice_or_422("kind", kind, VisitTask.Kind.choices)
    today = timezone.localdate()
    filters = TaskFilters(grid=grid, status=status, kind=kind, overdue=overdue)
    result = paginate(tasks_for_list(user=user, filters=filters, today=today), page=page, page_size=page_size)
    result["items"] = [TaskOut.of(t, today) for t in result["items"]]
    return result


@router.get("/{id:task_id}", response={200: TaskDetailOut, **READ_ERRORS}, operation_id="visit_task_get", summary="走访任务详情")
def task_get(request: HttpRequest, task_id: int, reveal: bool = False) -> Any:
    """The task with what the team goes out with; `reveal=true` gives the full phone to the
    grid's team and the town (written to the audit log)."""
    user = request.auth
    task = get_task_for_user(user, task_id)
    if reveal:
        if not can_visit_grid(user, task.grid_id):
            raise HttpError(403, "只有本网格走访队员和镇党委管理员可以查看完整联系电话。")
        audit(
            user=user,
            action=AuditEvent.Action.REVEAL,
            obj=task.entity or task.record,
            fields=["phone"],
            row_count=1,
            detail={"task": task.pk, "via": "api"},
            request=request,
        )
    record = task.record if task.record_id else None
    analysis = None
    if record is not None:
        analysis = AnalysisOut(
            klass=record.klass,
            klass_label=record.get_klass_display(),
            note=record.note,
            batch=record.batch_id,
            row_number=record.row_number,
            changes=[ChangeOut(label=label, old=old, new=new) for label, old, new in analysis_rows(task)],
            duplicate_of=record.duplicate_of_id,
            duplicate_of_name=record.duplicate_of.name if record.duplicate_of_id else "",
        )
    today = timezone.localdate()
    care = task.kind == VisitTask.Kind.CARE
    sends, asks = care_items() if care else ([], [])
    return TaskDetailOut(
        **TaskOut.of(task, today).model_dump(),
        facts=[FactOut(field=r.field, label=r.label, value=r.value) for r in subject_rows(task, reveal=reveal)],
        analysis=analysis,
        checklist=[] if care else [ChecklistItemOut(id=i.pk, label=i.label) for i in ChecklistItem.objects.filter(active=True)],
        sends=[CareItemOut(id=i.pk, label=i.label, prompt=i.prompt) for i in sends],
        asks=[CareItemOut(id=i.pk, label=i.label, prompt=i.prompt) for i in asks],
        card_required=is_first_visit(task),
        visits=list(task.visits.order_by("submitted_at", "id").values_list("pk", flat=True)),
    )


@router.post(
    "/{id:task_id}/visits",
    response={200: VisitOut, 201: VisitOut, **WRITE_ERRORS},
    operation_id="visit_submit",
    summary="提交走访记录",
)
def visit_post(request: HttpRequest, task_id: int, payload: VisitIn) -> Any:
    """201 with the new visit; 200 with the same visit when this client_uuid was already received."""
    user = request.auth
    task = get_task_for_user(user, task_id)
    key = _uuid(payload.client_uuid)
    known = Visit.objects.filter(task=task, client_uuid=key).first() if key else None
    if known is not None:
        return Status(200, VisitOut.of(_visit(user, known.pk), user))
    try:
        visit = visit_submit(task=task, by=user, data=payload.service_data(), client_uuid=payload.client_uuid)
    except DomainError as error:
        _field_errors(error)
    return Status(201, VisitOut.of(_visit(user, visit.pk), user))


@router.get("/visits/{id:visit_id}", response={200: VisitOut, **READ_ERRORS}, operation_id="visit_get", summary="走访记录")
def visit_get(request: HttpRequest, visit_id: int, reveal: bool = False) -> Any:
    """The visit, its corrected phone masked; `reveal=true` gives it in full to the grid's team
    and the town (written to the audit log)."""
    user = request.auth
    visit = _visit(user, visit_id)
    if reveal:
        if not can_visit_grid(user, visit.task.grid_id):
            raise HttpError(403, "只有本网格走访队员和镇党委管理员可以查看完整联系电话。")
        audit(
            user=user,
            action=AuditEvent.Action.REVEAL,
            obj=visit,
            fields=["phone"],
            row_count=1,
            detail={"task": visit.task_id, "via": "api"},
            request=request,
        )
    return VisitOut.of(visit, user, revealed=reveal)


@router.post(
    "/visits/{id:visit_id}/resubmit",
    response={200: VisitOut, **WRITE_ERRORS},
    operation_id="visit_resubmit",
    summary="修改后重新提交",
)
def visit_resubmit_post(request: HttpRequest, visit_id: int, payload: VisitIn) -> Any:
    user = request.auth
    visit = _visit(user, visit_id)
    try:
        visit_resubmit(visit=visit, by=user, data=payload.service_data())
    except DomainError as error:
        _field_errors(error)
    return VisitOut.of(_visit(user, visit_id), user)


@router.post(
    "/visits/{id:visit_id}/review",
    response={200: VisitOut, **WRITE_ERRORS},
    operation_id="visit_review",
    summary="审核走访记录",
)
def visit_review_post(request: HttpRequest, visit_id: int, payload: ReviewIn) -> Any:
    """`action`: approve 审核通过, send_back 退回修改 (comment required), reject 不予采纳 (comment required)."""
    user = request.auth
    choice_or_422("action", payload.action, [("approve", ""), ("send_back", ""), ("reject", "")], required=True)
    visit = _visit(user, visit_id)
    try:
        visit_review(visit=visit, by=user, action=payload.action, comment=payload.comment)
    except DomainError as error:
        _field_errors(error)
    return VisitOut.of(_visit(user, visit_id), user)
