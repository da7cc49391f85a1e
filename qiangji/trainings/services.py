"""Writes on trainings. Pages and the API call these; a DomainError says why not."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from qiangji.core.errors import DomainError
from qiangji.members.models import Member
from qiangji.trainings.models import Attendance, Enrolment, HoursRequirement, Session, Training

TRAINING_FIELDS = ("name", "kind", "organization", "description")
SESSION_FIELDS = ("date", "hours", "place", "topic", "teacher")


@transaction.atomic
def training_create(*, by: Any, data: dict[str, Any]) -> Training:
    if data["organization"].dissolved_on:
        raise DomainError("该党组织已撤销，不能主办培训", field="organization")
    return Training.objects.create(created_by=by, **{k: data[k] for k in TRAINING_FIELDS if k in data})


@transaction.atomic
def session_create(*, training: Training, data: dict[str, Any]) -> Session:
    return Session.objects.create(training=training, **{k: data[k] for k in SESSION_FIELDS if k in data})


@transaction.atomic
def enrolment_create(*, training: Training, members: Iterable[Member], by: Any) -> int:
    """Enrol members not enrolled yet; returns how many were added (already enrolled are skipped)."""
    members = list(members)
    if not members:
        raise DomainError("没有可报名的党员", field="members")
    existing = set(Enrolment.objects.filter(training=training, member__in=members).values_list("member_id", flat=True))
    new = [Enrolment(training=training, member=m, enrolled_by=by) for m in members if m.pk not in existing]
    Enrolment.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def attendance_record(*, session: Session, members: Iterable[Member], present_ids: set[int], by: Any, today: dt.date) -> int:
    """Record present/absent for `members` (the sheet the user sees); returns how many present.

    Every member must be enrolled in the training, and nobody is present at a future session.
    """
    members = list(members)
    enrolled = set(
        Enrolment.objects.filter(training_id=session.training_id, member__in=members).values_list("member_id", flat=True)
    )
    if any(m.pk not in enrolled for m in members) or not present_ids <= {m.pk for m in members}:
        raise DomainError("出勤名单中有未报名本培训的党员", field="present")
    if session.date > today and present_ids:
        raise DomainError("该课次尚未举行，不能登记出勤", field="present")
    for member in members:
        Attendance.objects.update_or_create(
            session=session, member=member, defaults={"present": member.pk in present_ids, "recorded_by": by}
        )
    return len(present_ids)


@transaction.atomic
def hours_requirement_update(*, category: str, hours: int) -> HoursRequirement:
    if hours < 1:
        raise DomainError("学时要求应大于0", field="hours")
    requirement, _ = HoursRequirement.objects.update_or_create(category=category, defaults={"hours": hours})
    return requirement
