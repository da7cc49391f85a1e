"""Group robots in Chromium: the town admin adds the village's WeCom group robot, sends a test
message and sees it delivered; on a phone the robot's page reads without sideways scrolling."""

import pytest
from playwright.sync_api import expect

from qiangji.notifications.models import ChannelDelivery, GroupChannel
from qiangji.notifications.tests.test_group_robots import Receiver
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def receiver(settings):
    settings.QIANGJI_ROBOT_HOSTS = ["127.0.0.1"]
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def test_the_town_admin_adds_a_robot_and_the_test_message_arrives(page, town, users, receiver):
    login(page, "admin")
    page.get_by_role("link", name="群消息推送").first.click()
    page.get_by_role("link", name="添加群机器人").click()
    page.get_by_label("名称").fill("东村党总支工作群")
    page.get_by_label("平台").select_option(label="企业微信群机器人")
    page.get_by_label("党组织").select_option(label="东村党总支")
    page.get_by_label("Webhook 地址").fill(receiver.url("/cgi-bin/webhook/send?key=abc"))
    page.get_by_label("问题整改（交办、退回、销号、超期）").check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存群机器人“东村党总支工作群”")).to_be_visible()

    page.get_by_role("button", name="发送测试消息").click()
    expect(page.get_by_text("测试消息已排队发送")).to_be_visible()
    page.reload()
    expect(page.get_by_text("已送达", exact=True)).to_be_visible()
    (request,) = receiver.requests
    assert request["json"]["text"]["content"].startswith("【强基】测试消息\n这是来自强基平台的测试消息")
    assert ChannelDelivery.objects.get().status == "sent"
    assert GroupChannel.objects.get().organization == town["village_a"]


def test_a_robots_page_fits_a_phone(phone_page, town, users, receiver):
    robot = GroupChannel.objects.create(
        name="东村党总支工作群", platform="wecom", webhook=receiver.url("/cgi-bin/webhook/send?key=abc"),
        topics=["problems"], organization=town["village_a"],
    )  # fmt: skip
    ChannelDelivery.objects.create(channel=robot, kind="problem", title="问题WT-2026-001已超期3天", status="failed",
                                   attempts=5, last_error="对方返回 HTTP 500")  # fmt: skip
    login(phone_page, "admin")
    phone_page.goto(phone_page.base_url + f"/inbox/channels/{robot.pk}/")
    expect(phone_page.get_by_role("heading", name="东村党总支工作群")).to_be_visible()
    expect(phone_page.get_by_role("button", name="重发")).to_be_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
