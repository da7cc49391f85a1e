"""Writes of positions' courses: send a quarter's batch down, record a course held at a position
with who attended. Attendance goes through the trainings services, so hours count once."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from qiangji.core.access import TOWN_ADMIN, get_scope
from qiangji.core.errors import DomainError
from qiangji.positions.models import Course, CourseBatch, CourseDelivery
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
