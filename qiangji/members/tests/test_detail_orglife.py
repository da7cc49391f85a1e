"""A member's page shows their own organizational life: meetings attended beside the home-study
visits brought to them (date, who went, what was studied), to the member, their secretary and
no one outside their organization."""

import datetime as dt

import pytest
from django.urls import reverse

from qiangji import factories as f
from qiangji.members.models import Member
from qiangji.orglife.homestudy import home_study_record
from qiangji.orglife.models import Attendance, Meeting

K = Meeting.Kind


def meeting(org, kind, day, topic, present=(), absent=()):
    m = Meeting.objects.create(organization=org, kind=kind, date=day, status=Meeting.Status.HELD, topic=topic)
    Attendance.objects.bulk_create(
        [Attendance(meeting=m, member=p, present=True) for p in present]
        + [Attendance(meeting=m, member=p, present=False, absence_reason="sick") for p in absent]
    )
    return m


@pytest.fixture(autouse=True)
def _after_the_records(freeze_day):
    """The records are of spring 2026; a home-study visit may not be recorded before its day."""
    freeze_day("2026-11-25")


@pytest.fixture
def record(town, users):
    """李党员 attended a theme day and a lecture, missed an assembly (visited at home instead)."""
    li = Member.objects.get(user=users["member"])
    zhao = f.member(organization=town["branch_a1"], name="赵一", birth=dt.date(1971, 1, 2))
    meeting(town["branch_a1"], K.THEME_DAY, dt.date(2026, 3, 10), "学雷锋志愿服务", present=[li, zhao])
    meeting(town["branch_a1"], K.LECTURE, dt.date(2026, 4, 20), "书记讲党课", present=[li])
    assembly = meeting(town["branch_a1"], K.ASSEMBLY, dt.date(2026, 5, 6), "发展党员表决", present=[zhao], absent=[li])
    home_study_record(
        by=users["secretary_a"],
        member=li,
        date=dt.date(2026, 5, 8),
        topic="党员大会精神",
        visitors="网格员小王",
        visitor_users=[users["secretary_a"]],
        meeting=assembly,
    )
    home_study_record(by=users["secretary_a"], member=zhao, date=dt.date(2026, 5, 9), topic="学习党章", visitors="老支书")
    return li


def shown(response):
    meetings = [(a.meeting.date, a.meeting.topic) for a in response.context["meetings_attended"]]
    visits = [(r["visit"].date, r["visitors"], r["visit"].topic) for r in response.context["home_study_visits"]]
    return meetings, visits


EXPECTED = (
    [(dt.date(2026, 4, 20), "书记讲党课"), (dt.date(2026, 3, 10), "学雷锋志愿服务")],
    [(dt.date(2026, 5, 8), "东村书记、网格员小王", "党员大会精神")],
)


@pytest.mark.parametrize("role", ["member", "secretary_a", "town_admin", "liaison"])
def test_the_member_and_those_over_them_see_meetings_beside_home_study(client_as, users, record, role):
    response = client_as(users[role]).get(reverse("members:detail", args=[record.pk]))
    assert response.status_code == 200
    assert shown(response) == EXPECTED
    body = response.content.decode()
    assert "2026-05-08 学习内容：党员大会精神" in body
    assert "送学人员：东村书记、网格员小王" in body
    assert "补学：支部党员大会（2026-05-06）" in body
    assert "2026-04-20 党课" in body and "发展党员表决" not in body


@pytest.mark.parametrize("role", ["secretary_b", "visitor"])
def test_another_branch_cannot_see_the_record(client_as, users, record, role):
    response = client_as(users[role]).get(reverse("members:detail", args=[record.pk]))
    assert response.status_code == 404


def test_a_member_without_records_sees_empty_lists(client_as, users):
    li = Member.objects.get(user=users["member"])
    response = client_as(users["member"]).get(reverse("members:detail", args=[li.pk]))
    assert shown(response) == ([], [])
    body = response.content.decode()
    assert "暂无参加组织生活的记录。" in body and "暂无送学上门记录。" in body


def test_query_count_does_not_grow_with_records(client_as, users, town, record, django_assert_num_queries):
    client = client_as(users["secretary_a"])
    url = reverse("members:detail", args=[record.pk])
    client.get(url)  # warm the session
    # session, user, scope (3), member, reveal check, transfers, history, meetings, visits,
    # their visitor accounts, and the inbox bell of every full page.
    with django_assert_num_queries(13):
        client.get(url)
    for n in range(3):
        day = dt.date(2026, 6, 1 + n)
        meeting(town["branch_a1"], K.THEME_DAY, day, f"主题党日{n}", present=[record])
        home_study_record(
            by=users["secretary_a"], member=record, date=day, topic=f"学习{n}", visitor_users=[users["secretary_a"]]
        )
    with django_assert_num_queries(13):
        response = client.get(url)
    assert len(response.context["meetings_attended"]) == 5 and len(response.context["home_study_visits"]) == 4
