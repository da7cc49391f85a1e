"""Background work of plans and terms (run by the task worker)."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from qiangji.plans.services import term_reminders_send


@task()
def term_reminders_catch_up(today: str = "") -> int:
    """Send the term reminders due and not yet sent; safe to run at any time, any number of times."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    return len(term_reminders_send(today=day))
