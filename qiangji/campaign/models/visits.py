"""Three-person teams (三人行), their visit tasks, visits with the five musts (五必须), the review of
each visit (ODK/Kobo-style: submitted → has issues → approved / rejected) and service cards."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from qiangji.campaign.access import NOTHING, entity_scope_q, runs_campaign, team_grid_ids
from qiangji.core.concurrency import Versioned
from qiangji.core.personal import PersonalJSONField


class VisitTeam(Versioned):
    """A three-person visiting team (三人行) assigned to one grid; its members are users."""

    EDIT_FIELDS = ("name", "grid", "members", "leader", "active")

    name = models.CharField("队伍名称", max_length=50, unique=True)
    grid = models.ForeignKey("orgs.Grid", verbose_name="负责网格", related_name="visit_teams", on_delete=models.PROTECT)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="队员", related_name="visit_teams", blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="队长", related_name="+", null=True, blank=True, on_delete=models.SET_NULL
    )
    active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "走访队伍"
        ordering = ["grid__number", "name"]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    """One of the five musts (五必须); the town edits the list, visits keep what they were asked."""

    label = models.CharField("事项", max_length=100)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "五必须事项"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.label


DEFAULT_CHECKLIST = (
    "见到主体负责人",
    "核实基本信息",
    "摸清党员情况",
    "宣讲党建政策",
    "留下服务卡和联系方式",
)


class CareItem(models.Model):
    """One of the three sends or three asks (三送三问) a care visit goes out with, as the town
    defines them: a send is ticked with what was delivered, an ask is answered. The town edits
    the lists; a visit keeps the items as it was asked them."""

    class Kind(models.TextChoices):
        SEND = "send", "送"
        ASK = "ask", "问"

    kind = models.CharField("类别", max_length=4, choices=Kind.choices)
    label = models.CharField("事项", max_length=50)
    prompt = models.CharField("说明或问题", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "三送三问事项"
        ordering = ["kind", "order", "id"]

    def __str__(self) -> str:
        return self.label


# The town's three sends and three asks when it has not defined its own: (label, prompt).
DEFAULT_SENDS = (
    ("送政策", "宣讲惠企政策、党建政策，送上政策汇编"),
    ("送服务", "帮办代办、用工招聘、融资对接等实事"),
    ("送温暖", "走访慰问，发放暖心加油包"),
)
DEFAULT_ASKS = (
    ("问需求", "近期在经营发展、党建工作上有什么需求？"),
    ("问困难", "遇到了哪些困难和问题，需要镇里协调解决？"),
    ("问建议", "对镇党委、政府的工作有什么意见建议？"),
)


class TaskQuerySet(models.QuerySet):
    def for_user(self, user: Any) -> "TaskQuerySet":
        """Team members see their grids' tasks; the town sees all; others see tasks of the
        entities they see."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if runs_campaign(user):
            return self.all()
        grids = team_grid_ids(user)
        q = Q(grid_id__in=grids) if grids else NOTHING
        seen = entity_scope_q(user, "entity__")
        if seen is not None and seen != NOTHING:
            q |= seen
        return self.filter(q)

    def open(self) -> "TaskQuerySet":
        return self.filter(status__in=(VisitTask.Status.OPEN, VisitTask.Status.SUBMITTED))


class VisitTask(models.Model):
    """A visit to make: to verify a batch record (校核) or a regular care visit (三送三问)."""

    class Kind(models.TextChoices):
        VERIFY = "verify", "底数校核"
        CARE = "care", "三送三问回访"

    class Status(models.TextChoices):
        OPEN = "open", "待走访"
        SUBMITTED = "submitted", "待审核"
        DONE = "done", "已完成"
        CANCELLED = "cancelled", "已取消"

    kind = models.CharField("任务类型", max_length=10, choices=Kind.choices, default=Kind.VERIFY)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    entity = models.ForeignKey(
        "Entity", verbose_name="主体", related_name="tasks", null=True, blank=True, on_delete=models.CASCADE
    )
    record = models.OneToOneField(
        "BaseRecord", verbose_name="底数记录", related_name="task", null=True, blank=True, on_delete=models.CASCADE
    )
    grid = models.ForeignKey("orgs.Grid", verbose_name="网格", related_name="visit_tasks", on_delete=models.PROTECT)
    team = models.ForeignKey(
        VisitTeam, verbose_name="走访队伍", related_name="tasks", null=True, blank=True, on_delete=models.SET_NULL
    )
    title = models.CharField("走访对象", max_length=200)
    reason = models.CharField("走访事由", max_length=300, blank=True)
    due_on = models.DateField("完成期限")
    created_at = models.DateTimeField("派发时间", auto_now_add=True)
    closed_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "走访任务"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "grid"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"


class VisitQuerySet(models.QuerySet):
    def for_user(self, user: Any) -> "VisitQuerySet":
        return self.filter(task__in=VisitTask.objects.for_user(user))


class Visit(models.Model):
    """One visit as a team member recorded it, and its review.

    `client_uuid` is made by the browser (or app) when the form is opened: a visit kept offline
    and sent twice when the connection comes back is stored once.
    """

    class State(models.TextChoices):
        SUBMITTED = "submitted", "已提交"
        HAS_ISSUES = "has_issues", "退回修改"
        APPROVED = "approved", "审核通过"
        REJECTED = "rejected", "不予采纳"

    # action: (states it may start from, state it leads to)
    TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
        "send_back": ((State.SUBMITTED,), State.HAS_ISSUES),
        "resubmit": ((State.HAS_ISSUES,), State.SUBMITTED),
        "approve": ((State.SUBMITTED,), State.APPROVED),
        "reject": ((State.SUBMITTED, State.HAS_ISSUES), State.REJECTED),
    }

    # Facts a visit can correct, as the register names them.
    FACT_FIELDS = (
        "name",
        "credit_code",
        "kind",
        "address",
        "person_in_charge",
        "phone",
        "employees",
        "party_members",
        "has_party_org",
    )

    task = models.ForeignKey(VisitTask, verbose_name="走访任务", related_name="visits", on_delete=models.CASCADE)
    team = models.ForeignKey(
        VisitTeam, verbose_name="走访队伍", related_name="visits", null=True, blank=True, on_delete=models.SET_NULL
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报人", related_name="+", null=True, on_delete=models.SET_NULL
    )
    visited_on = models.DateField("走访日期")
    client_uuid = models.UUIDField("客户端编号", unique=True, null=True, blank=True)
    state = models.CharField("审核状态", max_length=12, choices=State.choices, default=State.SUBMITTED)
    checklist = models.JSONField("五必须", default=list, help_text="[{label, done}]：填报时的事项及完成情况")
    # A care visit's (三送三问) answers, with the items as asked then; empty for a verify visit.
    sends = models.JSONField("三送", default=list, blank=True, help_text="[{label, prompt, done, note}]")
    asks = models.JSONField("三问", default=list, blank=True, help_text="[{label, prompt, answer}]")
    # Corrected facts, field → value, as the visitor found them (only what differs or was missing);
    # the entity's personal fields (the phone) are encrypted in the table.
    facts = PersonalJSONField("核实信息", default=dict, blank=True, keys_of="campaign.Entity")
    found_exists = models.BooleanField("主体实际存在", default=True)
    party_members_found = models.PositiveIntegerField("发现党员数", default=0)
    wants_party_org = models.BooleanField("有建立党组织意愿", default=False)
    needs = models.TextField("诉求与需求", blank=True)
    problems = models.TextField("发现的问题", blank=True)
    care_package = models.BooleanField("已发放暖心加油包", default=False)
    # The number of the 新连心 card handed out; the card itself is recorded (and traceable to the
    # entity) when the visit is approved, as a new entity only exists from then on.
    card_number = models.CharField("服务卡编号", max_length=30, blank=True)
    notes = models.TextField("备注", blank=True)
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    review_comment = models.TextField("审核意见", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", related_name="+", null=True, blank=True, on_delete=models.SET_NULL
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    problem = models.ForeignKey(
        "ledger.Problem", verbose_name="登记的问题", related_name="+", null=True, blank=True, on_delete=models.SET_NULL
    )

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "走访记录"
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["state", "visited_on"])]

    def __str__(self) -> str:
        return f"{self.task.title} {self.visited_on}"

    def allowed_actions(self) -> list[str]:
        return [a for a, (sources, _) in self.TRANSITIONS.items() if self.state in sources]

    @property
    def checklist_done(self) -> bool:
        return all(item.get("done") for item in self.checklist)

    @property
    def sends_done(self) -> int:
        """How many of a care visit's sends were delivered."""
        return sum(1 for item in self.sends if item.get("done"))


class VisitEvent(models.Model):
    """One step of a visit's review, kept: who, when, from, to, comment."""

    visit = models.ForeignKey(Visit, related_name="events", on_delete=models.CASCADE)
    action = models.CharField("操作", max_length=20)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "走访审核记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state} → {self.to_state}"


class ServiceCard(models.Model):
    """A numbered "新连心" service card handed out at a first visit; the number traces back."""

    number = models.CharField("服务卡编号", max_length=30, unique=True)
    entity = models.ForeignKey("Entity", verbose_name="主体", related_name="service_cards", on_delete=models.PROTECT)
    visit = models.OneToOneField(Visit, verbose_name="发放走访", related_name="service_card", on_delete=models.PROTECT)
    issued_on = models.DateField("发放日期")

    class Meta:
        verbose_name = verbose_name_plural = "新连心服务卡"
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number
