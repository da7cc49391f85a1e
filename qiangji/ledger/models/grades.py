"""Yearly grades of organizations (晋位升级) and one rectification plan per weak one (一支部一方案)."""

from django.conf import settings
from django.db import models

from qiangji.core.access import ScopedQuerySet
from qiangji.core.concurrency import Versioned


class GradeLevel(Versioned):
    """One grade of the town's list (好, 较好, 一般, 差 by default; RULES.md "Grades").

    Kept as data: a town may rename or add grades; `needs_plan` says which ones call for a
    rectification plan (较好 and below by default).
    """

    EDIT_FIELDS = ("name", "rank", "needs_plan", "active")

    name = models.CharField("等次", max_length=10, unique=True)
    rank = models.PositiveSmallIntegerField("排序（1为最好）", unique=True)
    needs_plan = models.BooleanField("需制定整改方案", default=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "晋位升级等次"
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class GradeQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"


class Grade(models.Model):
    """The grade the town gave one organization for one year."""

    HISTORY_FIELDS = ("level", "note")

    organization = models.ForeignKey("orgs.Organization", verbose_name="党组织", related_name="grades", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField("年度")
    level = models.ForeignKey(GradeLevel, verbose_name="等次", related_name="grades", on_delete=models.PROTECT)
    note = models.TextField("评定说明", blank=True)
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", null=True, on_delete=models.SET_NULL)
    graded_at = models.DateTimeField(auto_now=True)

    objects = GradeQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "晋位升级评定"
        ordering = ["-year", "organization__path"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="unique_grade_year")]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}年：{self.level}"


class RectificationPlanQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"


class RectificationPlan(Versioned):
    """The rectification plan (一支部一方案) of an organization graded 较好 or below for a year.

    Its items are `Measure` rows (owner, deadline, progress, check), the same machinery that
    tracks a problem's measures; its liaison group checks the items.
    """

    HISTORY_FIELDS = ("title", "analysis", "goals")

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="党组织", related_name="rectification_plans", on_delete=models.PROTECT
    )
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("方案名称", max_length=100)
    analysis = models.TextField("问题分析")
    goals = models.TextField("整改目标", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RectificationPlanQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "整改方案"
        ordering = ["-year", "organization__path"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="unique_rectification_plan_year")]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}年整改方案"
