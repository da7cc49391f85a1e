"""Orglife fixtures: members of the small town's branches and a helper that records meetings."""

import datetime as dt

import pytest

from qiangji import factories as f
from qiangji.orglife.models import Attendance, Meeting

TODAY = dt.date(2026, 11, 25)


def hold(organization, kind, day, *, status=Meeting.Status.HELD, topic="学习党的二十届三中全会精神", attendees=()):
    """A meeting as the service would store it (tests of the rules need many, fast)."""
    meeting = Meeting.objects.create(organization=organization, kind=kind, date=day, status=status, topic=topic)
    Attendance.objects.bulk_create([Attendance(meeting=meeting, member=m, present=True) for m in attendees])
    return meeting


@pytest.fixture(autouse=True)
def _late_in_the_year(freeze_day):
    """The fixtures hold 2025 and 2026 meetings and home-study visits and import 2026 sheets; none
    may be dated after today, and "this year" is 2026."""
    freeze_day(TODAY.isoformat())


@pytest.fixture
def people(town, users):
    """Two more members of branch_a1 (李党员 is the member user's record) and one of branch_b."""
    from qiangji.members.models import Member

    return {
        "li": Member.objects.get(name="李党员"),
        "zhao": f.member(organization=town["branch_a1"], name="赵一", birth=dt.date(1971, 1, 2)),
        "qian": f.member(organization=town["branch_a1"], name="钱二", birth=dt.date(1972, 2, 3)),
        "sun": f.member(organization=town["branch_b"], name="孙三", birth=dt.date(1973, 3, 4)),
    }
