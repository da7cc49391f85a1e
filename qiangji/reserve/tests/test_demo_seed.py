"""The demo module for reserve pools, mediation and positions' courses, run on a small town:
exact counts, every record written through the services, the same result for the same seed."""

import datetime as dt

import pytest
from django.utils import timezone

from qiangji import factories as f
from qiangji.demo.reserve_mediation import reset_reserve_mediation, seed_reserve_mediation
from qiangji.mediation.models import MediationCase, MediationStudio
from qiangji.orgs.models import Position
from qiangji.positions.models import Course, CourseBatch, CourseDelivery, PositionResource
from qiangji.reserve.models import Candidate, CandidateEvent, Event
from qiangji.trainings.models import Attendance


@pytest.fixture
def small_town(town, users):
    today = timezone.localdate()
    for i, name in enumerate(("陆晓东", "沈佳怡", "顾俊杰", "黄思远", "施雨婷")):
        f.member(organization=town["branch_a1" if i % 2 else "branch_a2"], name=name, birth=dt.date(today.year - 30 - i, 3, 1))
    centre = Position.objects.create(name="竖新镇党群服务中心", kind=Position.Kind.CENTRE, organization=town["town"])
    Position.objects.create(name="东村党群服务站", kind=Position.Kind.VILLAGE_SITE, parent=centre, organization=town["village_a"])
    Position.objects.create(name="东村第一党群服务点", kind=Position.Kind.POINT, parent=centre, organization=town["branch_a1"])
    orgs = {o.name: o for o in town.values()}
    return orgs


def signature():
    return (
        sorted(
            (c.member.name, c.pool.name, c.state, c.route, str(c.entered_on))
            for c in Candidate.objects.select_related("member", "pool")
        ),
        sorted(
            (c.studio.name, c.state, c.category, c.parties, str(c.opened_on))
            for c in MediationCase.objects.select_related("studio")
        ),
        sorted(
            (d.position.name, d.course.title, str(d.held_on)) for d in CourseDelivery.objects.select_related("position", "course")
        ),
        sorted(Attendance.objects.filter(present=True).values_list("member__name", "session__topic")),
    )


def test_seed_on_a_small_town(small_town, users):
    today = timezone.localdate()
    result = seed_reserve_mediation(seed=7, orgs=small_town, users=users, today=today)
    # 东村党总支 is the one village organization: 1-3 candidates, one studio, the positions' courses.
    assert result.candidates == Candidate.objects.count() and 1 <= result.candidates <= 3
    assert result.events == Event.objects.count() == 3
    assert result.studios == MediationStudio.objects.count() == 1
    assert result.cases == MediationCase.objects.count() >= 2
    assert result.courses == Course.objects.count() == 6
    assert result.batches == CourseBatch.objects.count() == (today.month - 1) // 3 + 1
    assert result.deliveries == CourseDelivery.objects.count()
    # Every candidate entered through the service: its first event is the entry.
    assert CandidateEvent.objects.filter(action="enter").count() == result.candidates
    # Only the village site (with an organization) received courses; the point has resources but no culture.
    assert set(CourseBatch.objects.values_list("positions__name", flat=True)) == {"东村党群服务站"}
    assert not PositionResource.objects.filter(position__kind="point", category__in=["culture", "governance"]).exists()
    assert all(p.opening_hours and p.capacity for p in Position.objects.all())
    # Nothing dated after today.
    assert not MediationCase.objects.filter(opened_on__gt=today).exists()
    assert not CourseDelivery.objects.filter(held_on__gt=today).exists()


def test_same_seed_same_town(small_town, users, town):
    today = timezone.localdate()
    seed_reserve_mediation(seed=7, orgs=small_town, users=users, today=today)
    first = signature()
    reset_reserve_mediation(town["town"])
    assert (
        Candidate.objects.count() == MediationStudio.objects.count() == CourseBatch.objects.count() == Course.objects.count() == 0
    )
    Attendance.objects.all().delete()
    seed_reserve_mediation(seed=7, orgs=small_town, users=users, today=today)
    assert signature() == first
