"""API shapes of the campaign shared by its routers: entities, their carriers, coverage and
history, and coverage figures per carrier. Other areas import from here; keep it additive."""

from typing import Any

from ninja import Schema
from pydantic import Field

from qiangji.campaign.models import Entity, EntityChange
from qiangji.campaign.selectors import CoverageRow


class NamedOut(Schema):
    id: int
    name: str


class CoverageOut(Schema):
    """Coverage of one carrier (or of the town: carrier "town:0") over its active entities."""

    carrier: str = Field(description="chain:编号 / street:编号 / grid:编号；全镇为 town")
    name: str
    total: int = Field(description="在册主体数")
    org_covered: int = Field(description="已关联覆盖党组织的在册主体数")
    work_covered: int = Field(description="已明确党建指导员的在册主体数")
    covered: int = Field(description="组织覆盖或工作覆盖至少一项")
    uncovered: int = Field(description="两项均无")
    org_rate: float | None = Field(description="组织覆盖率（%），无在册主体时为 null")
    work_rate: float | None = Field(description="工作覆盖率（%）")
    covered_rate: float | None = Field(description="覆盖率（%）")

    @classmethod
    def of(cls, row: CoverageRow) -> "CoverageOut":
        return cls(
            carrier="town" if row.kind == "town" else row.ref,
            name=row.name,
            total=row.total,
            org_covered=row.org,
            work_covered=row.work,
            covered=row.covered,
            uncovered=row.uncovered,
            org_rate=row.org_rate,
            work_rate=row.work_rate,
            covered_rate=row.covered_rate,
        )


class CoverageAllOut(Schema):
    town: CoverageOut
    chains: list[CoverageOut]
    streets: list[CoverageOut]
    grids: list[CoverageOut]


class EntityCoverageOut(Schema):
    org_covered: bool
    covering_organization: NamedOut | None
    org_coverage: str = Field(description="own 单独建立党组织 / joint 联合党组织覆盖；未覆盖为空")
    org_coverage_label: str
    work_covered: bool
    instructor: NamedOut | None


class EntityOut(Schema):
    """One entity of the register; `phone` is masked unless the caller runs the campaign."""

    id: int
    name: str
    credit_code: str
    kind: str
    kind_label: str
    village: NamedOut
    grid: NamedOut | None
    address: str
    person_in_charge: str
    phone: str
    phone_masked: bool
    employees: int
    party_members: int
    has_party_org: bool
    chains: list[NamedOut]
    street: NamedOut | None
    status: str = Field(description="active 在册 / closed 已注销/歇业")
    coverage: EntityCoverageOut

    @classmethod
    def fields_of(cls, entity: Entity, *, unmasked: bool) -> dict[str, Any]:
        grid = entity.village.grid
        organization = entity.covering_organization
        instructor = entity.instructor
        return {
            "id": entity.pk,
            "name": entity.name,
            "credit_code": entity.credit_code,
            "kind": entity.kind,
            "kind_label": entity.get_kind_display(),
            "village": {"id": entity.village_id, "name": entity.village.name},
            "grid": {"id": grid.pk, "name": grid.name} if grid else None,
            "address": entity.address,
            "person_in_charge": entity.person_in_charge,
            "phone": entity.phone if unmasked else entity.phone_masked,
            "phone_masked": not unmasked,
            "employees": entity.employees,
            "party_members": entity.party_members,
            "has_party_org": entity.has_party_org,
            "chains": [{"id": c.pk, "name": c.name} for c in entity.chains.all()],
            "street": {"id": entity.street_id, "name": entity.street.name} if entity.street_id else None,
            "status": entity.status,
            "coverage": {
                "org_covered": organization is not None,
                "covering_organization": {"id": organization.pk, "name": organization.name} if organization else None,
                "org_coverage": entity.org_coverage,
                "org_coverage_label": entity.get_org_coverage_display() if entity.org_coverage else "",
                "work_covered": instructor is not None,
                "instructor": {"id": instructor.pk, "name": str(instructor)} if instructor else None,
            },
        }


class EntityPageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[EntityOut]


class EntityChangeOut(Schema):
    """One value written to the register and where it came from."""

    field: str
    field_label: str
    old: str
    new: str
    batch: int | None = Field(description="来源底数批次编号")
    visit: int | None = Field(description="来源走访记录编号")
    by: str
    at: str
    note: str

    @classmethod
    def of(cls, change: EntityChange, labels: dict[str, str], *, unmasked: bool) -> "EntityChangeOut":
        """`unmasked` only where the entity's phone itself is given in full (and audit-logged)."""
        old, new = change.shown_pair(revealed=unmasked)
        return cls(
            field=change.field,
            field_label=labels.get(change.field, change.field),
            old=old,
            new=new,
            batch=change.batch_id,
            visit=change.visit_id,
            by=str(change.by) if change.by_id else "",
            at=change.at.isoformat(),
            note=change.note,
        )


class EntityDetailOut(EntityOut):
    history: list[EntityChangeOut]
    service_cards: list[str]


class CoverIn(Schema):
    organization_id: int | None = Field(description="覆盖党组织编号；null 取消组织覆盖")
    how: str = Field("", description="own 单独建立党组织 / joint 联合党组织覆盖")


class InstructorIn(Schema):
    user_id: int | None = Field(description="党建指导员的用户编号；null 取消工作覆盖")
