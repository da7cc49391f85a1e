"""Check-ins are a member's own record: one per site and day, members only, open sites only."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from qiangji.core.errors import DomainError
from qiangji.redculture.models import CheckIn, RedSite, Route
from qiangji.redculture.services import checkin_record, route_set_stops

DAY = dt.date(2026, 7, 1)


@pytest.fixture
def site(db):
    return RedSite.objects.create(
        name="竖新镇革命历史陈列馆", kind="exhibition", description="陈列本镇革命斗争史", address="竖新镇新中村"
    )


def test_one_checkin_per_site_and_day(site, users):
    first, created = checkin_record(user=users["member"], site=site, note="重温入党誓词", today=DAY)
    again, created_again = checkin_record(user=users["member"], site=site, today=DAY)
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert CheckIn.objects.count() == 1
    _, next_day = checkin_record(user=users["member"], site=site, today=DAY + dt.timedelta(days=1))
    assert next_day and CheckIn.objects.count() == 2


@pytest.mark.parametrize("who", ["town_admin", "visitor", "secretary_b"])
def test_only_members_check_in(site, users, who):
    with pytest.raises(PermissionDenied):
        checkin_record(user=users[who], site=site, today=DAY)
    assert CheckIn.objects.count() == 0


def test_closed_site_takes_no_checkin(site, users):
    site.active = False
    site.save()
    with pytest.raises(DomainError, match="暂不开放"):
        checkin_record(user=users["member"], site=site, today=DAY)
    assert CheckIn.objects.count() == 0


def test_route_orders_its_sites(site, users):
    other = RedSite.objects.create(name="烈士陵园", kind="memorial", description="缅怀先烈", address="竖新镇")
    route = Route.objects.create(name="竖新红色研学一日游")
    route_set_stops(route=route, by=users["town_admin"], sites=[other, site])
    assert [s.site.name for s in route.stops.all()] == ["烈士陵园", "竖新镇革命历史陈列馆"]
    with pytest.raises(DomainError, match="只能出现一次"):
        route_set_stops(route=route, by=users["town_admin"], sites=[site, site])
    with pytest.raises(PermissionDenied):
        route_set_stops(route=route, by=users["secretary_a"], sites=[site, other])
    assert [s.site.name for s in route.stops.all()] == ["烈士陵园", "竖新镇革命历史陈列馆"]
