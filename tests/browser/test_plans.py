"""Work plans in Chromium: a secretary files the year's plan as text, and the town admin's
not-filed list no longer names that organization."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qiangji.plans.models import WorkPlan
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_files_a_plan_and_the_town_sees_it_filed(page, town, users):
    year = timezone.localdate().year
    login(page, "admin")
    page.goto(page.base_url + "/plans/")
    expect(page.get_by_role("heading", name=f"{year}年工作计划备案")).to_be_visible()
    expect(page.get_by_role("link", name="东村党总支", exact=True)).to_be_visible()

    page.context.clear_cookies()
    login(page, "sec_a")
    page.goto(page.base_url + "/plans/")
    page.get_by_role("link", name="备案工作计划").click()
    page.get_by_label("党组织").select_option(label="东村党总支")
    page.get_by_label("标题").fill(f"东村党总支{year}年工作计划")
    page.get_by_label("计划内容").fill("一、加强政治建设。\n二、推进和美乡村建设。")
    page.get_by_role("button", name="提交备案").click()
    expect(page.get_by_text(f"已备案“东村党总支”{year}年工作计划。")).to_be_visible()
    plan = WorkPlan.objects.get()
    assert (plan.organization, plan.year, plan.status) == (town["village_a"], year, WorkPlan.Status.FILED)
    assert plan.text.replace("\r\n", "\n") == "一、加强政治建设。\n二、推进和美乡村建设。"

    page.context.clear_cookies()
    login(page, "admin")
    page.goto(page.base_url + "/plans/")
    expect(page.get_by_role("link", name=f"东村党总支{year}年工作计划")).to_be_visible()
    expect(page.get_by_role("link", name="东村党总支", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="东村第一党支部", exact=True)).to_be_visible()
