"""Hours: the sum of attended sessions in a year, against the editable requirement."""

import datetime as dt
from decimal import Decimal

from qiangji.trainings import selectors as s
from qiangji.trainings.models import HoursRequirement, Session, Training
from qiangji.trainings.services import hours_requirement_update
from qiangji.trainings.tests.conftest import attend


def test_defaults_come_from_the_data_migration(db):
    assert s.requirements() == {"member": 32, "leader": 56}
    assert HoursRequirement.objects.count() == 2


def test_hours_sum_present_sessions_of_the_year_only(town, users, people, training):
    first, second = training.sessions.all()
    attend(first, people["li"], people["zhao"])
    attend(second, people["li"])
    attend(second, people["zhao"], present=False)
    other = Training.objects.create(name="2024年书记培训", kind=Training.Kind.SECRETARY, organization=town["town"])
    attend(Session.objects.create(training=other, date=dt.date(2024, 12, 31), hours=8, topic="旧年"), people["li"])

    report = s.hours_report(user=users["town_admin"], organization=town["town"], year=2025)
    hours = {m.name: (m.hours, m.required) for m in report["members"]}
    assert hours == {
        "李党员": (Decimal("32.5"), 32),
        "赵书记": (Decimal("20.0"), 56),
        "王五": (Decimal("0"), 32),
    }
    total = report["total"]
    assert (total.members, total.below, total.average, total.completion_rate) == (3, 2, Decimal("17.5"), Decimal("33.3"))
    by_org = {o.name: (o.members, o.below, o.average, o.completion_rate) for o in report["organizations"]}
    assert by_org == {
        "东村第一党支部": (1, 0, Decimal("32.5"), Decimal("100.0")),
        "东村第二党支部": (1, 1, Decimal("20.0"), Decimal("0.0")),
        "竖新镇某某公司党支部": (1, 1, Decimal("0.0"), Decimal("0.0")),
    }


def test_changed_requirement_applies(town, users, people, training):
    attend(training.sessions.first(), people["zhao"])
    hours_requirement_update(category="leader", hours=20)
    report = s.hours_report(user=users["town_admin"], organization=town["branch_a2"], year=2025)
    assert [(m.name, m.hours, m.required) for m in report["members"]] == [("赵书记", Decimal("20.0"), 20)]
    assert report["total"].below == 0


def test_secretary_report_is_scoped(town, users, people, training):
    report = s.hours_report(user=users["secretary_a"], organization=town["village_a"], year=2025)
    assert sorted(m.name for m in report["members"]) == ["李党员", "赵书记"]


def test_member_hours_are_their_own_record(users, people, training):
    attend(training.sessions.first(), people["li"])
    mine = s.member_hours(member=people["li"], year=2025)
    assert (mine["total"], mine["required"], mine["reached"]) == (Decimal("20.0"), 32, False)
    assert [x.topic for x in mine["sessions"]] == ["党章学习"]
