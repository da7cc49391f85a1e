"""Background work of the core (run by the task worker)."""

from django.utils import timezone
from django_tasks import task

from qiangji.core.models import Heartbeat


@task()
def worker_heartbeat() -> None:
    """Enqueued by the scheduler every few minutes: a stale "worker" beat means no worker takes tasks."""
    Heartbeat.objects.update_or_create(name="worker", defaults={"beat_at": timezone.now(), "detail": ""})
