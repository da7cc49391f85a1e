"""A check-in in Chromium: a member scans a site's code on a phone, logs in, checks in and finds
it in 我的打卡; the town's site page and printable code on the desktop."""

import pytest
from playwright.sync_api import expect

from qiangji.redculture.models import CheckIn, RedSite
from tests.browser.conftest import ARTIFACTS, PASSWORD, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(db):
    return RedSite.objects.create(
        name="竖新镇革命历史陈列馆",
        kind=RedSite.Kind.EXHIBITION,
        description="陈列竖新地区革命斗争史料和实物，是党员教育的重要阵地。",
        address="竖新镇新中村",
        opening_hours="周二至周日 9:00-16:00",
    )


def test_a_member_checks_in_on_a_phone(phone_page, site, users):
    phone_page.set_viewport_size({"width": 390, "height": 844})
    url = phone_page.base_url + f"/red/checkin/{site.token}/"
    phone_page.goto(url)
    # The login page keeps where the code pointed.
    expect(phone_page).to_have_url(phone_page.base_url + f"/accounts/login/?next=/red/checkin/{site.token}/")
    phone_page.get_by_label("账号").fill("member")
    phone_page.get_by_label("密码").fill(PASSWORD)
    phone_page.get_by_role("button", name="登录").click()
    phone_page.wait_for_url(url)
    expect(phone_page.get_by_role("heading", name="竖新镇革命历史陈列馆")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_page.get_by_label("感想（可不填）").fill("重温入党誓词，不忘初心")
    ARTIFACTS.mkdir(exist_ok=True)
    phone_page.screenshot(path=str(ARTIFACTS / "red-checkin-phone.png"), full_page=True)
    phone_page.get_by_role("button", name="打卡").click()
    phone_page.wait_for_url(phone_page.base_url + "/red/mine/")
    expect(phone_page.get_by_text("已在竖新镇革命历史陈列馆打卡。")).to_be_visible()
    expect(phone_page.locator("#my-checkins")).to_contain_text("重温入党誓词，不忘初心")
    checkin = CheckIn.objects.get()
    assert (checkin.member, checkin.site, checkin.note) == (users["member"].member, site, "重温入党誓词，不忘初心")


def test_the_town_prints_a_sites_code(page, site, users):
    login(page, "admin")
    page.goto(page.base_url + "/red/sites/")
    page.get_by_role("link", name="竖新镇革命历史陈列馆").click()
    expect(page.get_by_role("heading", name="竖新镇革命历史陈列馆")).to_be_visible()
    page.get_by_role("link", name="打卡二维码").click()
    image = page.get_by_role("img", name="竖新镇革命历史陈列馆打卡二维码")
    expect(image).to_be_visible()
    # The SVG is served by a permission-checked view: it must actually load, not only take its place.
    page.wait_for_function(
        "() => { const img = document.querySelector('img[alt$=\"打卡二维码\"]'); return img.complete && img.naturalWidth > 0; }"
    )
    expect(page.locator("#checkin-url")).to_have_text(page.base_url + f"/red/checkin/{site.token}/")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "red-site-qr.png"), full_page=True)
