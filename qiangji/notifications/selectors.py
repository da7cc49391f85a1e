"""Reads of the inbox: a user sees only their own notifications."""

from typing import Any

from django.shortcuts import get_object_or_404

from qiangji.notifications.models import Notification


def notifications_for(*, user: Any, unread_only: bool = False) -> Any:
    qs = Notification.objects.for_recipient(user)
    return qs.unread() if unread_only else qs


def unread_count(*, user: Any) -> int:
    return Notification.objects.for_recipient(user).unread().count()


def get_notification_for_user(user: Any, pk: int) -> Notification:
    """404 alike for a missing notification and someone else's."""
    return get_object_or_404(Notification.objects.for_recipient(user), pk=pk)
