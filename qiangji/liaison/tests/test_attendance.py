"""Recording liaison attendance (列席): who may record what, and nothing changes when refused.

In the fixture the liaison user's group (第一指导联络组) covers 东村党总支 and its subtree.
"""

import datetime as dt

import pytest
from django.utils import timezone

from qiangji import factories as f
from qiangji.core.errors import DomainError
from qiangji.liaison.models import LiaisonAttendance
from qiangji.liaison.services import liaison_attendance_record
from qiangji.orglife.models import Meeting
from qiangji.orgs.models import LiaisonGroup

D = dt.date
TODAY = D(2026, 12, 10)


def meeting(org, day=TODAY, kind=Meeting.Kind.ASSEMBLY, status=Meeting.Status.HELD):
    return Meeting.objects.create(organization=org, kind=kind, status=status, date=day, topic="专题学习")


@pytest.fixture
def group(users):
    return LiaisonGroup.objects.get(name="第一指导联络组")


def test_a_member_records_attended_and_is_the_default_attendee(users, town, group):
    m = meeting(town["group_a1"])  # a Party group deep in the covered subtree
    record = liaison_attendance_record(
        meeting=m, group=group, by=users["liaison"], attended=True, note=" 会上作点评 ", today=TODAY
    )
    assert (record.attended, record.note, record.recorded_by) == (True, "会上作点评", users["liaison"])
    assert [u.username for u in record.attendees.all()] == ["liaison"]
    assert record.recorded_at is not None


def test_a_second_tap_corrects_the_record(users, town, group):
    m = meeting(town["branch_a1"], day=TODAY - dt.timedelta(days=3), status=Meeting.Status.SCHEDULED)
    liaison_attendance_record(meeting=m, group=group, by=users["liaison"], attended=True, today=TODAY)
    liaison_attendance_record(meeting=m, group=group, by=users["liaison"], attended=False, today=TODAY)
    assert list(LiaisonAttendance.objects.values_list("attended", "note")) == [(False, "")]
    assert LiaisonAttendance.objects.get().attendees.count() == 0


def test_the_leader_and_other_members_may_be_attendees(users, town, group):
    leader, colleague = f.UserFactory(username="leader"), f.UserFactory(username="colleague")
    group.leader = leader
    group.save()
    group.members.add(colleague)
    record = liaison_attendance_record(
        meeting=meeting(town["branch_a2"]), group=group, by=leader, attended=True, attendees=[colleague, leader], today=TODAY
    )
    assert sorted(u.username for u in record.attendees.all()) == ["colleague", "leader"]


@pytest.mark.parametrize(
    "case, message",
    [
        ("not_in_group", "只有本联络组成员可以登记列席情况"),
        ("other_org", "该会议不属于本联络组联系的党组织"),
        ("committee_meeting", "联络组只需列席党员大会和主题党日"),
        ("future", "会议尚未召开，召开当天或之后再登记列席情况"),
        ("outsider_attendee", "列席人员须为本联络组成员"),
        ("absent_with_attendees", "未列席时不能填写列席人员"),
        ("attended_without_attendees", "请选择列席人员"),
    ],
)
def test_bad_records_are_refused_and_nothing_changes(users, town, group, case, message):
    by, org, kind, day = users["liaison"], town["branch_a1"], Meeting.Kind.THEME_DAY, TODAY
    attended, attendees = True, None
    if case == "not_in_group":
        by = users["secretary_a"]
    elif case == "other_org":
        org = town["branch_b"]
    elif case == "committee_meeting":
        kind = Meeting.Kind.COMMITTEE_MEETING
    elif case == "future":
        day = TODAY + dt.timedelta(days=1)
    elif case == "outsider_attendee":
        attendees = [users["secretary_a"]]
    elif case == "absent_with_attendees":
        attended, attendees = False, [users["liaison"]]
    elif case == "attended_without_attendees":
        attendees = []
    m = meeting(org, day=day, kind=kind, status=Meeting.Status.SCHEDULED)
    with pytest.raises(DomainError) as error:
        liaison_attendance_record(meeting=m, group=group, by=by, attended=attended, attendees=attendees, today=TODAY)
    assert error.value.message == message
    assert LiaisonAttendance.objects.count() == 0


def test_a_refused_correction_keeps_the_earlier_record(users, town, group):
    m = meeting(town["branch_a1"], day=timezone.localdate())
    liaison_attendance_record(meeting=m, group=group, by=users["liaison"], attended=True)
    with pytest.raises(DomainError):
        liaison_attendance_record(meeting=m, group=group, by=users["liaison"], attended=True, attendees=[users["member"]])
    record = LiaisonAttendance.objects.get()
    assert record.attended is True
    assert [u.username for u in record.attendees.all()] == ["liaison"]
