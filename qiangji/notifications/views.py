"""The inbox (a user's own notifications, marking one or all read) and the town admin's group
robots (WeCom/DingTalk chats that hear an organization's notices)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from qiangji.core.errors import DomainError
from qiangji.core.pagination import paginate
from qiangji.notifications.forms import GroupChannelForm
from qiangji.notifications.models import ChannelDelivery
from qiangji.notifications.permissions import can_manage_channels
from qiangji.notifications.selectors import (
    channels_for,
    get_channel_for_user,
    get_notification_for_user,
    notifications_for,
    recent_deliveries,
)
from qiangji.notifications.services import (
    channel_delete,
    channel_save,
    channel_test,
    delivery_retry,
    notification_mark_read,
    notifications_mark_all_read,
)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = paginate(request, notifications_for(user=request.user, unread_only=unread_only))
    return render(request, "notifications/inbox.html", {"page": page, "unread_only": unread_only})


@login_required
@require_POST
def read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go where it points (a link inside this site only)."""
    notification = get_notification_for_user(request.user, pk)
    notification_mark_read(notification=notification)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request.user)
    messages.success(request, f"已将{count}条通知标为已读。" if count else "没有未读通知。")
    return redirect("notifications:inbox")


# --- group robots (town admin) --------------------------------------------------------------------


def _channel_manager(request: HttpRequest) -> None:
    if not can_manage_channels(request.user):
        raise Http404


@login_required
def channels(request: HttpRequest) -> HttpResponse:
    _channel_manager(request)
    rows = channels_for(user=request.user).annotate(
        failed=Count("deliveries", filter=Q(deliveries__status=ChannelDelivery.Status.FAILED)),
        sent=Count("deliveries", filter=Q(deliveries__status=ChannelDelivery.Status.SENT)),
    )
    return render(request, "notifications/channels.html", {"channels": rows})


@login_required
def channel_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _channel_manager(request)
    channel = get_channel_for_user(request.user, pk) if pk is not None else None
    form = GroupChannelForm(request.POST or None, user=request.user, instance=channel)
    if request.method == "POST" and form.is_valid():
        saved = channel_save(by=request.user, channel=form.apply())
        messages.success(request, f"已保存群机器人“{saved.name}”。可点“发送测试消息”确认群里能收到。")
        return redirect("notifications:channel_detail", saved.pk)
    return render(request, "notifications/channel_form.html", {"form": form, "channel": channel})


@login_required
def channel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _channel_manager(request)
    channel = get_channel_for_user(request.user, pk)
    return render(
        request, "notifications/channel_detail.html", {"channel": channel, "deliveries": recent_deliveries(channel=channel)}
    )


@login_required
@require_POST
def channel_test_send(request: HttpRequest, pk: int) -> HttpResponse:
    _channel_manager(request)
    channel = get_channel_for_user(request.user, pk)
    channel_test(by=request.user, channel=channel)
    messages.success(request, "测试消息已排队发送，稍后刷新本页查看是否送达。")
    return redirect("notifications:channel_detail", channel.pk)


@login_required
@require_POST
def channel_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _channel_manager(request)
    channel = get_channel_for_user(request.user, pk)
    channel_delete(by=request.user, channel=channel)
    messages.success(request, f"已删除群机器人“{channel.name}”。")
    return redirect("notifications:channels")


@login_required
@require_POST
def delivery_resend(request: HttpRequest, pk: int, delivery: int) -> HttpResponse:
    _channel_manager(request)
    channel = get_channel_for_user(request.user, pk)
    item = get_object_or_404(ChannelDelivery, pk=delivery, channel=channel)
    try:
        delivery_retry(by=request.user, delivery=item)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已重新排队发送。")
    return redirect("notifications:channel_detail", channel.pk)
