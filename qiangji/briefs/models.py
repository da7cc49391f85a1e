"""The work brief (工作简报): text written from the figures, edited by the town, then issued."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from qiangji.core.access import TOWN_ADMIN, Action, Scope, ScopedQuerySet
from qiangji.core.concurrency import Versioned


class WorkBriefQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"

    def extra_scope_q(self, scope: Scope, action: Action) -> Q | None:
        # A brief of a liaison group's organizations belongs to the group and to the town.
        if scope.has_role(TOWN_ADMIN):
            return Q(group__isnull=False)
        if scope.liaison_group_ids:
            return Q(group_id__in=scope.liaison_group_ids)
        return None


class WorkBrief(Versioned):
    """A brief for a date range and a part of the tree (an organization's subtree or a liaison
    group's organizations). While a draft its figures and generated text follow the records;
    issuing freezes the text and a snapshot of the figures, so later records never change it."""

    class Style(models.TextChoices):
        EXACT = "exact", "准确数字"
        PUBLICITY = "publicity", "宣传稿（约数）"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        ISSUED = "issued", "已签发"

    HISTORY_FIELDS = ("title", "start", "end", "organization", "group", "style", "text", "status", "issued_by", "issued_at")
    EDIT_FIELDS = ("title", "text")

    title = models.CharField("标题", max_length=100)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="党组织", related_name="+", null=True, blank=True, on_delete=models.PROTECT
    )
    group = models.ForeignKey(
        "orgs.LiaisonGroup", verbose_name="指导联络组", related_name="+", null=True, blank=True, on_delete=models.PROTECT
    )
    style = models.CharField("口径", max_length=10, choices=Style.choices, default=Style.EXACT)
    generated_text = models.TextField("生成稿", blank=True)
    text = models.TextField("正文", blank=True)
    # KEY → {"label", "value", "unit"}: as generated, and frozen when issued.
    figures = models.JSONField("数据", default=dict, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签发人", related_name="+", null=True, blank=True, on_delete=models.SET_NULL
    )
    issued_at = models.DateTimeField("签发时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="起草人", related_name="+", null=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkBriefQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "工作简报"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(organization__isnull=False) | Q(group__isnull=False), name="brief_has_part"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="brief_range_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def issued(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def part_label(self) -> str:
        if self.group_id:
            return f"{self.group.name}联系的党组织"
        return self.organization.name if self.organization_id else ""
