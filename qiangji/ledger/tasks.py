"""Background work of the ledger (run by the task worker)."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from qiangji.ledger.services import problems_escalate


@task()
def problems_escalate_catch_up(today: str = "") -> dict[str, int]:
    """Send the overdue reminders due and not yet sent; safe to run at any time, any number of times."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    return problems_escalate(today=day)
