"""Liaison groups are told of each scheduled assembly and theme day of their organizations:
once when it is scheduled and once the day before, by a catch-up job that may run late, twice
or after a gap (RULES.md: a reminder must not depend on a job running on one exact day).

In the fixture the liaison user's group (第一指导联络组) covers 东村党总支 and its subtree.
"""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from qiangji import factories as f
from qiangji.liaison.models import MeetingNotice
from qiangji.liaison.services import meeting_notices_send
from qiangji.liaison.tasks import meeting_notices_catch_up
from qiangji.notifications.models import Notification
from qiangji.orglife.models import Meeting

D = dt.date


def meeting(org, day, kind=Meeting.Kind.ASSEMBLY, status=Meeting.Status.SCHEDULED, topic="学习党的二十届四中全会精神"):
    return Meeting.objects.create(organization=org, kind=kind, status=status, date=day, topic=topic, place="村委会议室")


def sent_on(day):
    return [(n.group.name, n.meeting.organization.name, n.stage) for n in meeting_notices_send(today=day)]


@pytest.fixture
def assembly(users, town):
    """An assembly of 东村第一党支部 on 2026-12-10, and meetings no notice is for."""
    meeting(town["branch_b"], D(2026, 12, 10))  # no group covers 竖新镇某某公司党支部
    meeting(town["branch_a1"], D(2026, 12, 10), kind=Meeting.Kind.COMMITTEE_MEETING)  # not a liaison kind
    meeting(town["branch_a2"], D(2026, 11, 20), status=Meeting.Status.HELD)  # already held
    return meeting(town["branch_a1"], D(2026, 12, 10))


def test_scheduled_and_day_before_are_each_sent_once(users, assembly):
    assert sent_on(D(2026, 12, 1)) == [("第一指导联络组", "东村第一党支部", "scheduled")]
    assert sent_on(D(2026, 12, 1)) == []  # the same day again
    assert sent_on(D(2026, 12, 8)) == []
    assert sent_on(D(2026, 12, 9)) == [("第一指导联络组", "东村第一党支部", "day_before")]
    assert sent_on(D(2026, 12, 9)) == []
    assert sent_on(D(2026, 12, 10)) == []
    assert sent_on(D(2026, 12, 11)) == []
    notes = list(Notification.objects.order_by("pk").values_list("recipient__username", "title", "link", "kind"))
    link = reverse("liaison_meetings:mine")
    assert notes == [
        ("liaison", "东村第一党支部计划于12月10日召开支部党员大会", link, "liaison_meeting"),
        ("liaison", "会前提醒：东村第一党支部12月10日召开支部党员大会", link, "liaison_meeting"),
    ]
    first = Notification.objects.order_by("pk").first()
    assert first.body == (
        "东村第一党支部计划于2026年12月10日召开支部党员大会（学习党的二十届四中全会精神），地点：村委会议室。"
        "按照“凡党员大会必列席、凡主题活动必参加”的要求，请第一指导联络组安排列席。"
    )
    assert list(MeetingNotice.objects.order_by("pk").values_list("stage", "meeting_date", "sent_on", "recipient_count")) == [
        ("scheduled", D(2026, 12, 10), D(2026, 12, 1), 1),
        ("day_before", D(2026, 12, 10), D(2026, 12, 9), 1),
    ]


def test_a_late_run_sends_the_reminder_only_and_a_past_meeting_nothing(users, assembly):
    assert sent_on(D(2026, 12, 10)) == [("第一指导联络组", "东村第一党支部", "day_before")]
    assert sent_on(D(2026, 12, 10)) == []
    past = meeting(assembly.organization, D(2026, 12, 5), kind=Meeting.Kind.THEME_DAY)
    assert sent_on(D(2026, 12, 10)) == []
    assert not MeetingNotice.objects.filter(meeting=past).exists()
    assert Notification.objects.count() == 1


def test_a_meeting_moved_to_another_day_is_announced_afresh(users, assembly):
    sent_on(D(2026, 12, 1))
    assembly.date = D(2026, 12, 17)
    assembly.save()
    assert sent_on(D(2026, 12, 2)) == [("第一指导联络组", "东村第一党支部", "scheduled")]
    assert list(Notification.objects.order_by("pk").values_list("title", flat=True)) == [
        "东村第一党支部计划于12月10日召开支部党员大会",
        "东村第一党支部计划于12月17日召开支部党员大会",
    ]


def test_every_group_covering_the_meeting_is_told_and_each_person_once(users, town, assembly):
    leader = f.UserFactory(username="leader")
    other = f.UserFactory(username="other")
    second = f.liaison_group(name="第二指导联络组", users=[other, users["liaison"]], organizations=[town["branch_a1"]])
    second.leader = leader
    second.save()
    assert sorted(sent_on(D(2026, 12, 1))) == [
        ("第一指导联络组", "东村第一党支部", "scheduled"),
        ("第二指导联络组", "东村第一党支部", "scheduled"),
    ]
    # the liaison user sits in both groups and still gets one notice
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["leader", "liaison", "other"]
    assert sorted(MeetingNotice.objects.values_list("group__name", "recipient_count")) == [
        ("第一指导联络组", 1),
        ("第二指导联络组", 2),
    ]


def test_a_group_assigned_later_is_told_too(users, town, assembly):
    sent_on(D(2026, 12, 1))
    newcomer = f.UserFactory(username="newcomer")
    f.liaison_group(name="第三指导联络组", users=[newcomer], organizations=[town["branch_a1"]])
    assert sent_on(D(2026, 12, 2)) == [("第三指导联络组", "东村第一党支部", "scheduled")]
    assert list(Notification.objects.filter(recipient=newcomer).values_list("title", flat=True)) == [
        "东村第一党支部计划于12月10日召开支部党员大会"
    ]


def test_the_task_and_the_command_run_the_same_catch_up(users, assembly, capsys):
    assert meeting_notices_catch_up.enqueue("2026-12-01").return_value == 1
    call_command("send_meeting_notices", "--now", "2026-12-09T08:00")
    assert capsys.readouterr().out == (
        "第一指导联络组：东村第一党支部2026-12-10支部党员大会，会前提醒，通知1人\n共发送联络组会议通知1条。\n"
    )
    call_command("send_meeting_notices", "--now", "2026-12-09")
    assert capsys.readouterr().out == "共发送联络组会议通知0条。\n"
    with pytest.raises(CommandError):
        call_command("send_meeting_notices", "--now", "2026/12/09")
    assert MeetingNotice.objects.count() == 2
    assert Notification.objects.count() == 2


def test_no_groups_no_notices(town, db):
    meeting(town["branch_a1"], D(2026, 12, 10))
    assert sent_on(D(2026, 12, 1)) == []
    assert Notification.objects.count() == 0


def test_notices_are_emailed_once_when_mail_is_configured(users, assembly, settings, django_capture_on_commit_callbacks):
    users["liaison"].email = "liaison@example.com"
    users["liaison"].save()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_HOST = "smtp.example.com"
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            meeting_notices_send(today=D(2026, 12, 1))
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["liaison@example.com"], "【强基】东村第一党支部计划于12月10日召开支部党员大会")
    ]
