"""Red culture: sites (红色点位), study routes that string them in order, activities held there,
and members' check-ins (打卡) — a member's own record, never a ranking or a score (RULES.md 减负)."""

import secrets

from django.conf import settings
from django.db import models


def new_token() -> str:
    return secrets.token_urlsafe(9)


class RedSite(models.Model):
    """A memorial, exhibition hall or historic site; its QR code points at its check-in page."""

    class Kind(models.TextChoices):
        MEMORIAL = "memorial", "纪念馆"
        EXHIBITION = "exhibition", "展示馆"
        HISTORIC = "historic", "革命旧址"
        EDUCATION_BASE = "education_base", "教育基地"

    name = models.CharField("点位名称", max_length=100, unique=True)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    description = models.TextField("简介")
    address = models.CharField("地址", max_length=200)
    village = models.ForeignKey("orgs.Village", verbose_name="所在村居", null=True, blank=True, on_delete=models.SET_NULL)
    opening_hours = models.CharField("开放时间", max_length=100, blank=True)
    # The QR code carries this token, not the id: codes can be re-issued if a poster is misused.
    token = models.CharField(max_length=20, unique=True, default=new_token, editable=False)
    active = models.BooleanField("开放", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "红色点位"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SitePhoto(models.Model):
    """A photo of a site (checked like every upload: type, size)."""

    site = models.ForeignKey(RedSite, related_name="photos", on_delete=models.CASCADE)
    image = models.FileField("照片", upload_to="redsites/%Y/")
    caption = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "点位照片"
        ordering = ["site", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class Route(models.Model):
    """A study route (研学路线) visiting sites in order."""

    name = models.CharField("路线名称", max_length=100, unique=True)
    description = models.TextField("路线说明", blank=True)
    duration = models.CharField("建议用时", max_length=50, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "研学路线"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RouteStop(models.Model):
    """A site at its place on a route."""

    route = models.ForeignKey(Route, related_name="stops", on_delete=models.CASCADE)
    site = models.ForeignKey(RedSite, related_name="stops", on_delete=models.PROTECT)
    order = models.PositiveSmallIntegerField("顺序")

    class Meta:
        verbose_name = verbose_name_plural = "路线站点"
        ordering = ["route", "order"]
        constraints = [
            models.UniqueConstraint(fields=["route", "order"], name="one_site_per_route_place"),
            models.UniqueConstraint(fields=["route", "site"], name="site_once_per_route"),
        ]

    def __str__(self) -> str:
        return f"{self.route} {self.order}. {self.site}"


class RedActivity(models.Model):
    """An activity at a site: "我为红色阵地代言", a staged lecture (情景党课), a themed visit."""

    class Kind(models.TextChoices):
        SPOKESPERSON = "spokesperson", "我为红色阵地代言"
        STAGED_LECTURE = "staged_lecture", "情景党课"
        THEMED_VISIT = "themed_visit", "主题参观"

    site = models.ForeignKey(RedSite, related_name="activities", on_delete=models.CASCADE)
    kind = models.CharField("活动类别", max_length=20, choices=Kind.choices)
    title = models.CharField("活动名称", max_length=200)
    held_on = models.DateField("活动日期")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="组织单位", null=True, blank=True, on_delete=models.SET_NULL
    )
    description = models.TextField("活动情况", blank=True)
    participants = models.PositiveIntegerField("参加人数", default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "红色阵地活动"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class CheckIn(models.Model):
    """A member's check-in at a site: their own record of having been there (one per day)."""

    member = models.ForeignKey("members.Member", related_name="checkins", on_delete=models.CASCADE)
    site = models.ForeignKey(RedSite, related_name="checkins", on_delete=models.CASCADE)
    on = models.DateField("日期")
    at = models.DateTimeField("时间", auto_now_add=True)
    note = models.CharField("感想", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "打卡记录"
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["member", "site", "on"], name="one_checkin_per_day")]

    def __str__(self) -> str:
        return f"{self.member} {self.site} {self.on}"
