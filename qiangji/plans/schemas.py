"""API shapes of work plans (工作计划备案). Input names match WorkPlanForm's fields."""

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from qiangji.core.concurrency import VERSION_OUT_HELP
from qiangji.plans.models import WorkPlan


class WorkPlanOut(Schema):
    id: int
    organization: int
    organization_name: str
    year: int
    title: str
    text: str
    status: str = Field(description="filed 已备案 / returned 已退回")
    status_label: str
    comment: str = Field(description="退回意见")
    file_name: str
    file_url: str | None = Field(description="计划文件的下载地址（接口），没有文件时为 null")
    filed_by: str
    filed_at: dt.datetime
    version: int = Field(description=VERSION_OUT_HELP)

    @classmethod
    def of(cls, plan: WorkPlan) -> "WorkPlanOut":
        return cls(
            id=plan.pk,
            organization=plan.organization_id,
            organization_name=plan.organization.name,
            year=plan.year,
            title=plan.title,
            text=plan.text,
            status=plan.status,
            status_label=plan.get_status_display(),
            comment=plan.comment,
            file_name=plan.file_name if plan.file else "",
            file_url=f"/api/v1/plans/{plan.pk}/file" if plan.file else None,
            filed_by=str(plan.filed_by) if plan.filed_by_id else "",
            filed_at=plan.filed_at,
            version=plan.version,
        )


class WorkPlanPageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[WorkPlanOut]


class WorkPlanIn(Schema):
    """Filing again for the same organization and year replaces the plan (a returned one too)."""

    model_config = ConfigDict(extra="forbid")

    organization: int
    year: int
    title: str
    text: str = Field(description="计划内容（附文件请用 POST /plans/upload）")
    version: int = Field(
        description="该党组织该年度计划的 version（尚未备案时填 0）；计划在此之后被备案或退回时返回 409，并附现在的内容"
    )


class NotFiledOrganizationOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    status: str = Field(description="not_filed 未备案 / returned 已退回")
    status_label: str
    comment: str


class NotFiledGroupOut(Schema):
    group: str = Field(description="指导联络组名称；不属于任何联络组的党组织列在“未分配指导联络组”下")
    organizations: list[NotFiledOrganizationOut]


class NotFiledOut(Schema):
    year: int
    organization_count: int = Field(description="范围内应备案的党组织数")
    filed_count: int
    groups: list[NotFiledGroupOut]

    @staticmethod
    def row(row: Any) -> dict[str, Any]:
        org, plan = row.organization, row.plan
        return {
            "id": org.pk,
            "name": org.name,
            "kind": org.kind,
            "kind_label": org.get_kind_display(),
            "status": "returned" if plan else "not_filed",
            "status_label": "已退回" if plan else "未备案",
            "comment": plan.comment if plan else "",
        }
