"""Pilot projects (试点项目) and the consultation hall (议事厅): published progress bulletins,
opinions from members and the public with their answers, and deliberation sessions.

An opinion's state only moves through `Opinion.TRANSITIONS` (services apply it, each move leaves
an `OpinionEvent`); whether it shows on the public page is a separate moderation decision, so a
message is never public before someone has read it.
"""

from django.conf import settings
from django.db import models

from qiangji.core.access import ScopedQuerySet
from qiangji.core.concurrency import Versioned
from qiangji.core.crypto import EncryptedTextField, mask_phone


class ProjectQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"


class Project(Versioned):
    """A pilot project, e.g. a 和美乡村 "五好两宜" village, with milestones and progress."""

    EDIT_FIELDS = ("name", "category", "organization", "village", "description", "state", "started_on", "target_on")

    class State(models.TextChoices):
        PLANNING = "planning", "筹划中"
        IN_PROGRESS = "in_progress", "推进中"
        COMPLETED = "completed", "已完成"

    name = models.CharField("项目名称", max_length=200)
    category = models.CharField("项目类别", max_length=50, default="和美乡村（五好两宜）")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="牵头党组织", related_name="projects", on_delete=models.PROTECT
    )
    village = models.ForeignKey("orgs.Village", verbose_name="所在村居", null=True, blank=True, on_delete=models.SET_NULL)
    description = models.TextField("项目内容")
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PLANNING)
    started_on = models.DateField("开始日期", null=True, blank=True)
    target_on = models.DateField("计划完成", null=True, blank=True)
    progress = models.PositiveSmallIntegerField("总体进度(%)", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "试点项目"
        ordering = ["-started_on", "id"]

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    """A dated step of a project; done when `done_on` is set."""

    project = models.ForeignKey(Project, related_name="milestones", on_delete=models.CASCADE)
    title = models.CharField("节点", max_length=200)
    due_on = models.DateField("计划日期")
    done_on = models.DateField("完成日期", null=True, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "项目节点"
        ordering = ["project", "order", "due_on", "id"]

    def __str__(self) -> str:
        return self.title


class ProjectRole(models.Model):
    """A member's role in a project's vanguard action: publicist, mediator or supervisor."""

    class Role(models.TextChoices):
        PUBLICIST = "publicist", "宣传员"
        MEDIATOR = "mediator", "调解员"
        SUPERVISOR = "supervisor", "监督员"

    project = models.ForeignKey(Project, related_name="roles", on_delete=models.CASCADE)
    member = models.ForeignKey("members.Member", verbose_name="党员", related_name="project_roles", on_delete=models.CASCADE)
    role = models.CharField("角色", max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = verbose_name_plural = "项目党员角色"
        constraints = [models.UniqueConstraint(fields=["project", "member", "role"], name="unique_project_role")]

    def __str__(self) -> str:
        return f"{self.member} {self.get_role_display()}"


class Bulletin(models.Model):
    """A progress bulletin (进度通报) of a project; public once published."""

    project = models.ForeignKey(Project, related_name="bulletins", on_delete=models.CASCADE)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    progress = models.PositiveSmallIntegerField("通报时进度(%)", default=0)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "进度通报"
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Opinion(models.Model):
    """An opinion (意见建议) on a bulletin from a member or the public, and its answer."""

    class State(models.TextChoices):
        RECEIVED = "received", "已收到"
        UNDER_EVALUATION = "under_evaluation", "研究中"
        ACCEPTED = "accepted", "已采纳"
        NOT_ACCEPTED = "not_accepted", "未采纳"
        ANSWERED = "answered", "已答复"

    # action: (states it may start from, state it leads to)
    TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
        "evaluate": ((State.RECEIVED,), State.UNDER_EVALUATION),
        "accept": ((State.UNDER_EVALUATION,), State.ACCEPTED),
        "decline": ((State.UNDER_EVALUATION,), State.NOT_ACCEPTED),
        "answer": ((State.RECEIVED, State.UNDER_EVALUATION, State.ACCEPTED, State.NOT_ACCEPTED), State.ANSWERED),
    }

    class Moderation(models.TextChoices):
        PENDING = "pending", "待审核"
        SHOWN = "shown", "已公开"
        HIDDEN = "hidden", "不公开"

    bulletin = models.ForeignKey(Bulletin, related_name="opinions", on_delete=models.CASCADE)
    content = models.TextField("意见内容")
    author_name = models.CharField("姓名", max_length=50, blank=True)
    phone = EncryptedTextField("联系电话", blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField("办理状态", max_length=20, choices=State.choices, default=State.RECEIVED)
    moderation = models.CharField("公开审核", max_length=10, choices=Moderation.choices, default=Moderation.PENDING)
    answer = models.TextField("答复", blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    client_key = models.CharField(max_length=64, blank=True, editable=False)
    # What the writer follows the opinion by on the no-login status page (random, never the id).
    receipt = models.CharField("回执编号", max_length=20, unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "意见建议"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["bulletin", "moderation"])]

    def __str__(self) -> str:
        return self.content[:30]

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    def allowed_actions(self) -> list[str]:
        return [a for a, (sources, _) in self.TRANSITIONS.items() if self.state in sources]


class OpinionEvent(models.Model):
    """One step of an opinion's handling, kept: who, when, from, to, note."""

    opinion = models.ForeignKey(Opinion, related_name="events", on_delete=models.CASCADE)
    action = models.CharField("操作", max_length=20)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField("说明", blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "意见办理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state} → {self.to_state}"


class Deliberation(models.Model):
    """A council session (议事会) on a difficulty of a project, with attendees and outcome; the
    outcome may become a new ledger problem, or a measure of an open problem already registered
    (one or the other, once)."""

    project = models.ForeignKey(Project, related_name="deliberations", on_delete=models.CASCADE)
    topic = models.CharField("议题（难点）", max_length=200)
    held_on = models.DateField("议事日期")
    place = models.CharField("地点", max_length=100, blank=True)
    attendees = models.TextField("参加人员")
    outcome = models.TextField("议定事项")
    problem = models.ForeignKey("ledger.Problem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    measure = models.ForeignKey("ledger.Measure", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "议事会"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.topic
