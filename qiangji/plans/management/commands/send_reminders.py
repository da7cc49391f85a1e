"""`manage.py send_reminders [--date YYYY-MM-DD]`: the scheduler's entry point for reminders.

Idempotent and catching up: run it daily (or hourly, or after downtime); every reminder due is
sent once, whatever was missed, and nothing is ever sent twice.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qiangji.plans.services import term_reminders_send


class Command(BaseCommand):
    help = "发送到期的届期提醒（可重复运行，不会重复发送，会补发漏发的提醒）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按这一天计算（YYYY-MM-DD），默认今天")

    def handle(self, *args, **options):
        try:
            today = dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD")
        sent = term_reminders_send(today=today)
        for reminder in sent:
            self.stdout.write(
                f"{reminder.organization.name}：{reminder.get_stage_display()}（{reminder.term_end}），通知{reminder.recipient_count}人"
            )
        self.stdout.write(f"共发送届期提醒{len(sent)}条。")
