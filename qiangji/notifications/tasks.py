"""Background work of notices (run by the task worker): e-mailing them, posting to group robots."""

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
from urllib.error import HTTPError, URLError
from urllib.parse import quote_plus
from urllib.request import HTTPRedirectHandler, Request, build_opener

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from qiangji.notifications.models import ChannelDelivery, GroupChannel, Notification


@task()
def notifications_email(notification_ids: list[int]) -> int:
    """E-mail the notifications not yet e-mailed; a retry never sends one twice."""
    sent = 0
    pending = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related("recipient")
    for notification in pending:
        if not notification.recipient.email:
            continue
        body = notification.body
        site = settings.QIANGJI_SITE_URL.rstrip("/")
        if notification.link and site:
            link = site + notification.link
            body = f"{body}\n\n{link}" if body else link
        send_mail(
            subject=f"【强基】{notification.title}",
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.recipient.email],
        )
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


# --- group robots ---------------------------------------------------------------------------------


def robot_text(delivery: ChannelDelivery) -> str:
    """Plain text, never markdown: a title or body written by a user must not turn into links or
    formatting in the chat. The link is absolute when the deployment says where it is served."""
    body = delivery.body[:1500]
    lines = [f"【强基】{delivery.title}"] + ([body] if body else [])
    site = settings.QIANGJI_SITE_URL.rstrip("/")
    if delivery.link and site:
        lines.append(site + delivery.link)
    return "\n".join(lines)


def dingtalk_signed(url: str, secret: str, *, now_ms: int) -> str:
    """DingTalk's 加签: the webhook with timestamp and sign = base64(HMAC-SHA256(secret, "ts\\nsecret"))."""
    digest = hmac.new(secret.encode(), f"{now_ms}\n{secret}".encode(), hashlib.sha256).digest()
    sign = quote_plus(base64.b64encode(digest).decode())
    return f"{url}{'&' if '?' in url else '?'}timestamp={now_ms}&sign={sign}"


def robot_request(channel: GroupChannel, text: str, *, now_ms: int) -> tuple[str, bytes]:
    """The address and JSON body of one text message in the platform's robot format."""
    url = channel.webhook
    if channel.platform == GroupChannel.Platform.DINGTALK and channel.secret:
        url = dingtalk_signed(url, channel.secret, now_ms=now_ms)
    payload = {"msgtype": "text", "text": {"content": text}}
    return url, json.dumps(payload, ensure_ascii=False).encode()


class _NoRedirect(HTTPRedirectHandler):
    """A robot answers where it was asked: a redirect elsewhere (an internal address) is refused."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = build_opener(_NoRedirect)


def robot_post(channel: GroupChannel, text: str) -> str:
    """Post one message; "" when the platform accepted it, else why not (never the address, which
    holds the chat's key)."""
    url, data = robot_request(channel, text, now_ms=int(time.time() * 1000))
    request = Request(url, data=data, headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    try:
        with _opener.open(request, timeout=settings.QIANGJI_ROBOT_TIMEOUT) as response:
            answer = json.loads(response.read(65536) or b"{}")
    except HTTPError as exc:
        return f"对方返回 HTTP {exc.code}"
    except (URLError, TimeoutError, OSError) as exc:
        return f"无法连接：{getattr(exc, 'reason', exc)}"[:300]
    except ValueError:
        return "对方返回的内容无法识别"
    code = answer.get("errcode", 0) if isinstance(answer, dict) else -1
    if code != 0:
        return f"对方拒收（errcode {code}：{str(answer.get('errmsg', ''))[:100]}）"
    return ""


@task()
def channel_deliver(delivery_ids: list[int]) -> int:
    """Post the deliveries not yet sent; each attempt is claimed first, so two workers never post
    the same one twice. A failure is retried later with a growing pause, up to the setting's limit."""
    sent = 0
    retry = []
    limit = settings.QIANGJI_ROBOT_MAX_ATTEMPTS
    waiting = ChannelDelivery.objects.filter(pk__in=delivery_ids).exclude(status=ChannelDelivery.Status.SENT)
    for delivery in waiting.select_related("channel"):
        if delivery.attempts >= limit or not delivery.channel.enabled:
            continue
        claimed = ChannelDelivery.objects.filter(
            pk=delivery.pk, attempts=delivery.attempts, status__in=[ChannelDelivery.Status.PENDING, ChannelDelivery.Status.FAILED]
        ).update(attempts=F("attempts") + 1)
        if not claimed:
            continue
        error = robot_post(delivery.channel, robot_text(delivery))
        if error:
            ChannelDelivery.objects.filter(pk=delivery.pk).update(status=ChannelDelivery.Status.FAILED, last_error=error)
            if delivery.attempts + 1 < limit:
                retry.append((delivery.pk, delivery.attempts + 1))
        else:
            ChannelDelivery.objects.filter(pk=delivery.pk).update(
                status=ChannelDelivery.Status.SENT, last_error="", sent_at=timezone.now()
            )
            sent += 1
    backend = channel_deliver.get_backend()
    if retry and backend.supports_defer:
        for pk, attempts in retry:
            pause = dt.timedelta(minutes=2**attempts)
            channel_deliver.using(run_after=timezone.now() + pause).enqueue([pk])
    return sent
