"""A year of problems in the demo ledger, each told through the ledger services.

Every problem follows one story (closed at once, closed after its measures were checked, sent
back, disputed, reopened, merged as a duplicate, withdrawn, still open, overdue…). The number of
problems per story and per source is fixed (STORIES, SOURCES): the seed only picks organizations,
texts and dates, so the figures in docs/demo.md hold for every seed and every day.
"""

import datetime as dt
import heapq
import random
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from qiangji.demo.ledger_texts import (
    DISPUTE_REASONS,
    MERGE_REASON,
    POSTPONE_REASONS,
    PROBLEMS,
    REASSIGN_REASONS,
    REOPEN_REASONS,
    SEND_BACK_REASONS,
    SOURCE_OPENINGS,
    UPHOLD_REASONS,
    WITHDRAW_REASONS,
    ProblemText,
)
from qiangji.ledger import services as s
from qiangji.ledger.models import Mechanism, Problem

if TYPE_CHECKING:
    from qiangji.demo.ledger import LedgerWriter

# Every problem and mechanism falls within the WINDOW_DAYS days that end on `today`.
WINDOW_DAYS = 365
STORIES = (
    ("immediate", 102),  # 即知即改: analysed and closed with its evidence by a checker
    ("immediate_upheld", 3),  # disputed by its owner, upheld from above, then closed
    ("immediate_reassigned", 3),  # given to another owner, then closed
    ("immediate_reclosed", 2),  # closed, reopened (it came back), closed again
    ("long", 17),  # 长效机制: measures done and checked, submitted, closed
    ("long_sent_back", 3),  # … the first check sent it back
    ("long_postponed", 2),  # … its deadline moved once
    ("progress_long", 12),  # measures under way (4 of them overdue)
    ("progress_immediate", 2),  # analysed as an immediate fix, not closed yet (1 overdue)
    ("progress_reopened", 1),  # closed, reopened, new deadline
    ("progress_fresh", 1),  # taken on, not analysed yet
    ("awaiting", 7),  # submitted, waiting for the check (1 overdue)
    ("registered", 7),  # registered in the last three weeks (1 overdue)
    ("registered_reassigned", 1),  # reassigned: back to 已挂号 with its new owner
    ("disputed", 4),  # the owner contests it; nobody has answered yet (2 overdue)
    ("withdrawn", 5),  # not a problem after all
)
SOURCES = {
    "self_check": 40,
    "visit_talk": 30,
    "org_life": 22,
    "inspection": 18,
    "hotline": 22,
    "petition": 14,
    "wechat": 16,
    "public": 10,
}
# Duplicates come in later through another channel and are merged into the first report.
DUPLICATE_SOURCES = ("hotline", "hotline", "hotline", "hotline", "wechat", "wechat", "petition", "petition")
# Days past the deadline on `today` of the overdue ones: escalation stages 1/3/7 all show.
OVERDUE = {
    "progress_long": [2, 5, 20, 60],
    "progress_immediate": [1],
    "awaiting": [8],
    "registered": [3],
    "disputed": [12, 35],
}
IMMEDIATE_MECHANISMS = 25  # immediate fixes after which a mechanism was also put into effect
TOWN_MECHANISMS = 8  # mechanisms the town established against a kind of problem seen in many places
LONG_FLOWS = ("long", "long_sent_back", "long_postponed", "progress_long", "awaiting")


Steps = Generator[dt.date, None, None]  # a story yields the day of its next step before taking it


@dataclass
class Story:
    """One problem to tell: its story, where it is, who answers for it, its dates."""

    index: int
    flow: str
    source: str
    org: Any
    owner: Any
    text: ProblemText
    registered: dt.date
    deadline: dt.date
    overdue: int = 0
    original: "Story | None" = None
    problem: Problem | None = None
    last: dt.datetime | None = None

    @property
    def description(self) -> str:
        village = self.org.village.name if self.org.village_id else ""
        return SOURCE_OPENINGS[self.source] + self.text.text.format(v=village, o=self.org.name)


def _texts_for(org: Any) -> list[ProblemText]:
    in_village = bool(org.village_id) and org.name.startswith(org.village.name)
    return [t for t in PROBLEMS if in_village or "{v}" not in t.text]


def _dates(rng: random.Random, flow: str, today: dt.date, overdue: int) -> tuple[dt.date, dt.date]:
    """(registered, deadline) for a story; an overdue one ends `overdue` days before today."""
    ago, days = (lambda a, b: today - dt.timedelta(days=rng.randint(a, b))), dt.timedelta
    if overdue:
        deadline = today - days(overdue)
        span = 45 if flow in LONG_FLOWS else 20
        return max(deadline - days(rng.randint(span, span + 20)), today - days(WINDOW_DAYS - 5)), deadline
    if flow.startswith("registered"):
        reg = ago(0, 20)
        return reg, reg + days(rng.randint(30, 60))
    if flow == "disputed":
        reg = ago(3, 40)
        return reg, today + days(rng.randint(10, 40))
    if flow in ("progress_long", "awaiting"):
        return ago(40, 120), today + days(rng.randint(10, 60))
    if flow in ("progress_immediate", "progress_fresh"):
        return ago(3, 12), today + days(rng.randint(3, 12))
    if flow in ("long", "long_sent_back", "long_postponed"):
        reg = ago(80, WINDOW_DAYS - 5)
        return reg, reg + days(rng.randint(50, 90))
    if flow == "progress_reopened":
        reg = ago(120, 220)
        return reg, reg + days(rng.randint(10, 20))
    reg = ago(25, WINDOW_DAYS - 5)
    return reg, reg + days(rng.randint(10, 30))


def plan_stories(rng: random.Random, writer: "LedgerWriter", today: dt.date) -> list[Story]:
    """Decide every story before anything is written: quotas fixed, the rest drawn from `rng`."""
    flows = [flow for flow, n in STORIES for _ in range(n)]
    sources = [source for source, n in SOURCES.items() for _ in range(n)]
    rng.shuffle(sources)
    overdue = {flow: list(days) for flow, days in OVERDUE.items()}
    stories = []
    for index, (flow, source) in enumerate(zip(flows, sources, strict=True)):
        reassigned = flow in ("immediate_reassigned", "registered_reassigned")
        org = writer.pick_org(rng, reassignable=reassigned)
        late = overdue[flow].pop() if overdue.get(flow) else 0
        registered, deadline = _dates(rng, flow, today, late)
        owner = writer.owner_for(org, rng)
        text = rng.choice(_texts_for(org))
        stories.append(Story(index, flow, source, org, owner, text, registered, deadline, late))
    candidates = [st for st in stories if st.flow != "withdrawn" and st.registered < today - dt.timedelta(days=20)]
    for i, (original, source) in enumerate(zip(rng.sample(candidates, len(DUPLICATE_SOURCES)), DUPLICATE_SOURCES, strict=True)):
        registered = original.registered + dt.timedelta(days=rng.randint(2, 15))
        deadline = max(original.deadline, registered + dt.timedelta(days=15))
        stories.append(
            Story(
                len(flows) + i,
                "duplicate",
                source,
                original.org,
                original.owner,
                original.text,
                registered,
                deadline,
                original=original,
            )
        )
    return sorted(stories, key=lambda st: (st.registered, st.index))


class StoryTeller:
    """Runs each story through the services, step by step, on its own (past) days."""

    def __init__(self, rng: random.Random, writer: "LedgerWriter", today: dt.date) -> None:
        self.rng, self.w, self.today = rng, writer, today
        self.refs: set[str] = set()

    def later(self, day: dt.date, low: int, high: int) -> dt.date:
        return min(day + dt.timedelta(days=self.rng.randint(low, high)), self.today)

    def step(self, st: Story, day: dt.date, fn: Any, **kwargs: Any) -> Any:
        result = self.w.step(st, day, fn, **kwargs)
        if isinstance(result, Problem):
            st.problem = result
        return result

    def owner(self, st: Story) -> Any:
        return self.w.user(st.problem.owner_id)

    def _ref(self, st: Story) -> str:
        while True:
            if st.source == "hotline":
                ref = f"SH{st.registered:%Y%m%d}{self.rng.randrange(10**5):05d}"
            else:
                ref = f"崇信{st.registered.year}第{self.rng.randrange(100, 3000)}号"
            if ref not in self.refs:
                self.refs.add(ref)
                return ref

    def register(self, st: Story) -> Steps:
        yield st.registered
        data = {
            "source": st.source,
            "organization": st.org,
            "village": st.org.village,
            "category": st.text.category,
            "description": st.description,
            "owner": st.owner,
            "deadline": st.deadline,
            "external_ref": self._ref(st) if st.source in ("hotline", "petition") else "",
        }
        if st.source == Problem.Source.PUBLIC:
            self.w.public_accepted(st, data)
        else:
            self.step(st, st.registered, s.problem_register, by=self.w.registrar(st, self.rng), data=data, today=st.registered)

    def run(self, stories: list[Story]) -> None:
        """Tell all stories together, day by day, so each step meets the others' states as they were then."""
        queue: list[tuple[dt.date, int, int, Steps]] = []
        for st in stories:
            steps = self.tell(st)
            heapq.heappush(queue, (next(steps), st.registered.toordinal(), st.index, steps))
        while queue:
            _, registered, index, steps = heapq.heappop(queue)
            day = next(steps, None)
            if day is not None:
                heapq.heappush(queue, (day, registered, index, steps))

    def tell(self, st: Story) -> Steps:
        yield from self.register(st)
        flow, day, rng = st.flow, st.registered, self.rng
        if flow == "duplicate":
            day = self.later(day, 0, 3)
            yield day
            args = {"problem": st.problem, "by": self.w.zhen_admin, "into": st.original.problem, "reason": MERGE_REASON}
            self.step(st, day, s.problem_merge, **args)
            return
        if flow in ("immediate_upheld", "disputed", "withdrawn") and (flow != "withdrawn" or st.index % 2):
            day = self.later(day, 1, 3)
            yield day
            self.step(st, day, s.problem_dispute, problem=st.problem, by=self.owner(st), reason=rng.choice(DISPUTE_REASONS))
        if flow == "disputed":
            return
        if flow == "withdrawn":
            day = self.later(day, 1, 8)
            yield day
            reason = rng.choice(WITHDRAW_REASONS)
            self.step(st, day, s.problem_withdraw, problem=st.problem, by=self.w.above(st), reason=reason)
            return
        if flow == "immediate_upheld":
            day = self.later(day, 1, 4)
            yield day
            reason = rng.choice(UPHOLD_REASONS)
            self.step(st, day, s.problem_uphold, problem=st.problem, by=self.w.above(st), reason=reason)
        if flow in ("immediate_reassigned", "registered_reassigned"):
            day = self.later(day, 1, 3)
            yield day
            new = self.w.other_owner(st.org, self.owner(st))
            reason = rng.choice(REASSIGN_REASONS)
            self.step(st, day, s.problem_reassign, problem=st.problem, by=self.w.above(st), owner=new, reason=reason)
        if flow.startswith("registered"):
            return
        if flow in ("progress_fresh", "progress_immediate") or rng.random() < 0.4:
            day = self.later(day, 0, 2)
            yield day
            if st.problem.state == Problem.State.REGISTERED:
                self.step(st, day, s.problem_start, problem=st.problem, by=self.owner(st))
        if flow == "progress_fresh":
            return
        if flow in LONG_FLOWS:
            yield from self.long(st, day)
        else:
            yield from self.immediate(st, day)

    def immediate(self, st: Story, day: dt.date) -> Steps:
        day = self.later(day, 0, 2)
        yield day
        kind = Problem.FixKind.IMMEDIATE
        self.step(st, day, s.problem_analyse, problem=st.problem, by=self.owner(st), root_cause=st.text.cause, fix_kind=kind)
        if st.flow == "progress_immediate":
            return
        day = yield from self.close_immediate(st, self.later(day, 1, max(1, (st.deadline - day).days)))
        if st.flow in ("immediate_reclosed", "progress_reopened"):
            day = self.later(day, 20, 60)
            yield day
            reason = self.rng.choice(REOPEN_REASONS)
            self.step(st, day, s.problem_reopen, problem=st.problem, by=self.w.above(st), reason=reason)
            if st.flow == "progress_reopened":
                new = max(day, self.today) + dt.timedelta(days=self.rng.randint(15, 30))
                reason = self.rng.choice(POSTPONE_REASONS)
                args = {"problem": st.problem, "by": self.w.above(st), "deadline": new, "reason": reason, "today": day}
                self.step(st, day, s.problem_postpone, **args)
                return
            yield from self.close_immediate(st, self.later(day, 2, 10))

    def close_immediate(self, st: Story, day: dt.date) -> Generator[dt.date, None, dt.date]:
        yield day
        checker = self.w.checker(st, self.rng)
        self.step(st, day, s.problem_close_immediate, problem=st.problem, by=checker, evidence=st.text.evidence, today=day)
        return day

    def long(self, st: Story, day: dt.date) -> Steps:
        rng, owner = self.rng, self.owner(st)
        day = self.later(day, 0, 3)
        yield day
        kind = Problem.FixKind.LONG_TERM
        self.step(st, day, s.problem_analyse, problem=st.problem, by=owner, root_cause=st.text.cause, fix_kind=kind)
        if st.problem.state == Problem.State.REGISTERED:
            self.step(st, day, s.problem_start, problem=st.problem, by=owner)
        if st.flow == "long_postponed":
            new = st.deadline + dt.timedelta(days=rng.randint(20, 40))
            args = {"problem": st.problem, "by": self.w.above(st), "deadline": new, "reason": rng.choice(POSTPONE_REASONS)}
            self.step(st, day, s.problem_postpone, **args, today=day)
            st.deadline = new
        measures = []
        for i, description in enumerate(st.text.measures):
            due = max(day, st.deadline - dt.timedelta(days=(1 - i) * rng.randint(5, 15)))
            data = {"description": description, "owner": owner, "deadline": due}
            measures.append(self.w.measure_step(st, day, s.measure_add, by=owner, problem=st.problem, data=data, today=day))
        in_progress = st.flow == "progress_long"
        for i, measure in enumerate(measures):
            last = in_progress and i == len(measures) - 1
            if last:
                day = self.later(day, 3, 12)
                yield day
                progress, note = rng.choice((30, 50, 60)), "已部署落实，正在推进"
                self.w.measure_step(st, day, s.measure_progress, measure=measure, by=owner, progress=progress, note=note)
                break
            day = self.later(day, 5, 20)
            yield day
            note = "已完成：" + measure.description
            self.w.measure_step(st, day, s.measure_progress, measure=measure, by=owner, progress=100, note=note, today=day)
            day = self.later(day, 1, 4)
            yield day
            args = {"measure": measure, "by": self.w.checker(st, rng), "passed": True, "note": "经现场查看，已落实", "today": day}
            self.w.measure_step(st, day, s.measure_check, **args)
        kind = rng.choice((Mechanism.Kind.ESTABLISHED, Mechanism.Kind.ENFORCED))
        day = self.later(day, 0, 3)
        yield day
        self.w.mechanism(st.text.mechanism, st.org, kind, day, owner, [st])
        if in_progress:
            return
        day = self.later(day, 0, 3)
        yield day
        self.step(st, day, s.problem_submit, problem=st.problem, by=owner, evidence=st.text.evidence)
        if st.flow == "awaiting":
            return
        if st.flow == "long_sent_back":
            day = self.later(day, 1, 5)
            yield day
            reason = rng.choice(SEND_BACK_REASONS)
            self.step(st, day, s.problem_send_back, problem=st.problem, by=self.w.checker(st, rng), reason=reason)
            day = self.later(day, 2, 8)
            yield day
            evidence = st.text.evidence + "（已按验收意见补充完善）"
            self.step(st, day, s.problem_submit, problem=st.problem, by=owner, evidence=evidence)
        day = self.later(day, 1, 6)
        yield day
        self.step(st, day, s.problem_close, problem=st.problem, by=self.w.checker(st, rng), today=day)

    def more_mechanisms(self, stories: list[Story]) -> None:
        """Mechanisms after immediate fixes, and the town's own against problems seen in many places."""
        rng = self.rng
        closed_at_once = [st for st in stories if st.flow == "immediate"]
        for st in sorted(rng.sample(closed_at_once, IMMEDIATE_MECHANISMS), key=lambda st: st.index):
            day = self.later(timezone.localdate(st.last), 0, 20)
            self.w.mechanism(st.text.mechanism, st.org, Mechanism.Kind.ENFORCED, day, self.owner(st), [st])
        counted = [st for st in stories if st.flow not in ("withdrawn", "duplicate")]
        by_category: dict[str, list[Story]] = {}
        for st in counted:
            by_category.setdefault(st.text.category, []).append(st)
        common = sorted(by_category, key=lambda c: (-len(by_category[c]), c))[:TOWN_MECHANISMS]
        for category in common:
            answered = sorted(rng.sample(by_category[category], min(5, len(by_category[category]))), key=lambda st: st.index)
            # After every step of the problems it answers: their states are then the final ones.
            day = self.later(max(timezone.localdate(st.last) for st in answered), 5, 20)
            name = f"竖新镇{category}问题常态化排查整改机制"
            self.w.mechanism(name, self.w.root, Mechanism.Kind.ESTABLISHED, day, self.w.zhen_admin, answered)
