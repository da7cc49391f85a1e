"""Red sites and check-ins over the API. Sites and routes are for every signed-in user; a check-in
is the caller's own (members only), and the caller reads only their own."""

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from qiangji.core.api import ErrorOut, ValidationErrorOut
from qiangji.redculture.models import Route, RouteStop
from qiangji.redculture.schemas import CheckInIn, CheckInOut, SiteDetailOut, SiteOut
from qiangji.redculture.selectors import get_site, my_checkins, sites_for_list
from qiangji.redculture.services import checkin_record

router = Router(tags=["红色阵地"])
READ_ERRORS = {401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}


@router.get("", response={200: list[SiteOut], **READ_ERRORS}, operation_id="red_site_list", summary="红色点位")
def site_list(request: HttpRequest) -> Any:
    return [SiteOut.of(site) for site in sites_for_list()]


@router.get("/checkins/mine", response={200: list[CheckInOut], **READ_ERRORS}, operation_id="checkin_mine", summary="我的打卡")
def checkins_mine(request: HttpRequest) -> Any:
    """The caller's own check-ins, newest first (none for an account without a member record)."""
    return [CheckInOut.of(c) for c in my_checkins(request.auth)]


@router.get("/{id:site_id}", response={200: SiteDetailOut, **READ_ERRORS}, operation_id="red_site_detail", summary="点位详情")
def site_detail(request: HttpRequest, site_id: int) -> Any:
    """With its photos, activities and the routes passing it (each route's stops in order)."""
    site = get_site(site_id)
    stops = RouteStop.objects.select_related("site").order_by("order")
    routes = list(Route.objects.filter(stops__site=site).prefetch_related(Prefetch("stops", queryset=stops)).order_by("name"))
    return SiteDetailOut.of_detail(site, routes)


@router.post(
    "/{id:site_id}/checkins",
    response={200: CheckInOut, 201: CheckInOut, **WRITE_ERRORS},
    operation_id="checkin_record",
    summary="打卡（本人）",
)
def checkin(request: HttpRequest, site_id: int, payload: CheckInIn) -> Any:
    """201 for a new check-in; 200 with `created: false` when the caller already checked in here
    today; 403 for an account without a member record; 409 for a closed site."""
    site = get_site(site_id)
    item, created = checkin_record(user=request.auth, site=site, note=payload.note)
    return Status(201 if created else 200, CheckInOut.of(item, created))
