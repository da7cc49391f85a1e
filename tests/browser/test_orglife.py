"""Organizational life in Chromium: recording a meeting with its attendance, reading the
organization's compliance grid, and the town's heat map (ECharts under the strict CSP)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qiangji import factories as f
from qiangji.orglife.models import Attendance, Meeting
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("requirements")]


def test_secretary_records_a_meeting_and_reads_the_grid(page, town, users):
    f.member(organization=town["branch_a1"], name="赵一", birth=dt.date(1971, 1, 2))
    f.member(organization=town["branch_a1"], name="钱二", birth=dt.date(1972, 2, 3))
    day = timezone.localdate() - dt.timedelta(days=1)
    login(page, "sec_a")
    page.get_by_role("link", name="组织生活", exact=True).click()
    page.get_by_role("link", name="登记会议").click()
    page.get_by_label("党组织").select_option(label="东村第一党支部")
    page.get_by_label("会议类型").select_option(label="主题党日")
    page.get_by_label("状态").select_option(label="已召开")
    page.get_by_label("日期").fill(day.isoformat())
    page.locator("#id_topic").fill("主题党日：清洁家园")
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("heading", name="出席情况：主题党日")).to_be_visible()
    page.get_by_role("checkbox", name="李党员").check()
    page.get_by_role("checkbox", name="赵一").check()
    page.get_by_label("钱二缺席原因", exact=True).select_option(label="病假")
    page.get_by_role("button", name="保存出席情况").click()
    expect(page.get_by_text("出席2人，缺席1人").first).to_be_visible()
    assert sorted(Attendance.objects.values_list("member__name", "present")) == [
        ("李党员", True),
        ("赵一", True),
        ("钱二", False),
    ]
    assert Meeting.objects.get().status == "held"

    page.get_by_role("link", name="东村第一党支部").click()
    expect(page.get_by_role("heading", name=f"东村第一党支部 · {day.year}年组织生活开展情况")).to_be_visible()
    expect(page.get_by_role("link", name="已开展 1")).to_be_visible()


def test_town_admin_sees_the_heat_map(page, town, users):
    Meeting.objects.create(organization=town["branch_b"], kind="theme_day", status="held", date=dt.date(2025, 3, 3), topic="会")
    login(page, "admin")
    page.goto(page.base_url + "/orglife/compliance/?year=2025")
    expect(page.locator("#orglife-heatmap canvas").first).to_be_visible()
    expect(page.get_by_role("heading", name="2025年组织生活开展情况")).to_be_visible()
    expect(page.get_by_role("cell", name="竖新镇某某公司党支部").first).to_be_visible()  # missed last period
