"""The entity register (主体底数) and the district batches it is checked against.

Loop (收集-分析-校核-登记): a district sheet becomes an `EntityBatch` of `BaseRecord` rows, each
classified against the register (new / unchanged / changed / duplicate / gone); records that need
it become visit tasks; only an approved visit writes to `Entity`, field by field, and every
written value leaves an `EntityChange` saying which batch and which visit it came from.
"""

import re
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from qiangji.campaign.access import entity_scope_q
from qiangji.core.concurrency import Versioned
from qiangji.core.crypto import EncryptedTextField, SealedTextField, mask_phone
from qiangji.core.personal import kind_of, seal, shown
from qiangji.core.text import clean_compact

_KEY_PUNCTUATION = re.compile(r"[()（）【】\[\]·,，。.、\-—_/\\\s]")
_KEY_WORDS = ("有限责任公司", "股份有限公司", "有限公司", "上海市", "崇明区", "竖新镇")


def _squash(text: str) -> str:
    text = _KEY_PUNCTUATION.sub("", clean_compact(text or "").upper())
    for word in _KEY_WORDS:  # one after the other: removing a word may reveal the next
        if word in text:
            text = text.replace(word, "")
    return text


def match_key(name: str, address: str) -> str:
    """Name and address reduced to what two spellings of one place share (for duplicates)."""
    return f"{_squash(name)}|{_squash(address)}"


class EntityKind(models.TextChoices):
    COMPANY = "company", "企业"
    SELF_EMPLOYED = "self_employed", "个体工商户"
    SOCIAL_ORG = "social_org", "社会组织"
    COOPERATIVE = "cooperative", "农民专业合作社"
    HOMESTAY = "homestay", "民宿"
    FARM = "farm", "家庭农场"


class EntityQuerySet(models.QuerySet):
    def for_user(self, user: Any) -> "EntityQuerySet":
        q = entity_scope_q(user)
        return self.all() if q is None else self.filter(q)

    def active(self) -> "EntityQuerySet":
        return self.filter(status=Entity.Status.ACTIVE)

    def org_covered(self) -> "EntityQuerySet":
        return self.exclude(covering_organization=None)

    def work_covered(self) -> "EntityQuerySet":
        return self.exclude(instructor=None)

    def uncovered(self) -> "EntityQuerySet":
        return self.filter(covering_organization=None, instructor=None)


class Entity(Versioned):
    """A business or organization of the emerging sector in the town's register (the baseline)."""

    Kind = EntityKind

    class Status(models.TextChoices):
        ACTIVE = "active", "在册"
        CLOSED = "closed", "已注销/歇业"

    class OrgCoverage(models.TextChoices):
        OWN = "own", "单独建立党组织"
        JOINT = "joint", "联合党组织覆盖"

    # The fields a batch row or a visit can change, in the order pages show them.
    REGISTER_FIELDS = (
        "name", "credit_code", "kind", "village", "address", "person_in_charge", "phone",
        "employees", "party_members", "has_party_org", "chains", "street",
    )  # fmt: skip
    EDIT_FIELDS = REGISTER_FIELDS
    SENSITIVE_MASKS = {"phone": mask_phone}

    name = models.CharField("主体名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    kind = models.CharField("主体类型", max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    village = models.ForeignKey("orgs.Village", verbose_name="所在村居", related_name="entities", on_delete=models.PROTECT)
    address = models.CharField("经营地址", max_length=200, blank=True)
    person_in_charge = models.CharField("负责人", max_length=50, blank=True)
    phone = EncryptedTextField("联系电话", blank=True)
    employees = models.PositiveIntegerField("从业人员数", default=0)
    party_members = models.PositiveIntegerField("党员人数", default=0)
    has_party_org = models.BooleanField("是否建立党组织", default=False)
    chains = models.ManyToManyField("orgs.Chain", verbose_name="所属产业链", related_name="entities", blank=True)
    street = models.ForeignKey(
        "orgs.Street", verbose_name="所属商区", related_name="entities", null=True, blank=True, on_delete=models.SET_NULL
    )
    covering_organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name="覆盖党组织",
        related_name="covered_entities",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    org_coverage = models.CharField("组织覆盖方式", max_length=10, choices=OrgCoverage.choices, blank=True)
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="党建指导员",
        related_name="instructed_entities",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    key = models.CharField(max_length=300, db_index=True, editable=False)
    registered_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = EntityQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "新兴领域主体"
        ordering = ["village__grid__number", "village__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], condition=~Q(credit_code=""), name="unique_entity_credit_code"),
        ]
        indexes = [models.Index(fields=["status", "village"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.key = match_key(self.name, self.address)
        super().save(*args, **kwargs)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    def last_edit(self) -> tuple[str, Any] | None:
        """Who last wrote the register's values and when: its own change rows."""
        change = self.changes.select_related("by").order_by("-at", "-id").first()
        return ((str(change.by) if change.by else "系统"), change.at) if change else None

    @property
    def is_org_covered(self) -> bool:
        return self.covering_organization_id is not None

    @property
    def is_work_covered(self) -> bool:
        return self.instructor_id is not None


class EntityChange(models.Model):
    """One value written to the register: which field, from what to what, and where it came from.

    A personal field's values (the phone) are stored sealed (core.personal); `shown_pair` reads
    them as a reader may see them.
    """

    entity = models.ForeignKey(Entity, related_name="changes", on_delete=models.CASCADE)
    field = models.CharField("字段", max_length=30)
    old = SealedTextField("原值", blank=True)
    new = SealedTextField("新值", blank=True)
    batch = models.ForeignKey("EntityBatch", verbose_name="来源批次", null=True, blank=True, on_delete=models.SET_NULL)
    visit = models.ForeignKey("Visit", verbose_name="来源走访", null=True, blank=True, on_delete=models.SET_NULL)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField("时间", auto_now_add=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "主体信息变更"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        old, new = self.shown_pair(revealed=False)
        return f"{self.entity_id} {self.field}: {old} → {new}"

    @classmethod
    def sealed(cls, *, field: str, old: str, new: str, **kwargs: Any) -> "EntityChange":
        """The history row of one written value, a personal field's values encrypted."""
        if kind_of(Entity, field):
            old, new = seal(old), seal(new)
        return cls(field=field, old=old, new=new, **kwargs)

    def shown_pair(self, *, revealed: bool) -> tuple[str, str]:
        """(old, new) masked unless the reader went through the entity phone's audited reveal."""
        return (
            shown(Entity, self.field, self.old, revealed=revealed),
            shown(Entity, self.field, self.new, revealed=revealed),
        )


class EntityBatch(models.Model):
    """One district sheet of base data (底数), kept with its provenance and its analysis."""

    import_batch = models.OneToOneField(
        "core.ImportBatch", verbose_name="导入记录", related_name="entity_batch", null=True, blank=True, on_delete=models.SET_NULL
    )
    file_name = models.CharField("文件名", max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    sheet = models.CharField("工作表", max_length=100, blank=True)
    source = models.CharField("数据来源", max_length=100, blank=True, default="区级部门")
    is_full = models.BooleanField("全量名单", default=True, help_text="全量名单中缺少的在册主体判为“疑似注销”")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField("导入时间", auto_now_add=True)
    counts = models.JSONField("分析结果", default=dict, blank=True)
    errors = models.JSONField("有误行", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "底数批次"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name}（{timezone.localtime(self.created_at):%Y-%m-%d}）"


class BaseRecord(models.Model):
    """One row of a batch as the analysis classified it; nothing in it is in the register yet."""

    class Klass(models.TextChoices):
        NEW = "new", "新发现"
        UNCHANGED = "unchanged", "与底数一致"
        CHANGED = "changed", "信息变更"
        DUPLICATE = "duplicate", "疑似重复"
        GONE = "gone", "疑似注销"

    class State(models.TextChoices):
        PENDING = "pending", "待校核"
        REGISTERED = "registered", "已登记"
        REJECTED = "rejected", "核实不予登记"
        SUPERSEDED = "superseded", "已被新批次替代"
        NONE = "none", "无需校核"

    NEEDS_VISIT = (Klass.NEW, Klass.CHANGED, Klass.DUPLICATE, Klass.GONE)

    batch = models.ForeignKey(EntityBatch, related_name="records", on_delete=models.CASCADE)
    row_number = models.PositiveIntegerField("行号", null=True, blank=True)
    klass = models.CharField("分析结果", max_length=12, choices=Klass.choices)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.PENDING)
    # The row's values as the register would take them (village, street, chains by pk); the
    # phone is personal data and kept apart, encrypted.
    data = models.JSONField("内容", default=dict)
    phone = EncryptedTextField("联系电话", blank=True)
    changes = models.JSONField("变更字段", default=dict, blank=True)
    entity = models.ForeignKey(Entity, related_name="records", null=True, blank=True, on_delete=models.SET_NULL)
    duplicate_of = models.ForeignKey(Entity, related_name="+", null=True, blank=True, on_delete=models.SET_NULL)
    note = models.CharField("分析说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "底数记录"
        ordering = ["batch", "row_number", "id"]
        indexes = [models.Index(fields=["batch", "klass"])]

    def __str__(self) -> str:
        return f"{self.data.get('name', '')}（{self.get_klass_display()}）"

    @property
    def name(self) -> str:
        return self.data.get("name") or (self.entity.name if self.entity_id else "")
