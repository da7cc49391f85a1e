"""Candidates for the page and API tests: one in 东村 (secretary_a's, liaison's) and one in the
company branch (secretary_b's)."""

import datetime as dt

import pytest

from qiangji import factories as f
from qiangji.reserve.models import ReservePool
from qiangji.reserve.services import assessment_record, candidate_enter, candidate_move

ENTERED = dt.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _after_the_pools_spring(freeze_day):
    """Candidates enter on ENTERED and move through spring 2026; no step may be dated after today."""
    freeze_day("2026-11-25")


@pytest.fixture
def pool(db):
    return ReservePool.objects.get(name="瀛洲好班长")


@pytest.fixture
def dual_pool(db):
    return ReservePool.objects.get(name="一肩挑")


@pytest.fixture
def cand_a(pool, town, users):
    member = f.member(organization=town["branch_a1"], name="张后备", birth=dt.date(1990, 6, 1))
    return candidate_enter(pool=pool, member=member, by=users["town_admin"], route="org", recommendation="群众基础好", on=ENTERED)


@pytest.fixture
def cand_b(pool, town, users):
    member = f.member(organization=town["branch_b"], name="王后备", birth=dt.date(1988, 1, 10))
    return candidate_enter(pool=pool, member=member, by=users["town_admin"], route="self", on=ENTERED)


@pytest.fixture
def appointed(dual_pool, town, users):
    admin = users["town_admin"]
    member = f.member(organization=town["branch_a2"], name="赵任用", birth=dt.date(1985, 3, 3))
    c = candidate_enter(pool=dual_pool, member=member, by=admin, route="town", on=ENTERED)
    candidate_move(candidate=c, by=admin, action="assess", on=dt.date(2026, 4, 1))
    assessment_record(candidate=c, by=admin, on=dt.date(2026, 5, 1), findings="履职能力强", conclusion="excellent")
    candidate_move(candidate=c, by=admin, action="appoint", post="东村第二党支部书记", on=dt.date(2026, 6, 1))
    return c
