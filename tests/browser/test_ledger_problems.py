"""The problem ledger in Chromium: the town registers a problem, the responsible secretary adds a
measure, reports it done and submits the fix, and the town admin (not the owner) closes it.
Screenshots of the detail page at desktop and phone width go to test-artifacts/."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qiangji.ledger.models import Measure, Problem
from qiangji.ledger.services import problem_register
from tests.browser.conftest import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_register_measure_submit_close(page, town, users):
    deadline = timezone.localdate() + dt.timedelta(days=15)
    login(page, "admin")
    page.goto(page.base_url + "/ledger/problems/")
    page.get_by_role("link", name="问题挂号").click()
    page.get_by_label("问题来源").select_option(label="12345热线")
    page.get_by_label("外部编号").fill("GD-20260001")
    page.locator("#id_organization").select_option(value=str(town["branch_a1"].pk))
    page.get_by_label("问题描述").fill("村口宣传栏破损多日无人修理")
    page.get_by_label("整改责任人").select_option(label="东村书记")
    page.get_by_label("整改期限").fill(deadline.isoformat())
    page.get_by_role("button", name="挂号").click()
    problem = Problem.objects.get()
    expect(page.get_by_text(f"已挂号，编号{problem.number}，已通知整改责任人。")).to_be_visible()

    page.context.clear_cookies()
    login(page, "sec_a")
    page.goto(page.base_url + f"/ledger/problems/{problem.pk}/")
    page.locator("#act-start summary").click()
    page.get_by_role("button", name="确认开始整改").click()
    expect(page.get_by_text("已开始整改。")).to_be_visible()

    page.locator("#act-analyse summary").click()
    page.get_by_label("原因分析").fill("日常巡查缺位，损坏后无人报修")
    page.get_by_label("即知即改").check()
    page.get_by_role("button", name="确认分析").click()
    expect(page.get_by_text("已保存原因分析。")).to_be_visible()

    page.get_by_text("新增整改措施", exact=True).click()
    page.get_by_label("措施内容").fill("更换宣传栏面板并明确专人维护")
    page.get_by_role("button", name="添加措施").click()
    expect(page.get_by_text("已新增整改措施。")).to_be_visible()

    page.get_by_text("填报进展", exact=True).click()
    page.get_by_label("进度（%）").fill("100")
    page.get_by_label("进展情况").fill("面板已更换，维护人已明确")
    page.get_by_role("button", name="保存进展").click()
    expect(page.get_by_text("已填报措施进展。")).to_be_visible()
    assert Measure.objects.get().state == Measure.State.DONE

    page.locator("#act-submit summary").click()
    page.get_by_label("整改情况及佐证").fill("宣传栏已修复，群众满意")
    page.get_by_role("button", name="确认提交验收").click()
    expect(page.get_by_text("已提交验收。")).to_be_visible()
    expect(page.locator("#act-close")).to_have_count(0)

    page.context.clear_cookies()
    login(page, "admin")
    page.goto(page.base_url + f"/ledger/problems/{problem.pk}/")
    page.locator("#act-close summary").click()
    page.get_by_role("button", name="确认验收销号").click()
    expect(page.get_by_text("已验收销号。")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("已销号")

    problem.refresh_from_db()
    assert (problem.state, problem.checked_by, problem.owner) == (Problem.State.CLOSED, users["town_admin"], users["secretary_a"])
    assert list(problem.events.values_list("action", flat=True)) == [
        "register",
        "start",
        "analyse",
        "measure_add",
        "measure_progress",
        "submit",
        "close",
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ledger-problem-closed-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    expect(page.get_by_role("heading", name=f"问题 {problem.number}")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "ledger-problem-closed-phone.png"), full_page=True)


def test_problem_list_on_a_phone(phone_page, town, users):
    problem = problem_register(
        by=users["town_admin"],
        data={
            "source": Problem.Source.VISIT_TALK,
            "organization": town["branch_a1"],
            "description": "党员活动室长期闲置",
            "owner": users["secretary_a"],
            "deadline": timezone.localdate() + dt.timedelta(days=5),
        },
    )
    login(phone_page, "sec_a")
    phone_page.goto(phone_page.base_url + "/ledger/problems/")
    expect(phone_page.get_by_role("link", name="党员活动室长期闲置")).to_be_visible()
    phone_page.get_by_label("状态").select_option(label="已超期")
    expect(phone_page.get_by_text("没有符合条件的问题，请调整查询条件。")).to_be_visible()
    phone_page.get_by_label("状态").select_option(label="未销号")
    expect(phone_page.get_by_role("link", name="党员活动室长期闲置")).to_be_visible()
    assert problem.number in phone_page.content()


def test_duplicates_are_suggested_while_typing(page, town, users):
    earlier = problem_register(
        by=users["town_admin"],
        data={
            "source": Problem.Source.VISIT_TALK,
            "organization": town["branch_a1"],
            "description": "党员活动室长期闲置，群众反映开放时间不固定",
            "owner": users["secretary_a"],
            "deadline": timezone.localdate() + dt.timedelta(days=5),
        },
    )
    login(page, "admin")
    page.goto(page.base_url + "/ledger/problems/new/")
    page.locator("#id_organization").select_option(value=str(town["branch_a1"].pk))
    page.get_by_label("问题描述").press_sequentially("群众反映党员活动室长期闲置")
    expect(page.locator("#similar-list")).to_contain_text(earlier.number)
    page.screenshot(path=str(ARTIFACTS / "ledger-register-duplicates-desktop.png"), full_page=True)

    page.locator("#id_organization").select_option(value=str(town["branch_b"].pk))
    page.get_by_label("问题描述").press_sequentially("。")
    expect(page.locator("#similar-list")).to_have_count(0)
