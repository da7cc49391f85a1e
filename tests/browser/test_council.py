"""The consultation hall in Chromium: a resident at 390 px opens a bulletin, leaves an opinion and
is thanked; the secretary moderates and answers it; the public page then shows it with the answer
and without the resident's name or phone."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from qiangji.council.models import Milestone, Opinion, Project
from qiangji.council.services import bulletin_publish
from tests.browser.conftest import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "建议在村道转弯处加装反光镜，晚上会车看不清"


@pytest.fixture
def bulletin(town, users):
    project = Project.objects.create(
        name="东村和美乡村建设",
        organization=town["village_a"],
        village=town["village_a"].village,
        description="五好两宜示范村：河道整治、村道硬化、公共空间改造",
        state=Project.State.IN_PROGRESS,
        progress=50,
    )
    Milestone.objects.create(
        project=project, title="河道整治", due_on=dt.date(2026, 4, 30), done_on=dt.date(2026, 4, 28), order=1
    )
    Milestone.objects.create(project=project, title="村道硬化", due_on=dt.date(2026, 9, 30), order=2)
    return bulletin_publish(
        project=project,
        by=users["secretary_a"],
        title="东村和美乡村建设进度通报（第一期）",
        body="河道整治已完成，村道硬化进行中。",
    )


def test_an_opinion_from_a_phone_is_moderated_answered_and_shown(phone_page, page, bulletin, users):
    phone_page.set_viewport_size({"width": 390, "height": 844})
    phone_page.goto(phone_page.base_url + "/council/hall/")
    expect(phone_page.get_by_role("heading", name="议事厅 · 项目进度公开")).to_be_visible()
    phone_page.get_by_role("link", name="查看通报、提意见").click()
    expect(phone_page.get_by_role("heading", name=bulletin.title)).to_be_visible()
    expect(phone_page.locator("#hall-milestones")).to_contain_text("河道整治")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_page.get_by_label("您的意见建议").fill(TEXT)
    phone_page.get_by_label("您的称呼（可不填）").fill("王大伯")
    phone_page.get_by_label("联系电话（可不填）").fill("13812345678")
    ARTIFACTS.mkdir(exist_ok=True)
    phone_page.screenshot(path=str(ARTIFACTS / "council-hall-bulletin-phone.png"), full_page=True)
    phone_page.get_by_role("button", name="提交意见").click()
    expect(phone_page.get_by_role("heading", name="您的意见已收到，经审核后公开")).to_be_visible()
    opinion = Opinion.objects.get()
    assert (opinion.content, opinion.moderation, opinion.state) == (TEXT, "pending", "received")

    login(page, "sec_a")
    page.goto(page.base_url + f"/council/projects/{bulletin.project_id}/")
    item = page.locator(f"#opinion-{opinion.pk}")
    expect(item).to_contain_text("138****5678")
    expect(item).not_to_contain_text("13812345678")
    item.get_by_role("button", name="公开", exact=True).click()
    expect(page.get_by_text("已在议事厅公开该意见。")).to_be_visible()
    item = page.locator(f"#opinion-{opinion.pk}")
    item.get_by_label("答复内容或不予采纳的理由（答复将在议事厅公开）").fill("已安排在十二月底前安装")
    item.get_by_role("button", name="答复", exact=True).click()
    expect(page.get_by_text("已答复。")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "council-project-detail.png"), full_page=True)
    opinion.refresh_from_db()
    assert (opinion.moderation, opinion.state, opinion.answer) == ("shown", "answered", "已安排在十二月底前安装")

    phone_page.goto(phone_page.base_url + f"/council/hall/bulletins/{bulletin.pk}/")
    shown = phone_page.locator("#hall-opinions")
    expect(shown).to_contain_text(TEXT)
    expect(shown).to_contain_text("已安排在十二月底前安装")
    html = phone_page.content()
    for personal in ("王大伯", "13812345678", "138****5678", "5678", "东村书记"):
        assert personal not in html
    phone_page.screenshot(path=str(ARTIFACTS / "council-hall-answered-phone.png"), full_page=True)
