"""seed_demo on databases where no demo town was built first (the other modules share one)."""

import datetime as dt

import pytest
from django.core.management.base import CommandError

from qiangji.demo.tests.town import test_demo_ledger as ledger_tests
from qiangji.demo.tests.town.seeding import seed
from qiangji.members.models import Member
from qiangji.orglife.models import Meeting
from qiangji.plans.models import WorkPlan
from qiangji.trainings import models as tr


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_early_in_the_year_there_is_little_yet(db):
    seed(today=dt.date(2027, 1, 20))
    assert not Meeting.objects.held().exclude(date__range=(dt.date(2027, 1, 1), dt.date(2027, 1, 20))).exists()
    # No training session has taken place yet; only the first quarter's courses held at positions.
    # The three warning-education batches are ahead (April to June), none attended yet.
    assert not tr.Attendance.objects.filter(session__delivery__isnull=True).exists()
    assert tr.Session.objects.filter(delivery__isnull=True).count() == 19 + 3
    assert not WorkPlan.objects.filter(filed_at__date__gt=dt.date(2027, 1, 20)).exists()


def test_refuses_to_mix_with_other_data(town):
    with pytest.raises(CommandError, match="已有演示镇以外的党组织数据"):
        seed()
    assert Member.objects.count() == 0


def test_another_seed_gives_other_problems_but_the_same_figures(db):
    seed(seed=11)
    assert ledger_tests.figures() == ledger_tests.DOCUMENTED
