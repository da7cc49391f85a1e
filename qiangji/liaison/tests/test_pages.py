"""The liaison member's meetings page with one-tap records, and the town's not-attended view."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from qiangji import factories as f
from qiangji.liaison.models import LiaisonAttendance
from qiangji.liaison.services import liaison_attendance_record
from qiangji.orglife.models import Meeting
from qiangji.orgs.models import LiaisonGroup

DAY = dt.timedelta(days=1)


def meeting(org, day, kind=Meeting.Kind.ASSEMBLY, status=Meeting.Status.SCHEDULED, topic="专题学习"):
    return Meeting.objects.create(organization=org, kind=kind, status=status, date=day, topic=topic)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def meetings(users, town, today):
    """Meetings around today; only the first four are 第一指导联络组's to attend."""
    return {
        "next_week": meeting(town["branch_a1"], today + 7 * DAY, kind=Meeting.Kind.THEME_DAY, topic="下周主题党日"),
        "today": meeting(town["branch_a2"], today, topic="今天的大会"),
        "last_week": meeting(town["group_a1"], today - 7 * DAY, status=Meeting.Status.HELD, topic="上周大会"),
        "far_future": meeting(town["branch_a1"], today + 40 * DAY, topic="40天后"),
        "committee": meeting(town["branch_a1"], today - DAY, kind=Meeting.Kind.COMMITTEE_MEETING, topic="支委会"),
        "other_org": meeting(town["branch_b"], today - DAY, topic="公司支部大会"),
    }


def topics(rows):
    return [r.meeting.topic for r in rows]


def test_the_member_sees_upcoming_and_recent_meetings_of_the_group(client_as, users, meetings):
    response = client_as(users["liaison"]).get(reverse("liaison_meetings:mine"))
    assert response.status_code == 200
    [section] = response.context["sections"]
    assert section["group"].name == "第一指导联络组"
    assert topics(section["upcoming"]) == ["今天的大会", "下周主题党日"]
    assert topics(section["recent"]) == ["上周大会"]
    html = response.content.decode()
    # buttons only for meetings whose day has come: today's and last week's
    assert html.count('name="attended" value="1"') == 2
    assert 'style="' not in html and "<script>" not in html


@pytest.mark.parametrize("role", ["town_admin", "secretary_a", "secretary_b", "member", "visitor"])
def test_the_meetings_page_is_only_for_group_members(client_as, users, meetings, role):
    assert client_as(users[role]).get(reverse("liaison_meetings:mine")).status_code == 404


def test_anonymous_is_sent_to_log_in(client_as, users):
    response = client_as(None).get(reverse("liaison_meetings:mine"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def record_url(group, m):
    return reverse("liaison_meetings:record", args=[group.pk, m.pk])


def test_one_tap_records_attendance(client_as, users, meetings):
    group = LiaisonGroup.objects.get()
    m = meetings["last_week"]
    response = client_as(users["liaison"]).post(record_url(group, m), {"attended": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('liaison_meetings:mine')}#m-{group.pk}-{m.pk}"
    record = LiaisonAttendance.objects.get()
    assert (record.meeting, record.group, record.attended, record.recorded_by) == (m, group, True, users["liaison"])
    client_as(users["liaison"]).post(record_url(group, m), {"attended": "0"})
    assert list(LiaisonAttendance.objects.values_list("attended", flat=True)) == [False]


@pytest.mark.parametrize(
    "role, key, data",
    [
        ("secretary_a", "today", {"attended": "1"}),  # the organization's own secretary is no liaison member
        ("town_admin", "today", {"attended": "1"}),
        ("member", "today", {"attended": "1"}),
        ("liaison", "other_org", {"attended": "1"}),  # not the group's organization
        ("liaison", "committee", {"attended": "1"}),  # not an assembly or theme day
        ("liaison", "today", {"attended": "yes"}),  # unreadable input
    ],
)
def test_records_outside_the_group_are_404_and_change_nothing(client_as, users, meetings, role, key, data):
    group = LiaisonGroup.objects.get()
    assert client_as(users[role]).post(record_url(group, meetings[key]), data).status_code == 404
    assert LiaisonAttendance.objects.count() == 0


def test_a_member_of_another_group_gets_404(client_as, users, town, meetings):
    outsider = f.UserFactory(username="outsider")
    f.liaison_group(name="第二指导联络组", users=[outsider], organizations=[town["branch_b"]])
    group = LiaisonGroup.objects.get(name="第一指导联络组")
    assert client_as(outsider).post(record_url(group, meetings["today"]), {"attended": "1"}).status_code == 404
    assert LiaisonAttendance.objects.count() == 0


def test_a_future_meeting_cannot_be_recorded(client_as, users, meetings):
    group = LiaisonGroup.objects.get()
    response = client_as(users["liaison"]).post(record_url(group, meetings["next_week"]), {"attended": "1"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["会议尚未召开，召开当天或之后再登记列席情况"]
    assert LiaisonAttendance.objects.count() == 0


def test_the_meetings_page_query_count_does_not_grow(client_as, users, town, meetings, today, django_assert_num_queries):
    client = client_as(users["liaison"])
    liaison_attendance_record(meeting=meetings["last_week"], group=LiaisonGroup.objects.get(), by=users["liaison"], attended=True)
    # session, user, scope (3), bell; groups, their organizations, meetings, records, attendees
    with django_assert_num_queries(11):
        client.get(reverse("liaison_meetings:mine"))
    for i in range(5):
        m = meeting(town["branch_a1"], today - i * DAY, status=Meeting.Status.HELD, topic=f"大会{i}")
        liaison_attendance_record(meeting=m, group=LiaisonGroup.objects.get(), by=users["liaison"], attended=True)
    with django_assert_num_queries(11):
        client.get(reverse("liaison_meetings:mine"))


@pytest.fixture
def year_meetings(users, town, freeze_day):
    """This year's due meetings for 第一指导联络组 (one attended, one recorded absent, one not recorded).

    On 1 January a meeting set for that day is not yet due, so the year is read late in November.
    """
    freeze_day("2026-11-25")
    today = timezone.localdate()
    jan = dt.date(today.year, 1, 1)
    group = LiaisonGroup.objects.get()
    attended = meeting(town["branch_a1"], jan, status=Meeting.Status.HELD, topic="一月大会")
    absent = meeting(town["branch_a2"], jan, kind=Meeting.Kind.THEME_DAY, status=Meeting.Status.HELD, topic="一月主题党日")
    meeting(town["group_a1"], jan, topic="未登记的大会")  # still "scheduled" but its day is past
    meeting(town["branch_a1"], today + DAY, topic="明天的大会")  # not due yet
    meeting(town["branch_a1"], dt.date(today.year - 1, 12, 31), status=Meeting.Status.HELD, topic="去年的大会")
    meeting(town["branch_b"], jan, status=Meeting.Status.HELD, topic="公司支部大会")  # no group
    liaison_attendance_record(meeting=attended, group=group, by=users["liaison"], attended=True, today=today)
    liaison_attendance_record(meeting=absent, group=group, by=users["liaison"], attended=False, note="与防汛冲突", today=today)
    second = f.UserFactory(username="second")
    f.liaison_group(name="第二指导联络组", users=[second], organizations=[town["branch_b"]])
    return group


def test_the_town_sees_per_group_what_was_not_attended(client_as, users, year_meetings):
    response = client_as(users["town_admin"]).get(reverse("liaison_meetings:overview"))
    assert response.status_code == 200
    blocks = response.context["blocks"]
    assert [(b.group.name, len(b.rows), b.attended_count, len(b.missed)) for b in blocks] == [
        ("第一指导联络组", 3, 1, 2),
        ("第二指导联络组", 1, 0, 1),
    ]
    assert [(r.meeting.topic, r.label) for r in blocks[0].missed] == [("一月主题党日", "未列席"), ("未登记的大会", "未登记")]


def test_a_liaison_member_sees_only_their_group_and_others_get_404(client_as, users, year_meetings):
    response = client_as(users["liaison"]).get(reverse("liaison_meetings:overview"))
    assert [b.group.name for b in response.context["blocks"]] == ["第一指导联络组"]
    for role in ("secretary_a", "member", "visitor"):
        assert client_as(users[role]).get(reverse("liaison_meetings:overview")).status_code == 404
        assert client_as(users[role]).get(reverse("liaison_meetings:export")).status_code == 404


def test_the_export_lists_the_meetings_not_attended(client_as, users, year_meetings):
    year = timezone.localdate().year
    response = client_as(users["town_admin"]).get(reverse("liaison_meetings:export"), {"year": year})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    jan = dt.datetime(year, 1, 1)
    assert rows == [
        ["指导联络组", "党组织", "会议类型", "日期", "主题", "会议状态", "列席情况", "说明"],
        ["第一指导联络组", "东村第二党支部", "主题党日", jan, "一月主题党日", "已召开", "未列席", "与防汛冲突"],
        ["第一指导联络组", "东村第一党支部第一党小组", "支部党员大会", jan, "未登记的大会", "计划召开", "未登记", None],
        ["第二指导联络组", "竖新镇某某公司党支部", "支部党员大会", jan, "公司支部大会", "已召开", "未登记", None],
    ]


def test_the_overview_query_count_does_not_grow(client_as, users, town, year_meetings, django_assert_num_queries):
    client = client_as(users["town_admin"])
    # session, user, scope (3), bell; groups, their organizations, meetings, records, attendees
    with django_assert_num_queries(11):
        client.get(reverse("liaison_meetings:overview"))
    jan = dt.date(timezone.localdate().year, 1, 2)
    for i in range(5):
        m = meeting(town["branch_a1"], jan, status=Meeting.Status.HELD, topic=f"大会{i}")
        liaison_attendance_record(meeting=m, group=year_meetings, by=users["liaison"], attended=i % 2 == 0, today=jan)
    with django_assert_num_queries(11):
        client.get(reverse("liaison_meetings:overview"))
