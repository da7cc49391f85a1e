"""The "5+2+7" carriers' own bodies: carrier committees (链委会/街委会/片委会), the ten roles (十员)
sunk into each grid, and the voice channel (我在链条/商区/网格有话说)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from qiangji.core.concurrency import Versioned


class CarrierKind(models.TextChoices):
    CHAIN = "chain", "产业链"
    STREET = "street", "商业街区"
    GRID = "grid", "网格"


class CarrierFields(models.Model):
    """A reference to one carrier: exactly one of chain, street, grid (the kind says which)."""

    carrier_kind = models.CharField("载体类别", max_length=10, choices=CarrierKind.choices)
    chain = models.ForeignKey(
        "orgs.Chain", verbose_name="产业链", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    street = models.ForeignKey(
        "orgs.Street", verbose_name="商业街区", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    grid = models.ForeignKey("orgs.Grid", verbose_name="网格", null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True

    @property
    def carrier(self):
        return getattr(self, self.carrier_kind)

    @property
    def carrier_ref(self) -> str:
        """ "chain:3": the carrier as the coverage API and pages name it."""
        return f"{self.carrier_kind}:{getattr(self, self.carrier_kind + '_id')}"


def one_carrier_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=(
            Q(carrier_kind="chain", chain__isnull=False, street__isnull=True, grid__isnull=True)
            | Q(carrier_kind="street", street__isnull=False, chain__isnull=True, grid__isnull=True)
            | Q(carrier_kind="grid", grid__isnull=False, chain__isnull=True, street__isnull=True)
        ),
        name=name,
    )


class CarrierCommittee(Versioned, CarrierFields):
    """The committee of a carrier (链委会/街委会/片委会), modelled on a village's two committees."""

    EDIT_FIELDS = ("name", "established_on", "organization", "duties")

    name = models.CharField("委员会名称", max_length=100, unique=True)
    established_on = models.DateField("成立日期", null=True, blank=True)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="依托党组织", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    duties = models.TextField("运行机制", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "载体委员会"
        ordering = ["carrier_kind", "id"]
        constraints = [one_carrier_constraint("committee_one_carrier")]

    def __str__(self) -> str:
        return self.name


class CommitteeMember(models.Model):
    """A seat on a carrier committee; a person may have no account."""

    committee = models.ForeignKey(CarrierCommittee, related_name="seats", on_delete=models.CASCADE)
    name = models.CharField("姓名", max_length=50)
    duty = models.CharField("职务", max_length=30, default="委员")
    unit = models.CharField("所在单位", max_length=100, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "委员会成员"
        ordering = ["committee", "order", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.duty}）"


class GridRole(models.Model):
    """One of the ten roles (十员) sunk into a grid, held by a named person."""

    class Role(models.TextChoices):
        INSTRUCTOR = "instructor", "党建指导员"
        LIAISON = "liaison", "联络员"
        INFORMATION = "information", "信息员"
        PUBLICITY = "publicity", "宣传员"
        MEDIATOR = "mediator", "调解员"
        SECURITY = "security", "安全员"
        SERVICE = "service", "服务员"
        SUPERVISOR = "supervisor", "监督员"
        LEGAL = "legal", "法律顾问"
        VOLUNTEER = "volunteer", "志愿者"

    grid = models.ForeignKey("orgs.Grid", verbose_name="网格", related_name="roles", on_delete=models.CASCADE)
    role = models.CharField("十员类别", max_length=20, choices=Role.choices)
    name = models.CharField("姓名", max_length=50)
    unit = models.CharField("所在单位", max_length=100, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "网格十员"
        ordering = ["grid__number", "role", "id"]

    def __str__(self) -> str:
        return f"{self.grid} {self.get_role_display()} {self.name}"


class VoiceMessage(CarrierFields):
    """A message left on a carrier's voice channel; answered, and possibly made a ledger problem."""

    class State(models.TextChoices):
        NEW = "new", "待回复"
        ANSWERED = "answered", "已回复"
        PROBLEM = "problem", "已转问题清单"

    author_name = models.CharField("留言人", max_length=50, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    entity = models.ForeignKey(
        "Entity", verbose_name="所在主体", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content = models.TextField("留言内容")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.NEW)
    answer = models.TextField("回复", blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField("回复时间", null=True, blank=True)
    problem = models.ForeignKey(
        "ledger.Problem", verbose_name="转为问题", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("留言时间", auto_now_add=True)
    client_key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "有话说留言"
        ordering = ["-created_at", "-id"]
        constraints = [one_carrier_constraint("voice_one_carrier")]

    def __str__(self) -> str:
        return self.content[:30]
