"""Writes on trainings. Pages and the API call these; a DomainError says why not."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max

from qiangji.core.access import TOWN_ADMIN, get_scope
from qiangji.core.errors import DomainError
from qiangji.members.models import Member
from qiangji.trainings.models import Attendance, Enrolment, HoursRequirement, Session, Training, WarningBatch

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


# Warning education (警示教育) ------------------------------------------------------------------


def _town_admin(by: Any) -> None:
    scope = get_scope(by)
    if not (scope.superuser or scope.has_role(TOWN_ADMIN)):
        raise PermissionDenied("警示教育由镇党委组织安排")


def warning_programme(*, root: Any, year: int, by: Any = None) -> Training:
    """The year's warning-education training hosted by the town: its batches are its sessions."""
    name = f"{year}年警示教育现场教学"
    training = Training.objects.filter(kind=Training.Kind.WARNING_EDUCATION, organization=root, name=name).first()
    if training is None:
        training = training_create(
            by=by,
            data={
                "name": name,
                "kind": Training.Kind.WARNING_EDUCATION,
                "organization": root,
                "description": "分批次组织党员赴廉政教育基地接受警示教育，每名党员参加一次，计一次学时。",
            },
        )
    return training


def members_already_sent(*, training: Training, members: Iterable[Member]) -> dict[int, int]:
    """{member pk: batch number} for those of `members` already in a batch of the programme."""
    return dict(
        WarningBatch.members.through.objects.filter(
            warningbatch__training=training, member_id__in=[m.pk for m in members]
        ).values_list("member_id", "warningbatch__number")
    )


@transaction.atomic
def warning_batch_create(
    *,
    by: Any,
    root: Any,
    site: str,
    date: dt.date,
    hours: Decimal,
    organizations: Iterable[Any],
    members: Iterable[Member],
    topic: str = "",
    skip_sent: bool = False,
) -> WarningBatch:
    """A batch to the site on `date`: one more session of the year's programme, the members enrolled.

    A member already sent in another batch of the programme is refused, so the trip counts once;
    `skip_sent` (the page sends whole organizations) leaves them out instead, counted in
    `batch.skipped`."""
    _town_admin(by)
    site, topic = site.strip(), topic.strip()
    organizations, members = list(organizations), list(members)
    if not site:
        raise DomainError("请填写教育基地", field="site")
    if not organizations:
        raise DomainError("请选择参加的党组织", field="organizations")
    if not Decimal("0.5") <= Decimal(hours) <= 24:
        raise DomainError("学时应在0.5至24之间", field="hours")
    paths = [o.path for o in organizations]
    if any(not any(m.organization.path.startswith(p) for p in paths) for m in members):
        raise DomainError("参加党员应属于所选党组织", field="members")
    training = warning_programme(root=root, year=date.year, by=by)
    sent = members_already_sent(training=training, members=members)
    skipped = 0
    if sent and skip_sent:
        members, skipped = [m for m in members if m.pk not in sent], len(sent)
    elif sent:
        names = {m.pk: m.name for m in members}
        listed = "、".join(f"{names[pk]}（第{n}批次）" for pk, n in sorted(sent.items(), key=lambda item: item[1]))
        raise DomainError(f"{listed}已安排参加本年度警示教育，每名党员只参加一次", field="members")
    if not members:
        raise DomainError("所选党组织没有可安排的党员（已参加前面批次的不再安排）", field="organizations")
    number = (training.warning_batches.aggregate(n=Max("number"))["n"] or 0) + 1
    session = session_create(
        training=training,
        data={"date": date, "hours": hours, "place": site, "topic": topic or f"警示教育现场教学（第{number}批次）"},
    )
    enrolment_create(training=training, members=members, by=by)
    batch = WarningBatch.objects.create(training=training, number=number, site=site, session=session, created_by=by)
    batch.organizations.set(organizations)
    batch.members.set(members)
    batch.skipped = skipped
    return batch


@transaction.atomic
def warning_batch_attendance(*, batch: WarningBatch, by: Any, present_ids: set[int], today: dt.date) -> int:
    """Who of the batch went; those present are credited the batch's hours (once: one session)."""
    _town_admin(by)
    members = list(batch.members.all())
    if not present_ids <= {m.pk for m in members}:
        raise DomainError("出席名单中有未安排在本批次的党员", field="present")
    return attendance_record(session=batch.session, members=members, present_ids=present_ids, by=by, today=today)
