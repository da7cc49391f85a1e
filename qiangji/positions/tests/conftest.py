"""Positions, courses and a sent batch for the page and API tests."""

from decimal import Decimal

import pytest

from qiangji import factories as f
from qiangji.orgs.models import Position
from qiangji.positions.models import Course, PositionResource
from qiangji.positions.services import course_batch_send


@pytest.fixture(autouse=True)
def _late_in_the_courses_year(freeze_day):
    """The batches are of 2026's second and third quarters; no course may be held after today."""
    freeze_day("2026-11-25")


@pytest.fixture
def places(town):
    centre = Position.objects.create(
        name="竖新镇党群服务中心", kind=Position.Kind.CENTRE, organization=town["town"], address="竖新镇政府旁"
    )
    site = Position.objects.create(
        name="东村党群服务站", kind=Position.Kind.VILLAGE_SITE, parent=centre, organization=town["village_a"]
    )
    point = Position.objects.create(
        name="东村第一党群服务点", kind=Position.Kind.POINT, parent=site, organization=town["branch_a1"]
    )
    station = Position.objects.create(
        name="柑橘产业链党群服务站", kind=Position.Kind.CHAIN_STATION, organization=town["branch_b"]
    )
    PositionResource.objects.create(position=site, category="party", name="党员活动室")
    PositionResource.objects.create(position=site, category="service", name="便民代办点")
    return {"centre": centre, "site": site, "point": point, "station": station}


@pytest.fixture
def courses(db):
    return [
        Course.objects.create(title="新时代基层治理", teacher="镇党校", hours=Decimal("2.0")),
        Course.objects.create(title="党章学习", teacher="镇党校", hours=Decimal("1.5")),
    ]


@pytest.fixture
def batch(places, courses, users, town):
    return course_batch_send(
        by=users["town_admin"],
        year=2026,
        quarter=2,
        courses=courses,
        positions=[places["site"], places["station"]],
        root=town["town"],
    )


@pytest.fixture
def villagers(town):
    return [f.member(organization=town["branch_a1"], name=n) for n in ("甲党员", "乙党员")]
