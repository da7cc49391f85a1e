"""A hand-built half year for the brief: records of every module, in and out of the range
(2026-01-01 to 2026-06-30) and in and out of 东村党总支's subtree, so that each figure is known
by hand for the town and for the village (EXPECTED)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from qiangji import factories as f
from qiangji.campaign.models import BaseRecord, Entity, EntityBatch, ServiceCard, Visit, VisitTask, VisitTeam
from qiangji.council.models import Bulletin, Opinion, Project
from qiangji.ledger.models import Grade, GradeLevel, Mechanism, Problem, RectificationPlan
from qiangji.liaison.models import LiaisonAttendance
from qiangji.mediation.models import MediationCase, MediationStudio
from qiangji.orglife.models import HomeStudyVisit, Meeting
from qiangji.orgs.models import Chain, Position, Unit
from qiangji.plans.models import WorkPlan
from qiangji.redculture.models import RedActivity, RedSite
from qiangji.reserve.models import Candidate, Mentorship, ReservePool
from qiangji.trainings.models import Attendance, Enrolment, Session, Training

START, END = dt.date(2026, 1, 1), dt.date(2026, 6, 30)

# key: (town, 东村党总支)
EXPECTED = {
    "trainings": (1, 1),
    "training_attendances": (2, 1),
    "meetings_held": (4, 3),
    "discussions": (2, 1),
    "warning_education": (1, 1),
    "home_study_visits": (3, 2),
    "positions": (3, 2),
    "chain_stations": (1, 1),
    "red_sites": (2, 1),
    "red_activities": (2, 1),
    "plans_filed": (2, 1),
    "liaison_groups": (1, 1),
    "liaison_units": (1, 1),
    "liaison_organizations": (3, 3),
    "assemblies_held": (2, 2),
    "assemblies_attended": (1, 1),
    "grades_weak": (2, 1),
    "rectification_plans": (1, 1),
    "reserve_candidates": (2, 1),
    "mentoring_agreements": (1, 1),
    "projects": (2, 1),
    "opinions": (1, 1),
    "mediation_cases": (1, 1),
    "problems": (3, 2),
    "problems_immediate": (2, 1),
    "problems_closed": (1, 1),
    "mechanisms": (1, 1),
    "campaign_teams": (2, 1),
    "campaign_visits": (3, 2),
    "entities_verified": (2, 1),
    "entities_new": (1, 1),
    "service_cards": (2, 1),
    "org_coverage_rate": (33.3, 50.0),
    "work_coverage_rate": (66.7, 100.0),
}


@pytest.fixture(autouse=True)
def _after_the_half_year(freeze_day):
    freeze_day("2026-07-20")


def _meeting(org, kind, day, status=Meeting.Status.HELD):
    return Meeting.objects.create(organization=org, kind=kind, date=day, status=status, topic=f"{kind}{day}")


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


@pytest.fixture
def world(town, users):
    t, a, a1, a2, b = town["town"], town["village_a"], town["branch_a1"], town["branch_a2"], town["branch_b"]
    admin = users["town_admin"]
    east = a.village
    grid1 = east.grid
    south = f.VillageFactory(name="南村")
    grid2 = south.grid
    m_a1 = f.member(organization=a1, name="王一")
    m_a1b = f.member(organization=a1, name="王二")
    m_b = f.member(organization=b, name="赵三")

    # 理论武装与组织生活
    K = Meeting.Kind
    _meeting(a1, K.ASSEMBLY, dt.date(2026, 2, 10))
    _meeting(a1, K.LECTURE, dt.date(2026, 3, 1))
    _meeting(a2, K.THEME_DAY, dt.date(2026, 4, 1))
    _meeting(b, K.COMMITTEE_MEETING, dt.date(2026, 5, 1))
    _meeting(a1, K.LECTURE, dt.date(2026, 7, 15))
    _meeting(a2, K.ASSEMBLY, dt.date(2026, 5, 20), status=Meeting.Status.SCHEDULED)
    _meeting(a1, K.DISCUSSION, dt.date(2026, 3, 5))
    _meeting(b, K.DISCUSSION, dt.date(2026, 3, 6))
    _meeting(a1, K.WARNING_EDUCATION, dt.date(2026, 4, 10))
    for member, day in (
        (m_a1, dt.date(2026, 2, 1)),
        (m_a1, dt.date(2026, 6, 30)),
        (m_b, dt.date(2026, 1, 1)),
        (m_a1b, dt.date(2025, 12, 31)),
    ):
        HomeStudyVisit.objects.create(
            member=member, organization=member.organization, date=day, topic="学习党章", visitors="支部书记"
        )
    training = Training.objects.create(name="2026年党员集中轮训", kind=Training.Kind.ROTATION, organization=t)
    march = Session.objects.create(training=training, date=dt.date(2026, 3, 1), hours=Decimal("4"), topic="党章学习")
    Session.objects.create(training=training, date=dt.date(2026, 8, 1), hours=Decimal("4"), topic="党史学习")
    for member in (m_a1, m_b, m_a1b):
        Enrolment.objects.create(training=training, member=member)
    Attendance.objects.create(session=march, member=m_a1, present=True)
    Attendance.objects.create(session=march, member=m_b, present=True)
    Attendance.objects.create(session=march, member=m_a1b, present=False)
    old = Training.objects.create(name="2025年书记培训", kind=Training.Kind.SECRETARY, organization=t)
    Session.objects.create(training=old, date=dt.date(2025, 11, 1), hours=Decimal("8"), topic="基层治理")

    # 阵地建设
    Position.objects.create(name="竖新镇党群服务中心", kind=Position.Kind.CENTRE, organization=t)
    Position.objects.create(name="东村党群服务站", kind=Position.Kind.VILLAGE_SITE, organization=a, village=east)
    veg = Chain.objects.create(name="蔬菜链")
    Position.objects.create(name="蔬菜链党群服务站", kind=Position.Kind.CHAIN_STATION, chain=veg, village=east)
    site_east = RedSite.objects.create(
        name="竖河大烧杀遗址", kind=RedSite.Kind.HISTORIC, description="遗址", address="东村", village=east
    )
    site_other = RedSite.objects.create(
        name="海界宅事件展览馆", kind=RedSite.Kind.EXHIBITION, description="展览馆", address="镇区"
    )
    kind = RedActivity.Kind.SPOKESPERSON
    RedActivity.objects.create(site=site_east, kind=kind, title="我为红色阵地代言", held_on=dt.date(2026, 5, 1))
    RedActivity.objects.create(site=site_other, kind=kind, title="红色地标轻打卡", held_on=dt.date(2026, 5, 2), organization=b)
    RedActivity.objects.create(site=site_east, kind=kind, title="去年的活动", held_on=dt.date(2025, 5, 1))

    # 上下联动
    for org, year, status in ((a1, 2026, "filed"), (b, 2026, "filed"), (a2, 2026, "returned"), (a1, 2025, "filed")):
        WorkPlan.objects.create(
            organization=org, year=year, title=f"{year}年工作计划", status=status, filed_at=_at(dt.date(year, 1, 5))
        )
    unit = Unit.objects.create(name="东村村民委员会", kind=Unit.Kind.VILLAGE)
    for org in (a, a1, a2):
        org.unit = unit
        org.save()
    group = users["liaison"].liaison_groups.get()
    held_a1 = Meeting.objects.get(organization=a1, kind=K.ASSEMBLY)
    held_a2 = Meeting.objects.get(organization=a2, kind=K.THEME_DAY)
    LiaisonAttendance.objects.create(meeting=held_a1, group=group, attended=True, recorded_at=_at(dt.date(2026, 2, 10)))
    LiaisonAttendance.objects.create(meeting=held_a2, group=group, attended=False, recorded_at=_at(dt.date(2026, 4, 1)))
    levels = {level.name: level for level in GradeLevel.objects.all()}
    Grade.objects.create(organization=a1, year=2026, level=levels["较好"])
    Grade.objects.create(organization=a2, year=2026, level=levels["好"])
    Grade.objects.create(organization=b, year=2026, level=levels["一般"])
    RectificationPlan.objects.create(organization=a1, year=2026, title="东村第一党支部整改方案", analysis="组织生活不够规范")

    # 头雁培优与先锋队伍
    pool = ReservePool.objects.get(kind=ReservePool.Kind.GOOD_SQUAD_LEADER)
    route = Candidate.Route.ORG_RECOMMENDED
    kept = Candidate.objects.create(pool=pool, member=m_a1, route=route, entered_on=dt.date(2025, 6, 1))
    Candidate.objects.create(pool=pool, member=m_b, route=route, entered_on=dt.date(2026, 3, 1))
    Candidate.objects.create(
        pool=pool,
        member=m_a1b,
        route=route,
        entered_on=dt.date(2024, 1, 1),
        left_on=dt.date(2025, 12, 1),
        state=Candidate.State.LEFT,
    )
    Mentorship.objects.create(candidate=kept, mentor=admin, started_on=dt.date(2026, 2, 1), goals="提升能力")
    project = Project.objects.create(name="东村五好两宜", organization=a, description="和美乡村", started_on=dt.date(2026, 3, 1))
    Project.objects.create(name="公司项目", organization=b, description="下半年开始", started_on=dt.date(2026, 9, 1))
    Project.objects.create(name="公司筹划项目", organization=b, description="尚未定开始日期")
    bulletin = Bulletin.objects.create(project=project, title="进度通报", body="进展顺利", published_at=_at(dt.date(2026, 3, 20)))
    for day in (dt.date(2026, 4, 1), dt.date(2026, 8, 1)):
        opinion = Opinion.objects.create(bulletin=bulletin, content="建议增加路灯")
        Opinion.objects.filter(pk=opinion.pk).update(created_at=_at(day))
    studio = MediationStudio.objects.create(name="东村老娘舅工作室", organization=a, village=east)
    MediationCase.objects.create(
        studio=studio, number="TJ2026-001", parties="甲、乙", dispute="施工噪音", opened_on=dt.date(2026, 3, 3)
    )
    MediationCase.objects.create(
        studio=studio, number="TJ2025-009", parties="丙、丁", dispute="宅基地", opened_on=dt.date(2025, 12, 12)
    )

    # 自我革新
    def problem(n, org, day, fix_kind="", state=Problem.State.REGISTERED):
        closed_on = day + dt.timedelta(days=9) if state == Problem.State.CLOSED else None
        return Problem.objects.create(
            number=f"WT{n:04d}", source=Problem.Source.SELF_CHECK, organization=org, description=f"问题{n}",
            owner=admin, deadline=day + dt.timedelta(days=30), registered_by=admin, registered_on=day,
            fix_kind=fix_kind, state=state, closed_on=closed_on,
        )  # fmt: skip

    problem(1, a1, dt.date(2026, 2, 1), "immediate", Problem.State.CLOSED)
    problem(2, a2, dt.date(2026, 3, 1), "long_term", Problem.State.IN_PROGRESS)
    problem(3, b, dt.date(2026, 4, 1), "immediate")
    problem(4, b, dt.date(2026, 5, 1), state=Problem.State.MERGED)
    problem(5, a1, dt.date(2025, 12, 1))
    Mechanism.objects.create(
        name="活动室轮值制度", organization=a1, kind=Mechanism.Kind.ESTABLISHED, effective_on=dt.date(2026, 3, 1)
    )
    Mechanism.objects.create(name="公司学习制度", organization=b, kind=Mechanism.Kind.ENFORCED, effective_on=dt.date(2026, 7, 2))

    # 新兴领域攻坚
    VisitTeam.objects.create(name="东片三人行", grid=grid1, leader=users["visitor"])
    VisitTeam.objects.create(name="南片三人行", grid=grid2)
    VisitTeam.objects.create(name="已撤销队伍", grid=grid1, active=False)

    def entity(name, village, **extra):
        return Entity.objects.create(name=name, village=village, **extra)

    e1 = entity("东村民宿甲", east, covering_organization=a1, instructor=admin)
    e2 = entity("南村农场乙", south)
    entity("东村超市丙", east, instructor=admin)
    entity("东村歇业丁", east, covering_organization=a1, status=Entity.Status.CLOSED)
    batch = EntityBatch.objects.create(file_name="区级底数.xlsx", file_sha256="0" * 64, by=admin)
    new = BaseRecord.objects.create(batch=batch, row_number=2, klass=BaseRecord.Klass.NEW, data={}, entity=e1)
    same = BaseRecord.objects.create(batch=batch, row_number=3, klass=BaseRecord.Klass.UNCHANGED, data={}, entity=e2)
    verify = VisitTask.Kind.VERIFY

    def task(kind, grid, subject, record=None):
        return VisitTask.objects.create(kind=kind, grid=grid, entity=subject, record=record, title=subject.name, due_on=END)

    def visit(on_task, day, state):
        return Visit.objects.create(task=on_task, by=users["visitor"], visited_on=day, state=state)

    v1 = visit(task(verify, grid1, e1, new), dt.date(2026, 3, 10), Visit.State.APPROVED)
    v2 = visit(task(verify, grid2, e2, same), dt.date(2026, 3, 11), Visit.State.APPROVED)
    visit(task(VisitTask.Kind.CARE, grid1, e1), dt.date(2026, 3, 12), Visit.State.REJECTED)
    visit(task(VisitTask.Kind.CARE, grid1, e1), dt.date(2026, 4, 1), Visit.State.SUBMITTED)
    visit(task(VisitTask.Kind.CARE, grid2, e2), dt.date(2026, 7, 1), Visit.State.SUBMITTED)
    ServiceCard.objects.create(number="XLX-0001", entity=e1, visit=v1, issued_on=dt.date(2026, 3, 10))
    ServiceCard.objects.create(number="XLX-0002", entity=e2, visit=v2, issued_on=dt.date(2026, 3, 11))
    return {"group": group, "east": east, "south": south, "grid1": grid1, "m_a1": m_a1}
