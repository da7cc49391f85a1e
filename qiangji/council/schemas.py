"""API shapes of projects, bulletins and opinions. Opinions carry a masked phone at most."""

import datetime as dt

from ninja import Schema
from pydantic import ConfigDict, Field

from qiangji.council.models import Bulletin, Deliberation, Milestone, Opinion, Project
from qiangji.council.selectors import project_bulletins


class ProjectOut(Schema):
    id: int
    name: str
    category: str
    organization: int
    organization_name: str
    village_name: str
    state: str
    state_label: str
    progress: int
    started_on: dt.date | None
    target_on: dt.date | None

    @classmethod
    def of(cls, p: Project) -> "ProjectOut":
        return cls(
            id=p.pk,
            name=p.name,
            category=p.category,
            organization=p.organization_id,
            organization_name=p.organization.name,
            village_name=p.village.name if p.village else "",
            state=p.state,
            state_label=p.get_state_display(),
            progress=p.progress,
            started_on=p.started_on,
            target_on=p.target_on,
        )


class ProjectPageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[ProjectOut]


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: dt.date
    done_on: dt.date | None

    @classmethod
    def of(cls, m: Milestone) -> "MilestoneOut":
        return cls(id=m.pk, title=m.title, due_on=m.due_on, done_on=m.done_on)


class BulletinOut(Schema):
    id: int
    title: str
    body: str
    progress: int
    published_at: dt.datetime | None

    @classmethod
    def of(cls, b: Bulletin) -> "BulletinOut":
        return cls(id=b.pk, title=b.title, body=b.body, progress=b.progress, published_at=b.published_at)


class ProjectDetailOut(ProjectOut):
    description: str
    milestones: list[MilestoneOut]
    bulletins: list[BulletinOut]
    can_manage: bool

    @classmethod
    def of_detail(cls, p: Project, can_manage: bool) -> "ProjectDetailOut":
        return cls(
            **ProjectOut.of(p).model_dump(),
            description=p.description,
            milestones=[MilestoneOut.of(m) for m in p.milestones.all()],
            bulletins=[BulletinOut.of(b) for b in project_bulletins(p)],
            can_manage=can_manage,
        )


class BulletinIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=200)
    body: str


class OpinionOut(Schema):
    id: int
    bulletin: int
    content: str
    author_name: str
    phone_masked: str = Field(description="联系电话（脱敏）")
    state: str
    state_label: str
    moderation: str
    answer: str
    answered_at: dt.datetime | None
    created_at: dt.datetime
    allowed_actions: list[str]

    @classmethod
    def of(cls, o: Opinion) -> "OpinionOut":
        return cls(
            id=o.pk,
            bulletin=o.bulletin_id,
            content=o.content,
            author_name=o.author_name,
            phone_masked=o.phone_masked if o.phone else "",
            state=o.state,
            state_label=o.get_state_display(),
            moderation=o.moderation,
            answer=o.answer,
            answered_at=o.answered_at,
            created_at=o.created_at,
            allowed_actions=o.allowed_actions(),
        )


class OpinionMoveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(description="evaluate 转入研究、accept 采纳、decline 不予采纳（须填理由）、answer 答复（须填答复，公开）")
    note: str = ""


class ModerationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    show: bool = Field(description="true 在议事厅公开，false 不公开")


class DeliberationMeasureIn(Schema):
    model_config = ConfigDict(extra="forbid")

    problem: int = Field(description="问题 id：本项目所属党组织（含下级）尚未销号、您可添加措施的问题")
    owner: int = Field(description="措施责任人（用户 id）：该问题所属党组织或其上级的书记、联络组成员或镇管理员")
    deadline: dt.date = Field(description="完成时限，不早于今天")


class DeliberationMeasureOut(Schema):
    id: int = Field(description="整改措施 id")
    deliberation: int
    problem: int
    problem_number: str
    description: str
    owner: int
    deadline: dt.date
    state: str

    @classmethod
    def of(cls, deliberation: Deliberation) -> "DeliberationMeasureOut":
        m = deliberation.measure
        return cls(
            id=m.pk,
            deliberation=deliberation.pk,
            problem=m.problem_id,
            problem_number=m.problem.number,
            description=m.description,
            owner=m.owner_id,
            deadline=m.deadline,
            state=m.state,
        )


class DeliberationProblemRef(Schema):
    id: int
    number: str


class DeliberationMeasureRef(Schema):
    id: int


class DeliberationOut(Schema):
    id: int
    topic: str
    held_on: dt.date
    place: str
    attendees: str
    outcome: str
    problem: DeliberationProblemRef | None = Field(description="结果已登记为的问题（否则为 null）")
    measure: DeliberationMeasureRef | None = Field(description="结果已转为的整改措施（否则为 null）")

    @classmethod
    def of(cls, d: Deliberation) -> "DeliberationOut":
        return cls(
            id=d.pk,
            topic=d.topic,
            held_on=d.held_on,
            place=d.place,
            attendees=d.attendees,
            outcome=d.outcome,
            problem=DeliberationProblemRef(id=d.problem_id, number=d.problem.number) if d.problem_id else None,
            measure=DeliberationMeasureRef(id=d.measure_id) if d.measure_id else None,
        )


class DeliberationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    topic: str = Field(max_length=200, description="议题（难点）")
    held_on: dt.date = Field(description="议事日期，不晚于今天")
    place: str = Field("", max_length=100)
    attendees: str
    outcome: str = Field(description="议定事项")


class DeliberationProblemIn(Schema):
    model_config = ConfigDict(extra="forbid")

    owner: int = Field(description="整改责任人（用户 id）：在职且有角色的用户")
    deadline: dt.date = Field(description="整改期限，不早于今天（挂号日期）")


class DeliberationProblemOut(Schema):
    id: int = Field(description="问题 id")
    number: str
