"""Writes on grades (晋位升级) and rectification plans (一支部一方案)."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from qiangji.core.access import TOWN_ADMIN, get_scope
from qiangji.core.concurrency import refuse_stale
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
    *,
    by: Any,
    organization: Any,
    year: int,
    data: Mapping[str, Any],
    source: str = ChangeRecord.Source.WEB,
    expected_version: int | None = None,
) -> RectificationPlan:
    """Write an organization's rectification plan for a year (one per year; saving again edits it).

    `expected_version`: the version the editor read, 0 when they wrote a new plan; a plan that
    has moved on (or was written meanwhile) raises StaleEdit. None: no comparison."""
    plan = RectificationPlan.objects.select_for_update().filter(organization=organization, year=year).first()
    probe = plan or RectificationPlan(organization=organization, year=year)
    if not can_edit_plan(by, probe):
        raise PermissionDenied("您无权编写该党组织的整改方案")
    if plan is not None:
        refuse_stale(plan, expected_version)
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


@transaction.atomic
def grade_level_save(
    *,
    by: Any,
    data: Mapping[str, Any],
    level: GradeLevel | None = None,
    source: str = ChangeRecord.Source.WEB,
    expected_version: int | None = None,
) -> GradeLevel:
    """The town adds a grade to its list or edits one (name, rank, whether it calls for a plan, active).

    A level already given to organizations is never deleted, only switched off: past grades keep it.
    `expected_version`: the version the editor read; a later one raises StaleEdit.
    """
    if not get_scope(by).has_role(TOWN_ADMIN):
        raise PermissionDenied("只有镇党委可以维护等次")
    name = (data.get("name") or "").strip()
    if not name:
        raise DomainError("请填写等次名称", field="name")
    rank = data.get("rank")
    if rank is None or rank < 1:
        raise DomainError("排序应为正整数", field="rank")
    others = GradeLevel.objects.exclude(pk=level.pk) if level is not None else GradeLevel.objects.all()
    if others.filter(name=name).exists():
        raise DomainError(f"已有名为“{name}”的等次", field="name")
    if others.filter(rank=rank).exists():
        raise DomainError(f"排序{rank}已被其他等次使用", field="rank")
    if level is None:
        level = GradeLevel.objects.create(
            name=name, rank=rank, needs_plan=bool(data.get("needs_plan")), active=bool(data.get("active", True))
        )
        change_log(
            instance=level, user=by, action=ChangeRecord.Action.CREATE, before=None, after=_level_fields(level), source=source
        )
        return level
    level = refuse_stale(GradeLevel.objects.select_for_update().get(pk=level.pk), expected_version)
    before = _level_fields(level)
    level.name, level.rank = name, rank
    level.needs_plan, level.active = bool(data.get("needs_plan")), bool(data.get("active"))
    after = _level_fields(level)
    if after != before:
        level.save()
        change_log(instance=level, user=by, action=ChangeRecord.Action.UPDATE, before=before, after=after, source=source)
    return level


def _level_fields(level: GradeLevel) -> dict[str, Any]:
    # GradeLevel is a small lookup row without HISTORY_FIELDS; its history lists all four fields.
    return {"name": level.name, "rank": level.rank, "needs_plan": level.needs_plan, "active": level.active}
