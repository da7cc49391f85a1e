"""API shapes of trainings. Input names match the forms' fields."""

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import ConfigDict, Field

from qiangji.trainings.models import Session, Training


class SessionOut(Schema):
    id: int
    date: dt.date
    hours: Decimal
    place: str
    topic: str
    teacher: str

    @classmethod
    def of(cls, s: Session) -> "SessionOut":
        return cls(id=s.pk, date=s.date, hours=s.hours, place=s.place, topic=s.topic, teacher=s.teacher)


class TrainingOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    organization: int
    organization_name: str
    description: str

    @classmethod
    def of(cls, t: Training) -> "TrainingOut":
        return cls(
            id=t.pk,
            name=t.name,
            kind=t.kind,
            kind_label=t.get_kind_display(),
            organization=t.organization_id,
            organization_name=t.organization.name,
            description=t.description,
        )


class TrainingDetailOut(TrainingOut):
    sessions: list[SessionOut]


class TrainingPageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[TrainingOut]


class TrainingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    kind: str = Field(
        description="secretary 书记培训 / rotation 党员集中轮训 / worker_drill 党务工作者培训练兵 / themed_class 专题班"
    )
    organization: int = Field(description="主办党组织 id")
    description: str = ""


class SessionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    date: dt.date
    hours: Decimal
    topic: str
    place: str = ""
    teacher: str = ""


class AttendanceRowOut(Schema):
    member: int
    name: str
    organization_name: str
    present: bool | None = Field(description="null 表示尚未登记")


class AttendanceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    present: list[int] = Field(description="出勤党员 id；本人管理的其他报名党员记为缺勤")


class AttendanceOut(Schema):
    present: int
    absent: int


class HoursRowOut(Schema):
    member: int
    name: str
    organization: int
    organization_name: str
    hours: Decimal
    required: int
    reached: bool


class HoursOrgOut(Schema):
    name: str
    members: int
    below: int
    average: Decimal
    completion_rate: Decimal = Field(description="达标率，百分数")


class HoursOut(Schema):
    organization: int
    year: int
    requirements: dict[str, int]
    total: HoursOrgOut
    organizations: list[HoursOrgOut]
    members: list[HoursRowOut]


class WarningBatchIn(Schema):
    """The page's form; `members` (optional) narrows the organizations' members to those listed."""

    model_config = ConfigDict(extra="forbid")

    site: str
    date: dt.date
    hours: Decimal
    topic: str = ""
    organizations: list[int]
    members: list[int] | None = Field(None, description="不传表示所选党组织（含下级）的全体党员，已参加前面批次的跳过")


class WarningAttendanceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    present: list[int] = Field(description="实到党员的ID（本批次党员）；未列出的记为未到")


class WarningMemberOut(Schema):
    member: int
    member_name: str
    organization_name: str
    present: bool | None = Field(description="是否实到；尚未登记为 null")


class WarningBatchOut(Schema):
    id: int
    training: int
    number: int
    site: str
    date: dt.date
    hours: Decimal
    topic: str
    organizations: list[str]
    member_count: int
    present_count: int
    members: list[WarningMemberOut] | None = None


class WarningBatchListOut(Schema):
    items: list[WarningBatchOut]
