"""Two red sites (one closed) and a route through both."""

import pytest

from qiangji.redculture.models import RedSite, Route, RouteStop

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)  # a 1×1 transparent PNG


@pytest.fixture
def sites(db):
    hall = RedSite.objects.create(
        name="竖新镇革命历史陈列馆",
        kind=RedSite.Kind.EXHIBITION,
        description="陈列竖新地区革命斗争史料和实物",
        address="竖新镇新中村",
        opening_hours="周二至周日 9:00-16:00",
    )
    grave = RedSite.objects.create(
        name="烈士墓", kind=RedSite.Kind.MEMORIAL, description="安葬解放战争时期牺牲的烈士", address="竖新镇前卫村"
    )
    closed = RedSite.objects.create(
        name="修缮中的旧址", kind=RedSite.Kind.HISTORIC, description="正在修缮的革命旧址", address="竖新镇", active=False
    )
    return {"hall": hall, "grave": grave, "closed": closed}


@pytest.fixture
def route(sites):
    route = Route.objects.create(name="竖新红色研学一日游", duration="半天")
    RouteStop.objects.create(route=route, site=sites["grave"], order=1)
    RouteStop.objects.create(route=route, site=sites["hall"], order=2)
    return route
