"""Yearly work plans filed by each organization, and the record of term reminders sent."""

import datetime as dt

from django.conf import settings
from django.db import models

from qiangji.core.access import ScopedQuerySet
from qiangji.core.concurrency import Versioned


def plan_upload_to(instance: "WorkPlan", filename: str) -> str:
    return f"plans/{instance.year}/{instance.organization_id}/{filename}"


class WorkPlanQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"

    def filed(self) -> "WorkPlanQuerySet":
        return self.filter(status=WorkPlan.Status.FILED)


class WorkPlan(Versioned):
    """An organization's yearly work plan (工作计划备案): text, a file, or both.

    One per organization and year; filing again replaces it. The town may return a plan with a
    comment, after which it counts as not filed until it is filed again.
    """

    class Status(models.TextChoices):
        FILED = "filed", "已备案"
        RETURNED = "returned", "已退回"

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="党组织", related_name="work_plans", on_delete=models.PROTECT
    )
    # What someone whose filing came too late is shown.
    EDIT_FIELDS = ("title", "text", "file", "status", "comment", "filed_by", "filed_at")

    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("标题", max_length=100)
    text = models.TextField("计划内容", blank=True)
    file = models.FileField("计划文件", upload_to=plan_upload_to, blank=True, max_length=255)
    file_name = models.CharField("原文件名", max_length=255, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.FILED)
    comment = models.TextField("退回意见", blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="备案人", related_name="+", null=True, on_delete=models.SET_NULL
    )
    filed_at = models.DateTimeField("备案时间")
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="退回人", related_name="+", null=True, blank=True, on_delete=models.SET_NULL
    )
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)

    objects = WorkPlanQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "工作计划备案"
        ordering = ["-year", "organization__path"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="unique_work_plan_year")]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}年工作计划"

    def last_edit(self) -> tuple[str, dt.datetime] | None:
        """The latest filing or return: a plan keeps no other history."""
        if self.returned_at and self.returned_at >= self.filed_at:
            return (str(self.returned_by) if self.returned_by_id else "系统"), self.returned_at
        return (str(self.filed_by) if self.filed_by_id else "系统"), self.filed_at


class TermReminder(models.Model):
    """A term reminder that was sent: at most one per organization, term end and stage.

    The unique key makes sending idempotent, so the catch-up job may run late, twice or after
    a gap: it sends what is due and never repeats itself.
    """

    class Stage(models.TextChoices):
        SIX_MONTHS = "6m", "6个月内届满"
        ONE_MONTH = "1m", "1个月内届满"
        EXPIRED = "expired", "已届满"

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="党组织", related_name="term_reminders", on_delete=models.CASCADE
    )
    term_end = models.DateField("届满日期")
    stage = models.CharField("提醒阶段", max_length=10, choices=Stage.choices)
    sent_on = models.DateField("提醒日期")
    recipient_count = models.PositiveSmallIntegerField("通知人数", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "届期提醒记录"
        ordering = ["-sent_on", "organization_id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "term_end", "stage"], name="unique_term_reminder"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.term_end} {self.get_stage_display()}"
