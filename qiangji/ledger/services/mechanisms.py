"""Writes on long-term mechanisms (长效机制): counted records, linked to the problems they answer."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from qiangji.core.access import get_scope
from qiangji.core.errors import DomainError
from qiangji.ledger.models import Mechanism, Problem, ProblemEvent


@transaction.atomic
def mechanism_record(*, by: Any, data: Mapping[str, Any], problems: Iterable[Problem] = ()) -> Mechanism:
    """Record a mechanism established or put into effect, and the problems it answers."""
    organization = data["organization"]
    if not get_scope(by).covers(organization.path, "view"):
        raise PermissionDenied("您无权为该党组织登记长效机制")
    name = (data.get("name") or "").strip()
    if not name:
        raise DomainError("请填写机制名称", field="name")
    problems = list(problems)
    outside = [p.number for p in problems if not p.organization.path.startswith(organization.path)]
    if outside:
        raise DomainError(f"问题{'、'.join(outside)}不属于该党组织", field="problems")
    mechanism = Mechanism.objects.create(
        name=name,
        organization=organization,
        kind=data["kind"],
        effective_on=data["effective_on"],
        description=(data.get("description") or "").strip(),
        created_by=by,
    )
    mechanism.problems.set(problems)
    for problem in problems:
        ProblemEvent.objects.create(
            problem=problem,
            action="mechanism",
            from_state=problem.state,
            to_state=problem.state,
            by=by,
            data={"mechanism": name, "kind": mechanism.get_kind_display()},
        )
    return mechanism
