"""The scheduler (qiangji/core/scheduler.py): due times, once per due time, catch-up after
downtime, failures recorded, backups kept, and only one scheduler acting at a time."""

import datetime as dt
import tarfile
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from qiangji.core import backup, scheduler
from qiangji.core.models import Heartbeat, SchedulerRun
from qiangji.core.scheduler import ScheduleError, Scheduler, Spec, parse_spec

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.fixture
def calls(monkeypatch, settings):
    """Every job replaced by one that records its calls; the schedule is the default one."""
    made = []
    jobs = {}
    for name, (label, _func) in scheduler.JOBS.items():
        jobs[name] = (label, lambda name=name: made.append(name) or f"{name} 完成")
    monkeypatch.setattr(scheduler, "JOBS", jobs)
    return made


def runs():
    return sorted((r.job, timezone_local(r.due_at), r.outcome) for r in SchedulerRun.objects.all())


def timezone_local(moment):
    return moment.astimezone(SH).strftime("%Y-%m-%d %H:%M")


# -- specs and due times ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "now", "due"),
    [
        ("hourly :05", "2026-12-07 10:04:59", "2026-12-07 09:05"),
        ("hourly :05", "2026-12-07 10:05:00", "2026-12-07 10:05"),
        ("hourly :05", "2026-12-07 00:01:00", "2026-12-06 23:05"),
        ("daily 02:30", "2026-12-07 02:29:00", "2026-12-06 02:30"),
        ("daily 02:30", "2026-12-07 02:30:00", "2026-12-07 02:30"),
        ("daily 02:30", "2026-01-01 01:00:00", "2025-12-31 02:30"),
        # 2026-12-07 is a Monday.
        ("weekly mon 07:00", "2026-12-07 06:59:00", "2026-11-30 07:00"),
        ("weekly mon 07:00", "2026-12-07 07:00:00", "2026-12-07 07:00"),
        ("weekly fri 18:00", "2026-12-07 12:00:00", "2026-12-04 18:00"),
        ("weekly sun 23:59", "2026-12-07 00:00:00", "2026-12-06 23:59"),
    ],
)
def test_latest_due_is_the_newest_scheduled_moment_not_after_now_in_shanghai(text, now, due):
    assert timezone_local(parse_spec(text).latest_due(at(now))) == due


def test_due_time_is_read_in_shanghai_whatever_the_servers_clock_zone():
    # 18:40 UTC on the 6th is 02:40 on the 7th in Shanghai: last night's 02:30 is due.
    utc = dt.datetime(2026, 12, 6, 18, 40, tzinfo=dt.UTC)
    assert timezone_local(Spec("daily", 30, 2).latest_due(utc)) == "2026-12-07 02:30"


def test_specs_parse_and_off_disables():
    assert parse_spec("hourly :05") == Spec("hourly", 5)
    assert parse_spec(" Daily 2:30 ") == Spec("daily", 30, 2)
    assert parse_spec("weekly sat 07:15") == Spec("weekly", 15, 7, 5)
    assert parse_spec("off") is None


@pytest.mark.parametrize(
    "text", ["", "hourly", "hourly :60", "hourly 5", "daily 24:00", "daily 7", "weekly xyz 07:00", "every 5m"]
)
def test_bad_specs_are_refused_in_chinese(text):
    with pytest.raises(ScheduleError, match="无法识别"):
        parse_spec(text)


@pytest.mark.django_db
def test_an_unknown_job_in_the_schedule_is_refused_and_nothing_runs(settings, calls):
    settings.QIANGJI_SCHEDULE = {"backup": "daily 02:30", "send_sms": "hourly :00"}
    with pytest.raises(CommandError, match="未知的定时任务：send_sms"):
        call_command("run_scheduler", "--once", stdout=StringIO())
    assert SchedulerRun.objects.count() == 0
    assert calls == []


# -- ticks ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_first_tick_runs_every_job_once_and_records_it(calls):
    with time_machine.travel(at("2026-12-07 10:30:00"), tick=False):
        result = Scheduler().tick()
    assert result.acted
    assert calls == ["send_reminders", "send_meeting_notices", "send_problem_reminders", "campaign_daily", "backup"]
    assert runs() == [
        ("backup", "2026-12-07 02:30", "succeeded"),
        ("campaign_daily", "2026-12-07 10:20", "succeeded"),
        ("send_meeting_notices", "2026-12-07 10:10", "succeeded"),
        ("send_problem_reminders", "2026-12-07 10:15", "succeeded"),
        ("send_reminders", "2026-12-07 10:05", "succeeded"),
    ]
    run = SchedulerRun.objects.get(job="backup")
    assert (run.started_at, run.finished_at, run.detail) == (at("2026-12-07 10:30"), at("2026-12-07 10:30"), "backup 完成")


@pytest.mark.django_db
def test_a_job_runs_once_per_due_time_and_again_at_the_next(calls):
    sched = Scheduler()
    with time_machine.travel(at("2026-12-07 10:30:00"), tick=False):
        sched.tick()
    calls.clear()
    with time_machine.travel(at("2026-12-07 11:04:00"), tick=False):
        assert sched.tick().ran == {}
    assert calls == []
    with time_machine.travel(at("2026-12-07 11:12:00"), tick=False):
        assert sched.tick().ran == {"send_reminders": "succeeded", "send_meeting_notices": "succeeded"}
    assert calls == ["send_reminders", "send_meeting_notices"]
    assert SchedulerRun.objects.filter(job="send_reminders").count() == 2


@pytest.mark.django_db
def test_after_downtime_each_job_catches_up_once_for_its_latest_missed_due_time(calls):
    with time_machine.travel(at("2026-12-04 10:30:00"), tick=False):
        Scheduler().tick()
    calls.clear()
    # Down from Friday 10:30 to Monday 09:00: 70 hourly and 3 nightly due times missed.
    with time_machine.travel(at("2026-12-07 09:00:00"), tick=False):
        Scheduler().tick()
    assert sorted(calls) == ["backup", "campaign_daily", "send_meeting_notices", "send_problem_reminders", "send_reminders"]
    assert [timezone_local(r.due_at) for r in SchedulerRun.objects.filter(job="backup").order_by("due_at")] == [
        "2026-12-04 02:30",
        "2026-12-07 02:30",
    ]
    assert [timezone_local(r.due_at) for r in SchedulerRun.objects.filter(job="send_reminders").order_by("due_at")] == [
        "2026-12-04 10:05",
        "2026-12-07 08:05",
    ]


@pytest.mark.django_db
def test_a_failing_job_is_recorded_with_its_reason_and_the_others_still_run(calls, monkeypatch):
    def broken():
        raise RuntimeError("磁盘已满")

    monkeypatch.setitem(scheduler.JOBS, "send_meeting_notices", ("联络组会议通知", broken))
    with time_machine.travel(at("2026-12-07 10:30:00"), tick=False):
        result = Scheduler().tick()
    assert result.ran["send_meeting_notices"] == "failed"
    assert calls == ["send_reminders", "send_problem_reminders", "campaign_daily", "backup"]
    failed = SchedulerRun.objects.get(job="send_meeting_notices")
    assert (failed.outcome, failed.detail, failed.finished_at) == ("failed", "RuntimeError: 磁盘已满", at("2026-12-07 10:30"))
    assert SchedulerRun.objects.filter(outcome="succeeded").count() == 4
    # A failed due time is not retried: the next due time is the next chance.
    with time_machine.travel(at("2026-12-07 10:45:00"), tick=False):
        assert Scheduler().tick().ran == {}


@pytest.mark.django_db
def test_a_run_left_running_by_a_stopped_scheduler_is_marked_failed(calls):
    SchedulerRun.objects.create(job="backup", due_at=at("2026-12-07 02:30"), started_at=at("2026-12-07 02:30"))
    with time_machine.travel(at("2026-12-07 10:30:00"), tick=False):
        Scheduler().tick()
    run = SchedulerRun.objects.get(job="backup")
    assert (run.outcome, run.detail, run.finished_at) == ("failed", "调度器在任务运行中停止，未完成", at("2026-12-07 10:30"))
    assert "backup" not in calls


@pytest.mark.django_db
def test_off_and_overridden_times_come_from_settings(settings, calls):
    settings.QIANGJI_SCHEDULE = {"backup": "off", "send_reminders": "weekly mon 07:00"}
    with time_machine.travel(at("2026-12-09 10:30:00"), tick=False):
        Scheduler().tick()
    assert runs() == [("send_reminders", "2026-12-07 07:00", "succeeded")]


@pytest.mark.django_db
def test_each_tick_beats_the_scheduler_and_the_worker(calls):
    sched = Scheduler(owner="host:1:abc")
    with time_machine.travel(at("2026-12-07 10:30:00"), tick=False):
        sched.tick()
    beats = {b.name: (b.beat_at, b.detail) for b in Heartbeat.objects.all()}
    # The tasks run inline in tests: the worker's beat is written at once.
    assert beats == {"scheduler": (at("2026-12-07 10:30"), "host:1:abc"), "worker": (at("2026-12-07 10:30"), "")}
    with time_machine.travel(at("2026-12-07 10:31:00"), tick=False):
        sched.tick()
    assert Heartbeat.objects.get(name="scheduler").beat_at == at("2026-12-07 10:31")
    # The worker is asked again only every few minutes.
    assert Heartbeat.objects.get(name="worker").beat_at == at("2026-12-07 10:30")
    with time_machine.travel(at("2026-12-07 10:36:00"), tick=False):
        sched.tick()
    assert Heartbeat.objects.get(name="worker").beat_at == at("2026-12-07 10:36")


@pytest.mark.django_db
def test_two_schedulers_only_one_acts(calls, monkeypatch):
    first, second = Scheduler(owner="a"), Scheduler(owner="b")
    seen = {}

    def backup_while_the_second_ticks():
        seen["second"] = second.tick()
        return "ok"

    monkeypatch.setitem(scheduler.JOBS, "backup", ("每日备份", backup_while_the_second_ticks))
    with time_machine.travel(at("2026-12-07 10:30:00"), tick=False):
        assert first.tick().acted
    assert (seen["second"].acted, seen["second"].ran) == (False, {})
    assert calls == ["send_reminders", "send_meeting_notices", "send_problem_reminders", "campaign_daily"]
    assert SchedulerRun.objects.count() == 5
    # The lock is given up at the end of a tick: the other scheduler acts next.
    calls.clear()
    with time_machine.travel(at("2026-12-07 11:30:00"), tick=False):
        assert second.tick().acted
    assert calls == ["send_reminders", "send_meeting_notices", "send_problem_reminders", "campaign_daily"]
    assert not Heartbeat.objects.filter(name=scheduler.LOCK_ROW).exists()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the lease row is SQLite's lock")
def test_on_sqlite_a_lease_left_by_a_dead_scheduler_is_taken_over_when_old(calls):
    Heartbeat.objects.create(name=scheduler.LOCK_ROW, beat_at=at("2026-12-07 09:00"), detail="dead:1:x")
    with time_machine.travel(at("2026-12-07 10:30:00"), tick=False):
        assert not Scheduler().tick().acted
    with time_machine.travel(at("2026-12-07 11:00:01"), tick=False):
        assert Scheduler().tick().acted
    assert len(calls) == 5


@pytest.mark.django_db
def test_once_prints_what_ran(calls):
    out = StringIO()
    with time_machine.travel(at("2026-12-07 10:30:00"), tick=False):
        call_command("run_scheduler", "--once", stdout=out)
    assert out.getvalue().splitlines() == [
        "届期提醒（send_reminders）：成功",
        "联络组会议通知（send_meeting_notices）：成功",
        "问题超期提醒（send_problem_reminders）：成功",
        "新连心汇总与回访（campaign_daily）：成功",
        "每日备份（backup）：成功",
    ]


# -- backups -------------------------------------------------------------------------------------


def test_nightly_backups_keep_the_newest_and_leave_other_files_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(backup, "backup", lambda target: target.write_bytes(b"archive"))
    (tmp_path / "notes.txt").write_text("operator's own file")
    made = []
    for day in range(1, 6):
        with time_machine.travel(at(f"2026-12-0{day} 02:30:00"), tick=False):
            path, removed = backup.backup_nightly(tmp_path, keep=3)
        made.append((path.name, [p.name for p in removed]))
    assert made[-1] == ("qiangji-backup-20261205-023000.tar.gz", ["qiangji-backup-20261202-023000.tar.gz"])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "notes.txt",
        "qiangji-backup-20261203-023000.tar.gz",
        "qiangji-backup-20261204-023000.tar.gz",
        "qiangji-backup-20261205-023000.tar.gz",
    ]


def test_the_backup_directory_is_created_private(tmp_path, monkeypatch):
    monkeypatch.setattr(backup, "backup", lambda target: target.write_bytes(b"archive"))
    backup.backup_nightly(tmp_path / "backups" / "qiangji", keep=2)
    assert (tmp_path / "backups" / "qiangji").stat().st_mode & 0o777 == 0o700


@pytest.mark.django_db(transaction=True)
def test_the_scheduled_backup_writes_a_real_archive_into_the_backup_directory(settings, tmp_path):
    settings.QIANGJI_SCHEDULE = {"backup": "daily 02:30"}
    settings.QIANGJI_BACKUP_DIR = tmp_path / "backups"
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(at("2026-12-07 02:31:00"), tick=False):
        Scheduler().tick()
    run = SchedulerRun.objects.get(job="backup")
    archive = tmp_path / "backups" / "qiangji-backup-20261207-023100.tar.gz"
    assert run.outcome == "succeeded"
    assert run.detail == f"qiangji-backup-20261207-023100.tar.gz（{archive.stat().st_size} 字节），删除旧备份0个"
    with tarfile.open(archive) as tar:
        assert tar.getnames()[0] == "manifest.json"


@pytest.mark.django_db
def test_the_real_jobs_run_on_a_town(settings, town, users):
    settings.QIANGJI_SCHEDULE = settings.QIANGJI_SCHEDULE | {"backup": "off"}
    with time_machine.travel(at("2026-12-07 10:30:00"), tick=False):
        result = Scheduler().tick()
    assert result.ran == {
        "send_reminders": "succeeded",
        "send_meeting_notices": "succeeded",
        "send_problem_reminders": "succeeded",
        "campaign_daily": "succeeded",
    }, list(SchedulerRun.objects.values_list("detail", flat=True))
