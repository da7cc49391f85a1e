"""No member left behind in Chromium: a secretary finds a frail member who missed this month's
organizational life, records a home-study visit, and the member leaves the "neither" list."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qiangji import factories as f
from qiangji.members.models import Member
from qiangji.orglife.models import Attendance, HomeStudyVisit, Meeting
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_records_a_home_study_visit(page, town, users):
    today = timezone.localdate()
    frail = f.member(organization=town["branch_a1"], name="王奶奶", is_frail=True)
    meeting = Meeting.objects.create(
        organization=town["branch_a1"], kind="theme_day", status="held", date=today, topic="主题党日：清洁家园"
    )
    Attendance.objects.create(meeting=meeting, member=Member.objects.get(name="李党员"), present=True)

    login(page, "sec_a")
    page.goto(page.base_url + "/orglife/home-study/")
    expect(page.get_by_role("heading", name="一个不掉队", exact=True)).to_be_visible()
    page.get_by_role("link", name="东村第一党支部", exact=True).click()
    expect(page.get_by_role("heading", name="一个不掉队：东村第一党支部")).to_be_visible()
    month = f"{today.year}年{today.month}月"
    expect(page.get_by_text(f"{month}：参加组织生活1人，已送学上门0人，未参加也未送学1人。")).to_be_visible()
    missing = page.locator(".qj-missing-member")
    expect(missing).to_have_count(1)
    expect(missing.first).to_contain_text("王奶奶")
    expect(missing.first.get_by_text("年老体弱")).to_be_visible()

    missing.first.get_by_role("link", name="登记送学上门").click()
    expect(page.get_by_role("heading", name="送学上门：王奶奶")).to_be_visible()
    page.get_by_label("学习内容").fill("学习垃圾分类新规")
    page.get_by_label("补学的会议（可选）").select_option(label=f"{today:%Y-%m-%d} 主题党日：主题党日：清洁家园")
    page.get_by_label("其他送学人员").fill("张委员")
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_text("已登记对王奶奶的送学上门。")).to_be_visible()
    expect(page.get_by_role("heading", name="一个不掉队：东村第一党支部")).to_be_visible()
    expect(page.get_by_text(f"{month}：参加组织生活1人，已送学上门1人，未参加也未送学0人。")).to_be_visible()
    expect(page.locator(".qj-missing-member")).to_have_count(0)
    expect(page.get_by_text("本期党员均已参加组织生活或已送学上门。")).to_be_visible()
    expect(page.get_by_text(f"{today:%Y-%m-%d} 王奶奶：学习垃圾分类新规")).to_be_visible()

    visit = HomeStudyVisit.objects.get()
    assert (visit.member, visit.date, visit.meeting, visit.topic, visit.visitors) == (
        frail,
        today,
        meeting,
        "学习垃圾分类新规",
        "张委员",
    )
    assert list(visit.visitor_users.all()) == [users["secretary_a"]]
