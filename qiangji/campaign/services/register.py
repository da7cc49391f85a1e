"""Writes to the entity register: only these functions change an Entity, field by field, and each
written value leaves an EntityChange naming its batch and visit (RULES.md: keep where every value
came from)."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from qiangji.campaign.access import runs_campaign
from qiangji.campaign.models import Entity, EntityChange
from qiangji.core.concurrency import lock_current
from qiangji.core.errors import DomainError

SCALAR_FIELDS = tuple(f for f in Entity.REGISTER_FIELDS if f != "chains")
BLANK: dict[str, Any] = {"employees": 0, "party_members": 0, "has_party_org": False, "street": None, "village": None}


def _shown(entity: Entity, field: str, value: Any) -> str:
    """A value as the history shows it (names, not pks; labels, not codes)."""
    if value is None or value == "":
        return ""
    if field == "kind":
        return str(Entity.Kind(value).label)
    if field == "has_party_org":
        return "是" if value else "否"
    if field in ("village", "street"):
        model = Entity._meta.get_field(field).related_model
        obj = value if hasattr(value, "pk") else model.objects.filter(pk=value).first()
        return str(obj) if obj else ""
    if field == "chains":
        from qiangji.orgs.models import Chain

        return "、".join(Chain.objects.filter(pk__in=value).values_list("name", flat=True)) if value else ""
    return str(value)


@transaction.atomic
def entity_apply(
    *,
    values: Mapping[str, Any],
    by: Any,
    entity: Entity | None = None,
    batch: Any = None,
    visit: Any = None,
    note: str = "",
    expected_version: int | None = None,
) -> tuple[Entity, list[str]]:
    """Create (entity=None) or update an entity from register values (village/street as pks,
    chains as a list of pks); returns the entity and the names of the fields that changed.

    An existing entity is locked and reloaded first, so the
    'old' values compared and recorded are the stored ones; `expected_version` (the version a
    page read) refuses an edit the register has moved past with StaleEdit."""
    creating = entity is None
    if entity is not None:
        lock_current(entity, expected_version)
    entity = entity or Entity()
    changes: list[tuple[str, str, str]] = []
    for field in SCALAR_FIELDS:
        if field not in values:
            continue
        attname = f"{field}_id" if field in ("village", "street") else field
        new = values[field]
        if new is None or new == "":
            new = BLANK.get(field, "")
        old = getattr(entity, attname)
        if creating or old != new:
            if not creating or new not in ("", 0, False, None):
                changes.append((field, "" if creating else _shown(entity, field, old), _shown(entity, field, new)))
            setattr(entity, attname, new)
    if not entity.name or not entity.village_id:
        raise DomainError("主体名称和所在村居不能为空")
    if entity.credit_code and Entity.objects.filter(credit_code=entity.credit_code).exclude(pk=entity.pk).exists():
        raise DomainError(f"统一社会信用代码{entity.credit_code}已在底数中登记", field="credit_code")
    entity.save()
    if "chains" in values:
        new_chains = sorted(int(c) for c in values["chains"] or [])
        old_chains = [] if creating else sorted(entity.chains.values_list("pk", flat=True))
        if new_chains != old_chains:
            entity.chains.set(new_chains)
            changes.append(("chains", _shown(entity, "chains", old_chains), _shown(entity, "chains", new_chains)))
    EntityChange.objects.bulk_create(
        EntityChange.sealed(entity=entity, field=f, old=o, new=n, batch=batch, visit=visit, by=by, note=note)
        for f, o, n in changes
    )
    return entity, [f for f, _, _ in changes]


def _require_town(by: Any) -> None:
    if not runs_campaign(by):
        raise PermissionDenied("只有镇党委管理员可以调整覆盖情况")


@transaction.atomic
def entity_cover(*, entity: Entity, by: Any, organization: Any, how: str) -> Entity:
    """Organizational coverage: link the entity to the Party organization covering it (own or
    joint); organization=None removes the link."""
    _require_town(by)
    entity = Entity.objects.select_for_update().get(pk=entity.pk)
    if organization is not None and how not in Entity.OrgCoverage.values:
        raise DomainError("请选择覆盖方式（单独建立或联合党组织）", field="org_coverage")
    if organization is not None and organization.dissolved_on is not None:
        raise DomainError("该党组织已撤销，不能用于覆盖", field="covering_organization")
    old = (str(entity.covering_organization or ""), entity.get_org_coverage_display())
    entity.covering_organization = organization
    entity.org_coverage = how if organization is not None else ""
    if organization is not None and how == Entity.OrgCoverage.OWN:
        entity.has_party_org = True
    entity.save()
    new = (str(organization or ""), entity.get_org_coverage_display())
    if old != new:
        EntityChange.objects.create(
            entity=entity,
            field="covering_organization",
            old="　".join(filter(None, old)),
            new="　".join(filter(None, new)),
            by=by,
        )
    return entity


@transaction.atomic
def entity_assign_instructor(*, entity: Entity, by: Any, instructor: Any) -> Entity:
    """Work coverage: a Party-building instructor (党建指导员) serves the entity (None: nobody)."""
    _require_town(by)
    entity = Entity.objects.select_for_update().get(pk=entity.pk)
    if instructor is not None and not instructor.is_active:
        raise DomainError("该账号已停用，不能担任党建指导员", field="instructor")
    old = str(entity.instructor or "")
    entity.instructor = instructor
    entity.save()
    if old != str(instructor or ""):
        EntityChange.objects.create(entity=entity, field="instructor", old=old, new=str(instructor or ""), by=by)
    return entity
