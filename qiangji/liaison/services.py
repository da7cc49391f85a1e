"""Writes on liaison attendance, and the catch-up that tells groups of their meetings."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from qiangji.core.access import subtree_q
from qiangji.core.errors import DomainError
from qiangji.liaison.models import LIAISON_KINDS, LiaisonAttendance, MeetingNotice
from qiangji.liaison.selectors import group_covers, group_paths
from qiangji.notifications.services import notification_send
from qiangji.orglife.models import Meeting
from qiangji.orgs.models import LiaisonGroup


def _group_people(group: LiaisonGroup) -> list[Any]:
    people = {u.pk: u for u in group.members.all()}
    if group.leader_id and group.leader is not None:
        people.setdefault(group.leader_id, group.leader)
    return [people[pk] for pk in sorted(people)]


@transaction.atomic
def liaison_attendance_record(
    *,
    meeting: Meeting,
    group: LiaisonGroup,
    by: Any,
    attended: bool,
    attendees: Iterable[Any] | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> LiaisonAttendance:
    """Record (or correct) whether `group` attended `meeting` (列席).

    Only a person of the group records, only for an assembly or theme day of its organizations,
    and only once the meeting's day has come. Attendees default to the recorder when attended.
    """
    today = today or timezone.localdate()
    people = {u.pk for u in _group_people(group)}
    if by is None or by.pk not in people:
        raise DomainError("只有本联络组成员可以登记列席情况")
    if meeting.kind not in LIAISON_KINDS:
        raise DomainError("联络组只需列席党员大会和主题党日")
    if not group_covers(group, meeting.organization):
        raise DomainError("该会议不属于本联络组联系的党组织")
    if meeting.date > today:
        raise DomainError("会议尚未召开，召开当天或之后再登记列席情况", field="attended")
    default = {by.pk} if attended else set()
    attendee_ids = default if attendees is None else {u.pk for u in attendees}
    if not attended and attendee_ids:
        raise DomainError("未列席时不能填写列席人员", field="attendees")
    if attended and not attendee_ids:
        raise DomainError("请选择列席人员", field="attendees")
    if attendee_ids - people:
        raise DomainError("列席人员须为本联络组成员", field="attendees")
    record, _ = LiaisonAttendance.objects.update_or_create(
        meeting=meeting,
        group=group,
        defaults={"attended": attended, "note": note.strip()[:200], "recorded_by": by, "recorded_at": timezone.now()},
    )
    record.attendees.set(sorted(attendee_ids))
    return record


# Notices ----------------------------------------------------------------------------------


def meeting_notice_text(meeting: Meeting, group: LiaisonGroup, stage: str) -> tuple[str, str]:
    org, kind = meeting.organization.name, meeting.get_kind_display()
    day = f"{meeting.date:%Y年%-m月%-d日}"
    place = f"，地点：{meeting.place}" if meeting.place else ""
    if stage == MeetingNotice.Stage.DAY_BEFORE:
        return (
            f"会前提醒：{org}{meeting.date:%-m月%-d日}召开{kind}",
            f"{org}将于{day}召开{kind}（{meeting.topic}）{place}。请{group.name}按时列席，会后登记列席情况。",
        )
    return (
        f"{org}计划于{meeting.date:%-m月%-d日}召开{kind}",
        f"{org}计划于{day}召开{kind}（{meeting.topic}）{place}。按照“凡党员大会必列席、凡主题活动必参加”的要求，"
        f"请{group.name}安排列席。",
    )


def meeting_notices_send(*, today: dt.date) -> list[MeetingNotice]:
    """Tell each liaison group of the scheduled assemblies and theme days of its organizations:
    once when the meeting is first seen scheduled, and once the day before. Returns those sent now.

    Catch-up by design: it reads what is scheduled from today on, so a run that comes late or
    after a gap still sends what is due, and the unique (meeting, group, stage, date) row means a
    second run sends nothing. From the day before (or on the day itself, if nothing ran the day
    before) only the reminder goes out: it says all the first notice would. A meeting already
    past is never announced; one moved to another day is announced afresh.
    """
    groups = list(LiaisonGroup.objects.select_related("leader").prefetch_related("members", "organizations").order_by("pk"))
    paths = tuple(sorted({p for g in groups for p in group_paths(g)}))
    if not paths:
        return []
    meetings = list(
        Meeting.objects.filter(subtree_q("organization__path", paths), kind__in=LIAISON_KINDS)
        .filter(status=Meeting.Status.SCHEDULED, date__gte=today)
        .select_related("organization")
        .order_by("date", "id")
    )
    done = set(
        MeetingNotice.objects.filter(meeting__in=[m.pk for m in meetings]).values_list(
            "meeting_id", "group_id", "stage", "meeting_date"
        )
    )
    link = reverse("liaison_meetings:mine")
    sent = []
    for meeting in meetings:
        stage = MeetingNotice.Stage.DAY_BEFORE if meeting.date <= today + dt.timedelta(days=1) else MeetingNotice.Stage.SCHEDULED
        for group in groups:
            if (meeting.pk, group.pk, stage, meeting.date) in done or not group_covers(group, meeting.organization):
                continue
            with transaction.atomic():
                notice, created = MeetingNotice.objects.get_or_create(
                    meeting=meeting, group=group, stage=stage, meeting_date=meeting.date, defaults={"sent_on": today}
                )
                if not created:
                    continue
                title, body = meeting_notice_text(meeting, group, stage)
                delivered = notification_send(
                    recipients=_group_people(group),
                    title=title,
                    body=body,
                    link=link,
                    kind="liaison_meeting",
                    key=f"liaison_meeting:{meeting.pk}:{stage}:{meeting.date.isoformat()}",
                    organization=meeting.organization,
                )
                notice.recipient_count = len(delivered)
                notice.save(update_fields=["recipient_count"])
            sent.append(notice)
    return sent
