"""Trainings over the API: the same forms, services and scoping as the pages."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.responses import Status

from qiangji.core.access import LIAISON, SECRETARY, TOWN_ADMIN, get_scope
from qiangji.core.api import ErrorOut, FormInvalid, ValidationErrorOut, choice_or_422, form_data, paginate
from qiangji.orgs.selectors import get_organization_for_user
from qiangji.trainings import selectors as s
from qiangji.trainings.forms import SessionForm, TrainingForm, WarningBatchForm
from qiangji.trainings.models import Training
from qiangji.trainings.schemas import (
    AttendanceIn,
    AttendanceOut,
    AttendanceRowOut,
    HoursOrgOut,
    HoursOut,
    HoursRowOut,
    SessionIn,
    SessionOut,
    TrainingDetailOut,
    TrainingIn,
    TrainingOut,
    TrainingPageOut,
    WarningAttendanceIn,
    WarningBatchIn,
    WarningBatchListOut,
    WarningBatchOut,
    WarningMemberOut,
)
from qiangji.trainings.services import (
    attendance_record,
    session_create,
    training_create,
    warning_batch_attendance,
    warning_batch_create,
)

router = Router(tags=["培训学时"])

READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 409: ErrorOut}


def _org_out(summary: s.HoursSummary) -> HoursOrgOut:
    return HoursOrgOut(
        name=summary.name,
        members=summary.members,
        below=summary.below,
        average=summary.average,
        completion_rate=summary.completion_rate,
    )


@router.get("", response={200: TrainingPageOut, **READ_ERRORS}, operation_id="training_list", summary="培训列表")
def training_list(
    request: HttpRequest, kind: str = "", page: int = Query(1, ge=1), page_size: int = Query(20, ge=1, le=100)
) -> Any:
    choice_or_422("kind", kind, Training.Kind.choices)
    result = paginate(s.trainings_list(user=request.auth, kind=kind), page=page, page_size=page_size)
    result["items"] = [TrainingOut.of(t) for t in result["items"]]
    return result


@router.get("/hours", response={200: HoursOut, **READ_ERRORS}, operation_id="training_hours", summary="学时统计")
def training_hours(request: HttpRequest, organization: int, year: int = Query(..., ge=2000, le=2100)) -> Any:
    """Each member's hours in `year` against the requirement, per organization and in total."""
    org = get_organization_for_user(request.auth, organization)
    report = s.hours_report(user=request.auth, organization=org, year=year)
    members = [
        HoursRowOut(
            member=m.pk,
            name=m.name,
            organization=m.organization_id,
            organization_name=m.organization.name,
            hours=m.hours,
            required=m.required,
            reached=m.hours >= m.required,
        )
        for m in report["members"]
    ]
    return HoursOut(
        organization=org.pk,
        year=year,
        requirements=report["requirements"],
        total=_org_out(report["total"]),
        organizations=[_org_out(o) for o in report["organizations"]],
        members=members,
    )


@router.get(
    "/{id:training_id}", response={200: TrainingDetailOut, **READ_ERRORS}, operation_id="training_get", summary="培训详情"
)
def training_get(request: HttpRequest, training_id: int) -> Any:
    training = s.get_training_for_user(request.auth, training_id)
    out = TrainingOut.of(training).model_dump()
    return TrainingDetailOut(**out, sessions=[SessionOut.of(x) for x in training.sessions.all()])


@router.post("", response={201: TrainingOut, **WRITE_ERRORS}, operation_id="training_create", summary="新建培训")
def training_create_view(request: HttpRequest, payload: TrainingIn) -> Any:
    user = request.auth
    if not get_scope(user).has_role(TOWN_ADMIN):
        raise HttpError(403, "只有镇党委管理员可以新建培训。")
    form = TrainingForm(payload.model_dump(), user=user)
    return Status(201, TrainingOut.of(training_create(by=user, data=form_data(form))))


@router.post(
    "/{id:training_id}/sessions", response={201: SessionOut, **WRITE_ERRORS}, operation_id="session_create", summary="添加课次"
)
def session_create_view(request: HttpRequest, training_id: int, payload: SessionIn) -> Any:
    training = s.get_training_for_user(request.auth, training_id, "manage")
    form = SessionForm(payload.model_dump())
    return Status(201, SessionOut.of(session_create(training=training, data=form_data(form))))


@router.get(
    "/sessions/{id:session_id}/attendance",
    response={200: list[AttendanceRowOut], **READ_ERRORS},
    operation_id="attendance_get",
    summary="课次出勤名单",
)
def attendance_get(request: HttpRequest, session_id: int) -> Any:
    session = s.get_session_for_user(request.auth, session_id)
    sheet = s.attendance_sheet(session=session, user=request.auth)
    return [AttendanceRowOut(member=m.pk, name=m.name, organization_name=m.organization.name, present=p) for m, p in sheet]


@router.put(
    "/sessions/{id:session_id}/attendance",
    response={200: AttendanceOut, **WRITE_ERRORS},
    operation_id="attendance_record",
    summary="登记课次出勤",
)
def attendance_put(request: HttpRequest, session_id: int, payload: AttendanceIn) -> Any:
    """Those listed are present; the other enrolled members the caller manages are absent."""
    user = request.auth
    session = s.get_session_for_user(user, session_id)
    if not s.can_enrol(user):
        raise HttpError(403, "您没有登记出勤的权限。")
    members = [m for m, _ in s.attendance_sheet(session=session, user=user)]
    present = set(payload.present)
    count = attendance_record(session=session, members=members, present_ids=present, by=user, today=timezone.localdate())
    return AttendanceOut(present=count, absent=len(members) - count)


# Warning education (警示教育) ------------------------------------------------------------------


def _require_staff(user: Any) -> None:
    if not get_scope(user).has_role(TOWN_ADMIN, LIAISON, SECRETARY):
        raise HttpError(403, "只有镇党委、指导联络组和党组织书记可以查看警示教育批次。")


def _batch_out(batch: Any, *, user: Any = None) -> WarningBatchOut:
    rows = s.warning_batch_sheet(batch=batch, user=user) if user is not None else None
    member_count = getattr(batch, "member_count", None)
    present_count = getattr(batch, "present_count", None)
    if member_count is None:
        member_count = batch.members.count()
        present_count = batch.session.attendances.filter(present=True).count()
    return WarningBatchOut(
        id=batch.pk,
        training=batch.training_id,
        number=batch.number,
        site=batch.site,
        date=batch.session.date,
        hours=batch.session.hours,
        topic=batch.session.topic,
        organizations=[o.name for o in batch.organizations.all()],
        member_count=member_count,
        present_count=present_count,
        members=None
        if rows is None
        else [
            WarningMemberOut(member=m.pk, member_name=m.name, organization_name=m.organization.name, present=p) for m, p in rows
        ],
    )


@router.get(
    "/warning-batches",
    response={200: WarningBatchListOut, **READ_ERRORS},
    operation_id="warning_batch_list",
    summary="警示教育批次",
)
def warning_batch_list(request: HttpRequest, year: int | None = Query(None, ge=2000, le=2100)) -> Any:
    user = request.auth
    _require_staff(user)
    year = year or timezone.localdate().year
    return {"items": [_batch_out(b) for b in s.warning_batches(user=user, year=year)]}


@router.get(
    "/warning-batches/{id:batch_id}",
    response={200: WarningBatchOut, **READ_ERRORS},
    operation_id="warning_batch_get",
    summary="警示教育批次详情",
)
def warning_batch_get(request: HttpRequest, batch_id: int) -> Any:
    user = request.auth
    _require_staff(user)
    return _batch_out(s.get_warning_batch_for_user(user, batch_id), user=user)


@router.post(
    "/warning-batches",
    response={201: WarningBatchOut, **WRITE_ERRORS},
    operation_id="warning_batch_create",
    summary="安排警示教育批次",
)
def warning_batch_create_view(request: HttpRequest, payload: WarningBatchIn) -> Any:
    user = request.auth
    if not get_scope(user).has_role(TOWN_ADMIN):
        raise HttpError(403, "警示教育由镇党委组织安排。")
    data = form_data(WarningBatchForm(payload.model_dump(exclude={"members"})))
    members = s.members_of(data["organizations"])
    if payload.members is not None:
        wanted = set(payload.members)
        if wanted - {m.pk for m in members}:
            raise FormInvalid({"members": ["参加党员应属于所选党组织。"]})
        members = [m for m in members if m.pk in wanted]
    batch = warning_batch_create(
        by=user,
        root=s.town_root(user),
        site=data["site"],
        date=data["date"],
        hours=data["hours"],
        organizations=data["organizations"],
        members=members,
        topic=data["topic"],
        skip_sent=payload.members is None,
    )
    return Status(201, _batch_out(s.get_warning_batch_for_user(user, batch.pk), user=user))


@router.post(
    "/warning-batches/{id:batch_id}/attendance",
    response={200: WarningBatchOut, **WRITE_ERRORS},
    operation_id="warning_batch_attendance",
    summary="登记警示教育实到党员",
)
def warning_batch_attendance_view(request: HttpRequest, batch_id: int, payload: WarningAttendanceIn) -> Any:
    user = request.auth
    _require_staff(user)
    batch = s.get_warning_batch_for_user(user, batch_id)
    warning_batch_attendance(batch=batch, by=user, present_ids=set(payload.present), today=timezone.localdate())
    return _batch_out(s.get_warning_batch_for_user(user, batch.pk), user=user)
