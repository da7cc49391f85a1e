"""Positions in Chromium: the tree, and the village site's secretary recording a course of the
quarter's batch with its attendance sheet; the matrix then shows it held. Screenshots at desktop
and phone width."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from qiangji import factories as f
from qiangji.orgs.models import Position
from qiangji.positions.models import Course, CourseDelivery, PositionResource
from qiangji.positions.services import course_batch_send
from tests.browser.conftest import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def batch(town, users):
    centre = Position.objects.create(
        name="竖新镇党群服务中心", kind=Position.Kind.CENTRE, organization=town["town"], address="竖新镇政府旁"
    )
    site = Position.objects.create(
        name="东村党群服务站",
        kind=Position.Kind.VILLAGE_SITE,
        parent=centre,
        organization=town["village_a"],
        opening_hours="周一至周五 8:30—16:30",
    )
    PositionResource.objects.create(position=site, category="party", name="党员活动室")
    course = Course.objects.create(title="新时代基层治理", teacher="镇党校", hours=Decimal("2.0"))
    f.member(organization=town["branch_a1"], name="甲党员")
    return course_batch_send(by=users["town_admin"], year=2026, quarter=2, courses=[course], positions=[site], root=town["town"])


def test_record_a_course_held(page, batch):
    login(page, "sec_a")
    page.goto(page.base_url + "/positions/")
    expect(page.locator("#position-tree")).to_contain_text("东村党群服务站")
    page.screenshot(path=str(ARTIFACTS / "positions-tree-desktop.png"), full_page=True)
    page.goto(page.base_url + f"/positions/batches/{batch.pk}/")
    page.get_by_role("link", name="登记开课").click()
    page.get_by_label("开课日期").fill("2026-05-20")
    page.locator("label", has_text="甲党员").click()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已登记东村党群服务站“新时代基层治理”开课情况。")).to_be_visible()
    expect(page.locator("#delivery-matrix")).to_contain_text("到课1人")
    assert CourseDelivery.objects.count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "positions-batch-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.screenshot(path=str(ARTIFACTS / "positions-batch-phone.png"), full_page=True)
    page.goto(page.base_url + "/positions/")
    page.screenshot(path=str(ARTIFACTS / "positions-tree-phone.png"), full_page=True)
