"""`manage.py send_problem_reminders [--date YYYY-MM-DD]`: overdue problems, owner → liaison → town.

Idempotent and catching up: run it hourly (or after downtime); the stages are read from the days
overdue, so every stage due is sent once, whatever was missed, and nothing is ever sent twice.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qiangji.ledger.services import problems_escalate


class Command(BaseCommand):
    help = "发送问题超期提醒：先提醒整改责任人，再提醒指导联络组和镇党委（可重复运行，不会重复发送，会补发漏发的提醒）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按这一天计算（YYYY-MM-DD），默认今天")

    def handle(self, *args, **options):
        try:
            today = dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD") from None
        sent = problems_escalate(today=today)
        self.stdout.write(
            f"{today:%Y-%m-%d} 问题超期提醒：整改责任人{sent['owner']}条，指导联络组{sent['liaison']}条，"
            f"镇党委{sent['town']}条，共{sum(sent.values())}条。"
        )
