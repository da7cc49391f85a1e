"""Background work of liaison attendance (run by the task worker)."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from qiangji.liaison.services import meeting_notices_send


@task()
def meeting_notices_catch_up(today: str = "") -> int:
    """Send the liaison meeting notices due and not yet sent; safe to run at any time, any number of times."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    return len(meeting_notices_send(today=day))
