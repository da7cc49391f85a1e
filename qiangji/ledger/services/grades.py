"""Writes on grades (晋位升级) and rectification plans (一支部一方案)."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from qiangji.core.access import TOWN_ADMIN, get_scope
from qiangji.core.errors import DomainError
from qiangji.core.history import change_log, snapshot
from qiangji.core.models import ChangeRecord
from qiangji.ledger.models import Grade, GradeLevel, RectificationPlan
from qiangji.ledger.permissions import can_edit_plan

GRADED_KINDS = ("general_branch", "branch")


@transaction.atomic
def grade_set(
    *, by: Any, organization: Any, year: int, level: GradeLevel, note: str = "", source: str = ChangeRecord.Source.WEB
) -> Grade:
    """The town records (or corrects) an organization's grade for a year."""
    scope = get_scope(by)
    if not (scope.has_role(TOWN_ADMIN) and scope.covers(organization.path, "manage")):
        raise PermissionDenied("只有镇党委可以评定等次")
    if organization.kind not in GRADED_KINDS:
        raise DomainError("晋位升级评定的对象是党总支和党支部", field="organization")
    if not level.active:
        raise DomainError(f"等次“{level}”已停用", field="level")
    grade = Grade.objects.select_for_update().filter(organization=organization, year=year).first()
    if grade is None:
        grade = Grade.objects.create(organization=organization, year=year, level=level, note=note.strip(), graded_by=by)
        change_log(instance=grade, user=by, action=ChangeRecord.Action.CREATE, before=None, source=source)
        return grade
    before = snapshot(grade)
    grade.level, grade.note, grade.graded_by = level, note.strip(), by
    if snapshot(grade) != before:
        grade.save()
        change_log(instance=grade, user=by, action=ChangeRecord.Action.UPDATE, before=before, source=source)
    return grade


@transaction.atomic
def plan_save(
    *, by: Any, organization: Any, year: int, data: Mapping[str, Any], source: str = ChangeRecord.Source.WEB
) -> RectificationPlan:
    """Write an organization's rectification plan for a year (one per year; saving again edits it)."""
    plan = RectificationPlan.objects.select_for_update().filter(organization=organization, year=year).first()
    probe = plan or RectificationPlan(organization=organization, year=year)
    if not can_edit_plan(by, probe):
        raise PermissionDenied("您无权编写该党组织的整改方案")
    title = (data.get("title") or "").strip() or f"{organization.name}{year}年整改提升方案"
    analysis = (data.get("analysis") or "").strip()
    if not analysis:
        raise DomainError("请填写问题分析", field="analysis")
    goals = (data.get("goals") or "").strip()
    if plan is None:
        plan = RectificationPlan.objects.create(
            organization=organization, year=year, title=title, analysis=analysis, goals=goals, created_by=by
        )
        change_log(instance=plan, user=by, action=ChangeRecord.Action.CREATE, before=None, source=source)
        return plan
    before = snapshot(plan)
    plan.title, plan.analysis, plan.goals = title, analysis, goals
    if snapshot(plan) != before:
        plan.save()
        change_log(instance=plan, user=by, action=ChangeRecord.Action.UPDATE, before=before, source=source)
    return plan
