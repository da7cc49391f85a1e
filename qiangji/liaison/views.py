"""Liaison attendance pages: a member's meetings with one-tap 列席 records, the town's view of
meetings not attended, and its export. Thin: parse, call, render."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from qiangji.core.access import LIAISON, TOWN_ADMIN, get_scope
from qiangji.core.errors import DomainError
from qiangji.core.exports import xlsx_response
from qiangji.liaison.selectors import (
    get_group_for_member,
    get_meeting_for_group,
    liaison_meetings_for_member,
    liaison_unattended,
)
from qiangji.liaison.services import liaison_attendance_record


def _year(request: HttpRequest, today: dt.date) -> int:
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if today.year - 10 <= year <= today.year else today.year


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """A liaison member's assemblies and theme days: the next 30 days and the last 30."""
    today = timezone.localdate()
    blocks = liaison_meetings_for_member(user=request.user, today=today)
    if not blocks:
        raise Http404
    sections = [
        {
            "group": b.group,
            "upcoming": [r for r in b.rows if r.meeting.date >= today],
            "recent": [r for r in b.rows if r.meeting.date < today][::-1],
        }
        for b in blocks
    ]
    return render(request, "liaison/mine.html", {"sections": sections, "today": today})


@login_required
@require_POST
def record(request: HttpRequest, group_pk: int, meeting_pk: int) -> HttpResponse:
    """The one-tap 已列席 / 未列席 button; a correction is the same tap again."""
    group = get_group_for_member(request.user, group_pk)
    meeting = get_meeting_for_group(group, meeting_pk)
    attended = request.POST.get("attended")
    if attended not in ("1", "0"):
        raise Http404
    try:
        liaison_attendance_record(
            meeting=meeting, group=group, by=request.user, attended=attended == "1", note=request.POST.get("note", "")
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        label = "已列席" if attended == "1" else "未列席"
        messages.success(request, f"已登记：{meeting.organization.name}{meeting.get_kind_display()}{label}")
    return redirect(f"{reverse('liaison_meetings:mine')}#m-{group.pk}-{meeting.pk}")


def _overview(request: HttpRequest) -> tuple[int, list[Any]]:
    if not get_scope(request.user).has_role(TOWN_ADMIN, LIAISON):
        raise Http404
    today = timezone.localdate()
    year = _year(request, today)
    blocks = liaison_unattended(user=request.user, date_from=dt.date(year, 1, 1), date_to=dt.date(year, 12, 31), today=today)
    return year, blocks


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Per group: the year's assemblies and theme days held or past, and which were not attended."""
    year, blocks = _overview(request)
    this_year = timezone.localdate().year
    return render(
        request,
        "liaison/overview.html",
        {"year": year, "years": range(this_year, this_year - 5, -1), "blocks": blocks},
    )


@login_required
def export(request: HttpRequest) -> HttpResponse:
    year, blocks = _overview(request)

    def rows():
        for block in blocks:
            for row in block.missed:
                m = row.meeting
                yield [
                    block.group.name,
                    m.organization.name,
                    m.get_kind_display(),
                    m.date,
                    m.topic,
                    m.get_status_display(),
                    row.label,
                    row.record.note if row.record else "",
                ]

    return xlsx_response(
        request=request,
        filename=f"{year}年联络组未列席会议.xlsx",
        title=f"{year}年未列席",
        headers=["指导联络组", "党组织", "会议类型", "日期", "主题", "会议状态", "列席情况", "说明"],
        rows=rows(),
        object_type="liaison_attendance.LiaisonAttendance",
    )
