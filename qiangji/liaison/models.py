"""Liaison attendance (列席): a liaison group attends the assemblies and theme days of its
organizations (凡党员大会必列席、凡主题活动必参加), and is told of each one ahead."""

from django.conf import settings
from django.db import models

from qiangji.orglife.models import MeetingKind

# The meetings a liaison group must attend.
LIAISON_KINDS = (MeetingKind.ASSEMBLY, MeetingKind.THEME_DAY)


class LiaisonAttendance(models.Model):
    """Whether a liaison group attended (列席) one meeting of its organizations, and who went."""

    meeting = models.ForeignKey(
        "orglife.Meeting", verbose_name="会议", related_name="liaison_attendances", on_delete=models.CASCADE
    )
    group = models.ForeignKey(
        "orgs.LiaisonGroup", verbose_name="指导联络组", related_name="attendances", on_delete=models.CASCADE
    )
    attended = models.BooleanField("已列席")
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="列席人员", related_name="+", blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", related_name="+", null=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "联络组列席记录"
        ordering = ["-recorded_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "group"], name="unique_liaison_attendance")]

    def __str__(self) -> str:
        return f"{self.group} · {self.meeting}：{'已列席' if self.attended else '未列席'}"


class MeetingNotice(models.Model):
    """A notice sent to a liaison group about one meeting: once per meeting date and stage.

    The unique key makes the catch-up job idempotent: it may run late, twice or after a gap and
    sends each notice once; a meeting moved to another day is announced afresh.
    """

    class Stage(models.TextChoices):
        SCHEDULED = "scheduled", "计划召开通知"
        DAY_BEFORE = "day_before", "会前提醒"

    meeting = models.ForeignKey("orglife.Meeting", verbose_name="会议", related_name="+", on_delete=models.CASCADE)
    group = models.ForeignKey("orgs.LiaisonGroup", verbose_name="指导联络组", related_name="+", on_delete=models.CASCADE)
    stage = models.CharField("通知阶段", max_length=20, choices=Stage.choices)
    meeting_date = models.DateField("会议日期")
    sent_on = models.DateField("通知日期")
    recipient_count = models.PositiveSmallIntegerField("通知人数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "联络组会议通知记录"
        ordering = ["-sent_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "group", "stage", "meeting_date"], name="unique_liaison_meeting_notice"),
        ]

    def __str__(self) -> str:
        return f"{self.group} · {self.meeting} · {self.get_stage_display()}"
