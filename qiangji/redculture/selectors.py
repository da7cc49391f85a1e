"""Reads of red culture. Sites, routes and activities are public information for every signed-in
user; check-ins are read only by their own member (never others', never counted against them)."""

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from qiangji.core.access import get_scope
from qiangji.redculture.models import CheckIn, RedActivity, RedSite, Route, RouteStop


def sites_for_list() -> QuerySet[RedSite]:
    return RedSite.objects.select_related("village").annotate(photo_count=Count("photos")).order_by("-active", "name")


def get_site(pk: int) -> RedSite:
    return get_object_or_404(RedSite.objects.select_related("village"), pk=pk)


def get_site_by_token(token: str) -> RedSite:
    return get_object_or_404(RedSite.objects.select_related("village"), token=token)


def routes_with_stops() -> QuerySet[Route]:
    stops = RouteStop.objects.select_related("site").order_by("order")
    return Route.objects.prefetch_related(Prefetch("stops", queryset=stops)).order_by("name")


def my_checkins(user: Any) -> QuerySet[CheckIn]:
    """The signed-in member's own check-ins; anyone else's never."""
    member_id = get_scope(user).member_id
    if not member_id:
        return CheckIn.objects.none()
    return CheckIn.objects.filter(member_id=member_id).select_related("site").order_by("-on", "-at")


def activities_held(*, start: dt.date, end: dt.date) -> QuerySet[RedActivity]:
    """Activities at red sites held in [start, end] (sites and their activities are public to staff)."""
    qs = RedActivity.objects.filter(held_on__gte=start, held_on__lte=end)
    return qs.select_related("site", "organization").order_by("-held_on", "-id")
