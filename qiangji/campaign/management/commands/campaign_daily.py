"""`manage.py campaign_daily [--date YYYY-MM-DD] [--days N] [--weeks N]`: the campaign's daily round.

Idempotent and catching up, like send_problem_reminders: run it hourly (or after downtime). It
writes every daily summary (一日一汇总) of the last N days that is missing or was written before
its day ended (today's is refreshed while the day lasts), every weekly analysis (一周一分析) of the
last N complete weeks likewise, then schedules the care visits (三送三问) that fall due.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qiangji.campaign.services.summaries import summaries_catch_up
from qiangji.campaign.services.visits import care_tasks_schedule
from qiangji.core.errors import DomainError


class Command(BaseCommand):
    help = "生成“新连心”一日一汇总和一周一分析（补齐缺失的），并派发到期的三送三问回访任务（可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按这一天计算（YYYY-MM-DD），默认今天")
        parser.add_argument("--days", type=int, default=7, help="补齐最近多少天的一日一汇总（默认7天）")
        parser.add_argument("--weeks", type=int, default=4, help="补齐最近多少个完整周的一周一分析（默认4周）")

    def handle(self, *args, **options):
        try:
            today = dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD") from None
        if options["days"] < 0 or options["weeks"] < 0 or options["days"] > 366 or options["weeks"] > 53:
            raise CommandError("天数应在 0 至 366 之间，周数应在 0 至 53 之间")
        try:
            done = summaries_catch_up(today=today, days=options["days"], weeks=options["weeks"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        care = care_tasks_schedule(today=today)
        self.stdout.write(
            f"{today:%Y-%m-%d} 新连心：生成一日一汇总{done['daily']}份、一周一分析{done['weekly']}份，"
            f"派发三送三问回访任务{care}个。"
        )
