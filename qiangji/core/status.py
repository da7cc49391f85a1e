"""What /healthz and the 系统状态 page report about the running installation.

Both read the same checks: the database answers, and the long-running processes (the scheduler,
the task worker) have beaten recently (core.models.Heartbeat). A heartbeat older than
QIANGJI_HEARTBEAT_STALE_MINUTES, or none at all, means the process is stopped or stuck.
"""

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.checks import run_checks
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from qiangji.core.backup import app_version
from qiangji.core.models import Heartbeat, SchedulerRun

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


# The 系统状态 page ------------------------------------------------------------------------------

BACKUP_PATTERNS = ("*.tar.gz",)
BACKUP_STALE = dt.timedelta(hours=26)  # a nightly backup, with some slack
FAILURE_DAYS = 7
DISK_LOW_FRACTION, DISK_LOW_BYTES = 0.10, 2 * 1024**3

# Django's deployment checks speak English; the page says what each means in Chinese.
CHECK_TEXT = {
    "security.W004": "未启用 HSTS（DJANGO_HSTS_SECONDS）",
    "security.W008": "未把 HTTP 跳转到 HTTPS（DJANGO_SECURE_SSL_REDIRECT）",
    "security.W009": "DJANGO_SECRET_KEY 太短或太简单",
    "security.W012": "会话 Cookie 未限定 HTTPS（DJANGO_SECURE_COOKIES）",
    "security.W016": "CSRF Cookie 未限定 HTTPS（DJANGO_SECURE_COOKIES）",
    "security.W018": "调试模式已打开（DJANGO_DEBUG），生产环境必须关闭",
    "security.W020": "未设置允许访问的域名（DJANGO_ALLOWED_HOSTS）",
    "security.W021": "HSTS 未加入预加载（DJANGO_HSTS_PRELOAD）",
}


@dataclass(frozen=True)
class BackupFile:
    """The newest archive in the backup folder."""

    name: str
    size: int
    at: dt.datetime


@dataclass(frozen=True)
class Disk:
    """Free space of one folder's file system."""

    label: str
    total: int
    free: int

    @property
    def low(self) -> bool:
        return self.free < DISK_LOW_BYTES or self.free < self.total * DISK_LOW_FRACTION

    @property
    def free_percent(self) -> int:
        return round(100 * self.free / self.total) if self.total else 0


@dataclass(frozen=True)
class DeployProblem:
    """A failing production check (Django's `check --deploy` and the project's own)."""

    id: str
    text: str
    message: str


def latest_backup() -> BackupFile | None:
    folder = Path(settings.QIANGJI_BACKUP_DIR)
    if not folder.is_dir():
        return None
    newest = None
    for pattern in BACKUP_PATTERNS:
        for path in folder.glob(pattern):
            try:
                st = path.stat()
            except OSError:
                continue
            if path.is_file() and (newest is None or st.st_mtime > newest[1].st_mtime):
                newest = (path, st)
    if newest is None:
        return None
    path, st = newest
    return BackupFile(path.name, st.st_size, dt.datetime.fromtimestamp(st.st_mtime, tz=dt.UTC))


def database() -> dict[str, object]:
    """The engine and, where it costs one cheap query or a stat, the size."""
    vendor = connection.vendor
    size = None
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
    elif vendor == "sqlite":
        name = str(connection.settings_dict.get("NAME") or "")
        if name and not name.startswith((":memory:", "file:")) and os.path.isfile(name):
            size = os.path.getsize(name)
    return {"label": {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(vendor, vendor), "size": size}


def disks() -> list[Disk]:
    found = []
    for label, folder in (("上传文件目录", settings.MEDIA_ROOT), ("备份目录", settings.QIANGJI_BACKUP_DIR)):
        path = Path(folder)
        while not path.exists() and path != path.parent:
            path = path.parent  # a folder not made yet: the disk it will be on
        try:
            usage = shutil.disk_usage(path)
        except OSError:
            continue
        found.append(Disk(label, usage.total, usage.free))
    return found


def deploy_problems() -> list[DeployProblem]:
    """The checks `manage.py check --deploy` would report at warning level or above (no
    database checks: those run at migrate)."""
    messages = run_checks(include_deployment_checks=True)
    return [
        DeployProblem(m.id or "", CHECK_TEXT.get(m.id or "", ""), str(m.msg))
        for m in messages
        if m.level >= checks.WARNING and not m.is_silenced()
    ]


def scheduler_runs(now: dt.datetime) -> tuple[list[SchedulerRun], list[SchedulerRun]]:
    """(the newest run of each job, the failed runs of the last seven days, newest first)."""
    newest = SchedulerRun.objects.filter(job=OuterRef("job")).order_by("-started_at", "-id").values("pk")[:1]
    latest = list(SchedulerRun.objects.filter(pk=Subquery(newest)).order_by("job"))
    since = now - dt.timedelta(days=FAILURE_DAYS)
    failed = list(SchedulerRun.objects.filter(outcome=SchedulerRun.Outcome.FAILED, started_at__gte=since)[:20])
    return latest, failed


@dataclass(frozen=True)
class FailedTask:
    """A background task that ended with an exception (the traceback stays out of the page)."""

    id: object
    name: str
    finished_at: dt.datetime | None
    error: str


def task_name(path: str) -> str:
    # From the path, not by importing the task: a task an upgrade removed still has a name.
    return path.rpartition(".")[2] or path


def task_queue() -> tuple[int, list[FailedTask]]:
    """(tasks waiting for the worker, the newest failed tasks)."""
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY).count()
    rows = DBTaskResult.objects.failed().order_by("-finished_at")[:20]
    failed = [
        FailedTask(pk, task_name(path), at, error)
        for pk, path, at, error in rows.values_list("id", "task_path", "finished_at", "exception_class_path")
    ]
    return waiting, failed


def system_status() -> dict[str, object]:
    """Everything the 系统状态 page shows, with the problems listed first."""
    now = timezone.now()
    beats = heartbeats(now)
    backup = latest_backup()
    latest_runs, failed_runs = scheduler_runs(now)
    waiting, failed_tasks = task_queue()
    disk = disks()
    deploy = deploy_problems()
    problems = []
    for beat in beats.values():
        if beat.state == MISSING:
            problems.append(f"{beat.label}从未报告心跳：请确认该服务已启动")
        elif beat.state == STALE:
            limit = settings.QIANGJI_HEARTBEAT_STALE_MINUTES
            problems.append(f"{beat.label}已 {beat.age_minutes} 分钟没有心跳（超过 {limit} 分钟）：请检查并重启该服务")
    if backup is None:
        problems.append("备份目录中没有备份文件")
    elif now - backup.at > BACKUP_STALE:
        problems.append(f"最近一次备份是 {timezone.localtime(backup.at):%Y-%m-%d %H:%M}，已超过一天")
    if failed_runs:
        problems.append(f"近 {FAILURE_DAYS} 天有 {len(failed_runs)} 次定时任务失败")
    if failed_tasks:
        problems.append(f"有 {len(failed_tasks)} 个后台任务失败")
    problems += [f"{d.label}所在磁盘剩余空间不足（{d.free_percent}%）" for d in disk if d.low]
    if deploy:
        problems.append(f"{len(deploy)} 项生产环境检查未通过")
    return {
        "version": app_version(),
        "database": database(),
        "backup": backup,
        "backup_dir": settings.QIANGJI_BACKUP_DIR,
        "heartbeats": list(beats.values()),
        "stale_minutes": settings.QIANGJI_HEARTBEAT_STALE_MINUTES,
        "latest_runs": latest_runs,
        "failed_runs": failed_runs,
        "waiting_tasks": waiting,
        "failed_tasks": failed_tasks,
        "disks": disk,
        "deploy_problems": deploy,
        "problems": problems,
    }
