"""A problem found on a visit goes into the self-reform ledger (问题清单) as "走访座谈".

Which organization answers for it: the Party organization covering the entity if there is one
(it is the entity's own or joint organization), else the organization of the entity's village
(its highest one there, e.g. the village general branch), else the town committee. The owner is
that organization's secretary, or the town admin registering it when it has none.
"""

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import Length
from django.utils import timezone

from qiangji.campaign.access import runs_campaign
from qiangji.campaign.models import Entity, Visit
from qiangji.core.access import SECRETARY
from qiangji.core.errors import DomainError
from qiangji.ledger.models import Problem
from qiangji.ledger.services import problem_register
from qiangji.orgs.models import Organization, Village

PROBLEM_DAYS = 30


def responsible_organization(entity: Entity | None, village_id: int | None) -> Organization:
    """The organization a visit's problem is registered under (see the module's docstring)."""
    active = Organization.objects.active()
    if entity is not None and entity.covering_organization_id and entity.covering_organization.dissolved_on is None:
        return entity.covering_organization
    if village_id:
        found = active.filter(village_id=village_id).order_by(Length("path"), "pk").first()
        if found is not None:
            return found
    town = active.filter(parent=None).order_by("pk").first()
    if town is None:
        raise DomainError("系统中还没有党组织，无法登记问题")
    return town


def responsible_owner(organization: Organization, fallback: Any) -> Any:
    """The organization's secretary (first granted), else `fallback`."""
    secretary = (
        get_user_model()
        .objects.filter(is_active=True, grants__role=SECRETARY, grants__organization=organization)
        .order_by("grants__created_at", "pk")
        .first()
    )
    return secretary or fallback


@transaction.atomic
def visit_problem_register(*, visit: Visit, by: Any, deadline: dt.date | None = None, today: dt.date | None = None) -> Problem:
    """Register the problems an approved visit found as one ledger problem, and link it to the visit."""
    if not runs_campaign(by):
        raise PermissionDenied("只有镇党委管理员可以将走访发现的问题登记到问题清单")
    visit = Visit.objects.select_for_update(of=("self",)).select_related("task", "task__entity", "task__record").get(pk=visit.pk)
    if visit.state != Visit.State.APPROVED:
        raise DomainError("走访记录审核通过后才能登记问题")
    if visit.problem_id:
        raise DomainError("该走访发现的问题已登记到问题清单")
    if not visit.problems.strip():
        raise DomainError("该走访没有记录发现的问题")
    today = today or timezone.localdate()
    deadline = deadline or today + dt.timedelta(days=PROBLEM_DAYS)
    task = visit.task
    entity = task.entity
    village_id = entity.village_id if entity is not None else (task.record.data.get("village") if task.record_id else None)
    organization = responsible_organization(entity, village_id)
    owner = responsible_owner(organization, by)
    name = entity.name if entity is not None else task.title
    problem = problem_register(
        by=by,
        data={
            "source": Problem.Source.VISIT_TALK,
            "organization": organization,
            "village": Village.objects.filter(pk=village_id).first() if village_id else None,
            "category": "新兴领域走访",
            "description": f"{name}：{visit.problems}",
            "external_ref": f"走访记录{visit.pk}",
            "owner": owner,
            "deadline": deadline,
        },
        today=today,
        check_access=False,
    )
    Visit.objects.filter(pk=visit.pk).update(problem=problem)
    visit.problem = problem
    return problem
