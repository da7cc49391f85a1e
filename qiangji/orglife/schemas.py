"""API shapes of meetings, compliance and home study. Input names match the pages' form fields."""

import datetime as dt
import re
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from qiangji.core.concurrency import VERSION_IN_HELP, VERSION_OUT_HELP
from qiangji.orglife.models import Attendance, Meeting

REASON_CODES = " / ".join(f"{value} {label}" for value, label in Attendance.Reason.choices)


def meeting_summary(meeting: Meeting) -> dict[str, Any]:
    """The fields every API view of a meeting shows (meetings here, liaison attendance there)."""
    return {
        "organization": meeting.organization_id,
        "organization_name": meeting.organization.name,
        "kind": meeting.kind,
        "kind_label": meeting.get_kind_display(),
        "status": meeting.status,
        "status_label": meeting.get_status_display(),
        "date": meeting.date,
        "place": meeting.place,
        "topic": meeting.topic,
    }


class AttendanceOut(Schema):
    member: int
    member_name: str
    present: bool
    absence_reason: str = Field(description=f"缺席原因：{REASON_CODES}；出席为空")
    absence_reason_label: str
    absence_note: str = Field(description="缺席原因说明（原因为“其他”时必填）")


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
    expected_count: int | None = Field(description="台账所记应到人数（导入时给出，未登记出席名单时参考）")
    actual_count: int | None = Field(description="台账所记实到人数")
    attendance: list[AttendanceOut] | None = None
    version: int = Field(description=VERSION_OUT_HELP)

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
            **meeting_summary(meeting),
            presenter=meeting.presenter_id,
            presenter_name=meeting.presenter_label,
            minutes=meeting.minutes,
            present_count=present,
            absent_count=absent,
            expected_count=meeting.expected_count,
            actual_count=meeting.actual_count,
            version=meeting.version,
            attendance=None
            if rows is None
            else [
                AttendanceOut(
                    member=a.member_id,
                    member_name=a.member.name,
                    present=a.present,
                    absence_reason=a.absence_reason,
                    absence_reason_label=a.reason_label,
                    absence_note=a.note,
                )
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

    version: int = Field(description=VERSION_IN_HELP)
    kind: str | None = None
    status: str | None = None
    date: dt.date | None = None
    place: str | None = None
    topic: str | None = None
    presenter: int | None = None
    presenter_name: str | None = None
    minutes: str | None = None


class AbsenceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(description=REASON_CODES)
    note: str = Field("", description="原因说明；原因为 other 时必填")


class CompleteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    present: list[int] | None = Field(None, description="出席党员的ID；不传表示“全部出席”：本组织党员中除 absent 所列之外均出席")
    absent: dict[int, AbsenceIn | str] = Field(
        default_factory=dict, description="{缺席党员ID: {reason, note}}（或只写原因代码）；每名缺席党员都须有原因"
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


# Home study (送学上门) -----------------------------------------------------------------------


class HomeStudyVisitOut(Schema):
    id: int
    member: int
    member_name: str
    organization: int
    organization_name: str
    date: dt.date
    topic: str
    visitors: list[str] = Field(description="送学人员：登记账号的姓名在前，其后为填写的其他人员")
    meeting: int | None
    meeting_label: str
    notes: str

    @classmethod
    def of(cls, visit: Any) -> "HomeStudyVisitOut":
        """Reads the prefetched visitor accounts; `visitors` text is split at 、，, as typed."""
        names = [str(u) for u in visit.visitor_users.all()]
        names += [n.strip() for n in re.split(r"[、，,；;]", visit.visitors) if n.strip()]
        meeting = visit.meeting
        return cls(
            id=visit.pk,
            member=visit.member_id,
            member_name=visit.member.name,
            organization=visit.organization_id,
            organization_name=visit.organization.name,
            date=visit.date,
            topic=visit.topic,
            visitors=list(dict.fromkeys(names)),
            meeting=visit.meeting_id,
            meeting_label="" if meeting is None else f"{meeting.date:%Y-%m-%d} {meeting.get_kind_display()}：{meeting.topic}",
            notes=visit.notes,
        )


class HomeStudyVisitPageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[HomeStudyVisitOut]


class HomeStudyVisitIn(Schema):
    """The page's form: `include_me` counts the caller among those who went."""

    model_config = ConfigDict(extra="forbid")

    member: int
    date: dt.date
    topic: str
    meeting: int | None = Field(None, description="补学的会议（该党员所在组织已召开的会议），可不填")
    include_me: bool = Field(True, description="调用者本人参加了送学")
    visitors: str = Field("", description="其他送学人员，多人用顿号分隔")
    notes: str = ""


class AbsenceOut(Schema):
    meeting: int
    meeting_date: dt.date
    meeting_kind: str
    meeting_kind_label: str
    reason: str
    reason_label: str
    note: str


class CoverageMemberOut(Schema):
    member: int
    member_name: str
    is_frail: bool
    is_mobile: bool
    status: str = Field(description="attended 参加组织生活 / visited 已送学上门 / neither 未参加也未送学")
    status_label: str
    left_behind: bool = Field(description="列入“一个不掉队”名单：本期未参加组织生活，或有缺席尚未送学补课")
    absences: list[AbsenceOut] = Field(description="本期缺席且尚未送学补课的会议")


class CoverageOut(Schema):
    organization: int
    organization_name: str
    month: str
    start: dt.date
    end: dt.date
    kind: str
    attended: int
    visited: int
    neither: int
    left_behind: int = Field(description="列入“一个不掉队”名单的人数")
    members: list[CoverageMemberOut]


class HomeStudyCountsOut(Schema):
    date_from: dt.date
    date_to: dt.date
    discussions: int = Field(description="交流研讨（已召开）次数")
    home_study_visits: int = Field(description="送学上门次数")
    plans_planned: int = Field(description="其间安排的送学上门：待送学（未到期限）人次")
    plans_done: int = Field(description="其间安排的送学上门：已完成人次")
    plans_overdue: int = Field(description="其间安排的送学上门：已逾期人次")


class HomeStudyPlanIn(Schema):
    """The plan page's form: members from the month's no-member-left-behind list."""

    model_config = ConfigDict(extra="forbid")

    organization: int = Field(description="党支部或党小组")
    month: str = Field("", description="名单所在月份 YYYY-MM，默认本月")
    members: list[int] = Field(description="送学对象（名单中尚未安排的党员）")
    visitor: int = Field(description="送学人员的账号ID（本组织党员或书记、党务工作者）")
    due: dt.date = Field(description="完成期限")
    note: str = ""


class HomeStudyPlanCompleteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    date: dt.date
    topic: str
    notes: str = ""


class HomeStudyPlanOut(Schema):
    id: int
    member: int
    member_name: str
    organization: int
    organization_name: str
    meeting: int | None
    visitor: int
    visitor_name: str
    due: dt.date
    note: str
    status: str = Field(description="planned 待送学 / done 已完成 / overdue 已逾期")
    status_label: str
    visit: int | None

    @classmethod
    def of(cls, plan: Any, *, today: dt.date) -> "HomeStudyPlanOut":
        status = "overdue" if plan.is_overdue(today) else plan.status
        return cls(
            id=plan.pk,
            member=plan.member_id,
            member_name=plan.member.name,
            organization=plan.organization_id,
            organization_name=plan.organization.name,
            meeting=plan.meeting_id,
            visitor=plan.visitor_id,
            visitor_name=str(plan.visitor),
            due=plan.due,
            note=plan.note,
            status=status,
            status_label={"planned": "待送学", "done": "已完成", "overdue": "已逾期"}[status],
            visit=plan.visit_id,
        )


class HomeStudyPlanListOut(Schema):
    items: list[HomeStudyPlanOut]
