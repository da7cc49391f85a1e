"""The voice channel in Chromium: on a 390 px phone a member of the public leaves a message on
蔬菜链's page and sees the thank-you page; the town admin answers it on a desktop; the public page
then shows the answer, without the name. The town's committee page at desktop width too."""

import pytest
from playwright.sync_api import expect

from qiangji.campaign.models import VoiceMessage
from qiangji.campaign.services.carriers import committee_create, committee_seat_add
from qiangji.orgs.models import Chain, Grid, Street, Village
from tests.browser.conftest import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "大棚蔬菜今年销路不畅，希望镇里帮忙对接收购商，联系电话13812345678"
ANSWER = "已联系区农业农村委，下周组织收购商到东村对接，请关注村委通知。"


@pytest.fixture
def carriers(town):
    veg = Chain.objects.create(name="蔬菜链")
    Chain.objects.create(name="民宿链")
    Street.objects.create(name="竖河商业街区")
    grid = Village.objects.get(name="东村").grid
    grid.name = "第一网格"
    grid.save()
    return {"veg": veg, "grid": Grid.objects.get(pk=grid.pk)}


def test_the_public_posts_on_a_phone_and_the_town_answers(phone_page, page, town, users, carriers):
    phone = phone_page
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(phone.base_url + "/campaign/voice/")
    expect(phone.get_by_role("heading", name="我在链条（商区、网格）有话说")).to_be_visible()
    phone.get_by_role("link", name="我在蔬菜链有话说").click()
    expect(phone.get_by_role("heading", name="我在蔬菜链有话说")).to_be_visible()
    # Phone-first: nothing scrolls sideways; the public sees no navigation of the platform.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    expect(phone.locator("#qj-nav")).to_have_count(0)
    phone.get_by_label("我想说").fill(TEXT)
    phone.get_by_label("您的称呼（可不填）").fill("王师傅")
    phone.get_by_label("您所在的单位（可不填）").fill("东村蔬菜合作社")
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "campaign-voice-form-phone.png"), full_page=True)
    phone.get_by_role("button", name="提交留言").click()
    expect(phone.get_by_role("heading", name="谢谢您的留言")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(ARTIFACTS / "campaign-voice-thanks-phone.png"), full_page=True)
    message = VoiceMessage.objects.get()
    assert (message.chain, message.content, message.author_name, message.state) == (
        carriers["veg"],
        TEXT,
        "王师傅（东村蔬菜合作社）",
        VoiceMessage.State.NEW,
    )

    login(page, "admin")
    page.goto(page.base_url + "/campaign/voice/messages/")
    expect(page.locator("#voice-count-new")).to_have_text("1")
    page.get_by_label("状态").select_option(label="待回复")
    expect(page.get_by_role("link", name="处理")).to_have_count(1)
    page.get_by_role("link", name="处理").click()
    expect(page.locator("#voice-content")).to_contain_text("大棚蔬菜今年销路不畅")
    page.get_by_label("回复内容").fill(ANSWER)
    page.get_by_role("button", name="回复并公开").click()
    expect(page.get_by_text("已回复，回复已在“我在蔬菜链有话说”页面公开。")).to_be_visible()
    expect(page.locator("#voice-state")).to_have_text("已回复")
    page.screenshot(path=str(ARTIFACTS / "campaign-voice-answered.png"), full_page=True)
    message.refresh_from_db()
    assert (message.state, message.answer, message.answered_by) == (VoiceMessage.State.ANSWERED, ANSWER, users["town_admin"])

    phone.get_by_role("link", name="返回我在蔬菜链有话说").click()
    expect(phone.get_by_text(ANSWER)).to_be_visible()
    expect(phone.get_by_text("大棚蔬菜今年销路不畅，希望镇里帮忙对接收购商，联系电话138****5678")).to_be_visible()
    body = phone.locator("main").inner_text()
    for leak in ("王师傅", "东村蔬菜合作社", "13812345678", "镇管理员"):
        assert leak not in body
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(ARTIFACTS / "campaign-voice-public-phone.png"), full_page=True)


def test_the_town_adds_a_seat_to_a_committee_in_place(page, town, users, carriers):
    committee = committee_create(by=users["town_admin"], kind="chain", carrier_id=carriers["veg"].pk, data={})
    committee_seat_add(by=users["town_admin"], committee=committee, data={"name": "张主任", "duty": "主任", "unit": "竖新镇党委"})
    login(page, "admin")
    page.goto(page.base_url + "/campaign/carriers/")
    expect(page.get_by_role("heading", name="“5+2+7”覆盖载体与委员会")).to_be_visible()
    expect(page.locator("#committees-set")).to_have_text("1")
    page.get_by_role("link", name="蔬菜链链委会").click()
    page.get_by_label("姓名").fill("李副主任")
    page.get_by_label("职务").select_option(label="副主任")
    page.get_by_label("所在单位").fill("东村村委会")
    page.get_by_role("button", name="添加").click()
    expect(page.get_by_text("已添加副主任李副主任。")).to_be_visible()
    page.get_by_label("姓名").fill("王主任")
    page.get_by_label("职务").select_option(label="主任")
    page.get_by_role("button", name="添加").click()
    expect(page.get_by_text("该委员会已有主任（张主任），一个委员会只设一名主任")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "campaign-committee.png"), full_page=True)
    assert list(committee.seats.order_by("order").values_list("name", "duty")) == [("张主任", "主任"), ("李副主任", "副主任")]
    page.goto(page.base_url + "/campaign/carriers/")
    page.screenshot(path=str(ARTIFACTS / "campaign-carriers.png"), full_page=True)
