"""seed_demo fills the year up to today: meetings with attendance, trainings with hours, work plans."""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Count, Q, Sum

from qiangji.core.models import ChangeRecord
from qiangji.demo.tests.town.seeding import TODAY
from qiangji.members.models import Member
from qiangji.orglife.compliance import compliance_grids
from qiangji.orglife.models import Attendance, Meeting
from qiangji.orgs.models import Organization
from qiangji.plans.models import WorkPlan
from qiangji.positions.models import CourseBatch
from qiangji.trainings import models as tr


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def life() -> tuple:
    """Everything seed_demo wrote for the year, by names rather than ids."""
    meetings = sorted(Meeting.objects.values_list("organization__name", "kind", "status", "date", "topic", "presenter__name"))
    attendance = sorted(
        Attendance.objects.filter(present=False).values_list(
            "meeting__organization__name", "meeting__date", "member__id_number", "absence_reason", "note"
        )
    )
    trainings = sorted(tr.Attendance.objects.values_list("session__topic", "session__date", "member__id_number", "present"))
    plans = sorted(WorkPlan.objects.values_list("organization__name", "status", "filed_at"))
    return meetings, attendance, trainings, plans


def test_the_year_has_meetings_attendance_trainings_and_plans(demo):
    assert "2026年组织生活：已召开会议 1765 次（出席登记 3415 条），计划召开 62 次" in demo
    # Six trainings of the year, the four quarterly course batches sent down to positions and the
    # year's warning education, whose attendance is recorded as trainings attendance
    # (1,498 + 2,077 + 105).
    assert "培训 11 个（出勤登记 3680 条）；工作计划备案 108 份" in demo
    kinds = dict(Meeting.objects.held().values_list("kind").annotate(n=Count("id")).order_by())
    assert kinds == {"assembly": 350, "discussion": 217, "lecture": 255, "review_meeting": 48, "theme_day": 895}
    assert Attendance.objects.count() == 3415
    assert Attendance.objects.filter(present=False).count() == 247
    batches = tr.Training.objects.filter(pk__in=CourseBatch.objects.values("training"))
    own = tr.Training.objects.exclude(pk__in=batches).exclude(kind="warning_education")
    own_sessions = tr.Session.objects.filter(training__in=own)
    assert (own.count(), own_sessions.count(), tr.Enrolment.objects.filter(training__in=own).count()) == (6, 19, 492)
    assert tr.Attendance.objects.filter(session__in=own_sessions).count() == 1498
    assert batches.count() == 4
    assert dict(WorkPlan.objects.values_list("status").annotate(n=Count("id")).order_by()) == {"filed": 103, "returned": 5}
    assert not WorkPlan.objects.filter(filed_by__isnull=True).exists()  # the 备案人 column is never empty


def test_held_meetings_are_in_the_past_with_attendance_and_scheduled_ones_ahead(demo):
    held = Meeting.objects.held()
    assert not held.filter(date__gt=TODAY).exists() and not held.filter(date__year__lt=TODAY.year).exists()
    scheduled = Meeting.objects.filter(status="scheduled")
    assert set(scheduled.values_list("kind", flat=True)) == {"theme_day", "assembly"}
    assert all(TODAY < d <= TODAY + dt.timedelta(days=35) for d in scheduled.values_list("date", flat=True))
    assert not Attendance.objects.filter(meeting__status="scheduled").exists()
    assert not held.annotate(n=Count("attendances", filter=Q(attendances__present=True))).filter(n=0).exists()
    for a in Attendance.objects.select_related("member", "meeting__organization"):
        assert a.member.organization_id == a.meeting.organization_id
        assert a.present == (a.absence_reason == "")
    notes = set(Attendance.objects.filter(present=False).values_list("note", flat=True))
    assert {"外出务工", "生病住院", "年老体弱行动不便"} <= notes
    assert ChangeRecord.objects.filter(content_type__model="meeting").count() == Meeting.objects.count()


def test_the_compliance_heat_map_shows_green_red_and_pending(demo):
    branches = list(Organization.objects.filter(kind="branch"))
    grids = compliance_grids(branches, year=TODAY.year, today=TODAY)
    statuses = Counter(c.status for rows in grids.values() for row in rows for c in row.cells)
    assert statuses["held"] > 5 * statuses["missed"] > 0
    assert statuses["pending"] > 0
    missed = Counter(org for org, rows in grids.items() for row in rows for c in row.cells if c.status == "missed")
    assert sum(n >= 10 for n in missed.values()) >= 2  # a few weak branches
    assert len(branches) - len(missed) > len(branches) // 3  # many missed nothing


def test_training_hours_vary_around_the_requirement(demo):
    hours = dict(
        Member.objects.annotate(
            h=Sum("training_attendances__session__hours", filter=Q(training_attendances__present=True))
        ).values_list("pk", "h")
    )
    members = Member.objects.exclude(party_post__in=tr.LEADER_POSTS).values_list("pk", flat=True)
    member_hours = [hours[pk] or Decimal(0) for pk in members]
    assert sum(h >= 32 for h in member_hours) > 0 and sum(h < 32 for h in member_hours) > 0
    secretaries = Member.objects.filter(party_post="secretary").values_list("pk", flat=True)
    secretary_hours = [hours[pk] or Decimal(0) for pk in secretaries]
    assert sum(h >= 56 for h in secretary_hours) > 0 and sum(h < 56 for h in secretary_hours) > 0
    rotation = tr.Enrolment.objects.filter(training__kind="rotation")
    assert rotation.count() == Member.objects.count() == rotation.values("member").distinct().count()


def test_most_organizations_filed_this_years_plan(demo):
    filing = Organization.objects.exclude(kind="group")
    filed = WorkPlan.objects.filter(year=TODAY.year, status="filed")
    assert filing.count() - WorkPlan.objects.count() == 7
    assert filed.filter(organization__parent__isnull=True).exists()
    assert all(p.returned_at and p.comment for p in WorkPlan.objects.filter(status="returned"))
    assert all(p.filed_at.date() <= TODAY for p in WorkPlan.objects.all())


def test_the_reserve_mediation_courses_hall_and_red_sites_are_summarised(demo):
    assert (
        "头雁培优与阵地：后备人选 12 名，调解案件 21 件，下沉课程 4 批（送课 130 场），"
        "议事项目 4 个（群众意见 29 条），红色阵地 6 处（打卡 53 次）"
    ) in demo


def test_the_year_has_an_issued_brief_whose_figures_are_the_records(demo):
    from qiangji.accounts.models import User
    from qiangji.briefs.models import WorkBrief
    from qiangji.briefs.selectors import brief_figures
    from qiangji.demo.tests.town.seeding import TODAY

    brief = WorkBrief.objects.get()
    assert (brief.status, brief.issued_by.username, brief.start, brief.end) == (
        "issued",
        "zhen_admin",
        dt.date(2026, 1, 1),
        TODAY,
    )
    assert (
        "工作简报：已签发《中共竖新镇委员会2026年“基层组织建设年”活动工作简报》，召开“三会一课”和主题党日 1500 次，"
        "送学上门 0 次，自查自纠问题 167 个，走访 700 次"
    ) in demo
    live = brief_figures(
        start=brief.start, end=brief.end, organization=brief.organization, user=User.objects.get(username="zhen_admin")
    )
    assert {k: f["value"] for k, f in brief.figures.items()} == {k: v for k, (_, v) in live.items()}
    assert brief.text.startswith("理论武装与组织生活。")


def test_warning_education_in_three_batches_counts_hours_once(demo):
    """ "百余名党员分3批次": 105 members, 35 a batch, none in two batches, 3 hours each for those present."""
    batches = list(tr.WarningBatch.objects.order_by("number"))
    assert [(b.number, b.site, b.session.date, b.members.count()) for b in batches] == [
        (1, "崇明区党风廉政教育基地", dt.date(2026, 4, 18), 35),
        (2, "崇明区党风廉政教育基地", dt.date(2026, 5, 16), 35),
        (3, "崇明区党风廉政教育基地", dt.date(2026, 6, 20), 35),
    ]
    sent = tr.WarningBatch.members.through.objects.values_list("member_id", flat=True)
    assert len(set(sent)) == len(sent) == 105
    present = tr.Attendance.objects.filter(session__warning_batch__isnull=False, present=True)
    assert present.count() == 100
    per_member = present.values("member").annotate(h=Sum("session__hours")).values_list("h", flat=True)
    assert set(per_member) == {Decimal("3.0")}
