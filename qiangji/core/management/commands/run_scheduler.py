"""`manage.py run_scheduler [--once]`: the periodic jobs (qiangji/core/scheduler.py; docs/operations.md)."""

import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from qiangji.core.scheduler import JOBS, ScheduleError, Scheduler

TICK_SECONDS = 30


class Command(BaseCommand):
    help = "定时任务调度器：按设置的时间运行提醒、汇总和备份等定时任务（同一时间只有一个调度器在工作）"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只检查并运行一轮到期的任务后退出（供测试或 cron 使用）")

    def handle(self, *args, once: bool, **options):
        try:
            scheduler = Scheduler()
        except ScheduleError as exc:
            raise CommandError(str(exc)) from None
        if once:
            self._report(scheduler.tick())
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(f"调度器已启动（{scheduler.owner}），任务：{'、'.join(JOBS[job][0] for job in scheduler.specs)}。")
        while not stop.is_set():
            # A database restarted in the meantime leaves a broken connection: drop it, reconnect.
            close_old_connections()
            try:
                self._report(scheduler.tick())
            except Exception as exc:
                self.stderr.write(f"本轮调度失败：{exc}")
            stop.wait(TICK_SECONDS)
        self.stdout.write("调度器已停止。")

    def _report(self, result) -> None:
        if not result.acted:
            self.stdout.write("另一个调度器正在工作，本轮跳过。")
        for job, outcome in result.ran.items():
            self.stdout.write(f"{JOBS[job][0]}（{job}）：{'成功' if outcome == 'succeeded' else '失败'}")
