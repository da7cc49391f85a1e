"""API shapes of organizations. Input names match OrganizationForm's fields."""

import datetime as dt

from ninja import Schema
from pydantic import ConfigDict, Field

from qiangji.core.concurrency import VERSION_IN_HELP, VERSION_OUT_HELP
from qiangji.orgs.models import Organization

KINDS = "、".join(f"{value}（{label}）" for value, label in Organization.Kind.choices)


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    parent: int | None
    parent_name: str | None
    unit: int | None
    unit_name: str | None
    village: int | None
    village_name: str | None
    founded_on: dt.date | None
    term_start: dt.date | None
    term_end: dt.date | None
    dissolved_on: dt.date | None
    has_committee: bool
    version: int = Field(description=VERSION_OUT_HELP)

    @staticmethod
    def resolve_kind_label(obj: Organization) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_parent(obj: Organization) -> int | None:
        return obj.parent_id

    @staticmethod
    def resolve_parent_name(obj: Organization) -> str | None:
        return obj.parent.name if obj.parent_id else None

    @staticmethod
    def resolve_unit(obj: Organization) -> int | None:
        return obj.unit_id

    @staticmethod
    def resolve_unit_name(obj: Organization) -> str | None:
        return obj.unit.name if obj.unit_id else None

    @staticmethod
    def resolve_village(obj: Organization) -> int | None:
        return obj.village_id

    @staticmethod
    def resolve_village_name(obj: Organization) -> str | None:
        return obj.village.name if obj.village_id else None


class OrganizationPageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[OrganizationOut]


class OrganizationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="组织名称，全镇唯一")
    kind: str = Field(description=f"组织类别：{KINDS}")
    parent: int | None = Field(None, description="上级组织编号，须在您的管理范围内")
    unit: int | None = Field(None, description="所在单位编号")
    village: int | None = Field(None, description="所在村居编号")
    founded_on: dt.date | None = Field(None, description="成立日期")
    term_start: dt.date | None = Field(None, description="本届任期开始")
    term_end: dt.date | None = Field(None, description="届满日期")
    has_committee: bool = Field(False, description="设支部委员会")


class OrganizationPatchIn(Schema):
    """Only the fields sent are changed; the rest keep their current values."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(description=VERSION_IN_HELP)
    name: str | None = None
    kind: str | None = None
    parent: int | None = None
    unit: int | None = None
    village: int | None = None
    founded_on: dt.date | None = None
    term_start: dt.date | None = None
    term_end: dt.date | None = None
    has_committee: bool | None = None
