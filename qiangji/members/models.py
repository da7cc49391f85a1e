"""Party members and their transfers between organizations."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from qiangji.core.access import Action, Scope, ScopedQuerySet
from qiangji.core.concurrency import Versioned
from qiangji.core.crypto import EncryptedTextField, KeyedHashField, keyed_hashes, mask_address, mask_id_number, mask_phone
from qiangji.core.personal import masks_for
from qiangji.core.validators import normalize_id_number


class MemberQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"

    def extra_scope_q(self, scope: Scope, action: Action) -> Q | None:
        # A member always sees (and may unmask) their own record; they manage nothing.
        if action in ("view", "reveal") and scope.member_id:
            return Q(pk=scope.member_id)
        return None

    def search(self, text: str) -> "MemberQuerySet":
        """Name, pinyin initials or a full ID number (found through its keyed hash)."""
        text = text.strip()
        if not text:
            return self
        try:
            return self.filter(id_number_hash__in=keyed_hashes(normalize_id_number(text)))
        except ValidationError:
            pass  # not an ID number: search names instead
        return self.filter(Q(name__contains=text) | Q(name_initials__startswith=text.lower()))


class Member(Versioned):
    """A Party member (党员) of one organization, as the national member roster keeps them."""

    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    class Status(models.TextChoices):
        FULL = "full", "正式党员"
        PROBATIONARY = "probationary", "预备党员"

    class Education(models.TextChoices):
        POSTGRADUATE = "postgraduate", "研究生"
        BACHELOR = "bachelor", "大学本科"
        COLLEGE = "college", "大学专科"
        SECONDARY_VOCATIONAL = "secondary_vocational", "中等专科"
        HIGH_SCHOOL = "high_school", "高中"
        JUNIOR = "junior", "初中"
        PRIMARY = "primary", "小学及以下"

    class PartyPost(models.TextChoices):
        NONE = "", "无"
        SECRETARY = "secretary", "书记"
        DEPUTY_SECRETARY = "deputy_secretary", "副书记"
        COMMITTEE_MEMBER = "committee_member", "委员"
        GROUP_LEADER = "group_leader", "党小组长"

    HISTORY_FIELDS = (
        "name",
        "gender",
        "id_number",
        "birth_date",
        "ethnicity",
        "education",
        "joined_on",
        "full_member_on",
        "status",
        "organization",
        "party_post",
        "phone",
        "address",
        "is_frail",
        "is_mobile",
    )
    SENSITIVE_MASKS = masks_for("members.Member")
    SENSITIVE_FIELDS = tuple(SENSITIVE_MASKS)

    name = models.CharField("姓名", max_length=50, db_index=True)
    name_initials = models.CharField("拼音首字母", max_length=50, db_index=True, editable=False, default="")
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    id_number = EncryptedTextField("公民身份号码")
    # Unique through Meta.constraints, not unique=True: on PostgreSQL the latter also builds a
    # pattern-matching index that an exact hash lookup never uses (240 MB at city scale).
    id_number_hash = KeyedHashField("身份证号查询哈希", of="id_number")
    birth_date = models.DateField("出生日期")
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    education = models.CharField("学历", max_length=30, choices=Education.choices, blank=True)
    joined_on = models.DateField("入党日期")
    full_member_on = models.DateField("转正日期", null=True, blank=True)
    status = models.CharField("人员类别", max_length=20, choices=Status.choices, default=Status.FULL)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="所在党组织", related_name="members", on_delete=models.PROTECT
    )
    party_post = models.CharField("党内职务", max_length=30, choices=PartyPost.choices, blank=True, default="")
    phone = EncryptedTextField("联系电话", blank=True)
    address = EncryptedTextField("家庭住址", blank=True)
    is_frail = models.BooleanField("年老体弱", default=False)
    is_mobile = models.BooleanField("流动党员", default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="登录账号", related_name="member", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "党员"
        ordering = ["organization__path", "name", "id"]
        indexes = [models.Index(fields=["organization", "name"])]
        constraints = [models.UniqueConstraint(fields=["id_number_hash"], name="unique_member_id_number_hash")]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def address_masked(self) -> str:
        return mask_address(self.address)

    def age_on(self, day) -> int:
        return day.year - self.birth_date.year - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


class Transfer(models.Model):
    """A member's organizational relationship moved from one organization to another (转接)."""

    member = models.ForeignKey(Member, verbose_name="党员", related_name="transfers", on_delete=models.CASCADE)
    from_organization = models.ForeignKey(
        "orgs.Organization", verbose_name="转出组织", related_name="+", on_delete=models.PROTECT
    )
    to_organization = models.ForeignKey("orgs.Organization", verbose_name="转入组织", related_name="+", on_delete=models.PROTECT)
    transferred_on = models.DateField("转接日期")
    reason = models.CharField("转接原因", max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "组织关系转接"
        ordering = ["-transferred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.member}：{self.from_organization} → {self.to_organization}"
