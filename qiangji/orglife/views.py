"""Meeting pages: list, export, record/schedule, complete (attendance), detail, edit."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from qiangji.core.access import LIAISON, SECRETARY, TOWN_ADMIN, get_scope
from qiangji.core.concurrency import StaleEdit
from qiangji.core.converters import parse_id
from qiangji.core.errors import DomainError
from qiangji.core.exports import xlsx_response
from qiangji.core.history import history_for
from qiangji.core.pagination import paginate
from qiangji.orglife.forms import AttachmentForm, AttendanceForm, MeetingForm
from qiangji.orglife.models import Meeting
from qiangji.orglife.schedule import theme_day_for
from qiangji.orglife.selectors import get_meeting_for_user, meeting_attendances, meetings_list
from qiangji.orglife.services import attachment_add, meeting_cancel, meeting_complete, meeting_schedule, meeting_update
from qiangji.orgs.selectors import get_organization_for_user, organization_choices

STAFF = (TOWN_ADMIN, LIAISON, SECRETARY)


def require_role(request: HttpRequest, *roles: str) -> None:
    """Pages a role has no use for answer 404, like a missing page."""
    if not get_scope(request.user).has_role(*roles):
        raise Http404


def can_manage_any(request: HttpRequest) -> bool:
    scope = get_scope(request.user)
    return scope.superuser or bool(scope.manage_paths)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters(request: HttpRequest, params: QueryDict) -> dict[str, Any]:
    organization = None
    if params.get("org"):
        try:
            organization = get_organization_for_user(request.user, int(params["org"]))
        except ValueError:
            raise Http404
    kind, status = params.get("kind", ""), params.get("status", "")
    return {
        "organization": organization,
        "kind": kind if kind in Meeting.Kind.values else "",
        "status": status if status in Meeting.Status.values else "",
        "date_from": _date(params.get("from", "")),
        "date_to": _date(params.get("to", "")),
    }


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    require_role(request, *STAFF)
    filters = _filters(request, request.GET)
    page = paginate(request, meetings_list(user=request.user, **filters))
    return render(
        request,
        "orglife/list.html",
        {
            "page": page,
            "filters": filters,
            "org_choices": organization_choices(user=request.user, levels=3),
            "kinds": Meeting.Kind.choices,
            "statuses": Meeting.Status.choices,
            "can_create": can_manage_any(request),
            "export_query": request.GET.urlencode(),
        },
    )


@login_required
def export(request: HttpRequest) -> HttpResponse:
    require_role(request, *STAFF)
    qs = meetings_list(user=request.user, **_filters(request, request.GET))

    def rows():
        for m in qs.iterator(chunk_size=2000):
            yield [
                m.organization.name,
                m.get_kind_display(),
                m.get_status_display(),
                m.date,
                m.place,
                m.topic,
                m.presenter_label,
                m.present_count,
                m.absent_count,
            ]

    return xlsx_response(
        request=request,
        filename=f"组织生活记录_{timezone.localdate():%Y%m%d}.xlsx",
        title="组织生活记录",
        headers=["党组织", "会议类型", "状态", "日期", "地点", "主题", "主持人/主讲人", "出席人数", "缺席人数"],
        rows=rows(),
        object_type="orglife.Meeting",
    )


@login_required
def create(request: HttpRequest) -> HttpResponse:
    if not can_manage_any(request):
        raise Http404
    initial: dict[str, Any] = {"date": timezone.localdate()}
    if (org_pk := parse_id(request.GET.get("org"))) is not None:
        initial["organization"] = get_organization_for_user(request.user, org_pk, "manage").pk
    if request.GET.get("kind") in Meeting.Kind.values:
        initial["kind"] = request.GET["kind"]
    month = request.GET.get("month", "")
    if initial.get("kind") == Meeting.Kind.THEME_DAY and month in {str(m) for m in range(1, 13)}:
        theme_day = theme_day_for(year=timezone.localdate().year, month=int(month))
        if theme_day:
            initial["date"] = theme_day
    form = MeetingForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meeting_schedule(by=request.user, data=form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            if meeting.status == Meeting.Status.HELD:
                messages.success(request, "已登记会议，请勾选出席党员。")
                return redirect("orglife:complete", meeting.pk)
            messages.success(request, "已登记计划召开的会议，召开后请补充出席情况。")
            return redirect("orglife:detail", meeting.pk)
    return render(request, "orglife/form.html", {"form": form, "meeting": None})


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, "manage")
    form = MeetingForm(request.POST or None, user=request.user, instance=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_update(
                meeting=meeting, by=request.user, data=form.cleaned_data, expected_version=form.cleaned_data["version"]
            )
        except StaleEdit as stale:
            form.show_stale(stale)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, "已保存会议信息。")
            return redirect("orglife:detail", meeting.pk)
    return render(request, "orglife/form.html", {"form": form, "meeting": meeting})


@login_required
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark held and record who attended: "全部出席", then the absent with their reasons."""
    meeting = get_meeting_for_user(request.user, pk, "manage")
    attendances = list(meeting.attendances.all())
    initial: dict[str, Any] = {"present": [a.member_id for a in attendances if a.present]}
    for a in attendances:
        if not a.present:
            initial.update({f"reason_{a.member_id}": a.absence_reason, f"note_{a.member_id}": a.note})
    data = request.POST if request.method == "POST" else None
    if data is not None and data.get("mark") == "all":
        # Without script the "全部出席" button posts here: everyone checked, nothing saved yet.
        data = data.copy()
        form = AttendanceForm(meeting=meeting, initial=initial)
        data.setlist("present", [str(m.pk) for m in form.members])
        form = AttendanceForm(data, meeting=meeting)
        return render(request, "orglife/complete.html", {"form": form, "meeting": meeting, "all_marked": True})
    form = AttendanceForm(data, meeting=meeting, initial=initial)
    if data is not None and form.is_valid():
        present, absent = form.attendance()
        try:
            meeting_complete(meeting=meeting, by=request.user, present=present, absent=absent)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"已记录出席{len(present)}人、缺席{len(absent)}人。")
            return redirect("orglife:detail", meeting.pk)
    return render(request, "orglife/complete.html", {"form": form, "meeting": meeting})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    require_role(request, *STAFF)
    attendances = list(meeting_attendances(meeting))
    return render(
        request,
        "orglife/detail.html",
        {
            "meeting": meeting,
            "present": [a for a in attendances if a.present],
            "absent": [a for a in attendances if not a.present],
            "attachments": meeting.attachments.all(),
            "can_manage": get_scope(request.user).covers(meeting.organization.path, "manage"),
            "attachment_form": AttachmentForm(),
            "history": history_for(meeting)[:20],
        },
    )


@login_required
@require_POST
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, "manage")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        attachment_add(meeting=meeting, by=request.user, file=form.cleaned_data["file"])
        messages.success(request, "已上传附件。")
    else:
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("orglife:detail", meeting.pk)


@login_required
def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A meeting's file, served only to those who may view the meeting (never a public media URL)."""
    require_role(request, *STAFF)
    meeting = get_meeting_for_user(request.user, pk)
    item = get_object_or_404(meeting.attachments, pk=attachment_pk)
    return FileResponse(item.file.open("rb"), as_attachment=not item.is_image, filename=item.name)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a scheduled meeting (held meetings are records and cannot be removed)."""
    meeting = get_meeting_for_user(request.user, pk, "manage")
    try:
        meeting_cancel(meeting=meeting, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("orglife:detail", pk=pk)
    messages.success(request, f"已取消会议“{meeting.topic}”。")
    return redirect("orglife:list")
