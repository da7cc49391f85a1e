"""Writes on notifications. Other modules (meetings, problems, reminders) call `notification_send`;
the town admin configures the group robots that hear an organization's notices."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from qiangji.core.crypto import mask_in_text
from qiangji.core.errors import DomainError
from qiangji.notifications.models import ChannelDelivery, GroupChannel, Notification
from qiangji.notifications.permissions import can_manage_channel_of


def email_enabled() -> bool:
    """E-mail goes out only when the deployment names a mail host (DJANGO_EMAIL_HOST)."""
    return bool(getattr(settings, "EMAIL_HOST", ""))


@transaction.atomic
def notification_send(
    *,
    recipients: Iterable[Any],
    title: str,
    body: str = "",
    link: str = "",
    kind: str,
    key: str = "",
    organization: Any = None,
) -> list[Notification]:
    """Put a notification in each recipient's inbox; returns the ones created now.

    Idempotent by (recipient, key): a recipient who already has this key gets nothing new, so a
    caller may send again whenever it is unsure. Inactive users and duplicates are skipped. When
    e-mail is configured, the new notifications are e-mailed by a task after commit. A notice about
    an `organization` also goes to the group robots that hear it (`channels_post`).
    """
    users = {u.pk: u for u in recipients if u is not None and u.is_active}
    # A notice reaches people who may not see a phone or an ID number in full, and may go out by
    # e-mail: whatever text it quotes is masked.
    title, body = mask_in_text(title), mask_in_text(body)
    if key:
        already = set(Notification.objects.filter(key=key, recipient_id__in=users).values_list("recipient_id", flat=True))
    else:
        already = set()
    created = []
    for pk, user in sorted(users.items()):
        if pk in already:
            continue
        try:
            with transaction.atomic():  # a concurrent sender may have won the race
                created.append(
                    Notification.objects.create(
                        recipient=user, kind=kind, title=title[:200], body=body, link=link[:300], key=key[:150]
                    )
                )
        except IntegrityError:
            continue
    if created and email_enabled():
        ids = [n.pk for n in created if n.recipient.email]
        if ids:
            from qiangji.notifications.tasks import notifications_email

            transaction.on_commit(lambda: notifications_email.enqueue(ids))
    if organization is not None:
        channels_post(organization=organization, title=title, body=body, link=link, kind=kind, key=key)
    return created


def channels_post(*, organization: Any, title: str, body: str = "", link: str = "", kind: str, key: str = "") -> int:
    """Queue the notice for every enabled group robot that hears `organization` and this kind of
    notice; the worker posts them after commit, never the request. Returns how many were queued."""
    title, body = mask_in_text(title), mask_in_text(body)
    channels = [c for c in GroupChannel.objects.reaching(organization) if c.hears(kind)]
    queued = []
    for channel in channels:
        if key and ChannelDelivery.objects.filter(channel=channel, key=key[:150]).exists():
            continue
        try:
            with transaction.atomic():
                queued.append(
                    ChannelDelivery.objects.create(
                        channel=channel, kind=kind, title=title[:200], body=body, link=link[:300], key=key[:150]
                    ).pk
                )
        except IntegrityError:
            continue
    if queued:
        from qiangji.notifications.tasks import channel_deliver

        transaction.on_commit(lambda: channel_deliver.enqueue(queued))
    return len(queued)


def _require_manager(by: Any, *, organization: Any = None, liaison_group: Any = None) -> None:
    if not can_manage_channel_of(by, organization=organization, liaison_group=liaison_group):
        raise PermissionDenied("只有镇党委管理员可以设置群机器人")


@transaction.atomic
def channel_save(*, by: Any, channel: GroupChannel) -> GroupChannel:
    """Create or change a group robot (the form has checked its fields); only a town admin over
    its organization may. The previous owner is checked too, so a robot is not moved out of reach."""
    _require_manager(by, organization=channel.organization, liaison_group=channel.liaison_group)
    if channel.pk:
        before = GroupChannel.objects.select_for_update().get(pk=channel.pk)
        _require_manager(by, organization=before.organization, liaison_group=before.liaison_group)
    else:
        channel.created_by = by
    channel.save()
    return channel


@transaction.atomic
def channel_delete(*, by: Any, channel: GroupChannel) -> None:
    _require_manager(by, organization=channel.organization, liaison_group=channel.liaison_group)
    channel.delete()


@transaction.atomic
def channel_test(*, by: Any, channel: GroupChannel) -> ChannelDelivery:
    """Queue a test message to the robot, so the admin sees on the page whether it arrives."""
    _require_manager(by, organization=channel.organization, liaison_group=channel.liaison_group)
    delivery = ChannelDelivery.objects.create(
        channel=channel,
        kind="test",
        title="测试消息",
        body=f"这是来自强基平台的测试消息，由{by.get_full_name() or by.get_username()}发送。收到即说明“{channel.name}”设置正确。",
    )
    from qiangji.notifications.tasks import channel_deliver

    transaction.on_commit(lambda: channel_deliver.enqueue([delivery.pk]))
    return delivery


@transaction.atomic
def delivery_retry(*, by: Any, delivery: ChannelDelivery) -> ChannelDelivery:
    """Send a failed message again now (its attempts start over)."""
    channel = delivery.channel
    _require_manager(by, organization=channel.organization, liaison_group=channel.liaison_group)
    if delivery.status != ChannelDelivery.Status.FAILED:
        raise DomainError("只有发送失败的消息可以重发")
    ChannelDelivery.objects.filter(pk=delivery.pk).update(status=ChannelDelivery.Status.PENDING, attempts=0)
    from qiangji.notifications.tasks import channel_deliver

    transaction.on_commit(lambda: channel_deliver.enqueue([delivery.pk]))
    delivery.refresh_from_db()
    return delivery


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: Any) -> int:
    return Notification.objects.for_recipient(user).unread().update(read_at=timezone.now())
