"""Reads of the campaign: coverage per carrier, the register, tasks and visits for a user."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from qiangji.campaign.models import BaseRecord, CarrierKind, Entity, ServiceCard, Visit, VisitTask, VisitTeam
from qiangji.campaign.selectors_tasks import sees_campaign
from qiangji.core.converters import parse_id
from qiangji.orgs.models import Chain, Grid, Street


@dataclass(frozen=True)
class CoverageRow:
    """Coverage of one carrier: active entities, how many an organization covers, how many an
    instructor serves, how many either (covered) and neither (uncovered)."""

    kind: str
    pk: int
    name: str
    total: int
    org: int
    work: int
    covered: int

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.pk}"

    @property
    def uncovered(self) -> int:
        return self.total - self.covered

    def rate(self, part: int) -> float | None:
        return round(100 * part / self.total, 1) if self.total else None

    @property
    def org_rate(self) -> float | None:
        return self.rate(self.org)

    @property
    def work_rate(self) -> float | None:
        return self.rate(self.work)

    @property
    def covered_rate(self) -> float | None:
        return self.rate(self.covered)


CARRIER_MODELS = {
    CarrierKind.CHAIN: (Chain, "entities"),
    CarrierKind.STREET: (Street, "entities"),
    CarrierKind.GRID: (Grid, "villages__entities"),
}


def coverage_by_carrier(kind: str, *, pk: int | None = None) -> list[CoverageRow]:
    """Coverage of every carrier of one kind, in one grouped query."""
    model, rel = CARRIER_MODELS[CarrierKind(kind)]
    active = Q(**{f"{rel}__status": Entity.Status.ACTIVE})
    org = Q(**{f"{rel}__covering_organization__isnull": False})
    work = Q(**{f"{rel}__instructor__isnull": False})
    # A grouped query drops Meta.ordering: name it, or grids come back in the database's order.
    qs = model.objects.order_by(*model._meta.ordering)
    if pk is not None:
        qs = qs.filter(pk=pk)
    rows = qs.annotate(
        total=Count(rel, filter=active),
        org=Count(rel, filter=active & org),
        work=Count(rel, filter=active & work),
        covered=Count(rel, filter=active & (org | work)),
    ).values_list("pk", "name", "total", "org", "work", "covered")
    return [CoverageRow(str(kind), *row) for row in rows]


def coverage_town() -> CoverageRow:
    """The whole town's active register in one row."""
    active = Entity.objects.active()
    figures = active.aggregate(
        total=Count("pk"),
        org=Count("pk", filter=Q(covering_organization__isnull=False)),
        work=Count("pk", filter=Q(instructor__isnull=False)),
        covered=Count("pk", filter=Q(covering_organization__isnull=False) | Q(instructor__isnull=False)),
    )
    return CoverageRow("town", 0, "全镇", **figures)


def parse_carrier(ref: str) -> tuple[str, int]:
    """ "grid:3" → ("grid", 3); ValueError with a Chinese message otherwise."""
    kind, _, pk = (ref or "").partition(":")
    if kind not in CarrierKind.values or parse_id(pk) is None:
        raise ValueError("载体格式应为 chain:编号、street:编号 或 grid:编号")
    return kind, int(pk)


def carrier_entities(kind: str, pk: int) -> QuerySet[Entity]:
    """The active entities a carrier holds."""
    lookup = {"chain": "chains", "street": "street", "grid": "village__grid"}[kind]
    return Entity.objects.active().filter(**{lookup: pk})


def get_entity_for_user(user: Any, pk: int) -> Entity:
    return get_object_or_404(Entity.objects.for_user(user), pk=pk)


def get_task_for_user(user: Any, pk: int) -> VisitTask:
    return get_object_or_404(VisitTask.objects.for_user(user), pk=pk)


def get_visit_for_user(user: Any, pk: int) -> Visit:
    return get_object_or_404(Visit.objects.for_user(user), pk=pk)


# What the work brief counts of the campaign ---------------------------------------------------


def teams_active(user: Any) -> QuerySet[VisitTeam]:
    """The visiting teams on duty (在岗), for those who see the campaign."""
    if not sees_campaign(user):
        return VisitTeam.objects.none()
    return VisitTeam.objects.filter(active=True).select_related("grid").order_by("grid__number", "name")


def visits_made(*, user: Any, start: dt.date, end: dt.date) -> QuerySet[Visit]:
    """Visits made on a day in [start, end] that the user sees; rejected ones (不予采纳) do not count."""
    qs = Visit.objects.for_user(user).exclude(state=Visit.State.REJECTED).filter(visited_on__gte=start, visited_on__lte=end)
    return qs.select_related("task__grid", "task__entity", "team").order_by("-visited_on", "-id")


def tasks_verified(*, user: Any, start: dt.date, end: dt.date) -> QuerySet[VisitTask]:
    """Verify tasks (底数校核) with an approved visit made in [start, end]: the entities verified."""
    approved = Visit.objects.filter(state=Visit.State.APPROVED, visited_on__gte=start, visited_on__lte=end)
    qs = VisitTask.objects.for_user(user).filter(kind=VisitTask.Kind.VERIFY, pk__in=approved.values("task_id"))
    return qs.select_related("grid", "entity", "record").order_by("grid_id", "id")


def tasks_verified_new(*, user: Any, start: dt.date, end: dt.date) -> QuerySet[VisitTask]:
    """Those of `tasks_verified` about an entity the district's list did not have (新发现)."""
    return tasks_verified(user=user, start=start, end=end).filter(record__klass=BaseRecord.Klass.NEW)


def cards_issued(*, user: Any, start: dt.date, end: dt.date) -> QuerySet[ServiceCard]:
    """新连心 service cards handed out in [start, end] to entities the user sees."""
    qs = ServiceCard.objects.filter(entity__in=Entity.objects.for_user(user), issued_on__gte=start, issued_on__lte=end)
    return qs.select_related("entity").order_by("-issued_on", "number")


def entities_covered(user: Any, *, kind: str) -> QuerySet[Entity]:
    """Active entities the user sees that an organization (kind "org") or an instructor ("work")
    covers; all of them for kind "" (the base of the coverage rates, as `coverage_of` counts)."""
    qs = Entity.objects.for_user(user).active()
    if kind == "org":
        qs = qs.org_covered()
    elif kind == "work":
        qs = qs.work_covered()
    return qs.select_related("village").order_by("village_id", "name", "id")
