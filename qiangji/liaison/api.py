"""Liaison attendance (列席) over the API: the same selectors and service as /liaison/meetings/.

A liaison member reads their groups' assemblies and theme days and records attendance; the
town admin (every group) and liaison members (their own) read what was not attended. A group
the caller does not sit in, or a meeting outside it, answers 404 like a missing one.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.errors import HttpError

from qiangji.accounts.models import User
from qiangji.core.access import LIAISON, TOWN_ADMIN, get_scope
from qiangji.core.api import ErrorOut, FormInvalid, ValidationErrorOut
from qiangji.core.errors import DomainError
from qiangji.liaison.schemas import GroupMeetingsOut, LiaisonAttendanceIn, LiaisonMeetingOut, UnattendedOut
from qiangji.liaison.selectors import (
    Row,
    get_group_for_member,
    get_meeting_for_group,
    liaison_meetings_for_member,
    liaison_unattended,
)
from qiangji.liaison.services import liaison_attendance_record

router = Router(tags=["联络组列席"])

READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}


@router.get(
    "/meetings",
    response={200: list[GroupMeetingsOut], **READ_ERRORS},
    operation_id="liaison_meetings",
    summary="本组应列席的会议",
)
def liaison_meetings(request: HttpRequest) -> Any:
    """The caller's groups with their assemblies and theme days of the next and the last 30 days."""
    today = timezone.localdate()
    blocks = liaison_meetings_for_member(user=request.auth, today=today)
    if not blocks:
        raise HttpError(403, "您不是指导联络组成员。")
    return [
        {
            "group": b.group.pk,
            "group_name": b.group.name,
            "upcoming": [LiaisonMeetingOut.of(r) for r in b.rows if r.meeting.date >= today],
            "recent": [LiaisonMeetingOut.of(r) for r in reversed(b.rows) if r.meeting.date < today],
        }
        for b in blocks
    ]


@router.post(
    "/groups/{id:group_id}/meetings/{id:meeting_id}/attendance",
    response={200: LiaisonMeetingOut, **WRITE_ERRORS},
    operation_id="liaison_attendance_record",
    summary="登记列席情况",
)
def liaison_attendance_record_view(request: HttpRequest, group_id: int, meeting_id: int, payload: LiaisonAttendanceIn) -> Any:
    """Recording again corrects the record; attendees default to the caller when attended."""
    user = request.auth
    group = get_group_for_member(user, group_id)
    meeting = get_meeting_for_group(group, meeting_id)
    attendees = None
    if payload.attendees is not None:
        ids = set(payload.attendees)
        attendees = list(User.objects.filter(pk__in=ids))
        if len(attendees) != len(ids):
            # An unknown account is no more a member of the group than anyone else's.
            raise DomainError("列席人员须为本联络组成员", field="attendees")
    record = liaison_attendance_record(
        meeting=meeting, group=group, by=user, attended=payload.attended, attendees=attendees, note=payload.note
    )
    return LiaisonMeetingOut.of(Row(meeting=meeting, record=record))


@router.get("/unattended", response={200: UnattendedOut, **READ_ERRORS}, operation_id="liaison_unattended", summary="未列席会议")
def liaison_unattended_view(request: HttpRequest, year: int | None = None) -> Any:
    """Per group, the year's assemblies and theme days held or past, and those not attended."""
    user = request.auth
    if not get_scope(user).has_role(TOWN_ADMIN, LIAISON):
        raise HttpError(403, "只有镇党委和指导联络组可以查看列席情况。")
    today = timezone.localdate()
    year = year or today.year
    if not 2000 <= year <= today.year:
        raise FormInvalid({"year": [f"年份应在 2000 至 {today.year} 之间。"]})
    blocks = liaison_unattended(user=user, date_from=dt.date(year, 1, 1), date_to=dt.date(year, 12, 31), today=today)
    return {
        "year": year,
        "groups": [
            {
                "group": b.group.pk,
                "group_name": b.group.name,
                "due": len(b.rows),
                "attended": b.attended_count,
                "missed": [LiaisonMeetingOut.of(r) for r in b.missed],
            }
            for b in blocks
        ],
    }
