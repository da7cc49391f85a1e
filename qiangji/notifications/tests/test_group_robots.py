"""Group robots: a notice about an organization reaches the WeCom/DingTalk chats that hear it, in
each platform's format, once per occasion, posted by the worker, recorded, retried; only a town
admin configures them. A local receiver stands in for the platforms and checks what arrives."""

import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from qiangji.notifications.models import ChannelDelivery, GroupChannel
from qiangji.notifications.services import channel_test, delivery_retry, notification_send
from qiangji.notifications.tasks import dingtalk_signed

SECRET = "SECabc123def456"


class Receiver:
    """A robot endpoint on 127.0.0.1: records every request and answers what the test sets."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        self.answer: dict = {"errcode": 0, "errmsg": "ok"}
        self.headers: dict[str, str] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                parts = urlsplit(self.path)
                receiver.requests.append(
                    {
                        "path": parts.path,
                        "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
                        "content_type": self.headers.get("Content-Type"),
                        "json": json.loads(self.rfile.read(length)),
                    }
                )
                body = json.dumps(receiver.answer).encode()
                self.send_response(receiver.status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def receiver(settings):
    settings.QIANGJI_ROBOT_HOSTS = ["127.0.0.1"]
    settings.QIANGJI_SITE_URL = "https://qj.example.gov.cn/"
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def channel(receiver, *, platform="wecom", topics=("problems",), secret="", **owner):
    path = "/cgi-bin/webhook/send?key=abc" if platform == "wecom" else "/robot/send?access_token=tok"
    return GroupChannel.objects.create(
        name="工作群", platform=platform, webhook=receiver.url(path), secret=secret, topics=list(topics), **owner
    )


def notice(organization, *, kind="problem", key="problem:1:assigned", body="请于本月底前完成整改"):
    return notification_send(
        recipients=[], title="新的问题整改任务：WT-2026-001", body=body, link="/ledger/1/", kind=kind, key=key,
        organization=organization,
    )  # fmt: skip


def test_a_wecom_group_hears_notices_about_its_organization_and_those_below(town, receiver, django_capture_on_commit_callbacks):
    robot = channel(receiver, organization=town["village_a"])
    with django_capture_on_commit_callbacks(execute=True):
        notice(town["group_a1"])
    assert receiver.requests == [
        {
            "path": "/cgi-bin/webhook/send",
            "query": {"key": "abc"},
            "content_type": "application/json; charset=utf-8",
            "json": {
                "msgtype": "text",
                "text": {
                    "content": "【强基】新的问题整改任务：WT-2026-001\n请于本月底前完成整改\nhttps://qj.example.gov.cn/ledger/1/"
                },
            },
        }
    ]
    delivery = ChannelDelivery.objects.get()
    assert (delivery.channel, delivery.status, delivery.attempts, delivery.last_error) == (robot, "sent", 1, "")
    assert delivery.sent_at is not None


def test_the_same_occasion_reaches_a_chat_once(town, receiver, django_capture_on_commit_callbacks):
    channel(receiver, organization=town["town"])
    with django_capture_on_commit_callbacks(execute=True):
        notice(town["branch_a1"])
        notice(town["branch_a1"])
    assert len(receiver.requests) == 1
    assert ChannelDelivery.objects.count() == 1


def test_who_hears_what(town, users, receiver, django_capture_on_commit_callbacks):
    hears_branch = channel(receiver, organization=town["branch_a1"])
    channel(receiver, organization=town["branch_a2"])  # a sibling: not its notices
    channel(receiver, organization=town["town"], topics=("plans",))  # another topic
    disabled = channel(receiver, organization=town["town"])
    disabled.enabled = False
    disabled.save()
    group = users["liaison"].liaison_groups.get()
    hears_group = channel(receiver, liaison_group=group)  # covers village_a, hence its branches
    with django_capture_on_commit_callbacks(execute=True):
        notice(town["branch_a1"])
    assert set(ChannelDelivery.objects.values_list("channel", flat=True)) == {hears_branch.pk, hears_group.pk}
    assert len(receiver.requests) == 2


def test_phones_and_id_numbers_are_masked_in_the_chat(town, receiver, django_capture_on_commit_callbacks):
    channel(receiver, organization=town["town"])
    with django_capture_on_commit_callbacks(execute=True):
        notice(town["branch_b"], body="联系人电话13812345678")
    content = receiver.requests[0]["json"]["text"]["content"]
    assert "13812345678" not in content
    assert "138****5678" in content


def test_without_a_site_address_the_message_carries_no_link(town, receiver, settings, django_capture_on_commit_callbacks):
    settings.QIANGJI_SITE_URL = ""
    channel(receiver, organization=town["town"])
    with django_capture_on_commit_callbacks(execute=True):
        notice(town["branch_b"])
    assert receiver.requests[0]["json"]["text"]["content"] == "【强基】新的问题整改任务：WT-2026-001\n请于本月底前完成整改"


def test_a_dingtalk_robot_with_a_secret_gets_a_signature_it_can_verify(town, receiver, django_capture_on_commit_callbacks):
    channel(receiver, platform="dingtalk", secret=SECRET, organization=town["town"])
    with django_capture_on_commit_callbacks(execute=True):
        notice(town["branch_b"])
    (request,) = receiver.requests
    assert request["path"] == "/robot/send"
    query = request["query"]
    assert set(query) == {"access_token", "timestamp", "sign"}
    assert query["access_token"] == "tok"
    # What DingTalk's server does: HMAC-SHA256 of "timestamp\nsecret" under the secret, base64.
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{query['timestamp']}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == expected
    assert request["json"]["msgtype"] == "text"


def test_the_signature_is_url_encoded():
    url = dingtalk_signed("https://oapi.dingtalk.com/robot/send?access_token=t", SECRET, now_ms=1700000000000)
    sign = base64.b64encode(hmac.new(SECRET.encode(), f"1700000000000\n{SECRET}".encode(), hashlib.sha256).digest())
    encoded = sign.decode().replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    assert url == f"https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000&sign={encoded}"


@pytest.mark.parametrize(
    ("status", "answer", "headers", "error"),
    [
        (200, {"errcode": 93000, "errmsg": "invalid webhook url"}, {}, "对方拒收（errcode 93000：invalid webhook url）"),
        (500, {}, {}, "对方返回 HTTP 500"),
        (302, {}, {"Location": "http://127.0.0.1:9/internal"}, "对方返回 HTTP 302"),
    ],
)
def test_a_refused_message_is_recorded_failed_and_can_be_sent_again(
    town, users, receiver, status, answer, headers, error, django_capture_on_commit_callbacks
):
    channel(receiver, organization=town["town"])
    receiver.status, receiver.answer, receiver.headers = status, answer, headers
    with django_capture_on_commit_callbacks(execute=True):
        notice(town["branch_b"])
    delivery = ChannelDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("failed", 1, error)
    assert len(receiver.requests) == 1  # a redirect is not followed

    receiver.status, receiver.answer, receiver.headers = 200, {"errcode": 0, "errmsg": "ok"}, {}
    with django_capture_on_commit_callbacks(execute=True):
        delivery_retry(by=users["town_admin"], delivery=delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert len(receiver.requests) == 2


def test_an_unreachable_robot_is_recorded_without_its_address(town, settings, django_capture_on_commit_callbacks):
    settings.QIANGJI_ROBOT_HOSTS = ["127.0.0.1"]
    GroupChannel.objects.create(
        name="群", platform="wecom", webhook="http://127.0.0.1:9/cgi-bin/webhook/send?key=secretkey",
        topics=["problems"], organization=town["town"],
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        notice(town["branch_b"])
    delivery = ChannelDelivery.objects.get()
    assert delivery.status == "failed"
    assert delivery.last_error.startswith("无法连接：")
    assert "secretkey" not in delivery.last_error


def test_retrying_a_sent_message_is_refused_and_changes_nothing(town, users, receiver, django_capture_on_commit_callbacks):
    channel(receiver, organization=town["town"])
    with django_capture_on_commit_callbacks(execute=True):
        notice(town["branch_b"])
    delivery = ChannelDelivery.objects.get()
    with pytest.raises(Exception, match="只有发送失败的消息可以重发"):
        delivery_retry(by=users["town_admin"], delivery=delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("role", ["secretary_a", "liaison", "member", "visitor"])
def test_only_a_town_admin_configures_or_tests_a_robot(town, users, receiver, role):
    from django.core.exceptions import PermissionDenied

    robot = channel(receiver, organization=town["village_a"])
    with pytest.raises(PermissionDenied):
        channel_test(by=users[role], channel=robot)
    assert ChannelDelivery.objects.count() == 0


def test_the_webhook_is_stored_encrypted(town, receiver):
    robot = channel(receiver, platform="dingtalk", secret=SECRET, organization=town["town"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT webhook, secret FROM notifications_groupchannel WHERE id = %s", [robot.pk])
        webhook, secret = cursor.fetchone()
    assert "access_token" not in webhook and "tok" not in webhook
    assert SECRET not in secret


# --- pages -------------------------------------------------------------------------------------------


def form_data(receiver, **changes):
    data = {
        "name": "东村党总支工作群",
        "platform": "wecom",
        "organization": "",
        "liaison_group": "",
        "webhook": receiver.url("/cgi-bin/webhook/send?key=abc"),
        "secret": "",
        "topics": ["problems", "meetings"],
        "enabled": "on",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("role", "status"),
    [("town_admin", 200), ("secretary_a", 404), ("liaison", 404), ("member", 404), ("visitor", 404), ("anonymous", 302)],
)
def test_the_robot_pages_are_the_town_admins(town, users, receiver, client_as, role, status):
    robot = channel(receiver, organization=town["village_a"])
    client = client_as(users[role])
    for url in (
        reverse("notifications:channels"),
        reverse("notifications:channel_new"),
        reverse("notifications:channel_detail", args=[robot.pk]),
        reverse("notifications:channel_edit", args=[robot.pk]),
    ):
        assert client.get(url).status_code == status, url
    response = client.post(reverse("notifications:channel_test", args=[robot.pk]))
    assert response.status_code == (302 if role in ("town_admin", "anonymous") else 404)
    if role != "town_admin":
        assert ChannelDelivery.objects.count() == 0
        response = client.post(reverse("notifications:channel_delete", args=[robot.pk]))
        assert GroupChannel.objects.filter(pk=robot.pk).exists()


def test_the_admin_adds_a_robot_and_the_address_is_never_shown_again(town, users, receiver, client_as):
    client = client_as(users["town_admin"])
    response = client.post(reverse("notifications:channel_new"), form_data(receiver, organization=town["village_a"].pk))
    robot = GroupChannel.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:channel_detail", args=[robot.pk])
    assert (robot.name, robot.platform, robot.organization, robot.topics, robot.enabled, robot.created_by) == (
        "东村党总支工作群", "wecom", town["village_a"], ["problems", "meetings"], True, users["town_admin"],
    )  # fmt: skip
    page = client.get(reverse("notifications:channel_edit", args=[robot.pk])).content.decode()
    assert "key=abc" not in page
    # Saved again with the address left blank: the address stays.
    client.post(
        reverse("notifications:channel_edit", args=[robot.pk]),
        form_data(receiver, organization=town["village_a"].pk, webhook="", name="东村工作群"),
    )
    robot.refresh_from_db()
    assert (robot.name, robot.webhook) == ("东村工作群", receiver.url("/cgi-bin/webhook/send?key=abc"))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"webhook": "https://evil.example.com/cgi-bin/webhook/send?key=abc"},
            "webhook",
            "Webhook 地址不是企业微信或钉钉的机器人地址（允许的地址：127.0.0.1）",
        ),
        ({"webhook": "ftp://127.0.0.1/x"}, "webhook", "Webhook 地址应以 https:// 开头"),
        ({"webhook": ""}, "webhook", "Webhook 地址未填写"),
        ({"platform": "dingtalk"}, "webhook", "这不像钉钉群机器人的地址：地址中应有 access_token= 参数"),
        ({"secret": "SECxyz"}, "secret", "企业微信群机器人没有加签密钥，请留空"),
        ({"organization": "", "liaison_group": ""}, "organization", "请选择一个党组织或一个指导联络组（二选一）"),
        ({"topics": []}, "topics", "推送内容未填写"),
        ({"name": ""}, "name", "名称未填写"),
    ],
)
def test_a_wrong_robot_form_says_why_and_saves_nothing(town, users, receiver, client_as, changes, field, message):
    data = form_data(receiver, organization=town["village_a"].pk)
    data.update(changes)
    response = client_as(users["town_admin"]).post(reverse("notifications:channel_new"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert GroupChannel.objects.count() == 0


def test_a_dingtalk_secret_must_look_like_one(town, users, receiver, client_as):
    data = form_data(
        receiver, platform="dingtalk", webhook=receiver.url("/robot/send?access_token=t"), secret="abc",
        organization=town["village_a"].pk,
    )  # fmt: skip
    response = client_as(users["town_admin"]).post(reverse("notifications:channel_new"), data)
    assert response.context["form"].errors["secret"] == ["加签密钥应以 SEC 开头"]
    assert GroupChannel.objects.count() == 0


def test_the_detail_page_shows_deliveries_and_resends_a_failed_one(
    town, users, receiver, client_as, django_capture_on_commit_callbacks
):
    robot = channel(receiver, organization=town["town"])
    receiver.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        notice(town["branch_b"])
    client = client_as(users["town_admin"])
    page = client.get(reverse("notifications:channel_detail", args=[robot.pk])).content.decode()
    assert "对方返回 HTTP 500" in page and "重发" in page
    delivery = ChannelDelivery.objects.get()
    receiver.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("notifications:delivery_resend", args=[robot.pk, delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.status == "sent"


def test_the_list_page_takes_the_same_queries_for_one_robot_or_many(town, users, receiver, client_as, django_assert_num_queries):
    client = client_as(users["town_admin"])
    channel(receiver, organization=town["town"])
    client.get(reverse("notifications:channels"))  # session and scope warm-up alike for both
    with django_assert_num_queries(7) as one:
        client.get(reverse("notifications:channels"))
    for _ in range(4):
        channel(receiver, organization=town["village_a"])
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(reverse("notifications:channels")).content.decode()
    assert page.count('href="/inbox/channels/') == 5 + 2  # five robots, the nav entry and "add"


def test_a_returned_plan_reaches_the_chat_of_its_organization(town, users, receiver, django_capture_on_commit_callbacks):
    from qiangji.plans.models import WorkPlan
    from qiangji.plans.services import workplan_return

    channel(receiver, organization=town["village_a"], topics=("plans",))
    plan = WorkPlan.objects.create(
        organization=town["village_a"], year=2026, title="2026年工作计划", status=WorkPlan.Status.FILED,
        filed_by=users["secretary_a"], filed_at=timezone.now(),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        workplan_return(by=users["town_admin"], plan=plan, comment="请补充年度重点任务")
    (request,) = receiver.requests
    assert request["json"]["text"]["content"].startswith("【强基】东村党总支2026年工作计划被退回\n退回意见：请补充年度重点任务")
