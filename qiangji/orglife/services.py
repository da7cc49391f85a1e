"""Writes on organizational life. Pages and the API call these, with the same forms."""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from qiangji.core.concurrency import lock_current
from qiangji.core.errors import DomainError
from qiangji.core.history import change_log, snapshot
from qiangji.core.models import ChangeRecord
from qiangji.orglife.models import (
    Attachment,
    Attendance,
    Meeting,
    MeetingKind,
    Requirement,
    ScheduleItem,
    YearSchedule,
)
from qiangji.orglife.selectors import RECORDING_ORG_KINDS, eligible_members

# The fields a meeting form writes are exactly those whose history is kept.
FIELDS = Meeting.HISTORY_FIELDS
ABSENCE_NOTE_MAX_LENGTH = Attendance._meta.get_field("note").max_length


def _check(meeting: Meeting, today: dt.date) -> None:
    org = meeting.organization
    if org.kind not in RECORDING_ORG_KINDS:
        raise DomainError("组织生活由党总支、党支部或党小组开展，请选择其中之一", field="organization")
    if org.dissolved_on and meeting.date > org.dissolved_on:
        raise DomainError("该党组织已撤销", field="organization")
    if meeting.status == Meeting.Status.HELD and meeting.date > today:
        raise DomainError("会议日期在今天之后，不能登记为已召开", field="date")
    if meeting.presenter_id and not eligible_members(org).filter(pk=meeting.presenter_id).exists():
        raise DomainError("主持人/主讲人不是本组织党员，请填写姓名", field="presenter")


@transaction.atomic
def meeting_schedule(
    *,
    by: Any,
    data: Mapping[str, Any],
    today: dt.date | None = None,
    source: str = ChangeRecord.Source.WEB,
    batch: Any = None,
) -> Meeting:
    """Record a meeting: scheduled ahead, or (status held) one already held."""
    meeting = Meeting(**{k: v for k, v in data.items() if k in FIELDS}, created_by=by)
    _check(meeting, today or timezone.localdate())
    meeting.save()
    change_log(instance=meeting, user=by, action=ChangeRecord.Action.CREATE, before=None, source=source, batch=batch)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by: Any, source: str = ChangeRecord.Source.WEB) -> None:
    """Remove a meeting that was only scheduled; a held meeting is a record and stays."""
    lock_current(meeting, None)  # a completion at the same moment is seen, not deleted
    if meeting.status != Meeting.Status.SCHEDULED:
        raise DomainError("已召开的会议是组织生活记录，不能删除；如有错误请修改")
    change_log(instance=meeting, user=by, action=ChangeRecord.Action.DELETE, before=snapshot(meeting), after={}, source=source)
    meeting.delete()


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    by: Any,
    data: Mapping[str, Any],
    today: dt.date | None = None,
    source: str = ChangeRecord.Source.WEB,
    batch: Any = None,
    expected_version: int | None = None,
) -> Meeting:
    """Change a meeting's details; its organization stays (attendance belongs to it).

    `expected_version`: the version the editor read; a later one raises StaleEdit."""
    lock_current(meeting, expected_version)
    before = snapshot(meeting)
    for key, value in data.items():
        if key in FIELDS and key != "organization":
            setattr(meeting, key, value)
    _check(meeting, today or timezone.localdate())
    after = snapshot(meeting)
    if after != before:
        meeting.save()
        change_log(
            instance=meeting, user=by, action=ChangeRecord.Action.UPDATE, before=before, after=after, source=source, batch=batch
        )
    return meeting


def _attendance_text(meeting: Meeting, present_ids: set[int], reasons: Mapping[int, tuple[str, str]]) -> str:
    text = f"出席{len(present_ids)}人，缺席{len(reasons)}人"
    if not reasons:
        return text
    names = dict(eligible_members(meeting.organization).filter(pk__in=reasons).values_list("pk", "name"))
    absences = []
    for pk in sorted(reasons, key=lambda k: (names.get(k, ""), k)):
        reason, note = reasons[pk]
        label = Attendance.Reason(reason).label
        absences.append(f"{names.get(pk, pk)}（{label}：{note}）" if note else f"{names.get(pk, pk)}（{label}）")
    return f"{text}：{'、'.join(absences)}"


@transaction.atomic
def meeting_complete(
    *,
    meeting: Meeting,
    by: Any,
    present: Iterable[int],
    absent: Mapping[int, str | tuple[str, str]],
    data: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
    source: str = ChangeRecord.Source.WEB,
) -> Meeting:
    """Mark a meeting held and record (or replace) its attendance.

    `present`: member pks who attended; `absent`: {member pk: (reason, note)} (or a bare reason).
    Every member must belong to the meeting's organization, none may be both present and absent,
    and every absence has a reason ("其他" with its words).
    """
    lock_current(meeting, None)  # a state move: an edit or another completion at once is seen
    reasons = {pk: (value, "") if isinstance(value, str) else (value[0], value[1].strip()) for pk, value in absent.items()}
    for reason, note in reasons.values():
        if reason not in Attendance.Reason.values:
            raise DomainError("缺席党员须选择缺席原因（病假、事假、外出务工、年老体弱、因公或其他）", field="attendees")
        if reason == Attendance.Reason.OTHER and not note:
            raise DomainError("缺席原因为“其他”时，请写明具体原因", field="attendees")
        if len(note) > ABSENCE_NOTE_MAX_LENGTH:
            raise DomainError(f"缺席原因说明不能超过{ABSENCE_NOTE_MAX_LENGTH}字", field="attendees")
    present_ids, absent_ids = set(present), set(absent)
    if present_ids & absent_ids:
        raise DomainError("同一名党员不能既出席又缺席", field="attendees")
    if not present_ids:
        raise DomainError("请至少选择一名出席党员", field="attendees")
    allowed = set(eligible_members(meeting.organization).filter(pk__in=present_ids | absent_ids).values_list("pk", flat=True))
    if (present_ids | absent_ids) - allowed:
        raise DomainError("所选党员不属于本组织", field="attendees")
    before = snapshot(meeting)
    for key, value in (data or {}).items():
        if key in FIELDS and key != "organization":
            setattr(meeting, key, value)
    meeting.status = Meeting.Status.HELD
    _check(meeting, today or timezone.localdate())
    meeting.save()
    meeting.attendances.all().delete()
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, member_id=pk, present=True) for pk in sorted(present_ids)]
        + [
            Attendance(meeting=meeting, member_id=pk, present=False, absence_reason=reasons[pk][0], note=reasons[pk][1])
            for pk in sorted(absent_ids)
        ]
    )
    change_log(
        instance=meeting,
        user=by,
        action=ChangeRecord.Action.UPDATE,
        before=before,
        after={**snapshot(meeting), "出席情况": _attendance_text(meeting, present_ids, reasons)},
        source=source,
    )
    return meeting


@transaction.atomic
def attachment_add(*, meeting: Meeting, by: Any, file: Any) -> Attachment:
    """A photo or file (already validated by the form) kept with the meeting."""
    return Attachment.objects.create(meeting=meeting, file=file, name=file.name[:200], size=file.size, uploaded_by=by)


@transaction.atomic
def requirement_update(
    *, requirement: Requirement, by: Any, data: Mapping[str, Any], expected_version: int | None = None
) -> Requirement:
    """The town admin tunes a rule; compliance is read from it from then on.

    `expected_version`: the version the editor read; a later one raises StaleEdit."""
    lock_current(requirement, expected_version)
    before = snapshot(requirement)
    for key in Requirement.HISTORY_FIELDS:
        if key in data:
            setattr(requirement, key, data[key])
    twin = Requirement.objects.filter(kind=requirement.kind, applies_to=requirement.applies_to).exclude(pk=requirement.pk)
    if twin.exists():
        raise DomainError(
            f"已有适用于“{requirement.get_applies_to_display()}”的{MeetingKind(requirement.kind).label}要求，请直接修改那一条",
            field="applies_to",
        )
    after = snapshot(requirement)
    if after != before:
        requirement.save()
        change_log(instance=requirement, user=by, action=ChangeRecord.Action.UPDATE, before=before, after=after)
    return requirement


# A planned topic becomes the topic of the meeting held for it.
SCHEDULE_TOPIC_MAX_LENGTH = Meeting._meta.get_field("topic").max_length


def _schedule_item_text(item: ScheduleItem) -> str:
    text = f"{item.get_kind_display()}：{'、'.join(str(m) for m in item.months)}月"
    topics = [f"{m}月“{item.topics[str(m)]}”" for m in item.months if item.topics.get(str(m))]
    return f"{text}（主题：{'，'.join(topics)}）" if topics else text


def _schedule_after(schedule: YearSchedule) -> dict[str, Any]:
    plan = "；".join(_schedule_item_text(item) for item in schedule.items.order_by("id"))
    return {**snapshot(schedule), "安排": plan}


def _schedule_topics(plan: Mapping[str, list[int]], topics: Mapping[str, Mapping[int, str]]) -> dict[str, dict[str, str]]:
    """{kind: {"month": topic}} for planned months only; a topic for an unplanned month is refused."""
    result: dict[str, dict[str, str]] = {}
    for kind, by_month in topics.items():
        label = MeetingKind(kind).label if kind in MeetingKind.values else kind
        for month, text in by_month.items():
            text = (text or "").strip()
            if not text:
                continue
            field = f"topic_{kind}_{month}"
            if len(text) > SCHEDULE_TOPIC_MAX_LENGTH:
                raise DomainError(f"主题不能超过{SCHEDULE_TOPIC_MAX_LENGTH}字", field=field)
            if month not in plan.get(kind, []):
                raise DomainError(f"{month}月未安排{label}，不能填写该月主题", field=field)
            result.setdefault(kind, {})[str(month)] = text
    return result


@transaction.atomic
def schedule_save(
    *,
    year: int,
    by: Any,
    theme_day: int,
    note: str,
    months: Mapping[str, Iterable[int]],
    topics: Mapping[str, Mapping[int, str]] | None = None,
) -> YearSchedule:
    """Create or edit the year's schedule ({kind: months}, optionally {kind: {month: topic}});
    a published one stays published, with history.

    `topics=None` keeps the topics already planned for months still planned; a mapping replaces
    them (a kind left out has no topics).
    """
    if not 1 <= theme_day <= 28:
        raise DomainError("主题党日请填写 1 至 28 日（每个月都有的日期）", field="theme_day")
    plan: dict[str, list[int]] = {}
    for kind, values in months.items():
        if kind not in MeetingKind.values:
            raise DomainError("会议类型不正确")
        chosen = sorted(set(values))
        if any(not isinstance(m, int) or not 1 <= m <= 12 for m in chosen):
            raise DomainError("月份应为 1 至 12", field=f"months_{kind}")
        if chosen:
            plan[kind] = chosen
    new_topics = None if topics is None else _schedule_topics(plan, topics)
    schedule = YearSchedule.objects.select_for_update().filter(year=year).first()
    created = schedule is None
    if created:
        schedule = YearSchedule(year=year)
        before = None
    else:
        before = _schedule_after(schedule)
    schedule.theme_day, schedule.note = theme_day, note
    schedule.save()
    existing = {item.kind: item for item in schedule.items.all()}
    for kind, item in existing.items():
        if kind not in plan:
            item.delete()
    for kind, chosen in plan.items():
        item = existing.get(kind) or ScheduleItem(schedule=schedule, kind=kind)
        kept = new_topics.get(kind, {}) if new_topics is not None else {k: v for k, v in item.topics.items() if int(k) in chosen}
        if item.months != chosen or item.topics != kept or item.pk is None:
            item.months, item.topics = chosen, kept
            item.save()
    after = _schedule_after(schedule)
    if after != before:
        action = ChangeRecord.Action.CREATE if created else ChangeRecord.Action.UPDATE
        change_log(instance=schedule, user=by, action=action, before=before, after=after)
    return schedule


@transaction.atomic
def schedule_publish(*, schedule: YearSchedule, by: Any, now: dt.datetime | None = None) -> YearSchedule:
    """Publish (or re-publish after edits) the year's schedule to every staff role."""
    if not schedule.items.exists():
        raise DomainError("年度安排还没有任何会议，不能发布")
    before = _schedule_after(schedule)
    schedule.published_at = now or timezone.now()
    schedule.save(update_fields=["published_at", "updated_at"])
    change_log(instance=schedule, user=by, action=ChangeRecord.Action.UPDATE, before=before, after=_schedule_after(schedule))
    return schedule
