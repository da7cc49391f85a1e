"""Planning 送学上门 in Chromium: the secretary plans a visit for a member who missed the meeting,
the assigned member finds it on their home page (phone width) and reports it done."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qiangji.members.models import Member
from qiangji.orglife.models import Attendance, HomeStudyPlan, HomeStudyVisit, Meeting
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_plans_and_the_member_reports_it_done(page, phone_page, town, users):
    today = timezone.localdate()
    li = Member.objects.get(name="李党员")
    from qiangji import factories as f

    absentee = f.member(organization=town["branch_a1"], name="王奶奶", is_frail=True)
    meeting = Meeting.objects.create(
        organization=town["branch_a1"], kind="theme_day", status="held", date=today, topic="主题党日：学党章"
    )
    Attendance.objects.create(meeting=meeting, member=li, present=True)
    Attendance.objects.create(meeting=meeting, member=absentee, present=False, absence_reason="frail")

    login(page, "sec_a")
    page.goto(f"{page.base_url}/orglife/home-study/{town['branch_a1'].pk}/")
    row = page.locator(".qj-missing-member", has_text="王奶奶")
    expect(row).to_contain_text("主题党日缺席：年老体弱")
    row.get_by_role("link", name="安排送学").click()
    expect(page.get_by_role("heading", name="安排送学上门：东村第一党支部")).to_be_visible()
    expect(page.get_by_role("checkbox", name="王奶奶")).to_be_checked()
    page.get_by_label("送学人员").select_option(label="李党员")
    due = today + dt.timedelta(days=5)
    page.get_by_label("完成期限").fill(due.isoformat())
    page.get_by_role("button", name="保存安排").click()
    expect(page.get_by_text("为1名党员送学上门")).to_be_visible()
    expect(page.locator(".qj-home-study-plan", has_text="王奶奶")).to_contain_text("待送学")

    login(phone_page, "member")
    card = phone_page.locator(".qj-home-study-due", has_text="王奶奶")
    expect(card).to_contain_text(f"{due.month}月{due.day}日前完成")
    card.get_by_role("link", name="登记完成").click()
    phone_page.get_by_label("学习内容").fill("学习党章第一章")
    phone_page.get_by_role("button", name="登记完成").click()
    expect(phone_page.get_by_text("已登记对王奶奶的送学上门。")).to_be_visible()
    expect(phone_page.locator(".qj-home-study-due")).to_have_count(0)

    plan = HomeStudyPlan.objects.get()
    visit = HomeStudyVisit.objects.get()
    assert (plan.status, plan.visit, plan.due, plan.meeting) == ("done", visit, due, meeting)
    assert (visit.member, visit.meeting, visit.topic) == (absentee, meeting, "学习党章第一章")
