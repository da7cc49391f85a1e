import datetime as dt
from decimal import Decimal

import pytest

from qiangji import factories as f
from qiangji.members.models import Member
from qiangji.trainings.models import Attendance, Enrolment, Session, Training


@pytest.fixture
def people(town, users):
    """李党员 (branch_a1, the member user) plus a secretary of branch_a2 and a member of branch_b."""
    return {
        "li": Member.objects.get(name="李党员"),
        "zhao": f.member(organization=town["branch_a2"], name="赵书记", party_post=Member.PartyPost.SECRETARY),
        "wang": f.member(organization=town["branch_b"], name="王五"),
    }


@pytest.fixture
def training(town, users):
    t = Training.objects.create(name="2025年党员集中轮训", kind=Training.Kind.ROTATION, organization=town["town"])
    Session.objects.create(training=t, date=dt.date(2025, 3, 1), hours=Decimal("20"), topic="党章学习")
    Session.objects.create(training=t, date=dt.date(2025, 6, 1), hours=Decimal("12.5"), topic="和美乡村建设")
    return t


def attend(session, *members, present=True):
    for member in members:
        Enrolment.objects.get_or_create(training=session.training, member=member)
        Attendance.objects.update_or_create(session=session, member=member, defaults={"present": present})
