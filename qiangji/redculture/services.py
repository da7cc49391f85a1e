"""Writes of red culture: a member checks in at a site; the town keeps routes and activities."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from qiangji.core.access import TOWN_ADMIN, get_scope
from qiangji.core.errors import DomainError
from qiangji.core.text import clean_text
from qiangji.redculture.models import CheckIn, RedActivity, RedSite, Route, RouteStop, SitePhoto, new_token


def checkin_record(*, user: Any, site: RedSite, note: str = "", today: dt.date | None = None) -> tuple[CheckIn, bool]:
    """The logged-in member checks in (scanning the site's code); a second scan the same day
    returns the first check-in (created=False)."""
    scope = get_scope(user)
    if not scope.member_id:
        raise PermissionDenied("打卡记录属于党员本人，请使用党员账号登录")
    if not site.active:
        raise DomainError("该点位暂不开放")
    today = today or timezone.localdate()
    existing = CheckIn.objects.filter(member_id=scope.member_id, site=site, on=today).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            return CheckIn.objects.create(member_id=scope.member_id, site=site, on=today, note=clean_text(note)[:300]), True
    except IntegrityError:  # the same scan sent twice at once
        return CheckIn.objects.get(member_id=scope.member_id, site=site, on=today), False


@transaction.atomic
def route_set_stops(*, route: Route, by: Any, sites: Iterable[RedSite]) -> Route:
    """Put the route's sites in the given order (replacing the old order)."""
    scope = get_scope(by)
    if not (scope.superuser or scope.has_role(TOWN_ADMIN)):
        raise PermissionDenied("研学路线由镇党委维护")
    sites = list(sites)
    if len(sites) < 2:
        raise DomainError("一条路线至少包含两个点位", field="sites")
    if len({s.pk for s in sites}) != len(sites):
        raise DomainError("同一点位在路线中只能出现一次", field="sites")
    route.stops.all().delete()
    RouteStop.objects.bulk_create(RouteStop(route=route, site=s, order=i) for i, s in enumerate(sites, start=1))
    return route


# Sites, photos, routes, activities -------------------------------------------------------------

# Photos are public: only raster images whose first bytes match their extension (never SVG,
# which can carry script), up to PHOTO_MAX_BYTES.
PHOTO_TYPES = {
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "webp": ("image/webp", (b"RIFF",)),
}
PHOTO_MAX_BYTES = 5 * 1024 * 1024
SITE_FIELDS = ("name", "kind", "description", "address", "village", "opening_hours", "active")


def runs_red_culture(user: Any) -> bool:
    """Red sites, their photos, codes and routes are kept by the town."""
    scope = get_scope(user)
    return scope.superuser or scope.has_role(TOWN_ADMIN)


def _require_town(user: Any) -> None:
    if not runs_red_culture(user):
        raise PermissionDenied("红色阵地由镇党委维护")


def photo_content_type(name: str) -> str | None:
    entry = PHOTO_TYPES.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None
    return entry[0] if entry else None


def validate_photo(file: Any) -> None:
    """Type by extension and by content, and size; raises DomainError on the `image` field."""
    extension = file.name.rsplit(".", 1)[-1].lower() if "." in file.name else ""
    if extension not in PHOTO_TYPES:
        raise DomainError(f"只能上传照片（{'、'.join(PHOTO_TYPES)}格式）", field="image")
    if file.size > PHOTO_MAX_BYTES:
        raise DomainError(f"照片不能超过 {PHOTO_MAX_BYTES // 1024 // 1024} MB", field="image")
    file.seek(0)
    head = file.read(12)
    file.seek(0)
    _, magics = PHOTO_TYPES[extension]
    if not any(head.startswith(m) for m in magics) or (extension == "webp" and head[8:12] != b"WEBP"):
        raise DomainError("文件内容不是有效的照片", field="image")


@transaction.atomic
def site_save(*, by: Any, data: dict[str, Any], site: RedSite | None = None) -> RedSite:
    """Create a red site or change one; names are unique across the town."""
    _require_town(by)
    values = {k: data.get(k) for k in SITE_FIELDS}
    for key in ("name", "address", "opening_hours"):
        values[key] = clean_text(values[key])
    values["description"] = (values["description"] or "").strip()
    values["active"] = bool(values["active"]) if site else values["active"] is not False
    if not values["name"]:
        raise DomainError("请填写点位名称", field="name")
    if values["kind"] not in RedSite.Kind.values:
        raise DomainError("请选择点位类别", field="kind")
    if not values["address"]:
        raise DomainError("请填写地址", field="address")
    if len(values["description"]) < 10:
        raise DomainError("简介至少10个字", field="description")
    twins = RedSite.objects.filter(name=values["name"])
    if site is not None:
        twins = twins.exclude(pk=site.pk)
    if twins.exists():
        raise DomainError("已有同名点位", field="name")
    site = site or RedSite()
    for key, value in values.items():
        setattr(site, key, value)
    site.save()
    return site


@transaction.atomic
def photo_add(*, site: RedSite, by: Any, file: Any, caption: str = "") -> SitePhoto:
    _require_town(by)
    validate_photo(file)
    return SitePhoto.objects.create(site=site, image=file, caption=clean_text(caption)[:100])


@transaction.atomic
def photo_remove(*, photo: SitePhoto, by: Any) -> None:
    _require_town(by)
    photo.image.delete(save=False)
    photo.delete()


@transaction.atomic
def site_reissue_token(*, site: RedSite, by: Any) -> RedSite:
    """A new code for the site (a misused poster stops working)."""
    _require_town(by)
    site.token = new_token()
    site.save(update_fields=["token"])
    return site


@transaction.atomic
def route_save(*, by: Any, data: dict[str, Any], sites: Iterable[RedSite], route: Route | None = None) -> Route:
    """A route's name and its stops in order, in one go: a refused order keeps nothing."""
    _require_town(by)
    name = clean_text(data.get("name"))
    if not name:
        raise DomainError("请填写路线名称", field="name")
    if Route.objects.filter(name=name).exclude(pk=getattr(route, "pk", None)).exists():
        raise DomainError("已有同名路线", field="name")
    route = route or Route()
    route.name, route.description, route.duration = (
        name,
        (data.get("description") or "").strip(),
        clean_text(data.get("duration")),
    )
    route.save()
    return route_set_stops(route=route, by=by, sites=sites)


@transaction.atomic
def activity_record(*, site: RedSite, by: Any, data: dict[str, Any]) -> RedActivity:
    """An activity held at a site, recorded by the town or by the secretary of the organizing
    organization."""
    scope = get_scope(by)
    organization = data.get("organization")
    town = scope.superuser or scope.has_role(TOWN_ADMIN)
    if not town and not (organization is not None and scope.covers(organization.path, "manage")):
        raise PermissionDenied("只能记录本单位组织的活动")
    title = clean_text(data.get("title"))
    held_on = data.get("held_on")
    participants = data.get("participants") or 0
    if data.get("kind") not in RedActivity.Kind.values:
        raise DomainError("请选择活动类别", field="kind")
    if not title:
        raise DomainError("请填写活动名称", field="title")
    if held_on is None:
        raise DomainError("请填写活动日期", field="held_on")
    if held_on > timezone.localdate():
        raise DomainError("活动日期不能晚于今天", field="held_on")
    if participants < 0 or participants > 10000:
        raise DomainError("参加人数应在0至10000之间", field="participants")
    return RedActivity.objects.create(
        site=site,
        kind=data["kind"],
        title=title[:200],
        held_on=held_on,
        organization=organization,
        description=(data.get("description") or "").strip(),
        participants=participants,
        created_by=by,
    )
