"""Problems (问题) and what hangs on them: events, measures, long-term mechanisms, public reports.

A problem's state only changes through `Problem.TRANSITIONS`, applied by the services; every
change leaves a `ProblemEvent` (who, when, from, to, why), so nothing is ever overwritten.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from qiangji.core.access import Action, ScopedQuerySet, get_scope
from qiangji.core.concurrency import Versioned
from qiangji.core.crypto import EncryptedTextField
from qiangji.core.personal import masks_for
from qiangji.orglife.models import validate_attachment


class ProblemSource(models.TextChoices):
    VISIT_TALK = "visit_talk", "走访座谈"
    PETITION = "petition", "信访"
    WECHAT = "wechat", "微信平台"
    ORG_LIFE = "org_life", "组织生活会"
    INSPECTION = "inspection", "巡视巡察"
    HOTLINE = "hotline", "12345热线"
    SELF_CHECK = "self_check", "自查"
    PUBLIC = "public", "群众反映"


class ProblemQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"

    def for_user(self, user: Any, action: Action = "view") -> "ProblemQuerySet":
        # The responsible person sees and works on their own problems wherever they sit.
        scoped = super().for_user(user, action)
        if get_scope(user).superuser or not getattr(user, "is_authenticated", False):
            return scoped
        return (scoped | self.filter(owner=user)).distinct() if action == "view" else scoped

    def open(self) -> "ProblemQuerySet":
        return self.filter(state__in=Problem.OPEN_STATES)

    def counted(self) -> "ProblemQuerySet":
        """Problems that count in the seed's figures: not merged into another, not withdrawn."""
        return self.exclude(state__in=(Problem.State.MERGED, Problem.State.WITHDRAWN))

    def overdue(self, today: dt.date) -> "ProblemQuerySet":
        return self.open().filter(deadline__lt=today)


class Problem(Versioned):
    """One problem in the self-reform ledger, from registration (挂号) to closing (销号)."""

    class State(models.TextChoices):
        REGISTERED = "registered", "已挂号"
        IN_PROGRESS = "in_progress", "整改中"
        DISPUTED = "disputed", "有异议"
        AWAITING_CHECK = "awaiting_check", "待验收"
        CLOSED = "closed", "已销号"
        MERGED = "merged", "已合并"
        WITHDRAWN = "withdrawn", "已撤销"

    class FixKind(models.TextChoices):
        IMMEDIATE = "immediate", "即知即改"
        LONG_TERM = "long_term", "长效机制"

    Source = ProblemSource
    OPEN_STATES = (State.REGISTERED, State.IN_PROGRESS, State.DISPUTED, State.AWAITING_CHECK)

    # action: (states it may start from, state it leads to); None keeps the state.
    TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
        "start": ((State.REGISTERED,), State.IN_PROGRESS),
        "reassign": ((State.REGISTERED, State.IN_PROGRESS, State.DISPUTED), State.REGISTERED),
        "dispute": ((State.REGISTERED, State.IN_PROGRESS), State.DISPUTED),
        "uphold": ((State.DISPUTED,), State.IN_PROGRESS),
        "submit": ((State.IN_PROGRESS,), State.AWAITING_CHECK),
        "send_back": ((State.AWAITING_CHECK,), State.IN_PROGRESS),
        "close": ((State.AWAITING_CHECK,), State.CLOSED),
        "close_immediate": ((State.REGISTERED, State.IN_PROGRESS), State.CLOSED),
        "merge": ((State.REGISTERED, State.IN_PROGRESS, State.DISPUTED, State.AWAITING_CHECK), State.MERGED),
        "withdraw": ((State.REGISTERED, State.IN_PROGRESS, State.DISPUTED), State.WITHDRAWN),
        "reopen": ((State.CLOSED,), State.IN_PROGRESS),
    }
    ACTION_LABELS = {
        "register": "挂号",
        "update": "修改",
        "analyse": "分析",
        "start": "开始整改",
        "reassign": "改派责任人",
        "dispute": "提出异议",
        "uphold": "维持交办",
        "submit": "提交验收",
        "send_back": "验收退回",
        "close": "验收销号",
        "close_immediate": "即知即改销号",
        "merge": "合并",
        "withdraw": "撤销",
        "reopen": "重新打开",
        "postpone": "调整期限",
        "measure_add": "新增整改措施",
        "measure_progress": "填报措施进展",
        "measure_check": "验收整改措施",
        "mechanism": "关联长效机制",
    }

    HISTORY_FIELDS = (
        "source",
        "organization",
        "village",
        "category",
        "description",
        "external_ref",
        "owner",
        "deadline",
        "root_cause",
        "fix_kind",
    )

    # What someone whose edit came too late is shown: the state first, then what they edit.
    EDIT_FIELDS = ("state", *HISTORY_FIELDS)

    number = models.CharField("挂号编号", max_length=20, unique=True, editable=False)
    source = models.CharField("问题来源", max_length=20, choices=ProblemSource.choices)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="党组织", related_name="problems", on_delete=models.PROTECT
    )
    village = models.ForeignKey(
        "orgs.Village", verbose_name="所在村居", related_name="problems", null=True, blank=True, on_delete=models.SET_NULL
    )
    category = models.CharField("问题类别", max_length=30, blank=True)
    description = models.TextField("问题描述")
    external_ref = models.CharField("外部编号", max_length=50, blank=True, help_text="如12345工单号、信访件编号")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="整改责任人", related_name="owned_problems", on_delete=models.PROTECT
    )
    deadline = models.DateField("整改期限")
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.REGISTERED, db_index=True)
    root_cause = models.TextField("原因分析", blank=True)
    fix_kind = models.CharField("整改类型", max_length=20, choices=FixKind.choices, blank=True)
    evidence = models.TextField("整改成效及佐证", blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name="合并到", related_name="merged_problems", null=True, blank=True, on_delete=models.PROTECT
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", related_name="+", null=True, on_delete=models.SET_NULL
    )
    registered_on = models.DateField("挂号日期", db_index=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="验收人", related_name="+", null=True, blank=True, on_delete=models.SET_NULL
    )
    closed_on = models.DateField("销号日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "问题"
        ordering = ["-registered_on", "-id"]
        indexes = [models.Index(fields=["state", "deadline"], name="problem_state_deadline")]
        constraints = [
            # A re-import of the same hotline or petition export updates instead of duplicating.
            models.UniqueConstraint(
                fields=["source", "external_ref"], condition=~Q(external_ref=""), name="unique_problem_external_ref"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.headline}"

    def last_edit(self) -> tuple[str, dt.datetime] | None:
        """Who last changed the problem and when: its own event log, not the change history."""
        event = self.events.select_related("by").order_by("-at", "-id").first()
        return ((str(event.by) if event.by else "系统"), event.at) if event else None

    @property
    def headline(self) -> str:
        text = " ".join(self.description.split())
        return text if len(text) <= 40 else text[:39] + "…"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.deadline < today

    def days_overdue(self, today: dt.date) -> int:
        return (today - self.deadline).days if self.is_overdue(today) else 0

    def allowed_actions(self) -> list[str]:
        return [a for a, (sources, _) in self.TRANSITIONS.items() if self.state in sources]


class ProblemEvent(models.Model):
    """One step in a problem's life: append-only, the problem's whole story in order."""

    problem = models.ForeignKey(Problem, related_name="events", on_delete=models.CASCADE)
    action = models.CharField("操作", max_length=20)
    from_state = models.CharField("原状态", max_length=20, blank=True)
    to_state = models.CharField("新状态", max_length=20, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", related_name="+", null=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    reason = models.TextField("说明", blank=True)
    data = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "问题处理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.problem.number} {self.action_label}"

    @property
    def action_label(self) -> str:
        return Problem.ACTION_LABELS.get(self.action, self.action)

    @property
    def from_label(self) -> str:
        return Problem.State(self.from_state).label if self.from_state else ""

    @property
    def to_label(self) -> str:
        return Problem.State(self.to_state).label if self.to_state else ""


def problem_upload_to(instance: "ProblemAttachment", filename: str) -> str:
    return f"problems/{instance.problem_id}/{filename}"


class ProblemAttachment(models.Model):
    """A photo or document of a problem: the report itself, or the evidence of its fix."""

    problem = models.ForeignKey(Problem, related_name="attachments", on_delete=models.CASCADE)
    file = models.FileField("文件", upload_to=problem_upload_to, validators=[validate_attachment], max_length=255)
    name = models.CharField("文件名", max_length=255)
    is_evidence = models.BooleanField("整改佐证", default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", null=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "问题附件"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class MeasureQuerySet(models.QuerySet):
    def open(self) -> "MeasureQuerySet":
        return self.exclude(state=Measure.State.CHECKED)

    def behind(self, today: dt.date) -> "MeasureQuerySet":
        return self.filter(state=Measure.State.OPEN, deadline__lt=today)


class Measure(models.Model):
    """A rectification measure (整改措施) with its owner and deadline.

    The same record serves a problem's measures and a rectification plan's items, so both are
    tracked by one machinery: open → done (by the owner, with progress) → checked (by a checker).
    """

    class State(models.TextChoices):
        OPEN = "open", "推进中"
        DONE = "done", "已完成"
        CHECKED = "checked", "已验收"

    problem = models.ForeignKey(Problem, related_name="measures", null=True, blank=True, on_delete=models.CASCADE)
    plan = models.ForeignKey("ledger.RectificationPlan", related_name="items", null=True, blank=True, on_delete=models.CASCADE)
    description = models.TextField("措施内容")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="责任人", related_name="measures", on_delete=models.PROTECT)
    deadline = models.DateField("完成时限")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    progress_note = models.TextField("进展情况", blank=True)
    done_on = models.DateField("完成日期", null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="验收人", related_name="+", null=True, blank=True, on_delete=models.SET_NULL
    )
    checked_on = models.DateField("验收日期", null=True, blank=True)
    check_note = models.TextField("验收意见", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "整改措施"
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(problem__isnull=False, plan__isnull=True) | Q(problem__isnull=True, plan__isnull=False),
                name="measure_belongs_to_problem_or_plan",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="measure_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return self.description[:40]

    def is_behind(self, today: dt.date) -> bool:
        return self.state == self.State.OPEN and self.deadline < today

    @property
    def organization(self) -> Any:
        return self.problem.organization if self.problem_id else self.plan.organization


class MechanismQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"


class Mechanism(models.Model):
    """A long-term mechanism (长效机制) established or put into effect against recurring problems.

    Counted, never typed: the seed's "建立或落实长效机制K个" is the number of these in a date range.
    """

    class Kind(models.TextChoices):
        ESTABLISHED = "established", "建立"
        ENFORCED = "enforced", "落实"

    name = models.CharField("机制名称", max_length=100)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="党组织", related_name="mechanisms", on_delete=models.PROTECT
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    effective_on = models.DateField("建立/落实日期")
    description = models.TextField("主要内容", blank=True)
    problems = models.ManyToManyField(Problem, verbose_name="针对问题", related_name="mechanisms", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MechanismQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "长效机制"
        ordering = ["-effective_on", "-id"]

    def __str__(self) -> str:
        return self.name


class PublicReport(models.Model):
    """A problem reported by the public on the phone page, waiting for a town user to accept it.

    Kept apart from the ledger: until accepted it is not a problem, and the reporter's contact
    (optional) is personal data, encrypted and shown masked.
    """

    class State(models.TextChoices):
        PENDING = "pending", "待受理"
        ACCEPTED = "accepted", "已受理"
        REJECTED = "rejected", "不予受理"

    SENSITIVE_MASKS = masks_for("ledger.PublicReport")

    reference = models.CharField("受理编号", max_length=20, unique=True, editable=False)
    description = models.TextField("反映内容")
    village = models.ForeignKey("orgs.Village", verbose_name="所在村居", null=True, blank=True, on_delete=models.SET_NULL)
    name = models.CharField("姓名", max_length=30, blank=True)
    phone = EncryptedTextField("联系电话", blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    problem = models.OneToOneField(
        Problem, verbose_name="挂号问题", related_name="public_report", null=True, blank=True, on_delete=models.SET_NULL
    )
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", null=True, blank=True, on_delete=models.SET_NULL)
    handled_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField("处理说明", blank=True)
    client_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "群众反映"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.description[:30]}"
