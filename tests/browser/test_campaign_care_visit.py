"""A 三送三问 care visit on a phone (390×844), in Chromium: the team member opens the care task,
gets the three sends and three asks (not the five musts), is told in Chinese what is missing,
completes the form and sends it; the town reads the answers in review at desktop width."""

# ruff: noqa: F811
import datetime as dt

import pytest
from playwright.sync_api import expect

from qiangji.campaign.models import Visit, VisitTask
from qiangji.campaign.tests.conftest import entity, places, teams  # noqa: F401 - fixtures
from tests.browser.conftest import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("care_items")]


@pytest.fixture
def care_task(entity, teams, places):
    e = entity(name="崇明瀛洲民宿")
    return VisitTask.objects.create(
        kind=VisitTask.Kind.CARE, entity=e, grid=places["grid1"], team=teams["team1"], title=e.name,
        reason="三送三问回访", due_on=dt.date(2026, 11, 30),
    )  # fmt: skip


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.base_url = live_server.url
    yield page
    context.close()
    # The refused form answers 400 by design (the script shows its errors); nothing else may fail.
    errors = [e for e in errors if "status of 400" not in e]
    assert errors == [], f"browser console errors: {errors}"


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"campaign_care_{name}.png"), full_page=True)


def test_a_care_visit_on_a_phone(phone, page, care_task, users):
    login(phone, "visitor")
    phone.goto(phone.base_url + f"/campaign/tasks/{care_task.pk}/visit/")
    expect(phone.get_by_role("heading", name="三送三问回访：崇明瀛洲民宿")).to_be_visible()
    expect(phone.get_by_text("“五必须”")).to_have_count(0)
    phone.get_by_label("已送服务").check()  # ticked, but what was delivered is not said
    phone.get_by_label("问需求：近期在经营发展、党建工作上有什么需求？").fill("希望对接民宿行业协会")
    phone.get_by_label("新连心服务卡编号").fill("XLX-7101")
    phone.get_by_role("button", name="提交走访记录").click()
    expect(phone.get_by_text("已勾选“送服务”，请填写送达的内容")).to_be_visible()
    expect(phone.get_by_text("“问困难”未填写回答")).to_be_visible()
    assert not Visit.objects.exists()
    shot(phone, "refused")

    phone.get_by_label("送服务：送达内容").fill("帮助办理食品经营许可证延续")
    phone.get_by_label("已送政策").check()
    phone.get_by_label("送政策：送达内容").fill("宣讲惠企政策，发放政策汇编")
    phone.get_by_label("问困难：遇到了哪些困难和问题，需要镇里协调解决？").fill("旺季用工紧张")
    phone.get_by_label("问建议：对镇党委、政府的工作有什么意见建议？").fill("暂无")
    phone.get_by_role("button", name="提交走访记录").click()
    # Sent by the page's script (kept on the phone until the server has it), answered in place.
    expect(phone.get_by_text("走访记录已提交，等待镇党委审核。")).to_be_visible()
    visit = Visit.objects.get()
    assert [s["done"] for s in visit.sends] == [True, True, False]
    assert [a["answer"] for a in visit.asks] == ["希望对接民宿行业协会", "旺季用工紧张", "暂无"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "sent")

    login(page, "admin")
    page.goto(page.base_url + f"/campaign/visits/{visit.pk}/")
    care = page.locator("#visit-care")
    expect(care).to_contain_text("送服务（已送达）：帮助办理食品经营许可证延续")
    expect(care).to_contain_text("送温暖：未送达")
    expect(care).to_contain_text("旺季用工紧张")
    shot(page, "review")
