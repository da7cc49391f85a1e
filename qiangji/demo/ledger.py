"""The self-reform ledger of the demo town: a year of problems from 挂号 to 销号, long-term
mechanisms, this year's grades with their rectification plans, and public reports to accept.

Everything goes through the ledger services, so their rules, events and notifications are the
real ones; random.Random(f"{seed}-ledger") only picks organizations, texts and dates, walking
fixed quotas (qiangji/demo/ledger_problems.py), so the counts are the same for every seed and day.

The services stamp the current time on what they write (events, notifications, created_at).
Each step runs on its own past day: LedgerWriter.step notes the rows the step wrote and
`back_date` moves them to that day afterwards, one bulk update per table.
"""

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from qiangji.accounts.models import User
from qiangji.demo import names
from qiangji.demo.ledger_grades import seed_grades
from qiangji.demo.ledger_problems import StoryTeller, plan_stories
from qiangji.demo.ledger_texts import PUBLIC_REPORTS, REJECT_REPLIES
from qiangji.ledger import services as s
from qiangji.ledger.models import Grade, Measure, Mechanism, Problem, ProblemEvent, PublicReport, RectificationPlan
from qiangji.notifications.models import Notification
from qiangji.orgs.models import LiaisonGroup, Organization

# Organizations whose problems a demo secretary answers for: (at the top, below it).
SECRETARY_SUBTREES = {
    "竖河村党委": ("shuji_shuhe", "dangwu_shuhe"),
    "大椿村党总支": ("shuji_dachun", "shuji_dachun"),
    "仙桥村第一党支部": ("shuji_xianqiao1", "shuji_xianqiao1"),
    "新建居委党支部": ("shuji_juwei", "shuji_juwei"),
    names.JIGUAN_COMMITTEE: ("shuji_jiguan", "shuji_jiguan"),
    "上海竖新经济发展有限公司党支部": ("shuji_qiye", "shuji_qiye"),
}
SECRETARY_SHARE = 0.45  # of the problems, in organizations with a demo secretary
PUBLIC_PENDING = 4
PUBLIC_REJECTED = 2
READ_AFTER_DAYS = 7  # notifications older than this have been read


@dataclass
class LedgerResult:
    """What the ledger part wrote, for the summary and the tests."""

    problems: int = 0
    mechanisms: int = 0
    grades: int = 0
    plans: int = 0
    public_reports: int = 0


class LedgerWriter:
    """Who is who in the demo ledger, and the clock that back-dates each step."""

    def __init__(self, rng: random.Random, orgs: dict[str, Organization], today: dt.date) -> None:
        self.rng, self.today = rng, today
        self.root = orgs[names.ROOT_NAME]
        logins = ["zhen_admin", "zhen_admin2", *(f"lianluo{g}_{i}" for g in range(1, 5) for i in range(1, 4))]
        logins += [u for pair in SECRETARY_SUBTREES.values() for u in pair]
        self.users = {u.username: u for u in User.objects.filter(username__in=logins)}
        self.by_pk = {u.pk: u for u in self.users.values()}
        self.zhen_admin, self.zhen_admin2 = self.users["zhen_admin"], self.users["zhen_admin2"]
        through = LiaisonGroup.organizations.through
        group_names = dict(LiaisonGroup.objects.filter(name__in=names.LIAISON_GROUPS).values_list("pk", "name"))
        self.group = {
            org_id: names.LIAISON_GROUPS.index(group_names[group_id]) + 1
            for org_id, group_id in through.objects.filter(liaisongroup_id__in=group_names).values_list(
                "organization_id", "liaisongroup_id"
            )
        }
        # In the town plan's order, not by path: paths hold ids, which a rebuild (--reset) changes.
        self.orgs = [o for o in orgs.values() if o.pk in self.group]
        tops = {orgs[name].path: pair for name, pair in SECRETARY_SUBTREES.items()}
        self.secretary: dict[int, User] = {}
        for org in self.orgs:
            for path, (top, below) in tops.items():
                if org.path.startswith(path):
                    self.secretary[org.pk] = self.users[top if org.path == path else below]
        self.shuhe_path = orgs["竖河村党委"].path
        self.event_steps: list[tuple[int, dt.datetime]] = []
        self.notification_steps: list[tuple[int, dt.datetime]] = []
        self.measures: dict[int, list[dt.datetime]] = {}
        self.problems: dict[int, list[dt.datetime]] = {}
        self.reports: dict[int, list[Any]] = {}
        self.mechanisms: dict[int, dt.datetime] = {}
        self.first_event, self.first_notification = self._last_ids()
        # A step on the real today is never stamped later than the moment the demo is built.
        self.now = timezone.now() - dt.timedelta(minutes=1)

    # Who ------------------------------------------------------------------------------------

    def user(self, pk: int) -> User:
        return self.by_pk[pk]

    def leader(self, org: Organization) -> User:
        return self.users[f"lianluo{self.group[org.pk]}_1"]

    def pick_org(self, rng: random.Random, *, reassignable: bool = False) -> Organization:
        mine = [o for o in self.orgs if o.pk in self.secretary]
        others = [o for o in self.orgs if o.pk not in self.secretary]
        if reassignable:  # only 竖河村 has two demo secretaries; liaison cadres are three a group
            mine = [o for o in mine if o.path.startswith(self.shuhe_path)]
        return rng.choice(mine if rng.random() < SECRETARY_SHARE else others)

    def owner_for(self, org: Organization, rng: random.Random) -> User:
        """The demo secretary of the organization, else a cadre of its liaison group (包联干部)."""
        if org.pk in self.secretary:
            return self.secretary[org.pk]
        return self.users[f"lianluo{self.group[org.pk]}_{rng.choice((2, 3))}"]

    def other_owner(self, org: Organization, current: User) -> User:
        if org.path.startswith(self.shuhe_path):
            return self.users["dangwu_shuhe" if current.username == "shuji_shuhe" else "shuji_shuhe"]
        g = self.group[org.pk]
        return self.users[f"lianluo{g}_{3 if current.username.endswith('_2') else 2}"]

    def registrar(self, st: Any, rng: random.Random) -> User:
        group = [self.users[f"lianluo{self.group[st.org.pk]}_{i}"] for i in (1, 2, 3)]
        choices = {
            "self_check": [st.owner],
            "org_life": [st.owner, group[0]],
            "visit_talk": [*group, self.zhen_admin2],
            "inspection": [self.zhen_admin],
        }.get(st.source, [self.zhen_admin, self.zhen_admin2])
        return rng.choice(choices)

    def above(self, st: Any) -> User:
        return self.rng.choice((self.leader(st.org), self.zhen_admin))

    def checker(self, st: Any, rng: random.Random) -> User:
        """Someone above the problem's organization who is not its owner."""
        owner = st.problem.owner_id
        choices = [self.leader(st.org), self.zhen_admin]
        if st.org.path.startswith(self.shuhe_path) and st.org.path != self.shuhe_path:
            choices.append(self.users["shuji_shuhe"])
        return rng.choice([u for u in choices if u.pk != owner])

    # When -----------------------------------------------------------------------------------

    def _when(self, st: Any, day: dt.date) -> dt.datetime:
        """A time of day for a step of the story (or stories) `st`: after their previous steps."""
        stories = st if isinstance(st, list) else [] if st is None else [st]
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(8, 30)))
        when = start + dt.timedelta(minutes=self.rng.randrange(0, 480))
        last = max((story.last for story in stories if story.last is not None), default=None)
        if last is not None and when <= last:
            when = last + dt.timedelta(minutes=self.rng.randint(3, 40))
        if day == timezone.localdate():
            when = min(when, self.now)
        for story in stories:
            story.last = when
        return when

    def step(self, st: Any, day: dt.date, fn: Any, **kwargs: Any) -> Any:
        """Run one service as if on `day`: what it wrote is back-dated by `back_date`."""
        when = self._when(st, day)
        result = fn(**kwargs)
        # Ids only grow: the rows this step wrote are those above the last step's highest id.
        events, notifications = self._last_ids()
        self.event_steps.append((events, when))
        self.notification_steps.append((notifications, when))
        if isinstance(result, Problem):
            self.problems.setdefault(result.pk, [when, when])[1] = when
        return result

    @staticmethod
    def _last_ids() -> tuple[int, int]:
        events = connection.ops.quote_name(ProblemEvent._meta.db_table)
        notifications = connection.ops.quote_name(Notification._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT (SELECT MAX(id) FROM {events}), (SELECT MAX(id) FROM {notifications})")
            row = cursor.fetchone()
        return row[0] or 0, row[1] or 0

    @staticmethod
    def _spread(start: int, steps: list[tuple[int, dt.datetime]]) -> dict[int, dt.datetime]:
        times, low = {}, start
        for high, when in steps:
            times.update((pk, when) for pk in range(low + 1, high + 1))
            low = max(low, high)
        return times

    def measure_step(self, st: Any, day: dt.date, fn: Any, **kwargs: Any) -> Measure:
        measure = self.step(st, day, fn, **kwargs)
        self.measures.setdefault(measure.pk, [st.last, st.last])[1] = st.last
        return measure

    # What -----------------------------------------------------------------------------------

    def mechanism(self, name: str, org: Organization, kind: str, day: dt.date, by: User, stories: list[Any]) -> None:
        data = {
            "name": name,
            "organization": org,
            "kind": kind,
            "effective_on": day,
            "description": "明确责任人、工作流程和督查要求，定期检查落实情况",
        }
        mechanism = self.step(stories, day, s.mechanism_record, by=by, data=data, problems=[st.problem for st in stories])
        self.mechanisms[mechanism.pk] = stories[0].last

    def public_submit(self, day: dt.date, description: str, village: Any) -> PublicReport:
        rng = self.rng
        named = rng.random() < 0.5
        data = {
            "description": description,
            "village": village,
            "name": rng.choice("陈王张施黄沈顾") + rng.choice(("先生", "阿姨", "师傅")) if named else "",
            "phone": f"139{rng.randrange(10**8):08d}" if named else "",
        }
        when = self._when(None, day)
        report = s.public_report_submit(data=data, client_hash="")
        reference = f"{day:%Y%m%d}-{rng.randrange(16**6):06X}"
        self.reports[report.pk] = [when, None, reference]
        return report

    def public_accepted(self, st: Any, data: dict[str, Any]) -> None:
        day = max(st.registered - dt.timedelta(days=self.rng.randint(0, 2)), self.today - dt.timedelta(days=364))
        report = self.public_submit(day, data["description"], data["village"])
        fields = {k: data[k] for k in ("organization", "owner", "deadline", "category")}
        args = {"report": report, "by": self.zhen_admin, "data": fields, "today": st.registered}
        st.problem = self.step(st, st.registered, s.public_report_accept, **args)
        self.reports[report.pk][1] = st.last

    def public_waiting(self) -> int:
        """A few reports still to accept, and two the town turned down."""
        villages = [o.village for o in self.orgs if o.village_id]
        texts = list(PUBLIC_REPORTS)
        self.rng.shuffle(texts)
        for i in range(PUBLIC_PENDING):
            day = self.today - dt.timedelta(days=self.rng.randint(0, 4))
            self.public_submit(day, texts[i], self.rng.choice(villages))
        for i in range(PUBLIC_REJECTED):
            day = self.today - dt.timedelta(days=self.rng.randint(10, 90))
            report = self.public_submit(day, texts[PUBLIC_PENDING + i], self.rng.choice(villages))
            s.public_report_reject(report=report, by=self.zhen_admin, reply=REJECT_REPLIES[i])
            self.reports[report.pk][1] = self._when(None, day + dt.timedelta(days=2))
        return PUBLIC_PENDING + PUBLIC_REJECTED

    # Back-dating ----------------------------------------------------------------------------

    def back_date(self) -> None:
        """Move what each step wrote to the step's day; notifications of the past have been read."""
        read_before = timezone.make_aware(dt.datetime.combine(self.today - dt.timedelta(days=READ_AFTER_DAYS), dt.time()))
        batch = 500
        events = self._spread(self.first_event, self.event_steps)
        notifications = self._spread(self.first_notification, self.notification_steps)
        # An id skipped by a rolled-back insert matches no row: updating it does nothing.
        ProblemEvent.objects.bulk_update([ProblemEvent(pk=pk, at=when) for pk, when in events.items()], ["at"], batch_size=batch)
        Notification.objects.bulk_update(
            [
                Notification(pk=pk, created_at=when, read_at=when + dt.timedelta(hours=2) if when < read_before else None)
                for pk, when in notifications.items()
            ],
            ["created_at", "read_at"],
            batch_size=batch,
        )
        Problem.objects.bulk_update(
            [Problem(pk=pk, created_at=first, updated_at=last) for pk, (first, last) in self.problems.items()],
            ["created_at", "updated_at"],
            batch_size=batch,
        )
        Measure.objects.bulk_update(
            [Measure(pk=pk, created_at=first, updated_at=last) for pk, (first, last) in self.measures.items()],
            ["created_at", "updated_at"],
            batch_size=batch,
        )
        Mechanism.objects.bulk_update(
            [Mechanism(pk=pk, created_at=when) for pk, when in self.mechanisms.items()], ["created_at"], batch_size=batch
        )
        PublicReport.objects.bulk_update(
            [
                PublicReport(pk=pk, created_at=created, handled_at=handled, reference=reference)
                for pk, (created, handled, reference) in self.reports.items()
            ],
            ["created_at", "handled_at", "reference"],
            batch_size=batch,
        )


def seed_ledger(*, seed: int, orgs: dict[str, Organization], today: dt.date) -> LedgerResult:
    """The demo town's ledger for the year up to `today`, then today's overdue escalation."""
    rng = random.Random(f"{seed}-ledger")
    writer = LedgerWriter(rng, orgs, today)
    teller = StoryTeller(rng, writer, today)
    stories = plan_stories(rng, writer, today)
    teller.run(stories)
    teller.more_mechanisms(stories)
    grades, plans = seed_grades(writer)
    writer.public_waiting()
    writer.back_date()
    # Today's run of the escalation job: its notifications are today's, so they are not back-dated.
    s.problems_escalate(today=today)
    return LedgerResult(
        problems=len(stories),
        mechanisms=len(writer.mechanisms),
        grades=grades,
        plans=plans,
        public_reports=len(writer.reports),
    )


def reset_ledger(root: Organization, usernames: list[str]) -> None:
    """Remove the demo town's ledger (history rows of grades and plans are removed by the caller)."""
    in_town = {"organization__path__startswith": root.path}
    problems = Problem.objects.filter(**in_town)
    villages = [v.name for v in names.VILLAGES]
    PublicReport.objects.filter(problem__in=problems).delete()
    PublicReport.objects.filter(problem__isnull=True, village__name__in=villages).delete()
    Mechanism.objects.filter(**in_town).delete()
    RectificationPlan.objects.filter(**in_town).delete()
    Grade.objects.filter(**in_town).delete()
    Measure.objects.filter(problem__in=problems).delete()
    # A merged problem protects the one it was merged into: duplicates go first.
    problems.filter(merged_into__isnull=False).delete()
    problems.delete()
    Notification.objects.filter(recipient__username__in=usernames, kind__in=("problem", "problem_overdue")).delete()
