"""Quarterly course batches: sending them down, recording a course held at a position, and the
hours reaching members' training records once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from qiangji import factories as f
from qiangji.core.errors import DomainError
from qiangji.orgs.models import Position
from qiangji.positions.models import Course, CourseBatch, CourseDelivery
from qiangji.positions.services import course_batch_send, course_delivery_record
from qiangji.trainings.models import Attendance, Session
from qiangji.trainings.selectors import member_hours

HELD = dt.date(2026, 4, 15)


@pytest.fixture
def setup(town, users):
    centre = Position.objects.create(name="竖新镇党群服务中心", kind=Position.Kind.CENTRE, organization=town["town"])
    site = Position.objects.create(
        name="东村党群服务站", kind=Position.Kind.VILLAGE_SITE, parent=centre, organization=town["village_a"]
    )
    other = Position.objects.create(name="公司党群服务点", kind=Position.Kind.POINT, parent=centre, organization=town["branch_b"])
    c1 = Course.objects.create(title="新时代基层治理", teacher="镇党校", hours=Decimal("2.0"))
    c2 = Course.objects.create(title="党章学习", teacher="镇党校", hours=Decimal("1.5"))
    batch = course_batch_send(by=users["town_admin"], year=2026, quarter=2, courses=[c1, c2], positions=[site], root=town["town"])
    members = [f.member(organization=town["branch_a1"], name=n) for n in ("甲党员", "乙党员")]
    return {"site": site, "other": other, "c1": c1, "c2": c2, "batch": batch, "members": members}


def test_hours_reach_the_member_record_once(setup, users):
    s, (a, b) = setup, setup["members"]
    for _ in range(2):  # recorded twice: the sheet is corrected, not added up
        course_delivery_record(
            batch=s["batch"],
            course=s["c1"],
            position=s["site"],
            by=users["secretary_a"],
            held_on=HELD,
            members=[a, b],
            present_ids={a.pk},
        )
    assert member_hours(member=a, year=2026)["total"] == Decimal("2.0")
    assert member_hours(member=b, year=2026)["total"] == Decimal("0")
    assert CourseDelivery.objects.count() == 1 and Session.objects.count() == 1
    assert Attendance.objects.filter(present=True).count() == 1
    course_delivery_record(
        batch=s["batch"],
        course=s["c2"],
        position=s["site"],
        by=users["secretary_a"],
        held_on=HELD,
        members=[a, b],
        present_ids={a.pk, b.pk},
    )
    assert member_hours(member=a, year=2026)["total"] == Decimal("3.5")
    assert member_hours(member=b, year=2026)["total"] == Decimal("1.5")


def test_one_batch_per_quarter_and_only_the_town_sends(setup, users, town):
    with pytest.raises(DomainError, match="已安排"):
        course_batch_send(
            by=users["town_admin"], year=2026, quarter=2, courses=[setup["c1"]], positions=[setup["site"]], root=town["town"]
        )
    with pytest.raises(PermissionDenied):
        course_batch_send(
            by=users["secretary_a"], year=2026, quarter=3, courses=[setup["c1"]], positions=[setup["site"]], root=town["town"]
        )
    assert CourseBatch.objects.count() == 1


@pytest.mark.parametrize(
    ("which", "message"),
    [("other_position", "未下沉"), ("other_course", "不在本批次"), ("early", "季度"), ("future", "晚于今天")],
)
def test_bad_delivery_changes_nothing(setup, users, which, message):
    s = setup
    extra = Course.objects.create(title="另一门课", hours=Decimal("1"))
    kwargs = {"batch": s["batch"], "course": s["c1"], "position": s["site"], "held_on": HELD}
    if which == "other_position":
        kwargs["position"] = s["other"]
    elif which == "other_course":
        kwargs["course"] = extra
    elif which == "early":
        kwargs["held_on"] = dt.date(2026, 2, 1)
    else:
        kwargs["held_on"] = dt.date(2099, 5, 1)
    with pytest.raises(DomainError, match=message):
        course_delivery_record(by=users["town_admin"], members=s["members"], present_ids=set(), **kwargs)
    assert CourseDelivery.objects.count() == 0 and Session.objects.count() == 0


def test_a_secretary_records_only_at_own_positions(setup, users):
    with pytest.raises(PermissionDenied):
        course_delivery_record(
            batch=setup["batch"],
            course=setup["c1"],
            position=setup["site"],
            by=users["secretary_b"],
            held_on=HELD,
            members=[],
            present_ids=set(),
        )
    assert CourseDelivery.objects.count() == 0
