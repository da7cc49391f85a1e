"""Background work of the campaign (run by the task worker): the daily summary and weekly
analysis, and the care visits (三送三问) that fall due.

`campaign_daily_catch_up` is what `manage.py campaign_daily` runs, so the hourly loop, the worker
and an operator after downtime all do the same idempotent catch-up. Code that enqueues from inside
a transaction does it with `transaction.on_commit(lambda: task.enqueue(...))`, so the worker never
reads rows that are not committed yet.
"""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from qiangji.campaign.services.summaries import summaries_catch_up, summary_generate
from qiangji.campaign.services.visits import care_tasks_schedule, tasks_assigned_send


@task()
def campaign_daily_catch_up(today: str = "", days: int = 7, weeks: int = 4) -> dict[str, int]:
    """Missing daily summaries of the last `days` days (today's refreshed), weekly analyses of the
    last `weeks` complete weeks, then the care visits due; safe to run any number of times."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    done = summaries_catch_up(today=day, days=days, weeks=weeks)
    done["care_tasks"] = care_tasks_schedule(today=day)
    return done


@task()
def summary_generate_task(kind: str, day: str) -> int:
    """One summary of the period holding `day` (YYYY-MM-DD), written again if it exists."""
    return summary_generate(kind=kind, day=dt.date.fromisoformat(day)).pk


@task()
def tasks_assigned_notify(per_team: dict[str, list], occasion: str) -> int:
    """The inbox notices of tasks just assigned to teams ({team pk: [count, earliest due]})."""
    return tasks_assigned_send(per_team=per_team, occasion=occasion)
