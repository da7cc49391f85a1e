"""API shapes of meetings and compliance. Input names match MeetingForm's fields."""

import datetime as dt

from ninja import Schema
from pydantic import ConfigDict, Field

from qiangji.orglife.models import Meeting


class AttendanceOut(Schema):
    member: int
    member_name: str
    present: bool
    absence_reason: str


class MeetingOut(Schema):
    id: int
    organization: int
    organization_name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    date: dt.date
    place: str
    topic: str
    presenter: int | None
    presenter_name: str
    minutes: str
    present_count: int
    absent_count: int
    attendance: list[AttendanceOut] | None = None

    @classmethod
    def of(cls, meeting: Meeting, *, with_attendance: bool = False) -> "MeetingOut":
        rows = list(meeting.attendances.select_related("member")) if with_attendance else None
        present = getattr(meeting, "present_count", None)
        absent = getattr(meeting, "absent_count", None)
        if present is None:
            flags = [a.present for a in rows] if rows is not None else list(meeting.attendances.values_list("present", flat=True))
            present, absent = sum(flags), len(flags) - sum(flags)
        return cls(
            id=meeting.pk,
            organization=meeting.organization_id,
            organization_name=meeting.organization.name,
            kind=meeting.kind,
            kind_label=meeting.get_kind_display(),
            status=meeting.status,
            status_label=meeting.get_status_display(),
            date=meeting.date,
            place=meeting.place,
            topic=meeting.topic,
            presenter=meeting.presenter_id,
            presenter_name=meeting.presenter_label,
            minutes=meeting.minutes,
            present_count=present,
            absent_count=absent,
            attendance=None
            if rows is None
            else [
                AttendanceOut(member=a.member_id, member_name=a.member.name, present=a.present, absence_reason=a.absence_reason)
                for a in rows
            ],
        )


class MeetingPageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[MeetingOut]


class MeetingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    organization: int
    kind: str = Field(description="会议类型：" + " / ".join(Meeting.Kind.values))
    status: str = Field("scheduled", description="scheduled 计划召开 / held 已召开")
    date: dt.date
    place: str = ""
    topic: str
    presenter: int | None = None
    presenter_name: str = ""
    minutes: str = ""


class MeetingPatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: str | None = None
    status: str | None = None
    date: dt.date | None = None
    place: str | None = None
    topic: str | None = None
    presenter: int | None = None
    presenter_name: str | None = None
    minutes: str | None = None


class CompleteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    present: list[int] = Field(description="出席党员的ID")
    absent: dict[int, str] = Field(
        default_factory=dict, description="{缺席党员ID: 原因}，原因可为 sick/personal/work/away/frail/other 或空"
    )


class ComplianceCellOut(Schema):
    period: str
    label: str
    start: dt.date
    end: dt.date
    status: str = Field(description="held / missed / pending / not_required")
    count: int


class ComplianceKindOut(Schema):
    kind: str
    kind_label: str
    period: str
    minimum_count: int
    held: int
    missed: int
    pending: int
    not_required: int
    periods: list[ComplianceCellOut]


class ComplianceOut(Schema):
    organization: int
    organization_name: str
    year: int
    held: int
    missed: int
    pending: int
    not_required: int
    kinds: list[ComplianceKindOut]
