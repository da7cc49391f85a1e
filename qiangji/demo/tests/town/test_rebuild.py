"""seed_demo run again changes nothing; `--reset` builds the same town again — its people, the
year of organizational life, the ledger and the campaign — with nothing of the first build left
over; another seed gives other people and another year.

One module, so that the package's town is rebuilt twice in all rather than twice per module: a
rebuild costs half a minute on PostgreSQL."""

from qiangji.accounts.models import RoleGrant, User
from qiangji.core.access import VISITOR
from qiangji.core.models import ChangeRecord
from qiangji.demo.tests.town import test_demo_campaign as campaign
from qiangji.demo.tests.town import test_demo_ledger as ledger
from qiangji.demo.tests.town import test_seed_demo as people
from qiangji.demo.tests.town import test_seed_life as year
from qiangji.demo.tests.town.seeding import TODAY, seed
from qiangji.ledger.selectors import plans_for_list
from qiangji.members.models import Member
from qiangji.orglife.models import Attendance, Meeting
from qiangji.orgs.models import Organization
from qiangji.plans.models import WorkPlan
from qiangji.trainings import models as tr


def town() -> dict:
    return {
        "roster": people.roster(),
        "year": year.life(),
        "ledger": ledger.snapshot(),
        "campaign": campaign.figures(),
        "counts": (
            Member.objects.count(),
            Organization.objects.count(),
            User.objects.count(),
            Meeting.objects.count(),
            Attendance.objects.count(),
            tr.Attendance.objects.count(),
            WorkPlan.objects.count(),
            ChangeRecord.objects.count(),
        ),
    }


def test_running_again_changes_nothing_and_reset_builds_the_same_town(demo):
    before = town()
    assert "演示镇已存在" in seed()
    assert town() == before
    assert seed("--reset").startswith("已删除原有演示数据。")
    # Nothing of the first build is left over (events, notifications, history of grades and plans).
    assert town() == before
    assert Member.objects.count() == 200
    assert Organization.objects.exclude(kind="group").count() == 115
    assert ChangeRecord.objects.filter(content_type__model="member").count() == 200
    assert ChangeRecord.objects.filter(content_type__model="organization").count() == Organization.objects.count()
    # The year's trainings, the quarterly course batches and the year's warning education.
    assert tr.Training.objects.count() == 6 + 4 + 1
    assert RoleGrant.objects.filter(role=VISITOR).values("user").distinct().count() == 99
    plans = plans_for_list(user=User.objects.get(username="zhen_admin"), year=2026, today=TODAY)
    assert sum(p.behind_count for p in plans) == 6


def test_another_seed_gives_other_people_and_another_year(demo):
    first_people, first_year = people.roster(), year.life()
    seed("--reset", seed=8)
    assert [row[2] for row in people.roster()] != [row[2] for row in first_people]
    assert year.life() != first_year
