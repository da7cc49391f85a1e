"""The demo town's reserve pools (头雁), mediation studios and positions' courses.

`seed_reserve_mediation` writes through the services, as the town office would: candidates
entered and moved with their assessments and mentoring agreements, a 头雁论坛 and lectures, a
studio for some villages with cases at every stage, the positions' profiles and "1+4"
resources, the course catalogue and the quarterly batches held with attendance (which reaches
members' training hours through the trainings module). Deterministic for a seed; every date
lies on or before `today` (and never after the real date the services check against).
"""

import datetime as dt
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from qiangji.accounts.models import RoleGrant
from qiangji.demo import names
from qiangji.mediation.models import MediationStudio, Mediator
from qiangji.mediation.services import case_move, case_open, case_session_record
from qiangji.members.models import Member
from qiangji.orgs.models import Organization, Position
from qiangji.positions.models import Course, CourseBatch, PositionResource
from qiangji.positions.services import course_batch_send, course_delivery_record
from qiangji.reserve.models import Candidate, Event, ReservePool
from qiangji.reserve.services import assessment_record, candidate_enter, candidate_move, event_record, mentorship_sign


@dataclass(frozen=True)
class ReserveMediationResult:
    candidates: int
    events: int
    studios: int
    cases: int
    courses: int
    batches: int
    deliveries: int


FINDINGS = (
    "走访本村群众{n}户，普遍反映该同志办事公道、群众基础好。",
    "牵头推进人居环境整治，组织党员志愿者清理河道{n}次，成效明显。",
    "参与矛盾纠纷调处{n}起，能耐心听取群众意见，处理得当。",
    "主持召开党员大会和支委会，会前准备充分，议事程序规范。",
    "带头发展特色种植，带动{n}户农户增收，示范作用明显。",
)
GOALS = (
    "熟悉村级事务运行，独立主持一次支委会，年内牵头办成一件民生实事。",
    "提升群众工作能力，每月走访困难党员和群众不少于10户。",
    "掌握“四议两公开”工作法，参与村级重大事项决策全过程。",
)
DISPUTES = (
    ("邻里", "两户宅基地之间围墙边界不清引发争执"),
    ("邻里", "楼上住户漏水损坏楼下吊顶，赔偿金额谈不拢"),
    ("婚姻家庭", "赡养老人费用分摊问题兄妹之间产生矛盾"),
    ("土地", "承包地流转租金支付时间发生争议"),
    ("物业", "小区停车位使用与物业管理费收取争议"),
    ("劳动", "务工人员工资结算金额存在分歧"),
)
EVENTS = (
    ("forum", "“头雁论坛”第一期：村级集体经济发展的路子", 240, "镇党群服务中心", "秦建华、施振华"),
    ("staged_lecture", "情景党课：初心映照崇明岛", 150, "竖新镇红色教育基地", "龚建明"),
    ("forum", "“头雁论坛”第二期：人居环境长效管护", 60, "镇党群服务中心", "黄卫东、沈丽娟"),
)
MEDIATOR_TITLES = ("老村干部", "退休教师", "老党员", "乡贤", "退伍军人", "人民调解员")
COURSES = (
    ("新时代基层治理实务", "镇党校", Decimal("2.0")),
    ("党章党规党纪学习", "镇纪委", Decimal("1.5")),
    ("乡村振兴政策解读", "区委党校", Decimal("2.0")),
    ("党员志愿服务技能", "镇社区服务中心", Decimal("1.0")),
    ("红色故事宣讲", "镇文化站", Decimal("1.5")),
    ("矛盾纠纷调解方法", "镇司法所", Decimal("1.5")),
)
RESOURCES = {
    "party": ("党员活动室", "党员电教设备", "党建宣传栏"),
    "study": ("学习书屋", "远程教育终端", "党课教室"),
    "service": ("便民代办窗口", "医保社保咨询", "爱心寄存点"),
    "culture": ("文体活动室", "老年人活动中心", "舞蹈排练厅"),
    "governance": ("议事厅", "民情恳谈室", "调解室"),
}


def _accounts(users: Mapping[str, Any] | Iterable[Any]) -> list[Any]:
    pool = list(users.values()) if isinstance(users, Mapping) else list(users)
    return [u for u in pool if u is not None]


def _admin(users: Mapping[str, Any] | Iterable[Any]) -> Any:
    pool = _accounts(users)
    ids = set(
        RoleGrant.objects.filter(role=RoleGrant.Role.TOWN_ADMIN, user__in=[u.pk for u in pool]).values_list("user_id", flat=True)
    )
    admins = sorted((u for u in pool if u.pk in ids), key=lambda u: u.username)
    if not admins:
        raise ValueError("no town administrator among the demo accounts")
    return admins[0]


def _mentors(users: Mapping[str, Any] | Iterable[Any], admin: Any) -> list[Any]:
    pool = _accounts(users)
    leaders = [u for u in pool if u.pk != admin.pk and u.liaison_groups.exists()]
    return sorted(leaders, key=lambda u: u.username) or [admin]


class _Clock:
    """Days counted back from `today`, never after the date the services check against."""

    def __init__(self, today: dt.date) -> None:
        self.today = min(today, timezone.localdate())

    def ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)


def _village_orgs(orgs: Mapping[str, Organization]) -> list[Organization]:
    top = [o for o in orgs.values() if o.village_id and o.kind in (Organization.Kind.COMMITTEE, Organization.Kind.GENERAL_BRANCH)]
    return sorted(top, key=lambda o: o.name)  # by name: paths hold ids, which differ from one database to another


def _seed_reserve(rng: random.Random, orgs: list[Organization], admin: Any, mentors: list[Any], clock: _Clock) -> tuple[int, int]:
    pools = list(ReservePool.objects.order_by("id"))
    youngest = clock.today.replace(year=clock.today.year - 45)
    chosen: list[Candidate] = []
    for i, org in enumerate(orgs):
        people = list(
            Member.objects.filter(organization__path__startswith=org.path, birth_date__gte=youngest, party_post="").order_by(
                "birth_date", "id"
            )[:12]
        )
        rng.shuffle(people)
        for j, member in enumerate(people[: rng.randint(1, 3)]):
            pool = pools[(i + j) % len(pools)]
            entered = clock.ago(rng.randint(200, 420))
            route = rng.choice(["org", "org", "mass", "self", "town"])
            reason = rng.choice(("群众基础好，办事公道", "致富带头能力强", "年轻有学历，热心村务", "退役军人，作风过硬"))
            chosen.append(candidate_enter(pool=pool, member=member, by=admin, route=route, recommendation=reason, on=entered))
    for k, c in enumerate(chosen):
        stage = k % 6  # 0-1 in pool, 2-3 under assessment, 4 appointed, 5 left
        if stage == 5:
            candidate_move(
                candidate=c,
                by=admin,
                action="leave",
                reason=rng.choice(("外出务工", "个人原因申请退出", "工作调动")),
                on=clock.ago(30),
            )
            continue
        if stage >= 1:
            mentorship_sign(
                candidate=c,
                by=admin,
                mentor=mentors[k % len(mentors)],
                started_on=c.entered_on + dt.timedelta(days=10),
                goals=rng.choice(GOALS),
            )
        if stage >= 2:
            for n, days in enumerate((150, 90)):
                text = rng.choice(FINDINGS).format(n=rng.randint(5, 30))
                assessment_record(
                    candidate=c,
                    by=admin,
                    on=clock.ago(days + n),
                    findings=text,
                    conclusion=rng.choice(["excellent", "good", "good", "fair"]),
                )
            candidate_move(candidate=c, by=admin, action="assess", reason="列入年度重点考察对象", on=clock.ago(120))
        if stage == 4:
            org = c.member.organization
            candidate_move(candidate=c, by=admin, action="appoint", post=f"{org.name}副书记", on=clock.ago(20))
    members = [c.member for c in chosen]
    for kind, title, days, place, speakers in EVENTS:
        attendees = [m for m in members if rng.random() < 0.7]
        event_record(
            by=admin,
            data={
                "kind": kind,
                "title": title,
                "held_on": clock.ago(days),
                "place": place,
                "speakers": speakers,
                "summary": f"{title}，后备人选交流发言，镇领导点评。",
            },
            attendees=attendees,
        )
    return len(chosen), len(EVENTS)


def _person(rng: random.Random) -> str:
    return rng.choices(names.SURNAMES, names.SURNAME_WEIGHTS)[0] + rng.choice(
        ("建国", "秀英", "国强", "桂芳", "金龙", "美华", "伟明", "春燕", "德明", "玉兰")
    )


def _seed_mediation(rng: random.Random, orgs: list[Organization], admin: Any, clock: _Clock) -> tuple[int, int]:
    studios, cases = 0, 0
    for i, org in enumerate(orgs[:6]):
        village = org.village
        studio = MediationStudio.objects.create(
            name=f"{village.name}{'老娘舅' if i % 2 == 0 else '老舅妈'}工作室",
            organization=org,
            village=village,
            address=f"{names.ADDRESS_PREFIX}{village.name}村民委员会一楼调解室",
            opening_hours="每周二、周四 9:00—11:30",
            description="由老党员、老村干部、退休教师组成，就地化解邻里、家庭和土地纠纷。",
        )
        studios += 1
        mediators = [
            Mediator.objects.create(studio=studio, name=_person(rng), title=rng.choice(MEDIATOR_TITLES)) for _ in range(3)
        ]
        for k in range(rng.randint(2, 4)):
            category, dispute = rng.choice(DISPUTES)
            opened = clock.ago(rng.randint(15, 200))
            case = case_open(
                studio=studio,
                by=admin,
                data={
                    "parties": f"{_person(rng)}、{_person(rng)}",
                    "dispute": dispute,
                    "category": category,
                    "opened_on": opened,
                },
                mediators=rng.sample(mediators, 2),
            )
            cases += 1
            stage = (i + k) % 5  # accepted, mediating, agreed, failed, closed
            if stage == 0:
                continue
            first = min(opened + dt.timedelta(days=3), clock.today)
            case_session_record(
                case=case,
                by=admin,
                held_on=first,
                notes="分别听取双方陈述，现场查看情况，讲解相关政策法规。",
                mediators=mediators[:2],
            )
            if stage >= 2:
                settle = min(first + dt.timedelta(days=7), clock.today)
                if stage == 3:
                    case_move(case=case, by=admin, action="fail", note="一方坚持原有诉求，建议通过诉讼途径解决。", on=settle)
                else:
                    case_move(case=case, by=admin, action="agree", note="双方各退一步，当场签订人民调解协议书。", on=settle)
                if stage == 4:
                    case_move(
                        case=case,
                        by=admin,
                        action="close",
                        note="回访双方，协议已履行，关系和睦。",
                        on=min(settle + dt.timedelta(days=10), clock.today),
                    )
    return studios, cases


def _seed_positions(
    rng: random.Random, admin: Any, root: Organization, clock: _Clock, orgs: Mapping[str, Organization]
) -> tuple[int, int, int]:
    # Only this town's positions: at city scale other towns' positions are theirs to seed.
    mine = [o.pk for o in orgs.values()]
    positions = list(Position.objects.filter(organization_id__in=mine).select_related("organization").order_by("kind", "name"))
    for p in positions:
        size = {"centre": 200, "village_site": 80, "point": 30, "chain_station": 40}.get(p.kind, 30)
        p.opening_hours = "周一至周五 8:30—17:00，周六 9:00—12:00" if p.kind == "centre" else "周一至周五 8:30—16:30"
        p.rooms = "、".join(rng.sample(["党员活动室", "议事厅", "阅览室", "调解室", "多功能厅", "志愿服务站"], 3))
        p.capacity = size + rng.randint(0, 20)
        p.contact_name = _person(rng)
        p.contact_phone = f"021-5{rng.randint(1000000, 9999999)}"
        p.save(update_fields=["opening_hours", "rooms", "capacity", "contact_name", "contact_phone"])
        for category, options in RESOURCES.items():
            if p.kind == "point" and category in ("culture", "governance"):
                continue
            for name in rng.sample(options, 2 if p.kind == "centre" else 1):
                PositionResource.objects.create(position=p, category=category, name=name)
    courses = [
        Course.objects.create(title=t, teacher=teacher, hours=h, summary=f"{t}专题授课，结合本镇实际案例讲解。")
        for t, teacher, h in COURSES
    ]
    deliveries = 0
    batches = 0
    sites = [p for p in positions if p.kind in ("village_site", "chain_station") and p.organization_id]
    year = clock.today.year
    for quarter in range(1, (clock.today.month - 1) // 3 + 2):
        batch = course_batch_send(
            by=admin, year=year, quarter=quarter, courses=rng.sample(courses, 3), positions=sites, root=root
        )
        batches += 1
        start = dt.date(year, 3 * quarter - 2, 1)
        for position in sites:
            members = list(Member.objects.filter(organization__path__startswith=position.organization.path).order_by("id")[:40])
            for course in batch.courses.all():
                held_on = start + dt.timedelta(days=rng.randint(5, 80))
                if held_on > clock.today or rng.random() < 0.2:
                    continue  # not held (yet): the matrix shows the gap
                present = {m.pk for m in members if rng.random() < 0.75}
                course_delivery_record(
                    batch=batch, course=course, position=position, by=admin, held_on=held_on, members=members, present_ids=present
                )
                deliveries += 1
    return len(courses), batches, deliveries


def seed_reserve_mediation(
    *, seed: int, orgs: Mapping[str, Organization], users: Mapping[str, Any] | Iterable[Any], today: dt.date
) -> ReserveMediationResult:
    """Reserve pools, mediation studios and positions' courses of the demo town.

    `orgs` are the town's organizations by name (as seed_town builds them), `users` its demo
    accounts (by username, or a list): the town administrator among them acts, the liaison
    cadres mentor.
    """
    rng = random.Random(f"{seed}-reserve-mediation")
    clock = _Clock(today)
    admin = _admin(users)
    mentors = _mentors(users, admin)
    villages = _village_orgs(orgs)
    root = min(orgs.values(), key=lambda o: o.depth)
    candidates, events = _seed_reserve(rng, villages, admin, mentors, clock)
    studios, cases = _seed_mediation(rng, villages, admin, clock)
    courses, batches, deliveries = _seed_positions(rng, admin, root, clock, orgs)
    return ReserveMediationResult(candidates, events, studios, cases, courses, batches, deliveries)


def reset_reserve_mediation(root: Organization) -> None:
    """Remove what seed_reserve_mediation wrote for the town under `root` (before its members go)."""
    in_town = {"member__organization__path__startswith": root.path}
    Candidate.objects.filter(**in_town).delete()
    Event.objects.filter(title__in=[title for _, title, *_ in EVENTS]).delete()
    for studio in MediationStudio.objects.filter(organization__path__startswith=root.path):
        studio.cases.all().delete()
        studio.delete()
    # Deliveries go with their batch; they hold the trainings sessions, which go with the town's trainings.
    CourseBatch.objects.filter(training__organization__path__startswith=root.path).delete()
    Course.objects.filter(title__in=[t for t, _, _ in COURSES]).delete()
    PositionResource.objects.filter(position__organization__path__startswith=root.path).delete()
