"""`manage.py send_meeting_notices [--now YYYY-MM-DD[THH:MM]]`: tell liaison groups of meetings.

Idempotent and catching up: run it hourly (or daily, or after downtime); every notice due is
sent once, whatever was missed, and nothing is ever sent twice.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qiangji.liaison.services import meeting_notices_send


def _today(value: str | None) -> dt.date:
    if not value:
        return timezone.localdate()
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError("时间格式应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM")
    if timezone.is_aware(moment):
        return timezone.localdate(moment)
    return moment.date()


class Command(BaseCommand):
    help = "向指导联络组发送党员大会、主题党日的计划召开通知和会前提醒（可重复运行，不会重复发送，会补发漏发的通知）"

    def add_arguments(self, parser):
        parser.add_argument("--now", help="按这一时刻计算（YYYY-MM-DD 或 ISO 时间），默认现在")

    def handle(self, *args, **options):
        sent = meeting_notices_send(today=_today(options["now"]))
        for notice in sent:
            self.stdout.write(
                f"{notice.group.name}：{notice.meeting.organization.name}{notice.meeting_date}"
                f"{notice.meeting.get_kind_display()}，{notice.get_stage_display()}，通知{notice.recipient_count}人"
            )
        self.stdout.write(f"共发送联络组会议通知{len(sent)}条。")
