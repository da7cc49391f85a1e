"""The campaign's own reports: the daily summary (一日一汇总) and weekly analysis (一周一分析)."""

from django.db import models


class Summary(models.Model):
    """A generated summary of a day or a week, kept as it was written (history of past reports).

    Figures are computed from the records (visits, register changes, coverage) by the service;
    generating the same period again replaces its figures and keeps one row per period.
    """

    class Kind(models.TextChoices):
        DAILY = "daily", "一日一汇总"
        WEEKLY = "weekly", "一周一分析"

    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    figures = models.JSONField("数据", default=dict)
    generated_at = models.DateTimeField("生成时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "汇总分析"
        ordering = ["-start", "kind"]
        constraints = [models.UniqueConstraint(fields=["kind", "start"], name="unique_summary_period")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start}"
