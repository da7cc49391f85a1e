"""The "5+2+7" coverage in Chromium: the town admin opens the coverage page, goes to a grid's
uncovered entities, covers one through its Party organization (htmx, in the list) and sees the
grid's rate change there and back on the 5+2+7 page. Screenshots at desktop and phone width go
to test-artifacts/."""

import pytest
from playwright.sync_api import expect

from qiangji.campaign.models import Entity, EntityChange

# The campaign's fixtures live beside its unit tests; the browser suite borrows them.
from qiangji.campaign.tests.conftest import coverage_register, entity, places, teams  # noqa: F401
from tests.browser.conftest import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def grid_row(page, grid):
    return page.locator(f"#coverage-grid-{grid.pk}")


def test_cover_an_uncovered_entity(page, coverage_register, places, town):  # noqa: F811
    grid1 = places["grid1"]
    login(page, "admin")
    page.goto(page.base_url + "/campaign/coverage/")
    expect(grid_row(page, grid1).locator("td").nth(7)).to_have_text("50.0%")
    expect(page.locator("[data-qj-coverage-chart] canvas")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "campaign-coverage-index.png"), full_page=True)

    grid_row(page, grid1).get_by_role("link", name="2").click()
    expect(page.get_by_role("heading", name="第一网格 · 未覆盖主体")).to_be_visible()
    expect(page.locator("#fig-covered-rate")).to_have_text("50.0%")
    e3 = coverage_register["e3"]
    item = page.locator(f"#cover-item-{e3.pk}")
    item.get_by_role("button", name="覆盖该主体").click()
    item.get_by_label("覆盖党组织").select_option(label="\u3000东村第二党支部")
    item.get_by_label("联合党组织覆盖").check()
    item.get_by_role("button", name="保存组织覆盖").click()
    expect(page.get_by_text("已登记组织覆盖：东村第二党支部（联合党组织覆盖）")).to_be_visible()
    expect(page.locator(f"#cover-item-{e3.pk} .badge")).to_have_text("已组织覆盖")
    expect(page.locator("#fig-covered-rate")).to_have_text("75.0%")
    expect(page.locator("#fig-uncovered")).to_have_text("1")
    page.screenshot(path=str(ARTIFACTS / "campaign-coverage-uncovered.png"), full_page=True)

    page.get_by_role("link", name="返回“5+2+7”").click()
    expect(grid_row(page, grid1).locator("td").nth(7)).to_have_text("75.0%")
    e3.refresh_from_db()
    assert (e3.covering_organization, e3.org_coverage) == (town["branch_a2"], Entity.OrgCoverage.JOINT)
    assert EntityChange.objects.get(entity=e3).new == "东村第二党支部　联合党组织覆盖"


def test_coverage_and_register_at_phone_width(phone_page, coverage_register, places):  # noqa: F811
    login(phone_page, "admin")
    phone_page.goto(phone_page.base_url + "/campaign/coverage/")
    expect(phone_page.locator("[data-qj-coverage-chart] canvas")).to_have_count(1)
    expect(grid_row(phone_page, places["grid1"])).to_be_visible()
    phone_page.screenshot(path=str(ARTIFACTS / "campaign-coverage-phone.png"), full_page=True)
    phone_page.goto(phone_page.base_url + f"/campaign/entities/{coverage_register['e1'].pk}/")
    expect(phone_page.get_by_role("heading", name="崇明蔬菜合作社")).to_be_visible()
    phone_page.get_by_role("button", name="查看完整号码").click()
    expect(phone_page.locator("#entity-phone")).to_contain_text("13800138000")
    phone_page.screenshot(path=str(ARTIFACTS / "campaign-entity-phone.png"), full_page=True)


def test_overview_and_register_filters(page, coverage_register, places):  # noqa: F811
    login(page, "admin")
    page.get_by_role("link", name="新连心攻坚").first.click()
    expect(page.locator("#ov-total")).to_have_text("6")
    expect(page.locator("#ov-org")).to_have_text("33.3%")
    page.screenshot(path=str(ARTIFACTS / "campaign-overview.png"), full_page=True)
    page.get_by_role("link", name="主体底数").first.click()
    expect(page.locator("#entity-table tbody tr")).to_have_count(6)
    page.get_by_label("覆盖情况").select_option(label="未覆盖")
    expect(page.locator("#entity-table tbody tr")).to_have_count(3)
    expect(page).to_have_url(page.base_url + "/campaign/entities/?coverage=uncovered")
    page.get_by_label("网格").select_option(label="第二网格")
    expect(page.locator("#entity-table tbody tr")).to_have_count(1)
    expect(page.locator("#entity-table")).to_contain_text("南村快递驿站")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "campaign-register-phone.png"), full_page=True)
