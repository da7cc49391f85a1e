"""Writes on measures: a problem's rectification measures and a plan's items, one machinery.

open → done (the owner reports it, progress 100) → checked (someone above, not the owner);
a check that fails sends the measure back to open with the reason.
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from qiangji.core.errors import DomainError
from qiangji.ledger.models import Measure, Problem, ProblemEvent, RectificationPlan
from qiangji.ledger.permissions import can_check_measure, can_edit_plan, can_work_measure, problem_actions_for


def _log(measure: Measure, by: Any, action: str, reason: str = "", **data: Any) -> None:
    # A problem's measures are part of its story; a plan item's history lives on the item itself.
    if measure.problem_id:
        ProblemEvent.objects.create(
            problem=measure.problem,
            action=action,
            from_state=measure.problem.state,
            to_state=measure.problem.state,
            by=by,
            reason=reason,
            data={"measure": measure.description[:60], **data},
        )


def _validate(description: str, owner: Any, deadline: dt.date | None, today: dt.date) -> str:
    description = (description or "").strip()
    if not description:
        raise DomainError("请填写措施内容", field="description")
    if owner is None or not owner.is_active:
        raise DomainError("请选择在职的责任人", field="owner")
    if deadline is None:
        raise DomainError("请填写完成时限", field="deadline")
    if deadline < today:
        raise DomainError("完成时限不能早于今天", field="deadline")
    return description


@transaction.atomic
def measure_add(
    *,
    by: Any,
    data: Mapping[str, Any],
    problem: Problem | None = None,
    plan: RectificationPlan | None = None,
    today: dt.date | None = None,
) -> Measure:
    """Add a measure to an open problem, or an item to a rectification plan."""
    today = today or timezone.localdate()
    if (problem is None) == (plan is None):
        raise ValueError("a measure belongs to exactly one problem or plan")
    if problem is not None:
        problem = Problem.objects.select_for_update().select_related("organization").get(pk=problem.pk)
        if "measure" not in problem_actions_for(by, problem):
            if not problem.is_open:
                raise DomainError(f"问题已{problem.get_state_display()[1:]}，不能再添加措施")
            raise PermissionDenied("您无权为该问题添加措施")
    elif not can_edit_plan(by, plan):
        raise PermissionDenied("您无权修改该整改方案")
    description = _validate(data.get("description", ""), data.get("owner"), data.get("deadline"), today)
    measure = Measure.objects.create(
        problem=problem, plan=plan, description=description, owner=data["owner"], deadline=data["deadline"]
    )
    _log(measure, by, "measure_add", deadline=measure.deadline.isoformat(), owner=str(measure.owner))
    return measure


def _locked(measure: Measure) -> Measure:
    return (
        Measure.objects.select_for_update(of=("self",))
        .select_related("problem__organization", "plan__organization", "owner")
        .get(pk=measure.pk)
    )


@transaction.atomic
def measure_progress(*, measure: Measure, by: Any, progress: int, note: str, today: dt.date | None = None) -> Measure:
    """The owner reports progress; at 100% the measure is done and waits for its check."""
    measure = _locked(measure)
    if not can_work_measure(by, measure):
        raise PermissionDenied("您无权填报该措施的进展")
    if measure.state == Measure.State.CHECKED:
        raise DomainError("该措施已验收，不能再修改进展")
    if measure.problem_id and not measure.problem.is_open:
        # A closed (merged, withdrawn) problem's measures are its record; reopen it to work again.
        raise DomainError(f"问题已{measure.problem.get_state_display()[1:]}，不能再修改措施进展")
    if not 0 <= progress <= 100:
        raise DomainError("进度应在0到100之间", field="progress")
    note = (note or "").strip()
    if not note:
        raise DomainError("请填写进展情况", field="progress_note")
    measure.progress, measure.progress_note = progress, note
    if progress == 100:
        measure.state, measure.done_on = Measure.State.DONE, today or timezone.localdate()
    else:
        measure.state, measure.done_on = Measure.State.OPEN, None
    measure.save()
    _log(measure, by, "measure_progress", reason=note, progress=progress)
    return measure


@transaction.atomic
def measure_check(*, measure: Measure, by: Any, passed: bool, note: str, today: dt.date | None = None) -> Measure:
    """Someone above, never the owner, checks a done measure: passed, or back to open."""
    measure = _locked(measure)
    if measure.owner_id == by.pk:
        raise DomainError("验收人不能是措施责任人")
    if not can_check_measure(by, measure):
        raise PermissionDenied("您无权验收该措施")
    if measure.state != Measure.State.DONE:
        raise DomainError("只有已完成的措施才能验收")
    note = (note or "").strip()
    if not passed and not note:
        raise DomainError("请说明验收未通过的原因", field="check_note")
    measure.check_note = note
    if passed:
        measure.state, measure.checked_by, measure.checked_on = Measure.State.CHECKED, by, today or timezone.localdate()
    else:
        measure.state, measure.done_on = Measure.State.OPEN, None
    measure.save()
    _log(measure, by, "measure_check", reason=note, passed=passed)
    return measure
