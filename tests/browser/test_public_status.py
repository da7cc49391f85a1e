"""The public follow what they sent, on a phone (375×740) without logging in: the report's 受理编号
or the opinion's 回执编号 from the confirmation page, then the status page with the state and the
answer, and the same answer for a number that does not exist."""

import pytest
from playwright.sync_api import expect

from qiangji.council.models import Opinion, Project
from qiangji.council.services import bulletin_publish, opinion_move
from qiangji.ledger.models import PublicReport
from qiangji.ledger.services import public_report_reject

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "东村党员活动室白天一直锁门，老党员想去学习进不去"


@pytest.fixture
def hall_bulletin(town, users):
    project = Project.objects.create(
        name="东村和美乡村建设", organization=town["village_a"], description="五好两宜示范村", state=Project.State.IN_PROGRESS
    )
    return bulletin_publish(
        project=project, by=users["secretary_a"], title="进度通报（第一期）", body="河道整治已经全部完成，村道硬化进行中。"
    )


@pytest.fixture
def phone(phone_page):
    phone_page.set_viewport_size({"width": 375, "height": 740})
    return phone_page


def test_a_resident_follows_a_report_by_its_number(phone, town, users):
    phone.goto(phone.base_url + "/ledger/report/")
    phone.get_by_label("反映的问题").fill(TEXT)
    phone.get_by_label("联系电话（可不填）").fill("13812345678")
    phone.get_by_role("button", name="提交").click()
    report = PublicReport.objects.get()
    public_report_reject(report=report, by=users["town_admin"], reply="该事项属村务管理，已转村委会办理。")

    phone.get_by_role("link", name="查询办理进度").click()
    expect(phone.locator("#status-state")).to_have_text("不予受理")
    expect(phone.locator("#status-answer")).to_have_text("该事项属村务管理，已转村委会办理。")
    expect(phone.get_by_text("13812345678")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    phone.get_by_role("textbox", name="受理编号").fill("20260101-ZZZZZZ")
    phone.get_by_role("button", name="查询").click()
    expect(phone.get_by_role("alert")).to_have_text("未查到该编号，请核对后重新输入。")
    expect(phone.locator("#status-result")).to_have_count(0)

    phone.get_by_role("textbox", name="受理编号").fill(report.reference.lower())
    phone.get_by_role("button", name="查询").click()
    expect(phone.locator("#status-state")).to_have_text("不予受理")


def test_a_resident_follows_an_opinion_by_its_receipt(phone, hall_bulletin, users):
    phone.goto(phone.base_url + f"/council/hall/bulletins/{hall_bulletin.pk}/")
    phone.get_by_label("您的意见建议").fill("建议在村口增设停车位")
    phone.get_by_role("button", name="提交").click()
    opinion = Opinion.objects.get()
    expect(phone.locator("#opinion-receipt")).to_have_text(opinion.receipt)
    opinion_move(opinion=opinion, by=users["secretary_a"], action="answer", note="停车位已列入明年计划。")

    phone.get_by_role("link", name="查询办理进度和答复").click()
    expect(phone.locator("#status-state")).to_have_text(Opinion.objects.get().get_state_display())
    expect(phone.locator("#status-answer")).to_contain_text("停车位已列入明年计划。")
