"""The demo town's pilot projects with their consultation hall, and its red culture.

`seed_council_red` writes through the services, as the village secretaries and the town office
would: four 和美乡村 "五好两宜" projects with milestones done one by one, member roles, published
bulletins, opinions from residents in every handling and moderation state with answers, council
sessions (one registered as a ledger problem); six red sites of 竖新 with two study routes,
activities and members' own check-ins. random.Random(f"{seed}-council-red") picks people, texts
and days, so a seed always gives the same town. Every date lies on or before `today` and never
after the real date the services check against; rows the services stamp with "now" are moved
back to their day afterwards.
"""

import datetime as dt
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from qiangji.accounts.models import RoleGrant
from qiangji.council import services as council
from qiangji.council.models import Bulletin, Milestone, Opinion, OpinionEvent, Project, ProjectRole
from qiangji.demo.campaign import DemoClock
from qiangji.members.models import Member
from qiangji.orgs.models import Organization
from qiangji.redculture import services as red
from qiangji.redculture.models import CheckIn, RedSite, Route

# (village, project name, state target: milestones done of five, bulletins published)
PROJECTS = (
    ("前卫村", "前卫村和美乡村（五好两宜）示范村建设", 5, 3),
    ("竖河村", "竖河村和美乡村（五好两宜）提升工程", 3, 2),
    ("仙桥村", "仙桥村宅前屋后环境整治与公共空间改造", 2, 2),
    ("大椿村", "大椿村和美乡村（五好两宜）创建", 0, 0),
)
MILESTONES = ("规划设计与村民议事", "河道整治与水系连通", "村道提升与路灯安装", "公共空间与党群服务点改造", "验收评估")
MILESTONE_DAYS = (300, 240, 170, 100, 30)  # planned: days before today
DESCRIPTION = (
    "按照“五好两宜”（生态环境好、村容村貌好、乡风民风好、产业发展好、治理服务好，宜居、宜业）要求，"
    "以党建引领推进河道整治、村道提升、公共空间改造和人居环境长效管护，党员分片包干、带头示范。"
)
BULLETIN_BODIES = (
    "{milestone}已经完成。施工期间党员志愿者分片包干，做好沿线农户的解释和协调工作，未发生一起矛盾纠纷。下一步将推进{next}。",
    "本月{milestone}顺利推进，村两委每周召开现场推进会。对群众反映集中的问题，已在议事会上研究并明确整改时间。",
    "项目已全部完工并通过镇级验收。感谢广大村民的理解和支持，后续长效管护由党员责任区落实。",
)
# Each resident's opinion with the answer that fits it: a reply is read under its own opinion.
OPINION_ANSWERS = {
    "建议在村道转弯处加装反光镜，晚上会车看不清": "已安排施工单位在本月底前完成反光镜安装，感谢您的建议。",
    "河边护栏高度不够，有小孩的家庭比较担心，建议加高": "经研究，护栏加高已列入二期工程，明年上半年实施。",
    "希望公共空间里多放几张长椅，方便老人休息": "已在公共空间增设长椅六张，本周内安装到位。",
    "施工车辆早上六点就进村，影响休息，建议调整时间": "已与施工单位沟通，施工时间调整为早上七点半以后。",
    "垃圾分类点离我家太远，能否在北片再设一个": "已在北片增设一处分类投放点，下周启用。",
    "建议路灯改为感应式，节约电费": "新装路灯已改用感应式，原有路灯将在年内逐步更换。",
    "村道硬化后排水不畅，下雨天门口积水": "已安排施工单位疏通边沟并加设排水口，雨季前完成。",
    "希望党群服务点周末也能开放": "自下月起，党员志愿者周六上午轮流值守，服务点照常开放。",
    "宅前屋后整治时能否保留自家的菜地": "整治以清理乱堆乱放为主，规整的自家菜地可以保留。",
    "建议在河边步道增设健身器材": "经研究，健身器材已列入二期工程，明年上半年实施。",
}
OPINIONS = tuple(OPINION_ANSWERS)
# As many as the answers the demo once drew from: the draw keeps the later random choices as they were.
ANSWER_DRAW = 4
DECLINE_REASONS = ("该处属于规划保留用地，暂不具备条件，我们将另行研究替代方案。",)
# The order in which opinions on a project walk their states: (actions, moderation).
OPINION_PATHS = (
    ((), "pending"),
    (("evaluate",), "shown"),
    (("evaluate", "accept"), "shown"),
    (("evaluate", "decline"), "hidden"),
    (("answer",), "shown"),
    (("evaluate", "accept", "answer"), "shown"),
    ((), "hidden"),
)
SURNAMES = ("王", "张", "陈", "施", "黄", "顾", "沈", "倪")
DELIBERATIONS = (
    ("村道拓宽占用部分农户自留地", "按标准补偿并重新划定，由党员包户做好解释工作"),
    ("施工期间车辆进出影响村民出行", "错峰施工，设置临时便道，每日公示施工时间"),
    ("公共空间后期管护责任不清", "由村党总支牵头，党员责任区分片认领，纳入村规民约"),
)

SITES = (
    (
        "竖新镇革命历史陈列馆",
        RedSite.Kind.EXHIBITION,
        "竖河村",
        "周二至周日 9:00-16:00",
        "通过图片、实物和场景复原，展示竖新地区人民在党的领导下开展革命斗争和建设家乡的历程。",
    ),
    (
        "竖新烈士纪念碑",
        RedSite.Kind.MEMORIAL,
        "前进村",
        "全天开放",
        "为纪念在革命战争年代牺牲的竖新籍烈士而建，是清明祭扫和新党员入党宣誓的场所。",
    ),
    (
        "仙桥村红色记忆馆",
        RedSite.Kind.EXHIBITION,
        "仙桥村",
        "周一至周五 8:30-16:30",
        "收集整理村里老党员的口述史料和老物件，讲述仙桥村党组织的发展故事。",
    ),
    (
        "前卫村生态党建教育基地",
        RedSite.Kind.EDUCATION_BASE,
        "前卫村",
        "预约开放",
        "展示前卫村党组织带领村民发展生态农业、建设生态村的实践，是党员教育现场教学点。",
    ),
    (
        "大椿村老支部旧址",
        RedSite.Kind.HISTORIC,
        "大椿村",
        "周六、周日 9:00-15:00",
        "大椿村最早的党支部活动地点，按原貌修缮，陈列支部早期的会议记录复制件。",
    ),
    (
        "竖新镇党群服务中心红色书屋",
        RedSite.Kind.EDUCATION_BASE,
        "竖新居委",
        "周一至周六 8:30-17:00",
        "收藏党史学习教育书籍和地方红色文献，常年开展读书分享和情景党课。",
    ),
)
ROUTES = (
    ("竖新红色足迹半日游", "半天", "从革命历史陈列馆出发，瞻仰烈士纪念碑，走进村里的红色记忆馆和老支部旧址。", (0, 1, 2, 4)),
    ("生态村庄党建研学线", "一天", "走进生态村和党群服务中心，看党建引领乡村振兴的实践。", (3, 5, 0)),
)
ACTIVITIES = (
    ("spokesperson", "“我为红色阵地代言”讲解员上岗仪式"),
    ("staged_lecture", "情景党课《初心》"),
    ("themed_visit", "“七一”主题参观"),
    ("staged_lecture", "情景党课《老支部的一本账》"),
    ("spokesperson", "青年党员“我为红色阵地代言”宣讲"),
    ("themed_visit", "新党员入党宣誓仪式"),
)
CHECKIN_NOTES = ("重温入党誓词，不忘初心", "", "带孩子一起来参观，很受教育", "", "老支部的故事很感人", "", "学习了本镇革命历史")


@dataclass
class CouncilRedResult:
    """What this part wrote, for the summary and the tests."""

    projects: int = 0
    milestones: int = 0
    roles: int = 0
    bulletins: int = 0
    opinions: int = 0
    deliberations: int = 0
    problems: int = 0
    sites: int = 0
    routes: int = 0
    activities: int = 0
    checkins: int = 0


def _pool(users: Mapping[str, Any] | Iterable[Any]) -> list[Any]:
    return list(users.values()) if isinstance(users, Mapping) else list(users)


def _members(members: Mapping[str, list[Member]] | Iterable[Member]) -> list[Member]:
    if isinstance(members, Mapping):
        return [m for group in members.values() for m in group]
    return list(members)


def _town_admin(pool: list[Any]) -> Any:
    ids = [u.pk for u in pool]
    grant = RoleGrant.objects.filter(user_id__in=ids, role=RoleGrant.Role.TOWN_ADMIN).order_by("user_id").first()
    if grant is None:
        grant = RoleGrant.objects.filter(role=RoleGrant.Role.TOWN_ADMIN).order_by("user_id").first()
    if grant is None:
        raise ValueError("demo town has no town admin account")
    return grant.user


def _runner(pool: list[Any], organization: Organization, admin: Any) -> Any:
    """The secretary whose grant covers the organization, else the town admin."""
    grants = RoleGrant.objects.filter(user_id__in=[u.pk for u in pool], role=RoleGrant.Role.SECRETARY).select_related(
        "user", "organization"
    )
    for grant in sorted(grants, key=lambda g: (-len(g.organization.path), g.user_id)):
        if organization.path.startswith(grant.organization.path):
            return grant.user
    return admin


def _village_org(orgs: Mapping[str, Organization], village: str) -> Organization | None:
    """The top organization of a village (its committee or general branch)."""
    candidates = [o for o in orgs.values() if o.village_id and o.village.name == village]
    return min(candidates, key=lambda o: (o.depth, o.name)) if candidates else None


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(8, 30)))
    return min(start + dt.timedelta(minutes=rng.randrange(0, 540)), timezone.now())


class _Writer:
    def __init__(self, rng: random.Random, today: dt.date, admin: Any, people: list[Member]) -> None:
        self.rng = rng
        self.today = min(today, timezone.localdate())
        self.admin = admin
        self.people = people
        self.result = CouncilRedResult()

    def ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    def project(self, organization: Organization, runner: Any, spec: tuple[str, str, int, int]) -> None:
        _, name, done, published = spec
        project = council.project_create(
            by=runner,
            data={
                "name": name,
                "category": "和美乡村（五好两宜）",
                "organization": organization,
                "village": organization.village,
                "description": DESCRIPTION,
                "state": Project.State.IN_PROGRESS if done else Project.State.PLANNING,
                "started_on": self.ago(320),
                "target_on": self.ago(-60 if done < 5 else 20),
            },
        )
        self.result.projects += 1
        stones = [
            council.milestone_add(project=project, by=runner, title=title, due_on=self.ago(days))
            for title, days in zip(MILESTONES, MILESTONE_DAYS, strict=True)
        ]
        self.result.milestones += len(stones)
        for stone, days in zip(stones[:done], MILESTONE_DAYS, strict=False):
            council.milestone_done(milestone=stone, by=runner, on=self.ago(days - self.rng.randrange(0, 8)))
        self.roles(project, runner, organization)
        bulletins = self.bulletins(project, runner, stones, done, published)
        for bulletin in bulletins:
            self.opinions(bulletin, runner)
        self.deliberations(project, runner, organization, count=2 if done else 1)

    def roles(self, project: Project, runner: Any, organization: Organization) -> None:
        inside = [m for m in self.people if m.organization.path.startswith(organization.path)]
        picks = self.rng.sample(inside, min(len(inside), 5))
        roles = (ProjectRole.Role.PUBLICIST, ProjectRole.Role.MEDIATOR, ProjectRole.Role.SUPERVISOR)
        for i, member in enumerate(picks):
            council.project_role_assign(project=project, by=runner, member=member, role=roles[i % 3])
            self.result.roles += 1

    def bulletins(self, project: Project, runner: Any, stones: list[Milestone], done: int, published: int) -> list[Bulletin]:
        made = []
        for i in range(published):
            last = i == published - 1 and done == len(stones)
            milestone = stones[min(i, len(stones) - 1)]
            follow = stones[min(i + 1, len(stones) - 1)]
            body = BULLETIN_BODIES[2] if last else BULLETIN_BODIES[i % 2].format(milestone=milestone.title, next=follow.title)
            number = "一二三四五"[i]
            bulletin = council.bulletin_publish(
                project=project, by=runner, title=f"{project.name}进度通报（第{number}期）", body=body
            )
            day = self.ago(MILESTONE_DAYS[min(i, len(MILESTONE_DAYS) - 1)] - 10 - i * 15)
            progress = round(100 * min(i + 1, done) / len(stones)) if not last else 100
            Bulletin.objects.filter(pk=bulletin.pk).update(published_at=_at(day, self.rng), progress=progress)
            bulletin.refresh_from_db()
            made.append(bulletin)
            self.result.bulletins += 1
        return made

    def opinions(self, bulletin: Bulletin, runner: Any) -> None:
        count = self.rng.randrange(3, len(OPINION_PATHS) + 1)
        paths = OPINION_PATHS[:count]
        for actions, moderation in paths:
            named = self.rng.random() < 0.6
            title = self.rng.choice(("阿姨", "师傅", "大伯", "先生", "女士"))
            phone = self.rng.random() < 0.5
            data = {
                "content": self.rng.choice(OPINIONS),
                "author_name": f"{self.rng.choice(SURNAMES)}{title}" if named else "",
                "phone": f"13{self.rng.randrange(3, 10)}{self.rng.randrange(10**7, 10**8)}" if phone else "",
            }
            opinion = council.opinion_submit(bulletin=bulletin, data=data)
            for action in actions:
                note = ""
                if action == "answer":
                    self.rng.randrange(ANSWER_DRAW)
                    note = OPINION_ANSWERS[data["content"]]
                elif action == "decline":
                    note = DECLINE_REASONS[0]
                opinion = council.opinion_move(opinion=opinion, by=runner, action=action, note=note)
            if moderation != "pending":
                council.opinion_moderate(opinion=opinion, by=runner, show=moderation == "shown")
            sent = bulletin.published_at + dt.timedelta(days=self.rng.randrange(1, 6), minutes=self.rng.randrange(0, 600))
            sent = min(sent, timezone.now())
            Opinion.objects.filter(pk=opinion.pk).update(
                created_at=sent, answered_at=min(sent + dt.timedelta(days=3), timezone.now()) if "answer" in actions else None
            )
            OpinionEvent.objects.filter(opinion=opinion).update(at=min(sent + dt.timedelta(days=2), timezone.now()))
            self.result.opinions += 1

    def deliberations(self, project: Project, runner: Any, organization: Organization, count: int) -> None:
        for i in range(count):
            # By the project's place in PROJECTS, never its id, so a rebuild says the same.
            topic, outcome = DELIBERATIONS[(self.result.projects + i) % len(DELIBERATIONS)]
            session = council.deliberation_record(
                project=project,
                by=runner,
                data={
                    "topic": topic,
                    "held_on": self.ago(200 - 60 * i - self.rng.randrange(0, 10)),
                    "place": f"{organization.village.name}村民议事厅" if organization.village else "党群服务站",
                    "attendees": "村两委班子成员、党员代表、村民代表、施工单位负责人",
                    "outcome": outcome,
                },
            )
            self.result.deliberations += 1
            if i == 1:
                # Registered on the demo's today, as the campaign's problems are, so the ledger's
                # history stays within its year whatever day the demo is built.
                with DemoClock(self.rng).at(self.today):
                    council.deliberation_to_problem(deliberation=session, by=runner, owner=runner, deadline=self.ago(-30))
                self.result.problems += 1

    def red(self, orgs: Mapping[str, Organization]) -> None:
        villages = {o.village.name: o.village for o in orgs.values() if o.village_id}
        sites = []
        for name, kind, village, hours, description in SITES:
            site = red.site_save(
                by=self.admin,
                data={
                    "name": name,
                    "kind": kind,
                    "description": description,
                    "address": f"上海市崇明区竖新镇{village}",
                    "village": villages.get(village),
                    "opening_hours": hours,
                    "active": True,
                },
            )
            sites.append(site)
        self.result.sites = len(sites)
        for name, duration, description, stops in ROUTES:
            red.route_save(
                by=self.admin,
                data={"name": name, "duration": duration, "description": description},
                sites=[sites[i] for i in stops],
            )
        self.result.routes = Route.objects.filter(name__in=[r[0] for r in ROUTES]).count()
        organizers = [o for o in orgs.values() if o.village_id][:12]
        for i, site in enumerate(sites):
            for j in range(2 + i % 2):
                kind, title = ACTIVITIES[(i + j) % len(ACTIVITIES)]
                red.activity_record(
                    site=site,
                    by=self.admin,
                    data={
                        "kind": kind,
                        "title": title,
                        "held_on": self.ago(20 + 40 * j + self.rng.randrange(0, 30)),
                        "organization": self.rng.choice(organizers) if organizers and j else None,
                        "description": f"在{site.name}开展，党员群众参与踊跃。",
                        "participants": self.rng.randrange(15, 80),
                    },
                )
                self.result.activities += 1
        self.checkins(sites)

    def checkins(self, sites: list[RedSite]) -> None:
        with_account = sorted((m for m in self.people if m.user_id), key=lambda m: m.pk)
        others = sorted((m for m in self.people if not m.user_id), key=lambda m: m.pk)
        visitors = with_account + self.rng.sample(others, min(len(others), 20))
        rows = []
        for member in visitors:
            for site in self.rng.sample(sites, self.rng.randrange(1, 4)):
                day = self.ago(self.rng.randrange(0, 180))
                rows.append(CheckIn(member=member, site=site, on=day, note=self.rng.choice(CHECKIN_NOTES)))
        # Bulk: these are members' own past scans (the service's one-per-day rule holds: one site once each).
        made = CheckIn.objects.bulk_create(rows)
        for item in made:
            CheckIn.objects.filter(pk=item.pk).update(at=_at(item.on, self.rng))
        self.result.checkins = len(made)


def seed_council_red(
    *,
    seed: int,
    orgs: Mapping[str, Organization],
    users: Mapping[str, Any] | Iterable[Any],
    members: Mapping[str, list[Member]] | Iterable[Member],
    today: dt.date,
) -> CouncilRedResult:
    """`orgs` by name and `members` by organization name (as seed_town builds them), `users` the
    demo accounts; projects in the villages of PROJECTS present in `orgs`, and the red sites."""
    rng = random.Random(f"{seed}-council-red")
    pool = _pool(users)
    admin = _town_admin(pool)
    people = sorted(
        Member.objects.filter(pk__in=[m.pk for m in _members(members)]).select_related("organization"), key=lambda m: m.pk
    )
    writer = _Writer(rng, today, admin, people)
    for spec in PROJECTS:
        organization = _village_org(orgs, spec[0])
        if organization is None:
            continue
        writer.project(organization, _runner(pool, organization, admin), spec)
    writer.red(orgs)
    return writer.result


def reset_council_red(root: Organization) -> None:
    """Remove what seed_council_red wrote for the town under `root` (before its organizations go).

    Deliberations' ledger problems go with the ledger's own reset; projects take their milestones,
    roles, bulletins, opinions and deliberations with them.
    """
    Project.objects.filter(organization__path__startswith=root.path).delete()
    site_names = [spec[0] for spec in SITES]
    Route.objects.filter(name__in=[r[0] for r in ROUTES]).delete()
    RedSite.objects.filter(name__in=site_names).delete()
