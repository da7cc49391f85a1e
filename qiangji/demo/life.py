"""Organizational life, trainings and work plans of the demo town, for the current year up to today.

Everything comes from random.Random(f"{seed}-life"), walking the organizations and members in
plan order, so the same seed and the same `today` give the same meetings, attendance, trainings
and plans. Rows go in with bulk_create in batches; each meeting gets the one 'create' history
row meeting_schedule would have written (trainings and plans keep no history).
"""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from qiangji.accounts.models import RoleGrant
from qiangji.core.history import change_record
from qiangji.core.models import ChangeRecord
from qiangji.demo.bulk import RowWriter
from qiangji.members.models import Member
from qiangji.orglife.models import Attendance, Meeting
from qiangji.orgs.models import Organization
from qiangji.plans.models import WorkPlan
from qiangji.trainings import models as tr

BATCH = 2000
REASON = "生成演示数据"
LEADER_POSTS = ("secretary", "deputy_secretary", "committee_member")

THEME_TOPICS = [
    "学习贯彻党的二十届四中全会精神",
    "重温入党誓词，践行初心使命",
    "人居环境整治志愿服务",
    "走访慰问困难党员和老党员",
    "学习《中国共产党章程》",
    "“我为群众办实事”实践活动",
    "垃圾分类宣传进村入户",
    "参观红色教育基地",
    "和美乡村建设“党员先锋岗”行动",
    "防汛防台安全隐患排查",
    "学习习近平生态文明思想，助力崇明世界级生态岛建设",
    "党员联系户走访",
]
ASSEMBLY_TOPICS = [
    "传达学习上级会议精神，部署本季度工作",
    "讨论发展党员和预备党员转正事宜",
    "收缴党费情况通报及季度工作小结",
    "民主评议党员工作部署",
]
LECTURE_TOPICS = [
    "书记讲党课：坚定理想信念，做合格党员",
    "以高质量党建引领乡村振兴",
    "学党史、悟思想、办实事",
    "严守纪律规矩，永葆清廉本色",
    "发扬“三人行”走访精神，密切党群关系",
]
COMMITTEE_TOPICS = [
    "研究本月党建重点工作",
    "研究党员教育管理和组织生活安排",
    "研究困难党员帮扶名单",
    "研究发展党员工作计划",
    "研究“三会一课”落实情况",
]
GROUP_TOPICS = ["学习上级文件精神", "交流近期思想和工作情况", "组织党员开展志愿服务", "党小组学习讨论"]
DISCUSSION_TOPICS = [
    "交流研讨：学习贯彻全会精神心得体会",
    "交流研讨：如何发挥党员在人居环境整治中的作用",
    "交流研讨：新时代党员的责任与担当",
    "交流研讨：以党建引领基层治理",
    "交流研讨：学习《习近平谈治国理政》体会",
]
REVIEW_TOPIC = "召开年度组织生活会，开展批评和自我批评"

ORDINARY_ABSENCES = [
    (Attendance.Reason.SICK, "生病住院"),
    (Attendance.Reason.PERSONAL, "家中有事"),
    (Attendance.Reason.WORK, "单位值班"),
    (Attendance.Reason.OTHER, "外出探亲"),
]


# Attendance rows are many (tens of thousands) and plain: written as tuples, not model instances.
ATTENDANCE = RowWriter(Attendance, ["meeting_id", "member_id", "present", "absence_reason", "note"])
TRAINING_ATTENDANCE = RowWriter(tr.Attendance, ["session_id", "member_id", "present", "recorded_by_id", "recorded_at"])


@dataclass
class LifeResult:
    meetings: int = 0
    attendances: int = 0
    trainings: int = 0
    sessions: int = 0
    training_attendances: int = 0
    plans: int = 0


def _day(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, 28))


def _absence(rng: random.Random, m: Member) -> tuple[str, str] | None:
    """Why a member missed a meeting, or None when present."""
    if m.is_mobile:
        return (Attendance.Reason.AWAY, "外出务工") if rng.random() < 0.85 else None
    if m.is_frail:
        return (Attendance.Reason.FRAIL, "年老体弱行动不便") if rng.random() < 0.7 else None
    if rng.random() < 0.05:
        return rng.choice(ORDINARY_ABSENCES)
    return None


class _Writer:
    """Collects meetings with their attendance and flushes them in batches."""

    def __init__(self, rng: random.Random, result: LifeResult) -> None:
        self.rng = rng
        self.result = result
        self.meetings: list[Meeting] = []
        self.people: list[list[Member]] = []

    def add(self, org: Organization, kind: str, date: dt.date, topic: str, held: bool, people: list[Member], place: str):
        presenter = next((m for m in people if m.party_post == "secretary"), None)
        if org.kind == "group":
            presenter = next((m for m in people if m.party_post == "group_leader"), presenter)
        meeting = Meeting(
            organization=org,
            kind=kind,
            status=Meeting.Status.HELD if held else Meeting.Status.SCHEDULED,
            date=date,
            place=place,
            topic=topic,
            presenter=presenter,
            presenter_name="" if presenter else "镇党校讲师",
        )
        if held:
            meeting.minutes = f"{date.month}月{date.day}日在{place}召开，围绕“{topic}”开展学习讨论，与会党员交流发言。"
        self.meetings.append(meeting)
        self.people.append(people if held else [])
        if len(self.meetings) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.meetings:
            return
        Meeting.objects.bulk_create(self.meetings)
        ChangeRecord.objects.bulk_create(
            change_record(
                instance=m,
                user=None,
                action=ChangeRecord.Action.CREATE,
                before=None,
                source=ChangeRecord.Source.COMMAND,
                reason=REASON,
            )
            for m in self.meetings
        )
        rows = []
        for meeting, people in zip(self.meetings, self.people, strict=True):
            marks = [(m, _absence(self.rng, m)) for m in people]
            if marks and all(a is not None for _, a in marks):
                marks[0] = (marks[0][0], None)  # somebody came
            for m, absent in marks:
                reason, note = absent or ("", "")
                rows.append((meeting.pk, m.pk, absent is None, reason, note))
        ATTENDANCE.write(rows)
        self.result.meetings += len(self.meetings)
        self.result.attendances += len(rows)
        self.meetings, self.people = [], []


def _meetings(rng: random.Random, orgs: dict[str, Organization], by_org: dict[str, list[Member]], today: dt.date, w: _Writer):
    year = today.year
    months = range(1, 13)
    branches = [o for o in orgs.values() if o.kind == "branch" and by_org.get(o.name)]
    # Most branches are diligent, some miss a month now and then, a few are weak on most.
    diligence = {}
    for o in branches:
        roll = rng.random()
        diligence[o.name] = 0.3 if roll < 0.06 else (0.8 if roll < 0.3 else 0.97)
    groups: dict[str, list[Organization]] = {}
    for o in orgs.values():
        if o.kind == "group":
            groups.setdefault(o.parent.name, []).append(o)

    def held_on(date: dt.date, since: dt.date | None) -> bool:
        return date <= today and (since is None or date >= since)

    for o in branches:
        people = by_org[o.name]
        p = diligence[o.name]
        place = f"{o.village.name}党群服务站" if o.village_id else f"{o.name}党员活动室"
        since = o.founded_on if o.founded_on and o.founded_on.year == year else None
        theme_day = rng.choice([15, 15, 15, 15, 10, 20, 25])
        committee = [m for m in people if m.party_post in LEADER_POSTS]
        for month in months:
            date = _day(year, month, theme_day + rng.choice([0, 0, 0, 1, -1]))
            if held_on(date, since) and rng.random() < p:
                w.add(o, Meeting.Kind.THEME_DAY, date, rng.choice(THEME_TOPICS), True, people, place)
            elif date > today and date - today <= dt.timedelta(days=35) and rng.random() < 0.5:
                w.add(o, Meeting.Kind.THEME_DAY, date, rng.choice(THEME_TOPICS), False, people, place)
            if o.has_committee and committee:
                date = _day(year, month, rng.randint(3, 8))
                if held_on(date, since) and rng.random() < p:
                    w.add(o, Meeting.Kind.COMMITTEE_MEETING, date, rng.choice(COMMITTEE_TOPICS), True, committee, place)
            for group in groups.get(o.name, []):
                share = people[groups[o.name].index(group) :: len(groups[o.name])]
                date = _day(year, month, rng.randint(18, 26))
                if held_on(date, since) and rng.random() < p:
                    w.add(group, Meeting.Kind.GROUP_MEETING, date, rng.choice(GROUP_TOPICS), True, share, place)
        for quarter in range(4):
            first = quarter * 3 + 1
            date = _day(year, first + 1, rng.randint(5, 25))
            if held_on(date, since) and rng.random() < min(1.0, p + 0.1):
                w.add(o, Meeting.Kind.ASSEMBLY, date, rng.choice(ASSEMBLY_TOPICS), True, people, place)
            elif date > today and date - today <= dt.timedelta(days=35) and rng.random() < 0.6:
                w.add(o, Meeting.Kind.ASSEMBLY, date, rng.choice(ASSEMBLY_TOPICS), False, people, place)
            date = _day(year, first + 2, rng.randint(1, 20))
            if held_on(date, since) and rng.random() < min(1.0, p + 0.1):
                w.add(o, Meeting.Kind.LECTURE, date, rng.choice(LECTURE_TOPICS), True, people, place)
        if rng.random() < 0.12:  # a few branches have already called their next assembly
            date = today + dt.timedelta(days=rng.randint(5, 30))
            w.add(o, Meeting.Kind.ASSEMBLY, date, rng.choice(ASSEMBLY_TOPICS), False, people, place)
        if rng.random() < 0.6 * p:
            date = _day(year, rng.choice([1, 2, 2]), rng.randint(5, 28))
            if held_on(date, since):
                w.add(o, Meeting.Kind.REVIEW_MEETING, date, REVIEW_TOPIC, True, people, place)
        for _ in range(rng.choice([0, 1, 2, 3, 3, 4, 5])):
            date = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
            if held_on(date, since):
                w.add(o, Meeting.Kind.DISCUSSION, date, rng.choice(DISCUSSION_TOPICS), True, people, place)
    w.flush()


def _trainings(rng: random.Random, root: Organization, by_org: dict[str, list[Member]], today: dt.date, result: LifeResult):
    """The town's trainings of the year; hours land around the 32 (members) and 56 (leaders) requirement."""
    year = today.year
    everyone = [m for ms in by_org.values() for m in ms]
    secretaries = [m for m in everyone if m.party_post in ("secretary", "deputy_secretary")]
    leaders = [m for m in everyone if m.party_post in LEADER_POSTS]
    villagers = [m for name, ms in by_org.items() if "村" in name for m in ms]
    themed = [m for m in villagers if rng.random() < 0.4]
    batches = [everyone[i::3] for i in range(3)]
    S = tuple[int, int, int, str, str]  # month, day, hours, topic, teacher
    plan: list[tuple[str, str, str, list[Member], list[S]]] = [
        (
            f"{year}年度基层党组织书记培训班",
            tr.Training.Kind.SECRETARY,
            "面向村（居）、机关和两新组织党组织书记、副书记。",
            secretaries,
            [
                (4, 8, 8, "基层党组织书记履职能力提升", "区委党校"),
                (4, 9, 8, "抓党建促乡村振兴经验交流", "镇党委书记"),
                (4, 10, 8, "基层治理与群众工作方法", "区委党校"),
            ],
        ),
        *(
            (
                f"{year}年度党员集中轮训（第{'一二三'[i]}期）",
                tr.Training.Kind.ROTATION,
                "全体党员分三期参加集中轮训。",
                batch,
                [
                    (month, 10, 8, "学习贯彻党的创新理论", "镇党校讲师"),
                    (month, 11, 8, "党章党规党纪教育", "镇纪委"),
                    (month, 12, 8, "崇明世界级生态岛建设形势报告", "镇党校讲师"),
                    (month, 13, 8, "现场教学：红色教育基地", "镇党校讲师"),
                ],
            )
            for i, (batch, month) in enumerate(zip(batches, (3, 6, 9), strict=True))
        ),
        (
            f"{year}年度党务工作者培训练兵",
            tr.Training.Kind.WORKER_DRILL,
            "党务工作者和支委委员业务培训与实操练兵。",
            leaders,
            [
                (5, 20, 8, "党员发展与组织关系接转实务", "镇党建办"),
                (5, 21, 8, "“三会一课”记录规范与系统操作练兵", "镇党建办"),
            ],
        ),
        (
            "和美乡村建设专题班",
            tr.Training.Kind.THEMED_CLASS,
            "村党员参加，围绕和美乡村建设开展专题学习。",
            themed,
            [
                (7, 16, 4, "和美乡村建设政策解读", "区农业农村委"),
                (7, 17, 4, "人居环境长效管理与村规民约", "镇社区管理办"),
            ],
        ),
    ]
    att_rows: list[tuple] = []
    now = timezone.now()
    for name, kind, description, members, sessions in plan:
        training = tr.Training.objects.create(name=name, kind=kind, organization=root, description=description)
        result.trainings += 1
        tr.Enrolment.objects.bulk_create([tr.Enrolment(training=training, member=m) for m in members], batch_size=BATCH)
        made = tr.Session.objects.bulk_create(
            tr.Session(
                training=training,
                date=dt.date(year, month, day),
                hours=Decimal(hours),
                place="竖新镇党群服务中心",
                topic=topic,
                teacher=teacher,
            )
            for month, day, hours, topic, teacher in sessions
        )
        result.sessions += len(made)
        for session in made:
            if session.date > today:
                continue
            for m in members:
                chance = 0.3 if (m.is_mobile or m.is_frail) else 0.9
                att_rows.append((session.pk, m.pk, rng.random() < chance, None, now))
    for i in range(0, len(att_rows), BATCH * 5):
        TRAINING_ATTENDANCE.write(att_rows[i : i + BATCH * 5])
    result.training_attendances = len(att_rows)


WARNING_SITE = "崇明区党风廉政教育基地"
WARNING_BATCHES = ((4, 18), (5, 16), (6, 20))  # month, day of each batch


def _warning_education(seed: int, root: Organization, by_org: dict[str, list[Member]], today: dt.date, result: LifeResult):
    """警示教育: "百余名党员分3批次" to the clean-government education site, each batch the members
    of some top-level organizations; a batch held by today has its attendance, 3 hours each.

    Its own random stream, so adding it left every earlier figure of the demo town unchanged."""
    rng = random.Random(f"{seed}-warning")
    year = today.year
    tops = sorted({name for name, ms in by_org.items() if ms})
    groups: list[list[str]] = [tops[i::3] for i in range(3)]
    training = tr.Training.objects.create(
        name=f"{year}年警示教育现场教学",
        kind=tr.Training.Kind.WARNING_EDUCATION,
        organization=root,
        description="分批次组织党员赴廉政教育基地接受警示教育，每名党员参加一次，计一次学时。",
    )
    result.trainings += 1
    orgs_by_name = {o.name: o for o in Organization.objects.filter(name__in=tops)}
    att_rows: list[tuple] = []
    now = timezone.now()
    for number, ((month, day), names) in enumerate(zip(WARNING_BATCHES, groups, strict=True), start=1):
        pool = sorted((m for name in names for m in by_org[name]), key=lambda m: m.pk)
        members = sorted(rng.sample(pool, min(len(pool), 35)), key=lambda m: m.pk)
        session = tr.Session.objects.create(
            training=training,
            date=dt.date(year, month, day),
            hours=Decimal(3),
            place=WARNING_SITE,
            topic=f"警示教育现场教学（第{number}批次）",
            teacher="区纪委监委",
        )
        result.sessions += 1
        tr.Enrolment.objects.bulk_create([tr.Enrolment(training=training, member=m) for m in members], batch_size=BATCH)
        batch = tr.WarningBatch.objects.create(training=training, number=number, site=WARNING_SITE, session=session)
        batch.organizations.set([orgs_by_name[n] for n in names if n in orgs_by_name])
        batch.members.set(members)
        if session.date <= today:
            for m in members:
                chance = 0.5 if (m.is_mobile or m.is_frail) else 0.95
                att_rows.append((session.pk, m.pk, rng.random() < chance, None, now))
    TRAINING_ATTENDANCE.write(att_rows)
    result.training_attendances += len(att_rows)


def _plans(rng: random.Random, orgs: dict, by_org: dict[str, list[Member]], today: dt.date, result: LifeResult) -> None:
    """Most organizations filed this year's plan in the first quarter; a few did not, two were returned."""
    year = today.year
    tz = timezone.get_current_timezone()
    # Filed by the organization's secretary where the demo has that login, else by the town
    # on its behalf: a filed plan always names who filed it.
    grants = RoleGrant.objects.order_by("id")
    secretaries = dict(grants.filter(role=RoleGrant.Role.SECRETARY).values_list("organization_id", "user_id"))
    town_admin = grants.filter(role=RoleGrant.Role.TOWN_ADMIN).values_list("user_id", flat=True).first()
    rows = []
    for org in orgs.values():
        if org.kind == "group":
            continue
        if org.parent_id is not None and (not by_org.get(org.name) or rng.random() < 0.1):
            continue
        filed_on = min(dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(5, 85)), today)
        filed_at = dt.datetime.combine(filed_on, dt.time(9 + rng.randint(0, 7), rng.randint(0, 59)), tzinfo=tz)
        plan = WorkPlan(
            organization=org,
            year=year,
            title=f"{org.name}{year}年度党建工作计划",
            text=(
                f"一、指导思想：坚持以习近平新时代中国特色社会主义思想为指导。\n"
                f"二、主要任务：落实“三会一课”、主题党日和组织生活会制度；做好党员教育管理和发展党员工作；"
                f"围绕和美乡村建设开展党员志愿服务。\n三、保障措施：{org.name}支委会每月研究党建工作。"
            ),
            status=WorkPlan.Status.FILED,
            filed_at=filed_at,
            filed_by_id=secretaries.get(org.pk, town_admin),
        )
        if len(rows) % 25 == 7 and org.parent_id is not None and filed_on + dt.timedelta(days=3) < today:
            plan.status = WorkPlan.Status.RETURNED
            plan.comment = "计划内容过于笼统，请补充具体活动安排和时间节点后重新备案。"
            plan.returned_at = filed_at + dt.timedelta(days=3)
        rows.append(plan)
    WorkPlan.objects.bulk_create(rows, batch_size=BATCH)
    result.plans = len(rows)


def seed_life(*, seed: int, orgs: dict[str, Organization], by_org: dict[str, list[Member]], today: dt.date) -> LifeResult:
    rng = random.Random(f"{seed}-life")
    result = LifeResult()
    _meetings(rng, orgs, by_org, today, _Writer(rng, result))
    root = next(o for o in orgs.values() if o.parent_id is None)
    _trainings(rng, root, by_org, today, result)
    _plans(rng, orgs, by_org, today, result)
    _warning_education(seed, root, by_org, today, result)
    return result
