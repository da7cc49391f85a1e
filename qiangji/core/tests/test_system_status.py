"""系统状态: town admins only; version, database, backup, heartbeats, scheduler runs, the task
queue with a retry for failed tasks, disk space and the failing production checks."""

import datetime as dt
import os
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from qiangji.core import services, status
from qiangji.core.models import AuditEvent, Heartbeat, SchedulerRun

URL = "/status/"
ROLES = ["liaison", "secretary_a", "secretary_b", "member", "visitor"]
TASK_PATH = "qiangji.notifications.tasks.notifications_email"


@pytest.fixture(autouse=True)
def _folders(settings, tmp_path):
    settings.QIANGJI_BACKUP_DIR = tmp_path / "backups"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.QIANGJI_BACKUP_DIR.mkdir()


def failed_task(*args, path=TASK_PATH) -> DBTaskResult:
    now = timezone.now()
    return DBTaskResult.objects.create(
        status=TaskResultStatus.FAILED,
        args_kwargs={"args": list(args), "kwargs": {}},
        task_path=path,
        queue_name="default",
        backend_name="default",
        run_after=now,
        started_at=now,
        finished_at=now,
        exception_class_path="smtplib.SMTPServerDisconnected",
        traceback="Traceback …",
    )


def run(job, *, hours_ago, outcome=SchedulerRun.Outcome.SUCCEEDED, detail=""):
    at = timezone.now() - dt.timedelta(hours=hours_ago)
    return SchedulerRun.objects.create(job=job, due_at=at, started_at=at, finished_at=at, outcome=outcome, detail=detail)


def beat(name, minutes_ago):
    Heartbeat.objects.create(name=name, beat_at=timezone.now() - dt.timedelta(minutes=minutes_ago))


@pytest.fixture
def db_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_town_admin_sees_the_page_and_the_link(users, client_as):
    client = client_as(users["town_admin"])
    response = client.get(URL)
    assert response.status_code == 200
    assert "<h1>系统状态</h1>" in response.content.decode()
    assert 'href="/status/"' in client.get("/").content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_other_roles_get_404_and_no_link(users, client_as, role):
    client = client_as(users[role])
    assert client.get(URL).status_code == 404
    assert 'href="/status/"' not in client.get("/").content.decode()


def test_anonymous_is_sent_to_login(client_as):
    response = client_as(None).get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_page_shows_each_check(users, client_as, settings):
    backup = settings.QIANGJI_BACKUP_DIR / "qiangji-backup-20261207-023000.tar.gz"
    backup.write_bytes(b"x" * 2048)
    older = settings.QIANGJI_BACKUP_DIR / "qiangji-backup-20261206-023000.tar.gz"
    older.write_bytes(b"x")
    os.utime(older, (backup.stat().st_mtime - 86400,) * 2)
    beat("scheduler", 1)
    beat("worker", 42)
    run("backup", hours_ago=30)
    run("backup", hours_ago=6)
    run("send_reminders", hours_ago=3, outcome=SchedulerRun.Outcome.FAILED, detail="SMTP 服务器无应答")
    failed_task([1, 2])

    page = client_as(users["town_admin"]).get(URL).content.decode()

    assert "版本 0.1.0" in page
    assert ("PostgreSQL" if connection.vendor == "postgresql" else "SQLite") in page
    assert "qiangji-backup-20261207-023000.tar.gz" in page and "2.0\xa0KB" in page
    assert "后台任务进程已 42 分钟没有心跳（超过 10 分钟）：请检查并重启该服务" in page
    assert "近 7 天有 1 次定时任务失败" in page and "有 1 个后台任务失败" in page
    assert page.count("<td>backup</td>") == 1  # the newest run per job only
    assert "send_reminders：SMTP 服务器无应答" in page
    assert "排队等待执行：0 个；失败：1 个" in page
    assert "notifications_email" in page and ">重试</button>" in page
    assert "上传文件目录剩余空间" in page and "备份目录剩余空间" in page
    # The test settings are a development machine's (no HSTS): the deployment check says so, in
    # Chinese and as Django put it.
    assert '未启用 HSTS（DJANGO_HSTS_SECONDS） <span class="text-muted">（security.W004）</span>' in page
    assert "You have not set a value for the SECURE_HSTS_SECONDS setting." in page


def test_no_backup_and_no_heartbeat_are_problems(users, client_as):
    page = client_as(users["town_admin"]).get(URL).content.decode()
    assert "备份目录中没有备份文件" in page
    assert "定时任务进程从未报告心跳：请确认该服务已启动" in page
    assert "后台任务进程从未报告心跳：请确认该服务已启动" in page


def test_all_clear_in_production_settings(users, client_as, monkeypatch, settings):
    (settings.QIANGJI_BACKUP_DIR / "qiangji-backup-20261207-023000.tar.gz").write_bytes(b"x")
    beat("scheduler", 0)
    beat("worker", 0)
    monkeypatch.setattr(status, "deploy_problems", list)
    monkeypatch.setattr(status, "disks", lambda: [status.Disk("备份目录", 100 * 1024**3, 50 * 1024**3)])
    page = client_as(users["town_admin"]).get(URL).content.decode()
    assert "一切正常" in page and "需要处理的问题" not in page


def test_low_disk_is_a_problem():
    assert status.Disk("备份目录", 100 * 1024**3, 5 * 1024**3).low  # 5 %
    assert status.Disk("备份目录", 10 * 1024**3, 1024**3 + 1).low  # under 2 GB
    assert not status.Disk("备份目录", 100 * 1024**3, 20 * 1024**3).low


def test_query_count_does_not_grow_with_runs_and_tasks(users, client_as, django_assert_num_queries):
    client = client_as(users["town_admin"])
    client.get(URL)
    # session, user, the scope (grants, liaison groups, own member), the inbox badge; then
    # heartbeats, newest runs, failed runs, waiting tasks, failed tasks (+ the database size on
    # PostgreSQL)
    expected = 11 + (connection.vendor == "postgresql")
    with django_assert_num_queries(expected):
        assert client.get(URL).status_code == 200
    for i in range(5):
        run(f"job{i}", hours_ago=2, outcome=SchedulerRun.Outcome.FAILED)
        run(f"job{i}", hours_ago=1)
        failed_task(i)
    with django_assert_num_queries(expected):
        assert client.get(URL).status_code == 200


def test_retry_puts_the_failed_task_back_on_the_queue(users, client_as, db_backend, django_capture_on_commit_callbacks):
    task = failed_task([7, 8])
    client = client_as(users["town_admin"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/status/tasks/{task.pk}/retry/", follow=True)

    assert "后台任务“notifications_email”已重新排队，稍后由后台任务进程执行。" in response.content.decode()
    assert not DBTaskResult.objects.filter(pk=task.pk).exists()
    again = DBTaskResult.objects.get()
    assert (again.status, again.task_path, again.args_kwargs) == (
        TaskResultStatus.READY,
        TASK_PATH,
        {"args": [[7, 8]], "kwargs": {}},
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.TASK_RETRY)
    assert (event.user, event.object_id, event.detail) == (users["town_admin"], str(task.pk), {"task": TASK_PATH})

    # A second click (another tab) finds nothing to retry and changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/status/tasks/{task.pk}/retry/", follow=True)
    assert "该任务不存在，或已不是失败状态（可能已被重试）" in response.content.decode()
    assert DBTaskResult.objects.count() == 1 and AuditEvent.objects.filter(action=AuditEvent.Action.TASK_RETRY).count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_retry_is_refused_to_other_roles(users, client_as, db_backend, role):
    task = failed_task([1])
    assert client_as(users[role]).post(f"/status/tasks/{task.pk}/retry/").status_code == 404
    assert list(DBTaskResult.objects.values_list("pk", "status")) == [(task.pk, TaskResultStatus.FAILED)]
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.TASK_RETRY).exists()


def test_retry_needs_a_post(users, client_as):
    task = failed_task([1])
    assert client_as(users["town_admin"]).get(f"/status/tasks/{task.pk}/retry/").status_code == 405
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED


def test_retry_of_a_task_that_no_longer_exists_says_so(users, client_as, db_backend):
    task = failed_task([1], path="qiangji.notifications.tasks.removed_in_an_upgrade")
    response = client_as(users["town_admin"]).post(f"/status/tasks/{task.pk}/retry/", follow=True)
    assert "该任务在当前版本中已不存在，无法重试" in response.content.decode()
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.TASK_RETRY).exists()


def test_retry_of_an_unknown_id(users, client_as):
    response = client_as(users["town_admin"]).post(f"/status/tasks/{uuid.uuid4()}/retry/", follow=True)
    assert "该任务不存在，或已不是失败状态（可能已被重试）" in response.content.decode()
    assert client_as(users["town_admin"]).post("/status/tasks/not-a-uuid/retry/").status_code == 404


def test_the_service_checks_its_caller(users):
    task = failed_task([1])
    with pytest.raises(PermissionDenied):
        services.task_retry(by=users["secretary_a"], task_id=task.pk)
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED
