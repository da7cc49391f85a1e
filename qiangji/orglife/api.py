"""Meetings and compliance over the API: the same forms, services and scoping as the pages.

Writes look the meeting up in the caller's manage scope: a meeting the caller may only view
answers 404 like a missing one.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.responses import Status

from qiangji.core.access import get_scope
from qiangji.core.api import ErrorOut, FormInvalid, ValidationErrorOut, choice_or_422, form_data, paginate
from qiangji.core.models import ChangeRecord
from qiangji.orglife.compliance import compliance_grid
from qiangji.orglife.forms import MeetingForm
from qiangji.orglife.models import Attendance, Meeting
from qiangji.orglife.schemas import CompleteIn, ComplianceOut, MeetingIn, MeetingOut, MeetingPageOut, MeetingPatchIn
from qiangji.orglife.selectors import get_meeting_for_user, meetings_list
from qiangji.orglife.services import meeting_cancel, meeting_complete, meeting_schedule, meeting_update
from qiangji.orgs.models import Organization
from qiangji.orgs.selectors import get_organization_for_user

router = Router(tags=["组织生活"])
compliance_router = Router(tags=["组织生活"])

READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}


def _form_values(meeting: Meeting) -> dict[str, Any]:
    values = {n: getattr(meeting, n) for n in Meeting.HISTORY_FIELDS if n not in ("organization", "presenter")}
    return {**values, "organization": meeting.organization_id, "presenter": meeting.presenter_id}


@router.get("", response={200: MeetingPageOut, **READ_ERRORS}, operation_id="meeting_list", summary="会议列表")
def meeting_list(
    request: HttpRequest,
    organization: int | None = None,
    kind: str = "",
    status: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
) -> Any:
    """`organization` includes its subtree; one the caller cannot see filters to nothing."""
    user = request.auth
    choice_or_422("kind", kind, Meeting.Kind.choices)
    choice_or_422("status", status, Meeting.Status.choices)
    org = None
    if organization is not None:
        org = Organization.objects.for_user(user).filter(pk=organization).first()
        if org is None:
            return paginate(Meeting.objects.none(), page=page, page_size=page_size)
    qs = meetings_list(user=user, organization=org, kind=kind, status=status, date_from=date_from, date_to=date_to)
    result = paginate(qs, page=page, page_size=page_size)
    result["items"] = [MeetingOut.of(m) for m in result["items"]]
    return result


@router.get("/{int:meeting_id}", response={200: MeetingOut, **READ_ERRORS}, operation_id="meeting_get", summary="会议详情")
def meeting_get(request: HttpRequest, meeting_id: int) -> Any:
    return MeetingOut.of(get_meeting_for_user(request.auth, meeting_id), with_attendance=True)


@router.post("", response={201: MeetingOut, **WRITE_ERRORS}, operation_id="meeting_create", summary="登记会议")
def meeting_create_view(request: HttpRequest, payload: MeetingIn) -> Any:
    user = request.auth
    scope = get_scope(user)
    if not (scope.superuser or scope.manage_paths):
        raise HttpError(403, "您没有登记会议的权限。")
    form = MeetingForm(payload.model_dump(), user=user)
    meeting = meeting_schedule(by=user, data=form_data(form), source=ChangeRecord.Source.API)
    return Status(201, MeetingOut.of(meeting, with_attendance=True))


@router.patch("/{int:meeting_id}", response={200: MeetingOut, **WRITE_ERRORS}, operation_id="meeting_update", summary="修改会议")
def meeting_update_view(request: HttpRequest, meeting_id: int, payload: MeetingPatchIn) -> Any:
    user = request.auth
    meeting = get_meeting_for_user(user, meeting_id, "manage")
    form = MeetingForm({**_form_values(meeting), **payload.model_dump(exclude_unset=True)}, user=user, instance=meeting)
    meeting = meeting_update(meeting=meeting, by=user, data=form_data(form), source=ChangeRecord.Source.API)
    return MeetingOut.of(meeting, with_attendance=True)


@router.delete(
    "/{int:meeting_id}", response={204: None, **WRITE_ERRORS}, operation_id="meeting_cancel", summary="取消计划中的会议"
)
def meeting_cancel_view(request: HttpRequest, meeting_id: int) -> Any:
    user = request.auth
    meeting = get_meeting_for_user(user, meeting_id, "manage")
    meeting_cancel(meeting=meeting, by=user, source=ChangeRecord.Source.API)
    return Status(204, None)


@router.post(
    "/{int:meeting_id}/complete",
    response={200: MeetingOut, **WRITE_ERRORS},
    operation_id="meeting_complete",
    summary="登记出席情况",
)
def meeting_complete_view(request: HttpRequest, meeting_id: int, payload: CompleteIn) -> Any:
    user = request.auth
    meeting = get_meeting_for_user(user, meeting_id, "manage")
    for reason in payload.absent.values():
        choice_or_422("absent", reason, Attendance.Reason.choices)
    meeting = meeting_complete(
        meeting=meeting, by=user, present=payload.present, absent=payload.absent, source=ChangeRecord.Source.API
    )
    return MeetingOut.of(meeting, with_attendance=True)


@compliance_router.get(
    "", response={200: ComplianceOut, **READ_ERRORS}, operation_id="compliance_get", summary="组织生活开展情况"
)
def compliance_get(request: HttpRequest, organization: int, year: int | None = None) -> Any:
    """Per required kind and period: held / missed / pending / not_required, with counts."""
    today = timezone.localdate()
    year = year or today.year
    if not 2000 <= year <= today.year + 1:
        raise FormInvalid({"year": [f"年份应在 2000 至 {today.year + 1} 之间。"]})
    org = get_organization_for_user(request.auth, organization)
    rows = compliance_grid(org, year=year, today=today)
    kinds = []
    for row in rows:
        req = row.requirement
        kinds.append(
            {
                "kind": req.kind,
                "kind_label": req.get_kind_display(),
                "period": req.period,
                "minimum_count": req.minimum_count,
                **{s: row.total(s) for s in ("held", "missed", "pending", "not_required")},
                "periods": [
                    {
                        "period": c.period.key,
                        "label": c.period.label,
                        "start": c.period.start,
                        "end": c.period.end,
                        "status": c.status,
                        "count": c.count,
                    }
                    for c in row.cells
                ],
            }
        )
    totals = {s: sum(k[s] for k in kinds) for s in ("held", "missed", "pending", "not_required")}
    return {"organization": org.pk, "organization_name": org.name, "year": year, **totals, "kinds": kinds}
