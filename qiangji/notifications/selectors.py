"""Reads of the inbox (a user sees only their own notifications) and of the group robots."""

from typing import Any

from django.db.models import Q
from django.shortcuts import get_object_or_404

from qiangji.core.access import get_scope, subtree_q
from qiangji.notifications.models import ChannelDelivery, GroupChannel, Notification
from qiangji.notifications.permissions import can_manage_channels


def notifications_for(*, user: Any, unread_only: bool = False) -> Any:
    qs = Notification.objects.for_recipient(user)
    return qs.unread() if unread_only else qs


def unread_count(*, user: Any) -> int:
    return Notification.objects.for_recipient(user).unread().count()


def get_notification_for_user(user: Any, pk: int) -> Notification:
    """404 alike for a missing notification and someone else's."""
    return get_object_or_404(Notification.objects.for_recipient(user), pk=pk)


def channels_for(*, user: Any) -> Any:
    """The group robots a town admin may configure: those of organizations in their scope and
    those of liaison groups; nobody else sees any."""
    if not can_manage_channels(user):
        return GroupChannel.objects.none()
    scope = get_scope(user)
    qs = GroupChannel.objects.select_related("organization", "liaison_group")
    if scope.superuser:
        return qs
    own = subtree_q("organization__path", scope.manage_paths)
    return qs.filter(Q(liaison_group__isnull=False) | own) if own is not None else qs.filter(liaison_group__isnull=False)


def get_channel_for_user(user: Any, pk: int) -> GroupChannel:
    """404 alike for a missing group robot and one outside the user's scope."""
    return get_object_or_404(channels_for(user=user), pk=pk)


def recent_deliveries(*, channel: GroupChannel, limit: int = 20) -> list[ChannelDelivery]:
    return list(channel.deliveries.order_by("-created_at", "-id")[:limit])
