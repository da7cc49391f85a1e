"""API shapes of liaison attendance (列席)."""

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from qiangji.orglife.schemas import meeting_summary

RECORD_STATES = {None: ("not_recorded", "未登记"), True: ("attended", "已列席"), False: ("not_attended", "未列席")}


class LiaisonMeetingOut(Schema):
    """An assembly or theme day a group must attend, and what the group recorded."""

    meeting: int
    organization: int
    organization_name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    date: dt.date
    place: str
    topic: str
    record: str = Field(description="not_recorded 未登记 / attended 已列席 / not_attended 未列席")
    record_label: str
    attendees: list[str] = Field(description="列席人员姓名")
    note: str

    @classmethod
    def of(cls, row: Any) -> "LiaisonMeetingOut":
        """`row`: a liaison.selectors.Row (its record's attendees prefetched)."""
        m, record = row.meeting, row.record
        state, label = RECORD_STATES[None if record is None else record.attended]
        return cls(
            meeting=m.pk,
            **meeting_summary(m),
            record=state,
            record_label=label,
            attendees=[] if record is None else [str(u) for u in record.attendees.all()],
            note="" if record is None else record.note,
        )


class GroupMeetingsOut(Schema):
    group: int
    group_name: str
    upcoming: list[LiaisonMeetingOut] = Field(description="今天及以后 30 天内，按日期先后")
    recent: list[LiaisonMeetingOut] = Field(description="过去 30 天内，最近的在前")


class LiaisonAttendanceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    attended: bool = Field(description="true 已列席 / false 未列席")
    attendees: list[int] | None = Field(None, description="列席人员的账号ID（须为本联络组成员）；不填时为登记人本人")
    note: str = Field("", max_length=200)


class GroupUnattendedOut(Schema):
    group: int
    group_name: str
    due: int = Field(description="年内应列席（已召开或日期已过）的会议数")
    attended: int
    missed: list[LiaisonMeetingOut] = Field(description="未列席或未登记的会议")


class UnattendedOut(Schema):
    year: int
    groups: list[GroupUnattendedOut]
