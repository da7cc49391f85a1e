"""Writes on notifications. Other modules (meetings, problems, reminders) call `notification_send`."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from qiangji.core.crypto import mask_in_text
from qiangji.notifications.models import Notification


def email_enabled() -> bool:
    """E-mail goes out only when the deployment names a mail host (DJANGO_EMAIL_HOST)."""
    return bool(getattr(settings, "EMAIL_HOST", ""))


@transaction.atomic
def notification_send(
    *, recipients: Iterable[Any], title: str, body: str = "", link: str = "", kind: str, key: str = ""
) -> list[Notification]:
    """Put a notification in each recipient's inbox; returns the ones created now.

    Idempotent by (recipient, key): a recipient who already has this key gets nothing new, so a
    caller may send again whenever it is unsure. Inactive users and duplicates are skipped. When
    e-mail is configured, the new notifications are e-mailed by a task after commit.
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
    return created


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: Any) -> int:
    return Notification.objects.for_recipient(user).unread().update(read_at=timezone.now())
