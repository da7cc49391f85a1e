"""Background work of the inbox: e-mailing notifications (run by the task worker)."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from qiangji.notifications.models import Notification


@task()
def notifications_email(notification_ids: list[int]) -> int:
    """E-mail the notifications not yet e-mailed; a retry never sends one twice."""
    sent = 0
    pending = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related("recipient")
    for notification in pending:
        if not notification.recipient.email:
            continue
        body = notification.body
        if notification.link:
            body = f"{body}\n\n{notification.link}" if body else notification.link
        send_mail(
            subject=f"【强基】{notification.title}",
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.recipient.email],
        )
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent
