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
from qiangji.redculture.models import CheckIn, RedSite, Route, RouteStop


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
