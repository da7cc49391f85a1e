"""This year's grades (晋位升级) of the demo town and the rectification plans (一支部一方案) of the
organizations graded 较好 or lower, with their items in every state.

Quotas are fixed (GRADE_QUOTAS, WITHOUT_PLAN, ITEM_PATTERNS, BEHIND_PLANS in qiangji/demo/ledger.py);
the seed only picks which organizations and which dates.
"""

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from qiangji.core.models import ChangeRecord, append_only_maintenance
from qiangji.demo.ledger_texts import PLAN_ANALYSIS, PLAN_GOALS, PLAN_ITEMS, PLAN_PROGRESS
from qiangji.ledger import services as s
from qiangji.ledger.models import Grade, GradeLevel, RectificationPlan
from qiangji.ledger.services.grades import GRADED_KINDS

if TYPE_CHECKING:
    from qiangji.demo.ledger import LedgerWriter

# Grades of this year; the rest are 好. Forced ones give the secretaries' logins a plan to see.
GRADE_QUOTAS = {"差": 2, "一般": 6, "较好": 30}
FORCED_GRADES = {"仙桥村第一党支部": "一般", "大椿村第二党支部": "较好", "竖河村第三党支部": "较好"}
WITHOUT_PLAN = 3  # graded 较好 or 一般 and no plan yet: the town's to-do list
BEHIND_PLANS = 6  # plans with an item open past its deadline
# Plan items by state, cycled over the plans in the town plan's order: checked, done (waiting for its check), open.
ITEM_PATTERNS = (("checked", "done", "open"), ("checked", "checked", "open", "open"), ("checked", "open", "open"))
PLAN_DAYS = 200  # plans were written this many days before today
GRADE_NOTES = {"差": "班子软弱涣散，列入整顿", "一般": "组织生活不够规范，党员作用发挥不明显"}


class _Track:
    """The clock of a plan's own steps (LedgerWriter keeps them in order, like a problem's)."""

    last = None


def _levels(w: "LedgerWriter", graded: list[Any]) -> dict[int, str]:
    level = {o.pk: FORCED_GRADES[o.name] for o in graded if o.name in FORCED_GRADES}
    free = [o for o in graded if o.pk not in level]
    picked = w.rng.sample(free, sum(GRADE_QUOTAS.values()) - len(level))
    names = [name for name, n in GRADE_QUOTAS.items() for _ in range(n)]
    for forced in level.values():
        names.remove(forced)
    for org, name in zip(picked, names, strict=True):
        level[org.pk] = name
    return {o.pk: level.get(o.pk, "好") for o in graded}


def _back_date_history(model: Any, times: dict[int, dt.datetime]) -> None:
    """History rows are append-only for the application: the demo moves its own with plain SQL."""
    table = connection.ops.quote_name(ChangeRecord._meta.db_table)
    content_type = ContentType.objects.get_for_model(model)
    with transaction.atomic(), append_only_maintenance(), connection.cursor() as cursor:
        for pk, when in times.items():
            cursor.execute(
                f"UPDATE {table} SET at = %s WHERE content_type_id = %s AND object_id = %s", [when, content_type.pk, pk]
            )


def _item(w: "LedgerWriter", plan: RectificationPlan, state: str, description: str, writer: Any, day0: dt.date) -> None:
    rng, today, track = w.rng, w.today, _Track()
    owner, checker = w.owner_for(plan.organization, rng), w.leader(plan.organization)
    days = dt.timedelta
    if state == "checked":
        deadline = day0 + days(rng.randint(40, 120))
    elif state == "done":
        deadline = day0 + days(rng.randint(120, 190))
    elif state == "behind":
        deadline = today - days(rng.randint(5, 40))
    else:
        deadline = today + days(rng.randint(15, 120))
    data = {"description": description, "owner": owner, "deadline": deadline}
    measure = w.measure_step(track, day0, s.measure_add, by=writer, plan=plan, data=data, today=day0)
    if state in ("checked", "done"):
        done = min(max(deadline - days(rng.randint(0, 10)), day0 + days(1)), today - days(1))
        note = PLAN_PROGRESS[2]
        w.measure_step(track, done, s.measure_progress, measure=measure, by=owner, progress=100, note=note, today=done)
        if state == "checked":
            on = min(done + days(rng.randint(2, 10)), today)
            w.measure_step(track, on, s.measure_check, measure=measure, by=checker, passed=True, note="已落实", today=on)
        return
    when = min(deadline - days(rng.randint(5, 20)), today - days(rng.randint(1, 10)))
    progress, note = rng.choice((20, 30, 50, 60, 70)), rng.choice(PLAN_PROGRESS[:2])
    when = max(when, day0)
    w.measure_step(track, when, s.measure_progress, measure=measure, by=owner, progress=progress, note=note, today=when)


def seed_grades(w: "LedgerWriter") -> tuple[int, int]:
    """Grade every branch and general branch for this year; plans for most of those that need one."""
    rng, today, year = w.rng, w.today, w.today.year
    day0 = today - dt.timedelta(days=PLAN_DAYS)
    graded = [o for o in w.orgs if o.kind in GRADED_KINDS]
    levels = {level.name: level for level in GradeLevel.objects.all()}
    by_level = _levels(w, graded)
    grade_times, plan_times = {}, {}
    for org in graded:
        name = by_level[org.pk]
        grade = s.grade_set(
            by=w.zhen_admin,
            organization=org,
            year=year,
            level=levels[name],
            note=GRADE_NOTES.get(name, ""),
            source=ChangeRecord.Source.COMMAND,
        )
        grade_times[grade.pk] = w._when(None, day0 - dt.timedelta(days=20))
    Grade.objects.bulk_update([Grade(pk=pk, graded_at=when) for pk, when in grade_times.items()], ["graded_at"])
    needing = [o for o in graded if levels[by_level[o.pk]].needs_plan]
    spare = [o for o in needing if by_level[o.pk] != "差" and o.name not in FORCED_GRADES]
    skipped = {o.pk for o in rng.sample(spare, WITHOUT_PLAN)}
    planned = [o for o in needing if o.pk not in skipped]
    for k, org in enumerate(planned):
        writer = w.secretary.get(org.pk) or w.leader(org)
        name = by_level[org.pk]
        data = {"title": "", "analysis": PLAN_ANALYSIS[name], "goals": PLAN_GOALS[name]}
        plan = s.plan_save(by=writer, organization=org, year=year, data=data, source=ChangeRecord.Source.COMMAND)
        plan_times[plan.pk] = w._when(None, day0)
        pattern = list(ITEM_PATTERNS[k % len(ITEM_PATTERNS)])
        if k < BEHIND_PLANS:
            pattern[-1] = "behind"
        items = rng.sample(PLAN_ITEMS, len(pattern))
        for state, description in zip(pattern, items, strict=True):
            _item(w, plan, state, description, writer, day0)
    RectificationPlan.objects.bulk_update(
        [RectificationPlan(pk=pk, created_at=when, updated_at=when) for pk, when in plan_times.items()],
        ["created_at", "updated_at"],
    )
    _back_date_history(Grade, grade_times)
    _back_date_history(RectificationPlan, plan_times)
    return len(graded), len(planned)
