"""Meetings, compliance and home study over the API: the same forms, services and scoping as
the pages.

Writes look the meeting (the member, for a home-study visit) up in the caller's manage scope:
one the caller may only view answers 404 like a missing one. Home study is read by the roles
whose pages show it (town admin, liaison, secretary); others get 403.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.responses import Status

from qiangji.core.access import LIAISON, SECRETARY, TOWN_ADMIN, get_scope
from qiangji.core.api import ErrorOut, FormInvalid, StaleOut, ValidationErrorOut, choice_or_422, form_data, paginate
from qiangji.core.models import ChangeRecord
from qiangji.members.models import Member
from qiangji.members.selectors import get_member_for_user
from qiangji.orglife.compliance import compliance_grid
from qiangji.orglife.forms import AttendanceForm, MeetingForm
from qiangji.orglife.forms_homestudy import HomeStudyForm, HomeStudyPlanCompleteForm, HomeStudyPlanForm
from qiangji.orglife.homestudy import (
    coverage,
    coverage_counts,
    get_home_study_plan_for_user,
    home_study_counts,
    home_study_due_for,
    home_study_plan,
    home_study_plan_complete,
    home_study_plan_counts,
    home_study_plans_of,
    home_study_record,
    home_study_visitors,
    left_behind_unplanned,
    month_bounds,
)
from qiangji.orglife.models import HomeStudyVisit, Meeting
from qiangji.orglife.schemas import (
    CompleteIn,
    ComplianceOut,
    CoverageOut,
    HomeStudyCountsOut,
    HomeStudyPlanCompleteIn,
    HomeStudyPlanIn,
    HomeStudyPlanListOut,
    HomeStudyPlanOut,
    HomeStudyVisitIn,
    HomeStudyVisitOut,
    HomeStudyVisitPageOut,
    MeetingIn,
    MeetingOut,
    MeetingPageOut,
    MeetingPatchIn,
)
from qiangji.orglife.selectors import MEETING_ORG_KINDS, get_meeting_for_user, meetings_list
from qiangji.orglife.services import meeting_cancel, meeting_complete, meeting_schedule, meeting_update
from qiangji.orgs.models import Organization
from qiangji.orgs.selectors import get_organization_for_user

router = Router(tags=["组织生活"])
compliance_router = Router(tags=["组织生活"])
home_study_router = Router(tags=["送学上门"])

STAFF = (TOWN_ADMIN, LIAISON, SECRETARY)

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


@router.get("/{id:meeting_id}", response={200: MeetingOut, **READ_ERRORS}, operation_id="meeting_get", summary="会议详情")
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


@router.patch(
    "/{id:meeting_id}",
    response={200: MeetingOut, **WRITE_ERRORS, 409: StaleOut},
    operation_id="meeting_update",
    summary="修改会议",
)
def meeting_update_view(request: HttpRequest, meeting_id: int, payload: MeetingPatchIn) -> Any:
    user = request.auth
    meeting = get_meeting_for_user(user, meeting_id, "manage")
    form = MeetingForm({**_form_values(meeting), **payload.model_dump(exclude_unset=True)}, user=user, instance=meeting)
    data = form_data(form)
    meeting = meeting_update(
        meeting=meeting, by=user, data=data, expected_version=data["version"], source=ChangeRecord.Source.API
    )
    return MeetingOut.of(meeting, with_attendance=True)


@router.delete(
    "/{id:meeting_id}", response={204: None, **WRITE_ERRORS}, operation_id="meeting_cancel", summary="取消计划中的会议"
)
def meeting_cancel_view(request: HttpRequest, meeting_id: int) -> Any:
    user = request.auth
    meeting = get_meeting_for_user(user, meeting_id, "manage")
    meeting_cancel(meeting=meeting, by=user, source=ChangeRecord.Source.API)
    return Status(204, None)


@router.post(
    "/{id:meeting_id}/complete",
    response={200: MeetingOut, **WRITE_ERRORS},
    operation_id="meeting_complete",
    summary="登记出席情况",
)
def meeting_complete_view(request: HttpRequest, meeting_id: int, payload: CompleteIn) -> Any:
    """Through the page's form: every member of the organization is present or absent with a
    reason; without `present`, everyone not in `absent` is present ("全部出席")."""
    user = request.auth
    meeting = get_meeting_for_user(user, meeting_id, "manage")
    data = MultiValueDict()
    for pk, absence in payload.absent.items():
        reason, note = (absence, "") if isinstance(absence, str) else (absence.reason, absence.note)
        data[f"reason_{pk}"], data[f"note_{pk}"] = reason, note
    form = AttendanceForm(data, meeting=meeting)
    absent_ids = set(payload.absent)
    unknown = absent_ids - {m.pk for m in form.members}
    if unknown:
        raise FormInvalid({"absent": ["所选党员不属于本组织。"]})
    if payload.present is None:
        present = [str(m.pk) for m in form.members if m.pk not in absent_ids]
    else:
        both = absent_ids & set(payload.present)
        if both:
            raise FormInvalid({"absent": ["同一名党员不能既出席又缺席。"]})
        present = [str(pk) for pk in payload.present]
    data.setlist("present", present)
    form_data(form)
    present_ids, absent = form.attendance()
    meeting = meeting_complete(meeting=meeting, by=user, present=present_ids, absent=absent, source=ChangeRecord.Source.API)
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


# Home study (送学上门) -----------------------------------------------------------------------


def _require_staff(user: Any) -> None:
    if not get_scope(user).has_role(*STAFF):
        raise HttpError(403, "只有镇党委、指导联络组和党组织书记可以查看送学上门情况。")


def _month(value: str) -> dt.date:
    """YYYY-MM, this month when blank."""
    if not value:
        return timezone.localdate().replace(day=1)
    try:
        if len(value) != 7:
            raise ValueError
        return dt.date.fromisoformat(f"{value}-01")
    except ValueError:
        raise FormInvalid({"month": ["请输入有效的月份（格式：YYYY-MM）。"]}) from None


@home_study_router.get(
    "/visits", response={200: HomeStudyVisitPageOut, **READ_ERRORS}, operation_id="home_study_list", summary="送学上门记录"
)
def home_study_list(
    request: HttpRequest,
    organization: int | None = None,
    member: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
) -> Any:
    """Newest first; `organization` includes its subtree; one the caller cannot see filters to nothing."""
    user = request.auth
    _require_staff(user)
    qs = HomeStudyVisit.objects.for_user(user)
    if organization is not None:
        org = Organization.objects.for_user(user).filter(pk=organization).first()
        qs = qs.filter(organization__path__startswith=org.path) if org is not None else qs.none()
    if member is not None:
        qs = qs.filter(member_id=member)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    qs = qs.select_related("member", "organization", "meeting").prefetch_related("visitor_users").order_by("-date", "-id")
    result = paginate(qs, page=page, page_size=page_size)
    result["items"] = [HomeStudyVisitOut.of(v) for v in result["items"]]
    return result


@home_study_router.post(
    "/visits", response={201: HomeStudyVisitOut, **WRITE_ERRORS}, operation_id="home_study_create", summary="登记送学上门"
)
def home_study_create(request: HttpRequest, payload: HomeStudyVisitIn) -> Any:
    user = request.auth
    scope = get_scope(user)
    if not (scope.superuser or scope.manage_paths):
        raise HttpError(403, "您没有登记送学上门的权限。")
    member = get_member_for_user(user, payload.member, "manage")
    form = HomeStudyForm(payload.model_dump(exclude={"member"}), member=member)
    data = form_data(form)
    visit = home_study_record(
        by=user,
        member=member,
        date=data["date"],
        topic=data["topic"],
        visitors=data["visitors"],
        visitor_users=[user] if data["include_me"] else [],
        meeting=data["meeting"],
        notes=data["notes"],
        source=ChangeRecord.Source.API,
    )
    visit = HomeStudyVisit.objects.select_related("member", "organization", "meeting").get(pk=visit.pk)
    return Status(201, HomeStudyVisitOut.of(visit))


@home_study_router.get(
    "/coverage", response={200: CoverageOut, **READ_ERRORS}, operation_id="home_study_coverage", summary="一个不掉队"
)
def home_study_coverage(request: HttpRequest, organization: int, month: str = "", kind: str = "") -> Any:
    """Each member of a branch or Party group for the month: attended, visited or neither
    (frail and mobile members first, as on the page)."""
    user = request.auth
    _require_staff(user)
    choice_or_422("kind", kind, Meeting.Kind.choices)
    first = _month(month)
    org = get_organization_for_user(user, organization)
    if org.kind not in MEETING_ORG_KINDS:
        raise FormInvalid({"organization": ["组织生活由党支部或党小组开展，请选择党支部或党小组。"]})
    start, end = month_bounds(first)
    rows = coverage(org, start=start, end=end, kind=kind)
    return {
        "organization": org.pk,
        "organization_name": org.name,
        "month": f"{first:%Y-%m}",
        "start": start,
        "end": end,
        "kind": kind,
        **coverage_counts(rows),
        "members": [
            {
                "member": r.member.pk,
                "member_name": r.member.name,
                "is_frail": r.member.is_frail,
                "is_mobile": r.member.is_mobile,
                "status": r.status,
                "status_label": r.label,
                "left_behind": r.left_behind,
                "absences": [
                    {
                        "meeting": a.meeting_id,
                        "meeting_date": a.meeting.date,
                        "meeting_kind": a.meeting.kind,
                        "meeting_kind_label": a.meeting.get_kind_display(),
                        "reason": a.absence_reason,
                        "reason_label": a.reason_label,
                        "note": a.note,
                    }
                    for a in r.absences
                ],
            }
            for r in rows
        ],
    }


@home_study_router.get(
    "/counts",
    response={200: HomeStudyCountsOut, **READ_ERRORS},
    operation_id="home_study_counts",
    summary="交流研讨与送学上门次数",
)
def home_study_counts_view(request: HttpRequest, date_from: dt.date | None = None, date_to: dt.date | None = None) -> Any:
    """Over the caller's scope, this year to today by default."""
    user = request.auth
    _require_staff(user)
    today = timezone.localdate()
    start = date_from or today.replace(month=1, day=1)
    end = date_to or today
    if end < start:
        raise FormInvalid({"date_to": ["结束日期不能早于开始日期。"]})
    plans = home_study_plan_counts(user, start, end, today=today)
    return {
        "date_from": start,
        "date_to": end,
        **home_study_counts(user, start, end),
        **{f"plans_{k}": v for k, v in plans.items()},
    }


@home_study_router.get(
    "/plans", response={200: HomeStudyPlanListOut, **READ_ERRORS}, operation_id="home_study_plans", summary="送学上门安排"
)
def home_study_plans_view(request: HttpRequest, organization: int | None = None) -> Any:
    """Without `organization`: the open plans the caller is to carry out (any role). With it: the
    open plans of that branch or Party group (staff who see it)."""
    user = request.auth
    today = timezone.localdate()
    if organization is None:
        plans = home_study_due_for(user)
    else:
        _require_staff(user)
        plans = list(home_study_plans_of(user=user, organization=get_organization_for_user(user, organization)))
    return {"items": [HomeStudyPlanOut.of(p, today=today) for p in plans]}


@home_study_router.post(
    "/plans", response={201: HomeStudyPlanListOut, **WRITE_ERRORS}, operation_id="home_study_plan", summary="安排送学上门"
)
def home_study_plan_create(request: HttpRequest, payload: HomeStudyPlanIn) -> Any:
    """Through the page's form and service: one plan per member, linked to the absence it makes up."""
    user = request.auth
    org = get_organization_for_user(user, payload.organization, "manage")
    if org.kind not in MEETING_ORG_KINDS:
        raise FormInvalid({"organization": ["组织生活由党支部或党小组开展，请选择党支部或党小组。"]})
    rows, meetings = left_behind_unplanned(org, _month(payload.month))
    form = HomeStudyPlanForm(
        payload.model_dump(exclude={"organization", "month"}),
        members=Member.objects.filter(pk__in=[r.member.pk for r in rows]),
        visitors=home_study_visitors(org),
    )
    data = form_data(form)
    plans = home_study_plan(
        by=user,
        organization=org,
        members=data["members"],
        visitor=data["visitor"],
        due=data["due"],
        note=data["note"],
        meetings=meetings,
        source=ChangeRecord.Source.API,
    )
    today = timezone.localdate()
    return Status(201, {"items": [HomeStudyPlanOut.of(p, today=today) for p in plans]})


@home_study_router.post(
    "/plans/{id:plan_id}/complete",
    response={200: HomeStudyVisitOut, **WRITE_ERRORS},
    operation_id="home_study_plan_complete",
    summary="登记送学上门安排已完成",
)
def home_study_plan_complete_view(request: HttpRequest, plan_id: int, payload: HomeStudyPlanCompleteIn) -> Any:
    user = request.auth
    plan = get_home_study_plan_for_user(user, plan_id)
    data = form_data(HomeStudyPlanCompleteForm(payload.model_dump()))
    visit = home_study_plan_complete(
        plan=plan, by=user, date=data["date"], topic=data["topic"], notes=data["notes"], source=ChangeRecord.Source.API
    )
    visit = HomeStudyVisit.objects.select_related("member", "organization", "meeting").get(pk=visit.pk)
    return HomeStudyVisitOut.of(visit)
