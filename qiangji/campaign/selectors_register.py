"""Reads of the register for its pages and API: the filtered list, one entity's story, the people
who may serve as instructors, and what a user may do with entities.

The page and the API filter alike through `RegisterFilters`, so "未覆盖" or "第一网格" mean the same
rows wherever they are asked for.
"""

from dataclasses import dataclass, fields
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from qiangji.campaign.access import runs_campaign, team_grid_ids
from qiangji.campaign.models import Entity, EntityChange, GridRole, ServiceCard, Visit
from qiangji.core.access import LIAISON, SECRETARY, get_scope

COVERAGE_CHOICES = [
    ("org", "已组织覆盖"),
    ("work", "已工作覆盖"),
    ("covered", "已覆盖（组织或工作）"),
    ("uncovered", "未覆盖"),
]
STATUS_CHOICES = [*Entity.Status.choices, ("all", "全部状态")]

# Field names of the history as users read them: the register's own labels plus the two
# coverage links, which are written by the coverage actions.
FIELD_LABELS = {f: str(Entity._meta.get_field(f).verbose_name) for f in Entity.REGISTER_FIELDS}
FIELD_LABELS.update({"covering_organization": "组织覆盖", "instructor": "工作覆盖（党建指导员）", "status": "状态"})


def sees_register(user: Any) -> bool:
    """The town, secretaries, liaison groups and team members have register pages; others 404."""
    return runs_campaign(user) or get_scope(user).has_role(LIAISON, SECRETARY) or bool(team_grid_ids(user))


def reads_coverage(user: Any) -> bool:
    """Coverage rates are town-wide counts, no personal data: the town, secretaries and liaison
    groups read them (to see how their villages stand); team members work from their tasks."""
    return runs_campaign(user) or get_scope(user).has_role(LIAISON, SECRETARY)


def can_reveal_phone(user: Any, entity: Entity) -> bool:
    """The town runs the campaign, and the grid's team calls ahead of a visit; others see it masked."""
    if runs_campaign(user):
        return True
    return entity.village.grid_id is not None and entity.village.grid_id in team_grid_ids(user)


@dataclass
class RegisterFilters:
    """What the register list is narrowed by; pks already checked to be numbers."""

    grid: int | None = None
    village: int | None = None
    chain: int | None = None
    street: int | None = None
    kind: str = ""
    coverage: str = ""
    q: str = ""
    status: str = Entity.Status.ACTIVE

    def as_log(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) not in (None, "")}

    @property
    def narrowing(self) -> bool:
        """Anything besides the default status narrows the list (for the empty-list message)."""
        return any(getattr(self, f.name) not in (None, "") for f in fields(self) if f.name != "status") or (
            self.status != Entity.Status.ACTIVE
        )


def coverage_q(coverage: str, prefix: str = "") -> Q:
    org = Q(**{f"{prefix}covering_organization__isnull": False})
    work = Q(**{f"{prefix}instructor__isnull": False})
    return {"org": org, "work": work, "covered": org | work, "uncovered": ~org & ~work}[coverage]


def entities_for_list(*, user: Any, filters: RegisterFilters) -> QuerySet[Entity]:
    """The register as `user` may see it, narrowed by `filters`, with what the table shows."""
    qs = Entity.objects.for_user(user)
    if filters.status in Entity.Status.values:
        qs = qs.filter(status=filters.status)
    for name, lookup in (("grid", "village__grid_id"), ("village", "village_id"), ("chain", "chains"), ("street", "street_id")):
        value = getattr(filters, name)
        if value is not None:
            qs = qs.filter(**{lookup: value})
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.coverage:
        qs = qs.filter(coverage_q(filters.coverage))
    if filters.q:
        code = filters.q.upper()
        qs = qs.filter(Q(name__icontains=filters.q) | Q(credit_code__startswith=code))
    return qs.select_related("village__grid", "street", "covering_organization", "instructor").prefetch_related("chains")


def coverage_of(qs: QuerySet[Entity]) -> dict[str, int]:
    """Counts of active entities in `qs`: total, org-covered, work-covered, covered (either)."""
    org = Q(covering_organization__isnull=False)
    work = Q(instructor__isnull=False)
    return qs.filter(status=Entity.Status.ACTIVE).aggregate(
        total=Count("pk"),
        org=Count("pk", filter=org),
        work=Count("pk", filter=work),
        covered=Count("pk", filter=org | work),
    )


def entity_history(entity: Entity) -> QuerySet[EntityChange]:
    return entity.changes.select_related("batch", "visit", "visit__task", "by")


def entity_visits(entity: Entity, user: Any) -> QuerySet[Visit]:
    """Visits made to the entity that `user` may see (a secretary sees those of entities they see)."""
    return Visit.objects.for_user(user).filter(task__entity=entity).select_related("task", "team", "by")


def entity_cards(entity: Entity) -> QuerySet[ServiceCard]:
    return entity.service_cards.select_related("visit")


def instructor_choices(entity: Entity | None) -> list[tuple[str, list[tuple[int, str]]]]:
    """Grouped options for the instructor select: the entity's grid instructors (十员) first, then
    other grids' instructors. Anyone else with an active account is chosen by account name."""
    roles = (
        GridRole.objects.filter(role=GridRole.Role.INSTRUCTOR, user__isnull=False, user__is_active=True)
        .select_related("user", "grid")
        .order_by("grid__number", "name")
    )
    grid_id = entity.village.grid_id if entity is not None else None
    own: list[tuple[int, str]] = []
    other: list[tuple[int, str]] = []
    seen: set[int] = set()
    for role in roles:
        if role.user_id in seen:
            continue
        if role.grid_id == grid_id:
            own.append((role.user_id, f"{role.user}（{role.grid}）"))
            seen.add(role.user_id)
    for role in roles:
        if role.user_id not in seen:
            other.append((role.user_id, f"{role.user}（{role.grid}）"))
            seen.add(role.user_id)
    groups = []
    if own:
        groups.append(("本网格党建指导员", own))
    if other:
        groups.append(("其他网格党建指导员", other))
    return groups


def active_users() -> QuerySet[Any]:
    return get_user_model().objects.filter(is_active=True)
