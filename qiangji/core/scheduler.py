"""The scheduler: every periodic job at the times settings.QIANGJI_SCHEDULE gives (Asia/Shanghai).

`manage.py run_scheduler` ticks every half minute. A tick, if this scheduler holds the lock:
beats "scheduler", enqueues the worker's heartbeat task when the last one has run, then for each
job computes its latest due time (the newest scheduled moment not in the future) and runs it if
no SchedulerRun exists for that (job, due time). So after downtime each job runs once, for the
latest due time it missed, not once per missed time; each job is idempotent and catches up by
itself (the reminders read the state of today, the backup is simply taken now).

Only one scheduler acts at a time. On PostgreSQL a session advisory lock, taken for the tick on a
connection of its own (so two schedulers in one process, as in the tests, exclude each other too),
and released by the server if the process dies. SQLite has no such lock: a lease row (Heartbeat
"scheduler-lock", owner in `detail`) is taken in a write transaction, which SQLite serialises
(settings: IMMEDIATE transactions), renewed before each job and given up at the end of the tick; a
lease older than LEASE belongs to a scheduler that died and is taken over. On both, the unique
(job, due_at) of SchedulerRun is the last word: a job whose row another scheduler created first
is not run again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django_tasks import TaskResult

from qiangji.core.models import Heartbeat, SchedulerRun

logger = logging.getLogger(__name__)

LOCK_ROW = "scheduler-lock"
LEASE = dt.timedelta(hours=2)
# 64-bit key of the PostgreSQL advisory lock, fixed so every scheduler of one database asks for the same.
ADVISORY_KEY = int.from_bytes(hashlib.sha256(b"qiangji.scheduler").digest()[:8], "big", signed=True)
WORKER_BEAT_EVERY = dt.timedelta(minutes=5)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ScheduleError(ValueError):
    """A time spec or job name in settings.QIANGJI_SCHEDULE the scheduler cannot use."""


@dataclass(frozen=True)
class Spec:
    """When a job is due: every hour at `minute`, every day at hour:minute, or weekly on `weekday` (0 = Monday)."""

    every: str  # "hourly" | "daily" | "weekly"
    minute: int
    hour: int = 0
    weekday: int = 0

    def latest_due(self, now: dt.datetime) -> dt.datetime:
        """The newest due moment at or before `now`, an aware datetime in the site's time zone."""
        local = timezone.localtime(now)
        if self.every == "hourly":
            due = local.replace(minute=self.minute, second=0, microsecond=0)
            step = dt.timedelta(hours=1)
        elif self.every == "daily":
            due = local.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
            step = dt.timedelta(days=1)
        else:
            day = local.date() - dt.timedelta(days=(local.weekday() - self.weekday) % 7)
            due = local.replace(year=day.year, month=day.month, day=day.day, hour=self.hour, minute=self.minute)
            due = due.replace(second=0, microsecond=0)
            step = dt.timedelta(days=7)
        # Shanghai keeps no daylight saving time, so wall-clock arithmetic is exact here.
        return due - step if due > local else due


def parse_spec(text: str) -> Spec | None:
    """ "hourly :05" | "daily 02:30" | "weekly mon 07:00" → Spec; "off" → None (the job never runs)."""
    words = text.strip().lower().split()
    try:
        if words == ["off"]:
            return None
        if len(words) == 2 and words[0] == "hourly" and words[1].startswith(":"):
            minute = int(words[1][1:])
            if 0 <= minute < 60:
                return Spec("hourly", minute)
        elif len(words) == 2 and words[0] == "daily":
            hour, minute = _clock(words[1])
            return Spec("daily", minute, hour)
        elif len(words) == 3 and words[0] == "weekly" and words[1] in WEEKDAYS:
            hour, minute = _clock(words[2])
            return Spec("weekly", minute, hour, WEEKDAYS.index(words[1]))
    except ValueError:
        pass
    raise ScheduleError(
        f"定时任务时间“{text}”无法识别，应写成 hourly :MM（每小时）、daily HH:MM（每天）、"
        "weekly mon HH:MM（每周）或 off（不运行）。"
    )


def _clock(text: str) -> tuple[int, int]:
    hour, _, minute = text.partition(":")
    if not (hour.isdigit() and minute.isdigit() and 0 <= int(hour) < 24 and 0 <= int(minute) < 60):
        raise ValueError(text)
    return int(hour), int(minute)


# The jobs. Each returns a one-line summary for SchedulerRun.detail and may run any number of
# times: sending is recorded per reminder, summaries are rewritten only while missing or stale,
# care tasks are created only where none is open, and a backup is a new file.


def _send_reminders() -> str:
    from qiangji.plans.services import term_reminders_send

    return f"发送届期提醒{len(term_reminders_send(today=timezone.localdate()))}条"


def _send_meeting_notices() -> str:
    from qiangji.liaison.services import meeting_notices_send

    return f"发送联络组会议通知{len(meeting_notices_send(today=timezone.localdate()))}条"


def _send_problem_reminders() -> str:
    from qiangji.ledger.services.problems import problems_escalate

    sent = problems_escalate(today=timezone.localdate())
    return f"问题超期提醒：整改责任人{sent['owner']}条，指导联络组{sent['liaison']}条，镇党委{sent['town']}条"


def _campaign_daily() -> str:
    from qiangji.campaign.services.summaries import summaries_catch_up
    from qiangji.campaign.services.visits import care_tasks_schedule

    today = timezone.localdate()
    done = summaries_catch_up(today=today, days=7, weeks=4)
    care = care_tasks_schedule(today=today)
    return f"一日一汇总{done['daily']}份，一周一分析{done['weekly']}份，三送三问回访任务{care}个"


def _backup() -> str:
    from qiangji.core import backup

    path, removed = backup.backup_nightly(Path(settings.QIANGJI_BACKUP_DIR), keep=settings.QIANGJI_BACKUP_KEEP)
    return f"{path.name}（{path.stat().st_size} 字节），删除旧备份{len(removed)}个"


JOBS: dict[str, tuple[str, Callable[[], str]]] = {
    "send_reminders": ("届期提醒", _send_reminders),
    "send_meeting_notices": ("联络组会议通知", _send_meeting_notices),
    "send_problem_reminders": ("问题超期提醒", _send_problem_reminders),
    "campaign_daily": ("新连心汇总与回访", _campaign_daily),
    "backup": ("每日备份", _backup),
}


def schedule() -> dict[str, Spec]:
    """The jobs that run and when, from settings; a job missing there or "off" never runs."""
    unknown = sorted(set(settings.QIANGJI_SCHEDULE) - set(JOBS))
    if unknown:
        raise ScheduleError(f"QIANGJI_SCHEDULE 中有未知的定时任务：{'、'.join(unknown)}（可用：{'、'.join(JOBS)}）。")
    specs = {job: parse_spec(text) for job, text in settings.QIANGJI_SCHEDULE.items()}
    return {job: spec for job, spec in specs.items() if spec is not None}


@dataclass
class TickResult:
    acted: bool
    ran: dict[str, str]  # job → outcome


class Scheduler:
    """One scheduler process; `tick()` does one round (run_scheduler calls it every half minute)."""

    def __init__(self, owner: str | None = None) -> None:
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.specs = schedule()
        self._lock_connection: BaseDatabaseWrapper | None = None
        self._worker_beat: TaskResult | None = None
        self._worker_beat_sent: dt.datetime | None = None

    # -- the lock --------------------------------------------------------------------------

    def _acquire(self) -> bool:
        if connection.vendor == "postgresql":
            lock_connection = connections.create_connection(DEFAULT_DB_ALIAS)
            with lock_connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_KEY])
                (held,) = cursor.fetchone()
            if not held:
                lock_connection.close()
                return False
            self._lock_connection = lock_connection
            return True
        return self._renew_lease()

    def _renew_lease(self) -> bool:
        if connection.vendor == "postgresql":
            return True
        now = timezone.now()
        with transaction.atomic():
            row = Heartbeat.objects.filter(name=LOCK_ROW).first()
            if row and row.detail != self.owner and row.beat_at > now - LEASE:
                return False
            Heartbeat.objects.update_or_create(name=LOCK_ROW, defaults={"beat_at": now, "detail": self.owner})
        return True

    def _release(self) -> None:
        if self._lock_connection is not None:
            # Closing the session releases its advisory locks as well; unlock first all the same.
            try:
                with self._lock_connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_KEY])
            finally:
                self._lock_connection.close()
                self._lock_connection = None
        else:
            Heartbeat.objects.filter(name=LOCK_ROW, detail=self.owner).delete()

    # -- a tick ----------------------------------------------------------------------------

    def tick(self) -> TickResult:
        if not self._acquire():
            return TickResult(acted=False, ran={})
        try:
            beat("scheduler", self.owner)
            self._beat_worker()
            # Holding the lock at the start of a tick, no other scheduler is running a job: a row
            # still "running" was left by one that stopped midway.
            SchedulerRun.objects.filter(outcome=SchedulerRun.Outcome.RUNNING).update(
                outcome=SchedulerRun.Outcome.FAILED, finished_at=timezone.now(), detail="调度器在任务运行中停止，未完成"
            )
            ran = {}
            for job, spec in self.specs.items():
                if not self._renew_lease():
                    break
                outcome = self._run_if_due(job, spec)
                if outcome:
                    ran[job] = outcome
            return TickResult(acted=True, ran=ran)
        finally:
            self._release()

    def _run_if_due(self, job: str, spec: Spec) -> str | None:
        due = spec.latest_due(timezone.now())
        if SchedulerRun.objects.filter(job=job, due_at=due).exists():
            return None
        try:
            with transaction.atomic():
                run = SchedulerRun.objects.create(job=job, due_at=due, started_at=timezone.now())
        except IntegrityError:
            return None  # another scheduler claimed this due time a moment ago
        try:
            detail = JOBS[job][1]()
            run.outcome = SchedulerRun.Outcome.SUCCEEDED
        except Exception as exc:
            # One job's failure is recorded and must not keep the others from running.
            logger.exception("scheduled job %s failed", job)
            detail = f"{type(exc).__name__}: {exc}"
            run.outcome = SchedulerRun.Outcome.FAILED
        run.detail, run.finished_at = detail[:2000], timezone.now()
        run.save(update_fields=["outcome", "detail", "finished_at"])
        return run.outcome

    def _beat_worker(self) -> None:
        """Enqueue the worker's heartbeat every few minutes, but never pile them up behind a stalled worker."""
        from django_tasks import TaskResultStatus

        from qiangji.core.tasks import worker_heartbeat

        now = timezone.now()
        if self._worker_beat_sent and now - self._worker_beat_sent < WORKER_BEAT_EVERY:
            return
        if self._worker_beat is not None:
            try:
                self._worker_beat.refresh()
                if self._worker_beat.status == TaskResultStatus.READY:
                    return  # the last one still waits for a worker
            except Exception:
                pass
        self._worker_beat = worker_heartbeat.enqueue()
        self._worker_beat_sent = now


def beat(name: str, detail: str = "") -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now(), "detail": detail[:200]})
