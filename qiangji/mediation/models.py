"""Mediation studios (老娘舅/老舅妈工作室), their mediators, and cases followed to resolution.

A case's state only moves through `MediationCase.TRANSITIONS` (services apply it); every move
leaves a `CaseEvent`. Parties' names are personal data of people in a dispute: only those who
run the studio's organization see them; nothing of a case is public.
"""

from django.conf import settings
from django.db import models

from qiangji.core.access import ScopedQuerySet


class MediationStudio(models.Model):
    """A mediation studio, run under a Party organization of a village."""

    name = models.CharField("工作室名称", max_length=100, unique=True)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="依托党组织", related_name="studios", on_delete=models.PROTECT
    )
    village = models.ForeignKey("orgs.Village", verbose_name="所在村居", null=True, blank=True, on_delete=models.SET_NULL)
    address = models.CharField("地址", max_length=200, blank=True)
    opening_hours = models.CharField("接待时间", max_length=100, blank=True)
    description = models.TextField("简介", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "调解工作室"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Mediator(models.Model):
    """A mediator of a studio (老娘舅/老舅妈); often a Party member, not always."""

    studio = models.ForeignKey(MediationStudio, related_name="mediators", on_delete=models.CASCADE)
    name = models.CharField("姓名", max_length=50)
    member = models.ForeignKey("members.Member", verbose_name="党员档案", null=True, blank=True, on_delete=models.SET_NULL)
    title = models.CharField("身份", max_length=50, blank=True, help_text="如：退休教师、老村干部")
    active = models.BooleanField("在册", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "调解员"
        ordering = ["studio", "name"]

    def __str__(self) -> str:
        return self.name


class CaseQuerySet(ScopedQuerySet):
    scope_path_lookup = "studio__organization__path"

    def open(self) -> "CaseQuerySet":
        return self.filter(state__in=MediationCase.OPEN_STATES)


class MediationCase(models.Model):
    """A dispute taken in by a studio, from intake to an agreement (or none) and the follow-up."""

    class State(models.TextChoices):
        ACCEPTED = "accepted", "已受理"
        MEDIATING = "mediating", "调解中"
        AGREED = "agreed", "达成协议"
        FAILED = "failed", "未达成协议"
        CLOSED = "closed", "回访结案"

    OPEN_STATES = (State.ACCEPTED, State.MEDIATING, State.AGREED, State.FAILED)
    # action: (states it may start from, state it leads to)
    TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
        "start": ((State.ACCEPTED,), State.MEDIATING),
        "agree": ((State.MEDIATING,), State.AGREED),
        "fail": ((State.MEDIATING,), State.FAILED),
        "resume": ((State.FAILED,), State.MEDIATING),
        "close": ((State.AGREED, State.FAILED), State.CLOSED),
    }

    studio = models.ForeignKey(MediationStudio, verbose_name="工作室", related_name="cases", on_delete=models.PROTECT)
    number = models.CharField("案件编号", max_length=20, unique=True)
    project = models.ForeignKey("council.Project", verbose_name="涉及项目", null=True, blank=True, on_delete=models.SET_NULL)
    parties = models.TextField("当事人")
    dispute = models.TextField("纠纷事由")
    category = models.CharField("纠纷类别", max_length=30, blank=True, help_text="如：邻里、婚姻家庭、土地、物业")
    opened_on = models.DateField("受理日期")
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.ACCEPTED)
    mediators = models.ManyToManyField(Mediator, verbose_name="承办调解员", related_name="cases", blank=True)
    agreement = models.TextField("协议内容", blank=True)
    failure_reason = models.TextField("未达成原因", blank=True)
    follow_up = models.TextField("回访情况", blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "调解案件"
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return self.number

    def allowed_actions(self) -> list[str]:
        return [a for a, (sources, _) in self.TRANSITIONS.items() if self.state in sources]


class MediationSession(models.Model):
    """One sitting of a case: when, who mediated, what happened."""

    case = models.ForeignKey(MediationCase, related_name="sessions", on_delete=models.CASCADE)
    held_on = models.DateField("调解日期")
    notes = models.TextField("调解情况")
    mediators = models.ManyToManyField(Mediator, verbose_name="调解员", related_name="+", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "调解记录"
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.held_on}"


class CaseEvent(models.Model):
    """One step of a case, kept: who, when, from, to, note."""

    case = models.ForeignKey(MediationCase, related_name="events", on_delete=models.CASCADE)
    action = models.CharField("操作", max_length=20)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    on = models.DateField("日期")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField("说明", blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "调解案件记录"
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state} → {self.to_state}"
