"""What /healthz and the 系统状态 page report about the running installation.

Both read the same checks: the database answers, and the long-running processes (the scheduler,
the task worker) have beaten recently (core.models.Heartbeat). A heartbeat older than
QIANGJI_HEARTBEAT_STALE_MINUTES, or none at all, means the process is stopped or stuck.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from qiangji.core.models import Heartbeat

PROCESSES = {"scheduler": "定时任务进程", "worker": "后台任务进程"}
OK, STALE, MISSING = "ok", "stale", "missing"


def stale_after() -> dt.timedelta:
    return dt.timedelta(minutes=settings.QIANGJI_HEARTBEAT_STALE_MINUTES)


@dataclass(frozen=True)
class Beat:
    """One process's last heartbeat as the checks judge it."""

    name: str
    label: str
    beat_at: dt.datetime | None
    state: str

    @property
    def ok(self) -> bool:
        return self.state == OK

    @property
    def age_minutes(self) -> int | None:
        if self.beat_at is None:
            return None
        return max(0, int((timezone.now() - self.beat_at).total_seconds() // 60))


def heartbeats(now: dt.datetime | None = None) -> dict[str, Beat]:
    """{process: Beat} for the scheduler and the worker, in one query."""
    now = now or timezone.now()
    found = dict(Heartbeat.objects.filter(name__in=PROCESSES).values_list("name", "beat_at"))
    limit = now - stale_after()
    beats = {}
    for name, label in PROCESSES.items():
        at = found.get(name)
        state = MISSING if at is None else OK if at >= limit else STALE
        beats[name] = Beat(name, label, at, state)
    return beats
