"""The organization tree and the places it lives in: units, villages, grids, chains, streets,
service positions and the town's liaison groups."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from qiangji.core.access import Action, Scope, ScopedQuerySet
from qiangji.core.concurrency import Versioned


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    last = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return dt.date(year, month, min(day.day, last))


class PathField(models.CharField):
    """A materialised path column compared byte by byte.

    On PostgreSQL the column gets collation "C" so that tree order is byte order and LIKE
    'prefix%' can use the index whatever the database's default collation; SQLite already
    compares bytes (and knows no collation named "C").
    """

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


class Grid(models.Model):
    """A coverage grid (网格) made of several villages; one of the "7" in "5+2+7"."""

    name = models.CharField("网格名称", max_length=50, unique=True)
    number = models.PositiveSmallIntegerField("编号", unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "网格"
        ordering = ["number"]

    def __str__(self) -> str:
        return self.name


class Village(models.Model):
    """One of the town's villages (村) or residential communities (居委)."""

    class Kind(models.TextChoices):
        VILLAGE = "village", "村"
        COMMUNITY = "community", "居委"

    name = models.CharField("村居名称", max_length=50, unique=True)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices, default=Kind.VILLAGE)
    grid = models.ForeignKey(
        Grid, verbose_name="所属网格", related_name="villages", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = verbose_name_plural = "村居"
        ordering = ["grid__number", "name"]

    def __str__(self) -> str:
        return self.name


class Chain(models.Model):
    """An industry chain (产业链) such as 蔬菜链; one of the "5" in "5+2+7"."""

    name = models.CharField("产业链名称", max_length=50, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "产业链"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Street(models.Model):
    """A commercial street district (商业街区); one of the "2" in "5+2+7"."""

    name = models.CharField("商区名称", max_length=50, unique=True)
    villages = models.ManyToManyField(Village, verbose_name="涉及村居", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "商业街区"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """The body an organization sits in: a village, a community, an enterprise, a school…"""

    class Kind(models.TextChoices):
        VILLAGE = "village", "行政村"
        COMMUNITY = "community", "社区"
        ENTERPRISE = "enterprise", "企业"
        SOCIAL_ORG = "social_org", "社会组织"
        GOVERNMENT = "government", "机关"
        INSTITUTION = "institution", "事业单位"
        SCHOOL = "school", "学校"
        OTHER = "other", "其他"

    name = models.CharField("单位名称", max_length=100, unique=True)
    kind = models.CharField("单位类别", max_length=20, choices=Kind.choices, default=Kind.OTHER)
    village = models.ForeignKey(
        Village, verbose_name="所在村居", related_name="units", null=True, blank=True, on_delete=models.SET_NULL
    )
    address = models.CharField("地址", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "单位"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganizationQuerySet(ScopedQuerySet):
    scope_path_lookup = "path"

    def extra_scope_q(self, scope: Scope, action: Action) -> Q | None:
        # A member may look at their own branch, not at its siblings or children.
        if action == "view" and scope.member_org_id:
            return Q(pk=scope.member_org_id)
        return None

    def active(self) -> "OrganizationQuerySet":
        return self.filter(dissolved_on__isnull=True)

    def subtree_of(self, organization: "Organization") -> "OrganizationQuerySet":
        return self.filter(path__startswith=organization.path)

    def term_ending(self, *, today: dt.date, months: int = 6) -> "OrganizationQuerySet":
        """Terms ending within `months` or already over: the reminder reads the date, not a job."""
        return self.active().filter(term_end__isnull=False, term_end__lte=add_months(today, months))


class Organization(Versioned):
    """A Party organization (党组织): committee → general branch → branch → group."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", "党委"
        GENERAL_BRANCH = "general_branch", "党总支"
        BRANCH = "branch", "党支部"
        GROUP = "group", "党小组"

    HISTORY_FIELDS = (
        "name",
        "kind",
        "parent",
        "unit",
        "village",
        "founded_on",
        "term_start",
        "term_end",
        "dissolved_on",
        "has_committee",
    )
    # Which kinds may sit under which: a group only under a branch, nothing under a group.
    ALLOWED_PARENTS = {
        Kind.COMMITTEE: {None, Kind.COMMITTEE},
        Kind.GENERAL_BRANCH: {Kind.COMMITTEE},
        Kind.BRANCH: {Kind.COMMITTEE, Kind.GENERAL_BRANCH},
        Kind.GROUP: {Kind.BRANCH},
    }

    name = models.CharField("组织名称", max_length=100, unique=True)
    kind = models.CharField("组织类别", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级组织", related_name="children", null=True, blank=True, on_delete=models.PROTECT
    )
    # Materialised path "/1/7/42/": subtree scoping is one indexed prefix match.
    path = PathField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    unit = models.ForeignKey(
        Unit, verbose_name="所在单位", related_name="organizations", null=True, blank=True, on_delete=models.SET_NULL
    )
    village = models.ForeignKey(
        Village, verbose_name="所在村居", related_name="organizations", null=True, blank=True, on_delete=models.SET_NULL
    )
    founded_on = models.DateField("成立日期", null=True, blank=True)
    term_start = models.DateField("本届任期开始", null=True, blank=True)
    term_end = models.DateField("届满日期", null=True, blank=True)
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)
    has_committee = models.BooleanField("设支部委员会", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "党组织"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/")[:-1] if p]

    @property
    def term_years(self) -> int:
        """RULES.md: village and community organizations serve 5 years, other branches 3."""
        if self.village_id and (self.unit is None or self.unit.kind in (Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY)):
            return 5
        return 3

    def term_status(self, today: dt.date) -> str:
        """'expired', 'ends_1m', 'ends_6m', 'ok' or 'unknown' (no term recorded)."""
        if self.term_end is None:
            return "unknown"
        if self.term_end < today:
            return "expired"
        if self.term_end <= add_months(today, 1):
            return "ends_1m"
        if self.term_end <= add_months(today, 6):
            return "ends_6m"
        return "ok"

    TERM_STATUS_LABELS = {
        "expired": "已届满",
        "ends_1m": "1个月内届满",
        "ends_6m": "6个月内届满",
        "ok": "任期内",
        "unknown": "未填届期",
    }


class CommitteePeriodQuerySet(models.QuerySet):
    def overlapping(self, start: dt.date, end: dt.date) -> "CommitteePeriodQuerySet":
        """Periods with at least one day in `start`..`end` (dissolved_on is the first day without)."""
        return self.filter(Q(established_on__isnull=True) | Q(established_on__lte=end)).filter(
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=start)
        )


class CommitteePeriod(models.Model):
    """A span during which an organization had its committee (支部委员会 / 总支委员会).

    In orgs, not orglife: it is organization structure, kept in step with `has_committee` by the
    organization services, and orglife (which builds on orgs) reads it for compliance.
    The committee exists from `established_on` (null: since before the platform recorded it) up
    to the day before `dissolved_on` (null: still in place). At most one period is open.
    """

    organization = models.ForeignKey(
        Organization, verbose_name="党组织", related_name="committee_periods", on_delete=models.CASCADE
    )
    established_on = models.DateField("设立日期", null=True, blank=True)
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommitteePeriodQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "委员会设立期间"
        ordering = ["organization", "established_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=Q(dissolved_on__isnull=True), name="unique_open_committee_period"
            ),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True) | Q(established_on__isnull=True) | Q(dissolved_on__gt=F("established_on")),
                name="committee_period_dissolved_after_established",
            ),
        ]

    def __str__(self) -> str:
        start = f"{self.established_on:%Y-%m-%d}" if self.established_on else "（早于系统记录）"
        end = f"{self.dissolved_on:%Y-%m-%d}" if self.dissolved_on else "至今"
        return f"{self.organization}委员会：{start}—{end}"


class Position(Versioned):
    """A Party-and-people service position: the centre (核), village sites, points, chain stations."""

    # The profile its managers edit on the position page.
    EDIT_FIELDS = ("address", "opening_hours", "rooms", "capacity", "contact_name", "contact_phone")

    class Kind(models.TextChoices):
        CENTRE = "centre", "党群服务中心"
        VILLAGE_SITE = "village_site", "村居党群服务站"
        POINT = "point", "党群服务点"
        CHAIN_STATION = "chain_station", "产业链党群服务站"

    name = models.CharField("阵地名称", max_length=100, unique=True)
    kind = models.CharField("阵地类别", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级阵地", related_name="children", null=True, blank=True, on_delete=models.PROTECT
    )
    village = models.ForeignKey(Village, verbose_name="所在村居", null=True, blank=True, on_delete=models.SET_NULL)
    chain = models.ForeignKey(Chain, verbose_name="所属产业链", null=True, blank=True, on_delete=models.SET_NULL)
    organization = models.ForeignKey(
        Organization, verbose_name="管理党组织", related_name="positions", null=True, blank=True, on_delete=models.SET_NULL
    )
    address = models.CharField("地址", max_length=200, blank=True)
    opening_hours = models.CharField("开放时间", max_length=100, blank=True)
    rooms = models.CharField("功能室", max_length=300, blank=True, help_text="如：党员活动室、议事厅、阅览室")
    capacity = models.PositiveIntegerField("可容纳人数", null=True, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    # The position's own service line, published to the public: not personal data.
    contact_phone = models.CharField("服务电话", max_length=30, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "党群服务阵地"
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class LiaisonGroup(Versioned):
    """A town liaison group (指导联络组): cadres assigned to a set of organizations."""

    EDIT_FIELDS = ("name", "leader", "members", "organizations")

    name = models.CharField("联络组名称", max_length=50, unique=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="组长",
        related_name="led_liaison_groups",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="成员", related_name="liaison_groups", blank=True)
    organizations = models.ManyToManyField(Organization, verbose_name="联系党组织", related_name="liaison_groups", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "指导联络组"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
