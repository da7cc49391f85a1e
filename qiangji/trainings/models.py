"""Trainings (培训), their sessions (课次), enrolments and attendance, and the hours requirement.

Hours are computed from Attendance only: a member is credited a session's hours when marked
present, and Attendance is unique per (session, member), so a session can never count twice.
Hours from another source later (courses sent down to positions) come in as sessions of their
own training kind, through the same Attendance table: one source of truth, one sum.
"""

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from qiangji.core.access import Action, Scope, ScopedQuerySet


def ancestor_paths(path: str) -> list[str]:
    """The path and its ancestors: /1/7/42/ → /1/, /1/7/, /1/7/42/."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


class HoursRequirement(models.Model):
    """RULES.md: yearly training hours a member must reach; editable data, not a constant."""

    class Category(models.TextChoices):
        MEMBER = "member", "党员"
        LEADER = "leader", "书记、副书记、委员"

    category = models.CharField("对象", max_length=20, choices=Category.choices, unique=True)
    hours = models.PositiveSmallIntegerField("每年应达学时", validators=[MinValueValidator(1), MaxValueValidator(500)])

    class Meta:
        verbose_name = verbose_name_plural = "学时要求"
        ordering = ["category"]

    def __str__(self) -> str:
        return f"{self.get_category_display()}：{self.hours}学时"


# Member.party_post values that carry the leaders' requirement.
LEADER_POSTS = ("secretary", "deputy_secretary", "committee_member")
DEFAULT_HOURS = {HoursRequirement.Category.MEMBER: 32, HoursRequirement.Category.LEADER: 56}


class TrainingQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"

    def extra_scope_q(self, scope: Scope, action: Action) -> Q | None:
        """Staff see the trainings of the organizations above theirs (the town's), members their own."""
        if action != "view":
            return None
        parts = []
        ancestors = {a for p in scope.view_paths for a in ancestor_paths(p)}
        if ancestors:
            parts.append(Q(organization__path__in=sorted(ancestors)))
        if scope.member_id:
            parts.append(Q(pk__in=Enrolment.objects.filter(member_id=scope.member_id).values("training_id")))
        if not parts:
            return None
        q = parts[0]
        for part in parts[1:]:
            q |= part
        return q


class Training(models.Model):
    """A training (培训) organized by the town: several sessions, members enrolled."""

    class Kind(models.TextChoices):
        SECRETARY = "secretary", "书记培训"
        ROTATION = "rotation", "党员集中轮训"
        WORKER_DRILL = "worker_drill", "党务工作者培训练兵"
        THEMED_CLASS = "themed_class", "专题班"
        WARNING_EDUCATION = "warning_education", "警示教育现场教学"

    name = models.CharField("培训名称", max_length=100)
    kind = models.CharField("培训类别", max_length=20, choices=Kind.choices)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="主办党组织", related_name="trainings", on_delete=models.PROTECT
    )
    description = models.TextField("培训说明", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TrainingQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "培训"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    """One session (课次) of a training: its date and the hours it credits to those present."""

    training = models.ForeignKey(Training, verbose_name="培训", related_name="sessions", on_delete=models.CASCADE)
    date = models.DateField("日期")
    hours = models.DecimalField(
        "学时", max_digits=4, decimal_places=1, validators=[MinValueValidator(0.5), MaxValueValidator(24)]
    )
    place = models.CharField("地点", max_length=100, blank=True)
    topic = models.CharField("主题", max_length=200)
    teacher = models.CharField("授课人", max_length=50, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "培训课次"
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.topic}"


class Enrolment(models.Model):
    """A member enrolled in a training (参训)."""

    training = models.ForeignKey(Training, verbose_name="培训", related_name="enrolments", on_delete=models.CASCADE)
    member = models.ForeignKey(
        "members.Member", verbose_name="党员", related_name="training_enrolments", on_delete=models.CASCADE
    )
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报名人", null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "参训人员"
        ordering = ["member__organization__path", "member__name", "id"]
        constraints = [models.UniqueConstraint(fields=["training", "member"], name="unique_training_enrolment")]

    def __str__(self) -> str:
        return f"{self.member} · {self.training}"


class Attendance(models.Model):
    """Whether a member was present at a session; present credits the session's hours once."""

    session = models.ForeignKey(Session, verbose_name="课次", related_name="attendances", on_delete=models.CASCADE)
    member = models.ForeignKey(
        "members.Member", verbose_name="党员", related_name="training_attendances", on_delete=models.CASCADE
    )
    present = models.BooleanField("出勤", default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.SET_NULL)
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "出勤记录"
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="unique_session_attendance")]
        indexes = [models.Index(fields=["member", "present"])]

    def __str__(self) -> str:
        return f"{self.member} · {self.session} · {'出勤' if self.present else '缺勤'}"


class WarningBatchQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: Action = "view") -> "WarningBatchQuerySet":
        """A batch is seen by whoever sees its programme (the town's trainings: every staff role)."""
        return self.filter(training__in=Training.objects.for_user(user, action).values("pk"))


class WarningBatch(models.Model):
    """警示教育 batch: the town sends members of some organizations to a clean-government education
    site on one day ("百余名党员分3批次").

    A batch is a session of the year's warning-education training, so a member present is credited
    its hours through Attendance like any session; a member is sent in one batch of a programme
    only, so the trip counts once.
    """

    training = models.ForeignKey(Training, verbose_name="警示教育", related_name="warning_batches", on_delete=models.CASCADE)
    number = models.PositiveSmallIntegerField("批次")
    site = models.CharField("教育基地", max_length=100)
    session = models.OneToOneField(Session, verbose_name="课次", related_name="warning_batch", on_delete=models.CASCADE)
    organizations = models.ManyToManyField("orgs.Organization", verbose_name="参加党组织", related_name="+")
    members = models.ManyToManyField("members.Member", verbose_name="参加党员", related_name="warning_batches")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="安排人", null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WarningBatchQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "警示教育批次"
        ordering = ["training", "number"]
        constraints = [models.UniqueConstraint(fields=["training", "number"], name="unique_warning_batch_number")]

    def __str__(self) -> str:
        return f"{self.training.name} 第{self.number}批次"
