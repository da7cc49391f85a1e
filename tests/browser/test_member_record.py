"""A member on a phone opens their own page and finds the meetings they attended beside the
home-study visit that made up for the one they missed."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from qiangji.members.models import Member
from qiangji.orglife.homestudy import home_study_record
from qiangji.orglife.models import Attendance, Meeting
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_sees_meetings_and_home_study_on_their_own_page(phone_page, town, users):
    page = phone_page
    li = Member.objects.get(user=users["member"])
    theme_day = Meeting.objects.create(
        organization=town["branch_a1"], kind="theme_day", status="held", date=dt.date(2026, 3, 10), topic="学雷锋志愿服务"
    )
    Attendance.objects.create(meeting=theme_day, member=li, present=True)
    assembly = Meeting.objects.create(
        organization=town["branch_a1"], kind="assembly", status="held", date=dt.date(2026, 5, 6), topic="发展党员表决"
    )
    Attendance.objects.create(meeting=assembly, member=li, present=False, absence_reason="sick")
    home_study_record(
        by=users["secretary_a"],
        member=li,
        date=dt.date(2026, 5, 8),
        topic="党员大会精神",
        visitors="网格员小王",
        visitor_users=[users["secretary_a"]],
        meeting=assembly,
    )

    login(page, "member")
    page.goto(page.base_url + f"/members/{li.pk}/")
    meetings = page.locator("#member-meetings")
    expect(page.get_by_text("参加组织生活", exact=True)).to_be_visible()
    expect(meetings.locator("li")).to_have_count(1)
    expect(meetings).to_contain_text("2026-03-10 主题党日")
    expect(meetings).to_contain_text("学雷锋志愿服务")
    visits = page.locator("#member-home-study")
    expect(visits.locator("li")).to_have_count(1)
    expect(visits.get_by_text("2026-05-08 学习内容：党员大会精神")).to_be_visible()
    expect(visits.get_by_text("送学人员：东村书记、网格员小王")).to_be_visible()
    expect(visits.get_by_text("补学：支部党员大会（2026-05-06）")).to_be_visible()
