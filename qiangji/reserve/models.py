"""Reserve pools (后备人员库) of future secretaries: candidates, mentoring, tracking assessments,
and events such as the 头雁论坛 forum.

A candidate's profile is the member record itself (name, organization, education, trainings):
nothing is typed twice. The candidate's state only moves through `Candidate.TRANSITIONS`,
applied by the services, and every move leaves a `CandidateEvent`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from qiangji.core.access import ScopedQuerySet


class ReservePool(models.Model):
    """A pool of candidates: "瀛洲好班长" (future secretaries) or "一肩挑" (secretary and director)."""

    class Kind(models.TextChoices):
        GOOD_SQUAD_LEADER = "good_leader", "瀛洲好班长"
        DUAL_ROLE = "dual_role", "一肩挑"

    name = models.CharField("人才库名称", max_length=50, unique=True)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "后备人员库"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class CandidateQuerySet(ScopedQuerySet):
    scope_path_lookup = "member__organization__path"

    def current(self) -> "CandidateQuerySet":
        return self.filter(state__in=Candidate.CURRENT_STATES)


class Candidate(models.Model):
    """A member in a reserve pool, from entry to appointment or leaving."""

    class State(models.TextChoices):
        IN_POOL = "in_pool", "在库"
        UNDER_ASSESSMENT = "under_assessment", "考察中"
        APPOINTED = "appointed", "已任用"
        LEFT = "left", "已出库"

    class Route(models.TextChoices):
        ORG_RECOMMENDED = "org", "党组织推荐"
        MASS_RECOMMENDED = "mass", "群众推荐"
        SELF_RECOMMENDED = "self", "个人自荐"
        TOWN_SELECTED = "town", "镇党委选拔"

    CURRENT_STATES = (State.IN_POOL, State.UNDER_ASSESSMENT)
    # action: (states it may start from, state it leads to)
    TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
        "assess": ((State.IN_POOL,), State.UNDER_ASSESSMENT),
        "return": ((State.UNDER_ASSESSMENT,), State.IN_POOL),
        "appoint": ((State.UNDER_ASSESSMENT,), State.APPOINTED),
        "leave": ((State.IN_POOL, State.UNDER_ASSESSMENT), State.LEFT),
    }

    pool = models.ForeignKey(ReservePool, verbose_name="人才库", related_name="candidates", on_delete=models.PROTECT)
    member = models.ForeignKey("members.Member", verbose_name="党员", related_name="candidacies", on_delete=models.PROTECT)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.IN_POOL)
    route = models.CharField("入库方式", max_length=10, choices=Route.choices)
    entered_on = models.DateField("入库日期")
    recommendation = models.TextField("推荐理由", blank=True)
    appointed_post = models.CharField("任用职务", max_length=100, blank=True)
    appointed_on = models.DateField("任用日期", null=True, blank=True)
    left_on = models.DateField("出库日期", null=True, blank=True)
    left_reason = models.CharField("出库原因", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "后备人选"
        ordering = ["pool", "-entered_on", "id"]
        constraints = [
            # A member is at most once current in a pool; history rows (appointed, left) stay.
            models.UniqueConstraint(
                fields=["pool", "member"], condition=Q(state__in=["in_pool", "under_assessment"]), name="one_current_candidacy"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member}（{self.pool}）"

    def allowed_actions(self) -> list[str]:
        return [a for a, (sources, _) in self.TRANSITIONS.items() if self.state in sources]


class CandidateEvent(models.Model):
    """One step of a candidate's way through the pool: who, when, from, to, why."""

    candidate = models.ForeignKey(Candidate, related_name="events", on_delete=models.CASCADE)
    action = models.CharField("操作", max_length=20)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    on = models.DateField("日期")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField("说明", blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "后备人选变动记录"
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state} → {self.to_state}"


class Mentorship(models.Model):
    """A mentoring agreement (带教协议) between a candidate and a town leader."""

    candidate = models.ForeignKey(Candidate, verbose_name="后备人选", related_name="mentorships", on_delete=models.CASCADE)
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="带教领导", related_name="+", on_delete=models.PROTECT)
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    goals = models.TextField("带教目标")

    class Meta:
        verbose_name = verbose_name_plural = "带教协议"
        ordering = ["-started_on", "id"]

    def __str__(self) -> str:
        return f"{self.mentor} 带教 {self.candidate.member}"


class Assessment(models.Model):
    """A dated tracking assessment (跟踪考察) of a candidate, with its findings."""

    class Conclusion(models.TextChoices):
        EXCELLENT = "excellent", "优秀"
        GOOD = "good", "良好"
        FAIR = "fair", "一般"
        POOR = "poor", "较差"

    candidate = models.ForeignKey(Candidate, verbose_name="后备人选", related_name="assessments", on_delete=models.CASCADE)
    on = models.DateField("考察日期")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="考察人", related_name="+", null=True, on_delete=models.SET_NULL
    )
    findings = models.TextField("考察情况")
    conclusion = models.CharField("考察结论", max_length=10, choices=Conclusion.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "跟踪考察"
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.candidate.member} {self.on}"


class Event(models.Model):
    """An event of the reserve work: the 头雁论坛 forum, a staged lecture (情景党课), an activity."""

    class Kind(models.TextChoices):
        FORUM = "forum", "头雁论坛"
        STAGED_LECTURE = "staged_lecture", "情景党课"
        ACTIVITY = "activity", "主题活动"

    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    title = models.CharField("名称", max_length=200)
    held_on = models.DateField("日期")
    place = models.CharField("地点", max_length=200, blank=True)
    speakers = models.CharField("主讲/发言人", max_length=300, blank=True)
    summary = models.TextField("内容摘要", blank=True)
    attendees = models.ManyToManyField("members.Member", verbose_name="参加人员", related_name="reserve_events", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "头雁活动"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title
