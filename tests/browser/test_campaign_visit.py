"""A visit on a phone (390×844) with a dropped connection, in Chromium.

The team member opens the task, ticks the five musts and fills in the findings; a reload keeps
what was typed; the connection drops before submitting, so the visit stays on the phone with the
message; when the network is back it is sent once. A visit queued while offline on a page that
is then closed is sent by the next campaign page opened. The town reviews it at desktop width.
Screenshots to test-artifacts/.
"""

# The campaign's fixtures are imported below and named as test arguments (pytest's way to share
# fixtures with a directory outside their conftest).
# ruff: noqa: F811
import pytest
from playwright.sync_api import expect

from qiangji.campaign.models import DEFAULT_CHECKLIST, ChecklistItem, Visit, VisitTask
from qiangji.campaign.tests.conftest import MUSTS, entity, places, record_task, teams, verify_tasks, visit_on  # noqa: F401 - fixtures
from tests.browser.conftest import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFLINE = "网络已断开，走访记录已保存在本机，恢复网络后将自动提交"


@pytest.fixture(autouse=True)
def _five_musts(db):
    """Transactional tests flush the tables after each test, the seeded checklist with them."""
    for order, label in enumerate(DEFAULT_CHECKLIST, start=1):
        ChecklistItem.objects.get_or_create(label=label, defaults={"order": order})


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized page (390×844); console errors (CSP, script) fail the test."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.base_url = live_server.url
    page.errors = errors
    yield page
    context.close()
    assert errors == [], f"browser console errors: {errors}"


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"campaign_visit_{name}.png"), full_page=True)


def fill_visit(page, card="XLX-7001"):
    for label in MUSTS:
        page.get_by_label(label).check()
    page.get_by_label("发现党员数").fill("2")
    page.get_by_label("有建立党组织意愿").check()
    page.get_by_label("诉求与需求").fill("希望对接民宿行业协会")
    page.get_by_label("已发放暖心加油包").check()
    page.get_by_label("新连心服务卡编号").fill(card)


def test_visit_survives_a_dropped_connection(phone, verify_tasks, users):
    page = phone
    task = verify_tasks["new1"]
    login(page, "visitor")
    page.goto(page.base_url + "/campaign/tasks/")
    expect(page.get_by_role("heading", name="我的走访任务")).to_be_visible()
    shot(page, "task_list-phone")
    page.get_by_role("link", name="崇明新发现民宿").click()
    expect(page.get_by_text("来自区级底数")).to_be_visible()
    shot(page, "task_detail-phone")
    page.get_by_role("link", name="填写走访记录").click()
    page.wait_for_url(f"{page.base_url}/campaign/tasks/{task.pk}/visit/")
    fill_visit(page)
    key = page.locator("input[name=client_uuid]").input_value()

    # A reload keeps what was typed (and the visit's key).
    page.reload()
    expect(page.get_by_text("已恢复本机保存的填写内容。")).to_be_visible()
    expect(page.get_by_label("新连心服务卡编号")).to_have_value("XLX-7001")
    expect(page.get_by_label("宣讲党建政策")).to_be_checked()
    expect(page.get_by_label("有建立党组织意愿")).to_be_checked()
    assert page.locator("input[name=client_uuid]").input_value() == key

    # The connection drops before submitting: the visit stays on the phone.
    page.context.set_offline(True)
    page.get_by_role("button", name="提交走访记录").click()
    expect(page.locator("#visit-status")).to_contain_text(OFFLINE)
    queued = page.evaluate("JSON.parse(localStorage.getItem('qj-visit-queue'))")
    assert [q["key"] for q in queued] == [f"task-{task.pk}"]
    assert Visit.objects.count() == 0
    shot(page, "offline-phone")

    # Back online: it is sent by itself, once.
    page.context.set_offline(False)
    expect(page.get_by_text("走访记录已提交，等待镇党委审核。")).to_be_visible()
    assert page.evaluate("localStorage.getItem('qj-visit-queue')") == "[]"
    assert page.evaluate(f"localStorage.getItem('qj-visit-draft:task-{task.pk}')") is None
    visit = Visit.objects.get()
    assert (str(visit.client_uuid), visit.card_number, visit.party_members_found) == (key, "XLX-7001", 2)
    assert visit.checklist_done and visit.wants_party_org and visit.care_package
    shot(page, "sent-phone")

    # Sending the same visit again (a second tab, a retry) stores nothing new.
    status = page.evaluate(
        """async ([url, key]) => {
            const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
            const body = new URLSearchParams({client_uuid: key, found_exists: 'true', card_number: 'XLX-7001'});
            const r = await fetch(url, {method: 'POST', body, headers: {Accept: 'application/json', 'X-CSRFToken': token}});
            return r.status;
        }""",
        [f"/campaign/tasks/{task.pk}/visit/", key],
    )
    assert status == 200
    assert Visit.objects.filter(client_uuid=key).count() == 1


def test_a_queued_visit_is_sent_by_the_next_page(phone, verify_tasks, users):
    page = phone
    task = verify_tasks["changed"]
    login(page, "visitor")
    page.goto(f"{page.base_url}/campaign/tasks/{task.pk}/visit/")
    fill_visit(page, card="XLX-7002")
    page.locator("#visit-facts summary").click()
    page.get_by_label("经营地址").fill("东村2号（北侧）")
    page.context.set_offline(True)
    page.get_by_role("button", name="提交走访记录").click()
    expect(page.locator("#visit-status")).to_contain_text(OFFLINE)

    # The phone is put away while offline; later, back online, any campaign page sends it.
    context = page.context
    page.close()
    context.set_offline(False)
    page = context.new_page()
    page.on("console", lambda msg: phone.errors.append(msg.text) if msg.type == "error" else None)
    page.goto(phone.base_url + "/campaign/tasks/")
    expect(page.locator("#visit-outbox")).to_contain_text("已提交")
    visit = Visit.objects.get()
    assert (visit.task, visit.facts, visit.card_number) == (task, {"address": "东村2号(北侧)"}, "XLX-7002")
    assert VisitTask.objects.get(pk=task.pk).status == VisitTask.Status.SUBMITTED


def test_town_reviews_at_desktop_width(page, verify_tasks, users, visit_on):
    visit = visit_on(verify_tasks["changed"], facts={"address": "东村3号"}, problems="消防通道堵塞")
    login(page, "admin")
    page.goto(page.base_url + "/campaign/review/")
    page.get_by_role("link", name=visit.task.title).click()
    expect(page.locator("#visit-compare")).to_contain_text("东村3号")
    page.locator("#comment-send_back").fill("请核实门牌号")
    page.get_by_role("button", name="退回修改").click()
    expect(page.get_by_text("已退回修改，并告知走访队员。")).to_be_visible()
    visit.refresh_from_db()
    assert visit.state == Visit.State.HAS_ISSUES
    page.screenshot(path=str(ARTIFACTS / "campaign_visit_review-desktop.png"), full_page=True)


def test_teams_and_checklist_pages(page, verify_tasks, users):
    login(page, "admin")
    page.goto(page.base_url + "/campaign/teams/")
    expect(page.locator("#team-table")).to_contain_text("当前为2人")
    page.screenshot(path=str(ARTIFACTS / "campaign_visit_teams-desktop.png"), full_page=True)
    page.get_by_role("link", name="“五必须”事项").click()
    page.locator("#id_label").fill("了解用工需求")
    page.get_by_role("button", name="新增事项").click()
    expect(page.get_by_text("已新增事项“了解用工需求”。")).to_be_visible()
    page.get_by_role("button", name="上移“了解用工需求”").click()
    assert list(ChecklistItem.objects.order_by("order").values_list("label", flat=True))[-2:] == [
        "了解用工需求",
        "留下服务卡和联系方式",
    ]
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "campaign_visit_checklist-phone.png"), full_page=True)
    page.goto(f"{page.base_url}/campaign/tasks/{verify_tasks['changed'].pk}/visit/")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "campaign_visit_form-desktop.png"), full_page=True)
