"""API shapes of grades (晋位升级) and rectification plans (一支部一方案)."""

import datetime as dt

from ninja import Schema
from pydantic import ConfigDict, Field

from qiangji.core.concurrency import VERSION_IN_HELP, VERSION_OUT_HELP
from qiangji.ledger.models import Grade, GradeLevel, Measure, RectificationPlan
from qiangji.ledger.schemas.problems import MeasureOut


class GradeLevelOut(Schema):
    name: str
    rank: int
    needs_plan: bool
    active: bool

    @classmethod
    def of(cls, level: GradeLevel) -> "GradeLevelOut":
        return cls(name=level.name, rank=level.rank, needs_plan=level.needs_plan, active=level.active)


class GradeOut(Schema):
    organization: int
    organization_name: str
    year: int
    level: str
    needs_plan: bool
    note: str

    @classmethod
    def of(cls, grade: Grade) -> "GradeOut":
        return cls(
            organization=grade.organization_id,
            organization_name=grade.organization.name,
            year=grade.year,
            level=grade.level.name,
            needs_plan=grade.level.needs_plan,
            note=grade.note,
        )


class GradeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    level: str = Field(description="等次名称，如“好”“较好”“一般”“差”")
    note: str = ""


class PlanOut(Schema):
    id: int
    organization: int
    organization_name: str
    year: int
    title: str
    analysis: str
    goals: str
    item_count: int
    checked_count: int
    behind_count: int = Field(description="未完成且已过完成时限的事项数")
    version: int = Field(description=VERSION_OUT_HELP)

    @classmethod
    def of(cls, plan: RectificationPlan, today: dt.date) -> "PlanOut":
        counts = getattr(plan, "item_count", None)
        if counts is None:
            items = list(plan.items.all())
            item_count = len(items)
            checked = sum(1 for i in items if i.state == Measure.State.CHECKED)
            behind = sum(1 for i in items if i.is_behind(today))
        else:
            item_count, checked, behind = plan.item_count, plan.checked_count, plan.behind_count
        return cls(
            id=plan.pk,
            organization=plan.organization_id,
            organization_name=plan.organization.name,
            year=plan.year,
            title=plan.title,
            analysis=plan.analysis,
            goals=plan.goals,
            item_count=item_count,
            checked_count=checked,
            behind_count=behind,
            version=plan.version,
        )


class PlanDetailOut(PlanOut):
    items: list[MeasureOut]


class PlanIn(Schema):
    """Saving again for the same organization and year edits the plan (one plan a year)."""

    model_config = ConfigDict(extra="forbid")

    organization: int
    year: int
    title: str = Field("", description="空则为“某党组织某年整改提升方案”")
    analysis: str
    goals: str = ""
    version: int | None = Field(
        None,
        description=(
            "修改已有方案时必填：读取时得到的 version。不填即新建；该年度已有方案（或已被修改）时返回 409，并附现在的内容"
        ),
    )


class PlanPutIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = ""
    analysis: str
    goals: str = ""
    version: int = Field(description=VERSION_IN_HELP)


class MissingPlanOut(Schema):
    id: int
    name: str
    level: str


class MissingPlansOut(Schema):
    year: int
    organizations: list[MissingPlanOut]
