"""Coverage as it stood at a past moment, for the summaries' "coverage at the end of the period".

Today's counts come from the grouped coverage queries; what happened since `moment` is rolled back
through the register history (EntityChange of status, covering organization and instructor keeps
the old value as pages show it: "" for nobody, a label for a status). Entities registered after
the moment are left out; carrier membership is taken as it is now.
"""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Q
from django.utils import timezone

from qiangji.campaign.models import CarrierKind, Entity, EntityChange
from qiangji.campaign.selectors import coverage_by_carrier, coverage_town


def midnight(day: dt.date) -> dt.datetime:
    """The local midnight that starts `day`, as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _rate(part: int, total: int) -> float | None:
    return round(100 * part / total, 1) if total else None


def _row(kind: str, pk: int, name: str, total: int, org: int, work: int, covered: int) -> dict[str, Any]:
    return {
        "kind": kind,
        "id": pk,
        "name": name,
        "total": total,
        "org": org,
        "work": work,
        "covered": covered,
        "org_rate": _rate(org, total),
        "work_rate": _rate(work, total),
        "covered_rate": _rate(covered, total),
    }


def _contribution(state: tuple[bool, bool, bool] | None) -> tuple[int, int, int, int]:
    if state is None or not state[0]:
        return (0, 0, 0, 0)
    _, org, work = state
    return (1, int(org), int(work), int(org or work))


def coverage_at(moment: dt.datetime, *, carriers: bool = True) -> dict[str, Any]:
    """Coverage as it stood at `moment`: today's counts (one grouped query per carrier kind),
    minus what the register history says happened since."""
    town = coverage_town()
    counts: dict[tuple[str, int], list[int]] = {("town", 0): [town.total, town.org, town.work, town.covered]}
    names: dict[tuple[str, int], str] = {("town", 0): town.name}
    kinds = (CarrierKind.GRID, CarrierKind.CHAIN, CarrierKind.STREET) if carriers else ()
    for kind in kinds:
        for row in coverage_by_carrier(kind):
            counts[(str(kind), row.pk)] = [row.total, row.org, row.work, row.covered]
            names[(str(kind), row.pk)] = row.name
    if moment < timezone.now():
        _roll_back(moment, counts, carriers)
    result: dict[str, Any] = {"town": _row("town", 0, names[("town", 0)], *counts[("town", 0)])}
    if carriers:
        result["carriers"] = {
            str(kind): [_row(k, pk, names[(k, pk)], *counts[(k, pk)]) for (k, pk) in counts if k == str(kind)] for kind in kinds
        }
    return result


def _roll_back(moment: dt.datetime, counts: dict[tuple[str, int], list[int]], carriers: bool) -> None:
    later = EntityChange.objects.filter(at__gte=moment, field__in=("status", "covering_organization", "instructor"))
    affected = Entity.objects.filter(Q(registered_at__gte=moment) | Q(pk__in=later.values("entity_id")))
    first_old: dict[tuple[int, str], str] = {}
    for entity_id, field, old in later.order_by("at", "id").values_list("entity_id", "field", "old"):
        first_old.setdefault((entity_id, field), old)
    chains: dict[int, list[int]] = defaultdict(list)
    if carriers:
        for entity_id, chain_id in Entity.chains.through.objects.filter(entity__in=affected).values_list("entity_id", "chain_id"):
            chains[entity_id].append(chain_id)
    rows = affected.values_list(
        "pk", "registered_at", "status", "covering_organization_id", "instructor_id", "village__grid_id", "street_id"
    )
    for pk, registered_at, status, org_id, instructor_id, grid_id, street_id in rows:
        now = (status == Entity.Status.ACTIVE, org_id is not None, instructor_id is not None)
        then: tuple[bool, bool, bool] | None = None
        if registered_at < moment:
            # An EntityChange keeps values as pages show them: "" for nobody, a label for a status.
            then = (
                first_old.get((pk, "status"), Entity.Status(status).label) == Entity.Status.ACTIVE.label,
                first_old[(pk, "covering_organization")] != "" if (pk, "covering_organization") in first_old else now[1],
                first_old[(pk, "instructor")] != "" if (pk, "instructor") in first_old else now[2],
            )
        delta = [a - b for a, b in zip(_contribution(then), _contribution(now), strict=True)]
        if not any(delta):
            continue
        keys = [("town", 0)]
        if carriers:
            keys += [("grid", grid_id)] if grid_id else []
            keys += [("street", street_id)] if street_id else []
            keys += [("chain", c) for c in chains.get(pk, [])]
        for key in keys:
            if key in counts:
                counts[key] = [a + b for a, b in zip(counts[key], delta, strict=True)]
