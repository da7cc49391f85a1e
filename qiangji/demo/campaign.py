"""The demo town's emerging-sector campaign (新连心): the loop collect → analyse → verify → register
as it ran, teams and their visits, coverage, carriers' bodies, voice and the reports.

The story, counted back from `today` (T):
- T-150: 33 three-person teams over the 7 grids (zoufang1 leads the first team of 第一网格),
  carrier committees and the ten roles of each grid;
- T-138: the district's first list (底数): the register was empty, so every row is new; each row
  becomes a verify task, and over T-136…T-66 the teams visit them and the town approves: only
  those approvals write the register (entity_apply through visit_review), so every value's
  history names the batch and the visit; a few turn out not to exist;
- a few days after each entity is registered, an organization or an instructor covers most of
  them (entity_cover, entity_assign_instructor), and a few more in the last six weeks;
- weekly from T-42: care visits (三送三问) fall due 90 days after the last approved visit
  (care_tasks_schedule) and the teams make them; zoufang1's team has not yet made those of
  T-7, due today, so the demo's visiting-team login finds visits due today on its home;
- T-10: a new district list, messy as districts send it, goes through the entities importer:
  new, changed, duplicate, invalid and gone rows; the teams verify what needs it, and the town's
  review leaves some approved, some waiting, some sent back, some rejected;
- problems found on visits go into the ledger; twelve messages on the voice channel;
- the daily summaries of the last 14 days and the weekly analyses of the last 6 weeks.

Every write goes through the campaign's services, run under a demo clock (`DemoClock`) that makes
"now" the day of the step, so what they stamp (visits, reviews, register history) reads as it
happened. random.Random(f"{seed}-campaign") picks people, texts and days; the quotas are fixed,
so the counts are the same for every seed.
"""

import datetime as dt
import random
import uuid
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from qiangji.accounts.models import RoleGrant, User
from qiangji.campaign.models import (
    ChecklistItem,
    Entity,
    Summary,
    Visit,
    VisitTask,
)
from qiangji.campaign.services import visits as v
from qiangji.campaign.services.register import entity_assign_instructor, entity_cover
from qiangji.campaign.services.summaries import summary_generate
from qiangji.campaign.services.teams import team_create
from qiangji.campaign.services.visit_problems import visit_problem_register
from qiangji.core.access import VISITOR
from qiangji.demo import names
from qiangji.demo.campaign_carriers import seed_carriers, seed_voice
from qiangji.demo.campaign_district import (  # noqa: F401 - campaign_counts, reset_campaign: seed_demo's and seed's
    campaign_counts,
    coverage_orgs,
    district_import,
    import_sheet,
    reset_campaign,
    verify_district,
)
from qiangji.demo.campaign_sheet import EntityMaker, EntityPlan, register_plan, sheet_bytes
from qiangji.demo.campaign_texts import CARE_ASKS, CARE_SENDS, COMMENTS, NEEDS, PROBLEMS
from qiangji.demo.logins import DEMO_LOGINS, DEMO_PASSWORD
from qiangji.orgs.models import Chain, Grid, Organization, Street, Village

TEAMS_PER_GRID = (5, 5, 5, 5, 5, 4, 4)  # 33 teams
TEAM_SIZE = 3
BASELINE_DAY, FIRST_VISIT, LAST_VISIT = 138, 136, 66  # days before today
NOT_FOUND, SENT_BACK, CORRECTED = 4, 8, 50  # baseline visits: quotas
CARE_WAVES = (42, 35, 28, 21, 14, 7, 0)  # days before today care_tasks_schedule runs
UNCOVERED_SHARE = 0.1  # of each grid's entities, left for the 5+2+7 page to show
LATE_COVERS = 24  # cover actions within the last six weeks
VISIT_PROBLEMS = 3  # problems found on visits that the town registers in the ledger
DAILY, WEEKLY = 14, 6


def care_answers(n: int) -> dict[str, Any]:
    """A care visit's 三送三问, picked by a number drawn from the entity's name (not from the
    seed's random stream, so that the rest of the town is drawn as before, nor from ids, which a
    rebuild changes): 送政策 always, 送服务 two visits in three, 送温暖 one in two; every ask
    answered."""
    done = {"送政策": True, "送服务": n % 3 != 0, "送温暖": n % 2 == 0}
    sends = [
        {"item": label, "done": done[label], "note": notes[n % len(notes)] if done[label] else ""}
        for label, notes in CARE_SENDS.items()
    ]
    asks = [{"item": label, "answer": answers[n % len(answers)]} for label, answers in CARE_ASKS.items()]
    return {"sends": sends, "asks": asks}


@dataclass
class CampaignResult:
    """What the campaign part wrote, for the summary seed_demo prints."""

    teams: int = 0
    members: int = 0
    baseline_rows: int = 0
    district_rows: int = 0
    committees: int = 0
    grid_roles: int = 0
    voice: int = 0
    summaries: int = 0


class DemoClock:
    """`at(day)`: "now" is a working hour of `day` for whatever runs inside, so services stamp
    that day (auto_now fields, review times, today's date checks). A step on the real today is
    never stamped later than the moment the demo is built; a demo built for a later `--today`
    lives in its own time."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.real_now = timezone.now() - dt.timedelta(minutes=1)
        self.real_today = timezone.localdate()

    @contextmanager
    def at(self, day: dt.date):
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(8, 30)))
        when = start + dt.timedelta(minutes=self.rng.randrange(0, 540))
        if day == self.real_today:
            when = min(when, self.real_now)
        with mock.patch.object(timezone, "now", return_value=when):
            yield when


class CampaignWriter:
    """Who is who in the demo campaign, and the steps of its story."""

    def __init__(self, rng: random.Random, orgs: dict[str, Organization], today: dt.date) -> None:
        self.rng, self.orgs, self.today = rng, orgs, today
        self.clock = DemoClock(rng)
        users = User.objects.filter(username__in=("zhen_admin", "zhen_admin2"))
        self.admins = sorted(users, key=lambda u: u.username)
        self.maker = EntityMaker(random.Random(f"{rng.random()}-entities"))
        self.grids = list(Grid.objects.filter(name__in=names.GRIDS).order_by("number"))
        self.villages = {x.name: x for x in Village.objects.filter(name__in=[s.name for s in names.VILLAGES])}
        self.chains = {c.name: c for c in Chain.objects.filter(name__in=names.CHAINS)}
        self.streets = {s.name: s for s in Street.objects.filter(name__in=names.STREETS)}
        self.checklist = list(ChecklistItem.objects.filter(active=True).values_list("pk", flat=True))
        self.cards: dict[int, int] = {}
        self.team_members: dict[int, list[User]] = {}
        self.members_of: dict[int, list[User]] = {}
        self.lead_team: int | None = None  # zoufang1's team
        self.instructors: dict[int, list[User]] = {}

    def day(self, days_before: int) -> dt.date:
        return self.today - dt.timedelta(days=days_before)

    @property
    def admin(self) -> User:
        return self.rng.choice(self.admins)

    # People ---------------------------------------------------------------------------------

    def accounts(self) -> None:
        """99 team members (zoufang1…6 are demo logins; the others are made here, the same way)
        and two instructors per grid, all with the demo password; team members hold the
        visiting-team role."""
        wanted = [f"zoufang{i}" for i in range(1, sum(TEAMS_PER_GRID) * TEAM_SIZE + 1)]
        wanted += [f"zhidao{i}" for i in range(1, 2 * len(self.grids) + 1)]
        logins = {login.username for login in DEMO_LOGINS}
        # Names are drawn for every account, new or kept from an earlier build, so that a rebuild
        # (--reset) draws everything after them the same way.
        drawn = {name: self.maker._person() for name in wanted if name not in logins}
        existing = {u.username: u for u in User.objects.filter(username__in=drawn)}
        hashed = make_password(DEMO_PASSWORD)
        now = timezone.now()
        User.objects.bulk_create(
            User(username=name, password=hashed, password_changed_at=now, display_name=person)
            for name, person in drawn.items()
            if name not in existing
        )
        for name, user in existing.items():
            user.display_name = drawn[name]
        User.objects.bulk_update(existing.values(), ["display_name"])
        users = {u.username: u for u in User.objects.filter(username__in=wanted)}
        root = self.orgs[names.ROOT_NAME]
        granted = set(
            RoleGrant.objects.filter(user__username__startswith="zoufang", role=VISITOR).values_list("user_id", flat=True)
        )
        RoleGrant.objects.bulk_create(
            RoleGrant(user=users[name], role=VISITOR, organization=root, title="走访队员")
            for name in wanted
            if name.startswith("zoufang") and users[name].pk not in granted
        )
        self.users = users
        for g, grid in enumerate(self.grids):
            self.instructors[grid.pk] = [users[f"zhidao{2 * g + 1}"], users[f"zhidao{2 * g + 2}"]]

    def teams(self) -> int:
        """zoufang1–3 are the first team of 第一网格, zoufang4–6 the first of 第二网格."""
        order = [(g, n) for g, count in enumerate(TEAMS_PER_GRID) for n in range(count)]
        order = [order[0], order[TEAMS_PER_GRID[0]], *(x for i, x in enumerate(order) if i not in (0, TEAMS_PER_GRID[0]))]
        numbers = "一二三四五六七八九十"
        with self.clock.at(self.day(150)):
            for t, (g, n) in enumerate(order):
                members = [self.users[f"zoufang{t * TEAM_SIZE + i}"] for i in range(1, TEAM_SIZE + 1)]
                grid = self.grids[g]
                team = team_create(
                    by=self.admins[0],
                    data={"name": f"{grid.name}三人行{numbers[n]}队", "grid": grid, "members": members, "leader": members[0]},
                )
                self.members_of[team.pk] = members
                self.team_members.setdefault(grid.pk, []).extend(members)
                if t == 0:
                    self.lead_team = team.pk
        return len(order)

    # Visits ---------------------------------------------------------------------------------

    def card(self, day: dt.date) -> str:
        self.cards[day.year] = self.cards.get(day.year, 0) + 1
        return f"XLX-{day.year}-{self.cards[day.year]:04d}"

    def visit_data(self, task: VisitTask, day: dt.date, *, first: bool = False, **extra: Any) -> dict[str, Any]:
        """A visit's form as a team member fills it in; a first visit hands out a card and a
        care package (the demo knows which visits are first: a verify task of a new record)."""
        rng = self.rng
        done = list(self.checklist)
        notes = ""
        if rng.random() < 0.06:
            done.pop(rng.randrange(len(done)))
            notes = rng.choice(("负责人外出，由其家属接待，已约定电话补充核实", "店内营业繁忙，政策宣讲资料已留存，下次走访补讲"))
        data = {
            "visited_on": day,
            "checklist": done,
            "notes": notes,
            "found_exists": True,
            "needs": rng.choice(NEEDS) if rng.random() < 0.35 else "",
            "wants_party_org": rng.random() < 0.05,
        }
        data.update(extra)
        if task.kind == VisitTask.Kind.CARE and data["found_exists"]:
            data.update(care_answers(zlib.crc32(task.title.encode())))
        if first and data["found_exists"]:
            data["card_number"] = self.card(day)
            data["care_package"] = True
        return data

    def submit(self, task: VisitTask, day: dt.date, *, first: bool = False, **extra: Any) -> Visit:
        by = self.rng.choice(self.members_of[task.team_id])
        with self.clock.at(day):
            data = self.visit_data(task, day, first=first, **extra)
            return v.visit_submit(task=task, by=by, data=data, client_uuid=uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def review(self, visit: Visit, day: dt.date, action: str = "approve", comment: str = "") -> Visit:
        with self.clock.at(min(day, self.today)):
            return v.visit_review(visit=visit, by=self.admin, action=action, comment=comment)

    def resubmit(self, visit: Visit, day: dt.date, **extra: Any) -> Visit:
        with self.clock.at(day):
            # The visit was made on its first day; only the correction is made later.
            data = self.visit_data(
                visit.task, visit.visited_on, card_number=visit.card_number, care_package=visit.care_package, **extra
            )
            return v.visit_resubmit(visit=visit, by=visit.by, data=data)

    def reviewed(self, task: VisitTask, day: dt.date, *, send_back: bool = False, first: bool = False, **extra: Any) -> Visit:
        """A visit made on `day` and approved within three days (after a round of corrections
        when sent back)."""
        visit = self.submit(task, day, first=first, **extra)
        later = day + dt.timedelta(days=self.rng.randint(0, 2))
        if send_back:
            self.review(visit, later, "send_back", self.rng.choice(COMMENTS))
            later = min(later + dt.timedelta(days=1), self.today)
            visit = self.resubmit(visit, later, **extra)
        return self.review(visit, min(later + dt.timedelta(days=self.rng.randint(0, 1)), self.today))

    # The first list ---------------------------------------------------------------------------

    def baseline(self) -> int:
        """The first list arrived when the register was empty: the importer finds every row new,
        and each becomes a verify task that a team visits and the town reviews."""
        plans = register_plan(self.rng, self.maker)
        day = self.day(BASELINE_DAY)
        content = sheet_bytes(f"竖新镇新兴领域主体基础数据（{day:%Y年%m月}）", plans)
        batch = import_sheet(self, day=day, file_name=f"竖新镇新兴领域主体底数{day:%Y%m}.xlsx", content=content)
        tasks = list(VisitTask.objects.filter(record__batch=batch).select_related("record").order_by("record__row_number"))
        span = FIRST_VISIT - LAST_VISIT
        by_name = {p.name: p for p in plans}
        self.rng.shuffle(tasks)
        for rank, task in enumerate(tasks):
            plan = by_name[task.record.data["name"]]
            visit_day = self.day(FIRST_VISIT - rank * span // len(tasks))
            if rank < NOT_FOUND:
                visit = self.submit(task, visit_day, found_exists=False, notes="现场核实该地址无此主体，周边村民反映已停业多年")
                self.review(visit, visit_day + dt.timedelta(days=1))
                continue
            extra: dict[str, Any] = {"party_members_found": plan.party_members}
            if rank < NOT_FOUND + SENT_BACK + CORRECTED:
                extra["facts"] = self.correction(plan)
            if rank % 10 == 3:
                extra["party_members_found"] = plan.party_members + 1 + rank % 2
            self.reviewed(task, visit_day, send_back=rank < NOT_FOUND + SENT_BACK, first=True, **extra)
        return len(plans)

    def correction(self, plan: EntityPlan) -> dict[str, Any]:
        """What a visit finds different from the list: a new manager, a phone, the staff."""
        pick = self.rng.randrange(3)
        if pick == 0:
            return {"person_in_charge": self.maker._person(), "phone": self.maker.people.phone()}
        if pick == 1:
            return {"employees": max(1, plan.employees + self.rng.choice((-2, -1, 1, 3, 5)))}
        return {"phone": self.maker.people.phone()}

    # Coverage ---------------------------------------------------------------------------------

    def covering(self, entity: Entity, own: bool) -> Organization:
        """Own organization for an entity with 3+ Party members, a joint one otherwise: the
        street's joint branch, a two-new organization of its chain, else its village's."""
        on_chain = [o for o in self.chain_orgs if set(o.chain_ids) & set(entity.chain_ids)]
        if entity.street_id and not own:
            return self.street_orgs[entity.street_id]
        if on_chain:
            return self.rng.choice(on_chain).org
        return self.village_orgs[entity.village_id]

    def cover(self) -> None:
        self.chain_orgs, self.street_orgs, self.village_orgs = coverage_orgs(self.orgs, self.chains, self.streets)
        entities = list(Entity.objects.active().select_related("village").prefetch_related("chains").order_by("id"))
        for e in entities:
            e.chain_ids = [c.pk for c in e.chains.all()]
        steps = []
        for grid in self.grids:
            mine = [e for e in entities if e.village.grid_id == grid.pk]
            self.rng.shuffle(mine)
            keep_open = max(3, round(len(mine) * UNCOVERED_SHARE))
            for j, e in enumerate(mine[keep_open:]):
                org = j % 5 < 3  # three in five of the covered: an organization (≈55% of all)
                work = j % 13 < 10 or not org  # ten in thirteen: an instructor (≈70% of all)
                steps.append((e, org, work, self.rng.choice(self.instructors[grid.pk])))
        late = set(self.rng.sample(range(len(steps)), LATE_COVERS))
        latest = self.day(43)
        for i, (entity, org, work, instructor) in enumerate(steps):
            registered = timezone.localtime(entity.registered_at).date()
            if i in late:
                day = self.day(self.rng.randint(1, 41))
            else:
                day = min(registered + dt.timedelta(days=self.rng.randint(3, 12)), latest)
            with self.clock.at(day):
                if org:
                    own = entity.party_members >= 3
                    how = Entity.OrgCoverage.OWN if own else Entity.OrgCoverage.JOINT
                    entity_cover(entity=entity, by=self.admin, organization=self.covering(entity, own), how=how)
                if work:
                    entity_assign_instructor(entity=entity, by=self.admin, instructor=instructor)

    # Care visits --------------------------------------------------------------------------------

    def care_wave(self, days_before: int) -> None:
        """Care visits fall due; the teams make most of them within the week, the town approves."""
        day = self.day(days_before)
        last = VisitTask.objects.aggregate(m=Max("id"))["m"] or 0
        with self.clock.at(day):
            v.care_tasks_schedule(today=day)
        tasks = list(VisitTask.objects.filter(pk__gt=last, kind=VisitTask.Kind.CARE).select_related("entity").order_by("id"))
        if days_before == 0:
            return
        for i, task in enumerate(tasks):
            if i % 4 == 3:
                continue  # not visited yet: the weekly analysis shows who falls behind
            if days_before == 7 and task.team_id == self.lead_team:
                continue  # zoufang1's team has last week's care visits due today: its home shows them
            visit_day = day + dt.timedelta(days=self.rng.randint(1, min(6, days_before - 1) if days_before > 1 else 1))
            extra: dict[str, Any] = {}
            if i % 17 == 0 and days_before > 14:
                extra["party_members_found"] = task.entity.party_members + 1
            if days_before <= 7 and i % 3 == 0:
                self.submit(task, visit_day, **extra)  # waiting for the town's review
                continue
            if i % 29 == 5:
                extra["problems"] = self.rng.choice(PROBLEMS)
            self.reviewed(task, visit_day, **extra)

    def visit_problems(self) -> int:
        """Today the town registers the problems of the latest approved visits in the ledger
        (挂号), with a month to fix them; registered today, they keep the ledger's numbers in the
        order of registration."""
        found = Visit.objects.filter(state=Visit.State.APPROVED).exclude(problems="").order_by("-reviewed_at", "-id")
        for visit in found[:VISIT_PROBLEMS]:
            with self.clock.at(self.today):
                visit_problem_register(visit=visit, by=self.admin, deadline=self.today + dt.timedelta(days=30), today=self.today)
        return VISIT_PROBLEMS

    def summaries(self) -> int:
        """The scheduled task's output of the last 14 days and the last 6 complete weeks."""
        monday = self.today - dt.timedelta(days=self.today.weekday())
        weeks = [monday - dt.timedelta(weeks=n) for n in range(WEEKLY, 0, -1)]
        days = [self.today - dt.timedelta(days=n) for n in range(DAILY - 1, -1, -1)]
        if connection.vendor == "postgresql":
            # Thousands of rows were just written in one transaction, before autovacuum could look:
            # without statistics the planner takes the tables for empty.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        for start in weeks:
            with self.clock.at(start + dt.timedelta(days=7)):
                summary_generate(kind=Summary.Kind.WEEKLY, day=start)
        for day in days:
            with self.clock.at(min(day + dt.timedelta(days=1), self.today)):
                summary_generate(kind=Summary.Kind.DAILY, day=day)
        return len(weeks) + len(days)


def seed_campaign(*, seed: int, orgs: dict[str, Organization], today: dt.date) -> CampaignResult:
    """The demo town's campaign up to `today` (see the module docstring)."""
    rng = random.Random(f"{seed}-campaign")
    w = CampaignWriter(rng, orgs, today)
    result = CampaignResult()
    w.accounts()
    result.teams = w.teams()
    result.members = sum(len(m) for m in w.members_of.values())
    with w.clock.at(w.day(150)):
        people = w.maker._person
        result.committees, result.grid_roles = seed_carriers(
            rng=rng, by=w.admins[0], orgs=orgs, people=people, day=w.day(150), instructors=w.instructors
        )
    result.baseline_rows = w.baseline()
    w.cover()
    for days_before in CARE_WAVES:
        if days_before == 7:
            result.district_rows = district_import(w, days_before=10).rows
            verify_district(w, days_before=10)
        w.care_wave(days_before)
    w.visit_problems()
    result.voice, _ = seed_voice(rng=rng, by=w.admins[0], clock=w.clock, today=today, team_members=w.team_members)
    result.summaries = w.summaries()
    return result
