"""Writes of positions' courses: send a quarter's batch down, record a course held at a position
with who attended. Attendance goes through the trainings services, so hours count once."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from qiangji.core.access import TOWN_ADMIN, get_scope
from qiangji.core.concurrency import lock_current
from qiangji.core.errors import DomainError
from qiangji.orgs.models import Position
from qiangji.positions.models import Course, CourseBatch, CourseDelivery, PositionResource
from qiangji.trainings.models import Training
from qiangji.trainings.services import attendance_record, enrolment_create, session_create, training_create


def _town(by: Any) -> None:
    scope = get_scope(by)
    if not (scope.superuser or scope.has_role(TOWN_ADMIN)):
        raise PermissionDenied("下沉课程由镇党委安排")


@transaction.atomic
def course_batch_send(
    *, by: Any, year: int, quarter: int, courses: Iterable[Course], positions: Iterable[Any], root: Any
) -> CourseBatch:
    """Send a quarter's courses down to positions; one training (hosted by the town) holds them."""
    _town(by)
    courses, positions = list(courses), list(positions)
    if quarter not in (1, 2, 3, 4):
        raise DomainError("季度应为1至4", field="quarter")
    if not courses:
        raise DomainError("请至少选择一门课程", field="courses")
    if not positions:
        raise DomainError("请至少选择一个阵地", field="positions")
    if any(not c.active for c in courses):
        raise DomainError("所选课程中有已停用的课程", field="courses")
    if CourseBatch.objects.filter(year=year, quarter=quarter).exists():
        raise DomainError(f"{year}年第{quarter}季度的下沉课程已安排", field="quarter")
    training = training_create(
        by=by,
        data={
            "name": f"{year}年第{'一二三四'[quarter - 1]}季度阵地下沉课程",
            "kind": Training.Kind.THEMED_CLASS,
            "organization": root,
        },
    )
    batch = CourseBatch.objects.create(year=year, quarter=quarter, training=training, sent_by=by)
    batch.courses.set(courses)
    batch.positions.set(positions)
    return batch


def _may_record(by: Any, position: Any) -> bool:
    scope = get_scope(by)
    if scope.superuser or scope.has_role(TOWN_ADMIN):
        return True
    return position.organization is not None and scope.covers(position.organization.path, "manage")


@transaction.atomic
def course_delivery_record(
    *, batch: CourseBatch, course: Course, position: Any, by: Any, held_on: dt.date, members: Iterable[Any], present_ids: set[int]
) -> CourseDelivery:
    """A course of the batch held at one of its positions, with its attendance sheet.

    Recording the same course at the same position again updates its attendance (the sheet is
    the truth), so a member's hours for it are counted once.
    """
    if not _may_record(by, position):
        raise PermissionDenied("您无权登记该阵地的开课情况")
    if not batch.courses.filter(pk=course.pk).exists():
        raise DomainError("该课程不在本批次中", field="course")
    if not batch.positions.filter(pk=position.pk).exists():
        raise DomainError("本批次未下沉到该阵地", field="position")
    if held_on > timezone.localdate():
        raise DomainError("开课日期不能晚于今天", field="held_on")
    if held_on.year != batch.year or (held_on.month - 1) // 3 + 1 < batch.quarter:
        raise DomainError("开课日期应在本批次所在季度之后、同一年度之内", field="held_on")
    members = list(members)
    delivery = CourseDelivery.objects.filter(batch=batch, course=course, position=position).first()
    if delivery is None:
        session = session_create(
            training=batch.training,
            data={
                "date": held_on,
                "hours": course.hours,
                "place": position.name,
                "topic": course.title,
                "teacher": course.teacher,
            },
        )
        delivery = CourseDelivery.objects.create(
            batch=batch, course=course, position=position, held_on=held_on, session=session, recorded_by=by
        )
    elif delivery.held_on != held_on:
        delivery.held_on = held_on
        delivery.save(update_fields=["held_on"])
        delivery.session.date = held_on
        delivery.session.save(update_fields=["date"])
    if members:
        enrolment_create(training=batch.training, members=members, by=by)
    attendance_record(session=delivery.session, members=members, present_ids=present_ids, by=by, today=timezone.localdate())
    return delivery


# Profiles and resources ---------------------------------------------------------------------

PROFILE_FIELDS = Position.EDIT_FIELDS


def may_edit_position(user: Any, position: Any) -> bool:
    """The town admin, or whoever manages the position's organization."""
    return _may_record(user, position)


@transaction.atomic
def position_profile_update(*, position: Any, by: Any, data: dict[str, Any], expected_version: int | None = None) -> Any:
    """Address, opening hours, rooms, capacity and contact of a position.

    `expected_version`: the version the editor read; a later one raises StaleEdit."""
    if not may_edit_position(by, position):
        raise PermissionDenied("您无权修改该阵地的信息")
    lock_current(position, expected_version)
    capacity = data.get("capacity")
    if capacity is not None and not 1 <= int(capacity) <= 10000:
        raise DomainError("可容纳人数应在1至10000之间", field="capacity")
    for name in PROFILE_FIELDS:
        if name in data:
            value = data[name]
            setattr(position, name, value.strip() if isinstance(value, str) else value)
    position.save(update_fields=list(PROFILE_FIELDS))
    return position


@transaction.atomic
def position_resource_add(*, position: Any, by: Any, category: str, name: str, description: str = "") -> PositionResource:
    """One item of the "1+4" resource list."""
    if not may_edit_position(by, position):
        raise PermissionDenied("您无权修改该阵地的资源清单")
    if category not in PositionResource.Category.values:
        raise DomainError("请选择资源类别", field="category")
    name = (name or "").strip()
    if not name:
        raise DomainError("请填写资源名称", field="name")
    if position.resources.filter(category=category, name=name).exists():
        raise DomainError(f"资源清单中已有“{name}”", field="name")
    return PositionResource.objects.create(
        position=position, category=category, name=name, description=(description or "").strip()
    )


@transaction.atomic
def position_resource_remove(*, resource: PositionResource, by: Any) -> None:
    if not may_edit_position(by, resource.position):
        raise PermissionDenied("您无权修改该阵地的资源清单")
    resource.delete()


# Course catalogue ---------------------------------------------------------------------------


@transaction.atomic
def course_save(*, by: Any, data: dict[str, Any], course: Course | None = None) -> Course:
    """Add a course to the catalogue, or edit one."""
    _town(by)
    title = (data.get("title") or "").strip()
    if not title:
        raise DomainError("请填写课程名称", field="title")
    hours = data.get("hours")
    if hours is None or not (0.5 <= float(hours) <= 24):
        raise DomainError("学时应在0.5至24之间", field="hours")
    clash = Course.objects.filter(title=title)
    if course is not None:
        clash = clash.exclude(pk=course.pk)
    if clash.exists():
        raise DomainError(f"课程目录中已有“{title}”", field="title")
    course = course or Course()
    course.title, course.hours = title, hours
    course.teacher = (data.get("teacher") or "").strip()
    course.summary = (data.get("summary") or "").strip()
    course.save()
    return course


@transaction.atomic
def course_set_active(*, course: Course, by: Any, active: bool) -> Course:
    """Deactivate a course (停用) so it can no longer be sent down; batches already sent keep it."""
    _town(by)
    course.active = active
    course.save(update_fields=["active"])
    return course
