"""A mediation case in Chromium: the studio's secretary records a sitting and the agreement; the
liaison group sees the case without the parties' names. Screenshots at desktop and phone width."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from qiangji.mediation.models import MediationStudio, Mediator
from qiangji.mediation.services import case_open
from tests.browser.conftest import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def case(town, users):
    studio = MediationStudio.objects.create(name="东村老娘舅工作室", organization=town["village_a"], address="东村村委会二楼")
    Mediator.objects.create(studio=studio, name="陈老伯", title="老村干部")
    return case_open(
        studio=studio,
        by=users["town_admin"],
        data={
            "parties": "张某某、李某某",
            "dispute": "宅基地边界围墙纠纷",
            "category": "邻里",
            "opened_on": dt.date(2026, 10, 8),
        },
    )


def test_sitting_and_agreement(page, case):
    login(page, "sec_a")
    page.goto(page.base_url + "/mediation/cases/")
    page.get_by_role("link", name=case.number).click()
    expect(page.locator("#case-parties")).to_have_text("张某某、李某某")
    page.locator("#act-session summary").click()
    page.get_by_label("调解日期").fill("2026-10-10")
    page.get_by_label("调解情况").fill("双方到场，各自陈述诉求")
    page.get_by_label("陈老伯").check()
    page.get_by_role("button", name="保存调解记录").click()
    expect(page.get_by_text("已登记调解记录。")).to_be_visible()
    expect(page.locator("#case-state")).to_have_text("调解中")
    page.locator("#act-agree summary").click()
    page.locator("#move-on-agree").fill("2026-10-12")
    page.locator("#move-note-agree").fill("围墙后退20厘米，费用双方各半")
    page.get_by_role("button", name="确认登记协议").click()
    expect(page.get_by_text("已登记达成协议。")).to_be_visible()
    expect(page.locator("#case-state")).to_have_text("达成协议")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "mediation-case-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.screenshot(path=str(ARTIFACTS / "mediation-case-phone.png"), full_page=True)

    page.context.clear_cookies()
    login(page, "liaison")
    page.goto(page.base_url + f"/mediation/cases/{case.pk}/")
    expect(page.locator("#case-parties")).to_have_text("（当事人信息仅工作室所属党组织可见）")
    expect(page.locator("#act-close")).to_have_count(0)
