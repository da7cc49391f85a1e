"""Reads of the campaign: coverage per carrier, the register, tasks and visits for a user."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from qiangji.campaign.models import CarrierKind, Entity, Visit, VisitTask
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
