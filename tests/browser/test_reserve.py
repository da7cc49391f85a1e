"""A candidate's assessment timeline in Chromium: the town admin records a tracking assessment and
moves the candidate to 考察中; the timeline shows both, with the entry, in date order.
Screenshots at desktop and phone width go to test-artifacts/."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from qiangji import factories as f
from qiangji.reserve.models import Candidate, ReservePool
from qiangji.reserve.services import candidate_enter
from tests.browser.conftest import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def candidate(town, users):
    pool, _ = ReservePool.objects.get_or_create(name="瀛洲好班长", defaults={"kind": "good_leader"})
    member = f.member(organization=town["branch_a1"], name="张后备", birth=dt.date(1990, 6, 1))
    return candidate_enter(
        pool=pool,
        member=member,
        by=users["town_admin"],
        route="org",
        recommendation="群众基础好，带头致富",
        on=dt.date(2026, 3, 1),
    )


def test_assessment_and_move_show_in_the_timeline(page, candidate):
    login(page, "admin")
    page.goto(page.base_url + "/reserve/")
    page.get_by_role("link", name="张后备").click()
    expect(page.get_by_role("heading", name="张后备 在库")).to_be_visible()

    page.locator("#act-assessment summary").click()
    page.get_by_label("考察日期").fill("2026-04-10")
    page.get_by_label("考察情况").fill("走访群众20户，反映该同志办事公道")
    page.get_by_label("考察结论").select_option(label="良好")
    page.get_by_role("button", name="保存考察").click()
    expect(page.get_by_text("已记录跟踪考察。")).to_be_visible()

    page.locator("#act-assess summary").click()
    page.locator("#move-on-assess").fill("2026-05-01")
    page.locator("#move-reason-assess").fill("列入年度重点考察对象")
    page.get_by_role("button", name="确认列为考察对象").click()
    expect(page.get_by_text("已列为考察对象。")).to_be_visible()
    expect(page.locator("#candidate-state")).to_have_text("考察中")

    items = page.locator("#timeline .qj-timeline-item")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_contain_text("入库")
    expect(items.nth(0)).to_contain_text("2026-03-01")
    expect(items.nth(1)).to_contain_text("跟踪考察 · 结论：良好")
    expect(items.nth(1)).to_contain_text("2026-04-10")
    expect(items.nth(1)).to_contain_text("走访群众20户")
    expect(items.nth(2)).to_contain_text("列为考察对象（在库 → 考察中）")
    expect(items.nth(2)).to_contain_text("2026-05-01")
    candidate.refresh_from_db()
    assert candidate.state == Candidate.State.UNDER_ASSESSMENT

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "reserve-candidate-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("#timeline .qj-timeline-item")).to_have_count(3)
    page.screenshot(path=str(ARTIFACTS / "reserve-candidate-phone.png"), full_page=True)


def test_pools_on_a_phone(phone_page, candidate):
    login(phone_page, "admin")
    phone_page.goto(phone_page.base_url + "/reserve/")
    expect(phone_page.get_by_role("heading", name="瀛洲好班长")).to_be_visible()
    expect(phone_page.locator("#pool-1, section.card").first).to_contain_text("在库 1 人")


def test_secretary_finds_and_enters_a_member(page, town, users):
    ReservePool.objects.get_or_create(name="一肩挑", defaults={"kind": "dual_role"})
    f.member(organization=town["branch_a2"], name="陈东村", birth=dt.date(1992, 2, 2))
    f.member(organization=town["branch_b"], name="陈公司", birth=dt.date(1991, 2, 2))
    login(page, "sec_a")
    page.goto(page.base_url + "/reserve/enter/")
    page.get_by_label("人才库").select_option(label="一肩挑")
    page.get_by_label("查找党员（姓名或拼音首字母）").fill("陈")
    expect(page.locator("#id_member option")).to_have_count(2)  # the prompt and 陈东村; 陈公司 is not hers
    page.locator("#id_member").select_option(label="陈东村（东村第二党支部）")
    page.get_by_label("入库方式").select_option(label="党组织推荐")
    page.get_by_label("推荐理由").fill("返乡创业青年，热心村务")
    page.get_by_role("button", name="入库").click()
    expect(page.get_by_text("已将陈东村列入一肩挑。")).to_be_visible()
    assert Candidate.objects.get().member.name == "陈东村"
    page.screenshot(path=str(ARTIFACTS / "reserve-entered-desktop.png"), full_page=True)
