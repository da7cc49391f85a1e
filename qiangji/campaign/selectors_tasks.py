"""Reads of the verify step: task lists, what a task is about (register or batch values), the
review queue and the side-by-side of a visit's facts. Pages and the API share them."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from qiangji.campaign.access import NOTHING, entity_scope_q, runs_campaign, team_grid_ids
from qiangji.campaign.models import Entity, ServiceCard, Visit, VisitTask, VisitTeam
from qiangji.campaign.selectors_batches import record_changes
from qiangji.core.crypto import mask_phone
from qiangji.core.nextactions import SHOWN_PER_ITEM, TodoItem, TodoLink, day_label
from qiangji.orgs.models import Chain, Street, Village

ACTIVE = "active"  # the status filter meaning "not finished": open or waiting for review
OPEN_STATUSES = (VisitTask.Status.OPEN, VisitTask.Status.SUBMITTED)
STATUS_CHOICES = [(ACTIVE, "未完成"), *VisitTask.Status.choices, ("all", "全部")]


def sees_campaign(user: Any) -> bool:
    """Whether any part of the campaign is the user's to see (others get 404 everywhere)."""
    return runs_campaign(user) or bool(team_grid_ids(user)) or entity_scope_q(user) != NOTHING


def can_visit_grid(user: Any, grid_id: int) -> bool:
    return runs_campaign(user) or grid_id in team_grid_ids(user)


@dataclass
class TaskFilters:
    grid: int | None = None
    team: int | None = None
    status: str = ACTIVE
    kind: str = ""
    overdue: bool = False


def tasks_for_list(*, user: Any, filters: TaskFilters, today: dt.date | None = None) -> QuerySet[VisitTask]:
    """The tasks the user may see, filtered, soonest due first; each carries `sent_back` (a
    visit of it was sent back for correction)."""
    today = today or timezone.localdate()
    qs = VisitTask.objects.for_user(user).select_related("grid", "team", "entity", "entity__village")
    if filters.status == ACTIVE:
        qs = qs.open()
    elif filters.status in VisitTask.Status.values:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.grid:
        qs = qs.filter(grid_id=filters.grid)
    if filters.team:
        qs = qs.filter(team_id=filters.team)
    if filters.overdue:
        qs = qs.filter(status=VisitTask.Status.OPEN, due_on__lt=today)
    sent_back = Visit.objects.filter(task=OuterRef("pk"), state=Visit.State.HAS_ISSUES)
    return qs.annotate(sent_back=Exists(sent_back)).order_by("due_on", "id")


def visits_for_queue(*, user: Any, grid: int | None = None, team: int | None = None, state: str = "") -> QuerySet[Visit]:
    """The review queue: submitted visits, oldest first (first in, first reviewed)."""
    qs = Visit.objects.for_user(user).select_related("task", "task__grid", "team", "by")
    qs = qs.filter(state=state or Visit.State.SUBMITTED)
    if grid:
        qs = qs.filter(task__grid_id=grid)
    if team:
        qs = qs.filter(team_id=team)
    return qs.order_by("submitted_at", "id")


def teams_for_page() -> QuerySet[VisitTeam]:
    """Every team with its members, open tasks and visits this month (two counts in one query)."""
    today = timezone.localdate()
    month_start = today.replace(day=1)
    return (
        VisitTeam.objects.select_related("grid", "leader")
        .prefetch_related("members")
        .annotate(
            open_tasks=Count("tasks", filter=Q(tasks__status__in=OPEN_STATUSES), distinct=True),
            visits_month=Count("visits", filter=Q(visits__visited_on__gte=month_start), distinct=True),
        )
        .order_by("grid__number", "name")
    )


# What a task is about -----------------------------------------------------------------------

LABELS = {f: str(Entity._meta.get_field(f).verbose_name) for f in Entity.REGISTER_FIELDS}


def _name_of(model: Any, pk: Any) -> str:
    if not pk:
        return ""
    obj = model.objects.filter(pk=pk).first()
    return str(obj) if obj else ""


def shown(field: str, value: Any) -> str:
    """A register value as people read it (names for places, labels for codes)."""
    if value is None or value == "":
        return ""
    if field == "kind":
        return str(Entity.Kind(value).label) if value in Entity.Kind.values else str(value)
    if field == "has_party_org":
        return "是" if value in (True, "true", "1", 1) else "否"
    if field == "village":
        return value.name if hasattr(value, "name") else _name_of(Village, value)
    if field == "street":
        return value.name if hasattr(value, "name") else _name_of(Street, value)
    if field == "chains":
        return "、".join(Chain.objects.filter(pk__in=value).values_list("name", flat=True)) if value else ""
    return str(value)


def entity_values(entity: Entity) -> dict[str, Any]:
    values = {f: getattr(entity, f) for f in Entity.REGISTER_FIELDS if f != "chains"}
    values["chains"] = list(entity.chains.values_list("pk", flat=True))
    return values


def subject_values(task: VisitTask) -> tuple[dict[str, Any], str]:
    """The facts the team goes out with and where they come from: the register for a known
    entity, else the batch row (its phone kept apart, encrypted)."""
    if task.entity_id:
        return entity_values(task.entity), "register"
    if task.record_id:
        values = dict(task.record.data)
        values["phone"] = task.record.phone
        return values, "batch"
    return {}, ""


@dataclass
class FactRow:
    field: str
    label: str
    value: str


def subject_rows(task: VisitTask, *, reveal: bool = False) -> list[FactRow]:
    values, _ = subject_values(task)
    rows = []
    for field in Entity.REGISTER_FIELDS:
        text = shown(field, values.get(field))
        if field == "phone" and not reveal:
            text = mask_phone(text)
        rows.append(FactRow(field, LABELS[field], text))
    return rows


def analysis_rows(task: VisitTask) -> list[tuple[str, str, str]]:
    """What the batch analysis found changed: (label, old, new), names not pks."""
    record = task.record if task.record_id else None
    if record is None:
        return []
    return [(c["label"], c["old"], c["new"]) for c in record_changes(record)]


def card_of(task: VisitTask) -> ServiceCard | None:
    target = task.entity
    if target is None and task.record_id:
        target = task.record.duplicate_of
    return ServiceCard.objects.filter(entity=target).first() if target is not None else None


@dataclass
class CompareRow:
    label: str
    register: str
    batch: str
    visit: str


def visit_comparison(visit: Visit, *, reveal: bool = False) -> list[CompareRow]:
    """Each fact the visit corrected beside the register's and the batch's value."""
    task = visit.task
    register = entity_values(task.entity) if task.entity_id else {}
    batch: dict[str, Any] = {}
    if task.record_id:
        batch = dict(task.record.data)
        batch["phone"] = task.record.phone
    rows = []
    for field in Visit.FACT_FIELDS:
        if field not in visit.facts:
            continue
        cells = [shown(field, register.get(field)), shown(field, batch.get(field)), shown(field, visit.facts[field])]
        if field == "phone" and not reveal:
            cells = [mask_phone(c) for c in cells]
        rows.append(CompareRow(LABELS[field], *cells))
    return rows


# Next actions on a team member's phone home ------------------------------------------------------

# Tasks due within this many days are listed below today's.
UPCOMING_DAYS = 7


def visit_todos(*, user: Any, today: dt.date) -> list[TodoItem]:
    """A team member's own work: visits sent back for correction, tasks overdue, due today and due
    in the coming week, nearest due first, each linked to its visit form. Two queries."""
    grids = team_grid_ids(user)
    if not grids:
        return []
    # A grid with two teams: each member sees their own team's tasks (and any not yet assigned).
    mine = Q(team__members=user) | Q(team=None)
    tasks = list(
        VisitTask.objects.filter(
            mine, grid_id__in=grids, status=VisitTask.Status.OPEN, due_on__lte=today + dt.timedelta(days=UPCOMING_DAYS)
        )
        .select_related("entity__village")
        .distinct()
        .order_by("due_on", "id")
    )
    sent_back = list(
        Visit.objects.filter(by=user, state=Visit.State.HAS_ISSUES).select_related("task").order_by("submitted_at", "id")
    )
    items = []
    if sent_back:
        items.append(
            TodoItem(
                key="visits_sent_back",
                title="退回修改的走访记录",
                hint="按审核意见修改后重新提交",
                level="danger",
                count=len(sent_back),
                links=[
                    TodoLink(v.task.title, reverse("campaign:visit_edit", args=[v.pk]), v.review_comment[:40])
                    for v in sent_back[:SHOWN_PER_ITEM]
                ],
                more_url=reverse("campaign:my_tasks"),
            )
        )
    groups = (
        ("tasks_overdue", "已超期的走访任务", "请尽快上门走访，走访后当场填报", "danger", [t for t in tasks if t.due_on < today]),
        ("tasks_today", "今天到期的走访任务", "今天内完成走访并填报", "warning", [t for t in tasks if t.due_on == today]),
        (
            "tasks_upcoming",
            f"{UPCOMING_DAYS}天内到期的走访任务",
            "提前安排走访路线",
            "info",
            [t for t in tasks if t.due_on > today],
        ),
    )
    for key, title, hint, level, rows in groups:
        if not rows:
            continue
        links = []
        for task in rows[:SHOWN_PER_ITEM]:
            late = (today - task.due_on).days
            when = f"已超期{late}天" if late > 0 else "今天到期" if late == 0 else f"{day_label(task.due_on)}到期"
            place = task.entity.village.name if task.entity_id and task.entity.village_id else ""
            note = "，".join(x for x in (when, task.get_kind_display(), place) if x)
            links.append(TodoLink(task.title, reverse("campaign:task_visit", args=[task.pk]), note))
        more = reverse("campaign:my_tasks") + ("?overdue=1" if key == "tasks_overdue" else "")
        items.append(TodoItem(key=key, title=title, hint=hint, level=level, count=len(rows), links=links, more_url=more))
    return items


def review_todo(*, user: Any) -> TodoItem | None:
    """Visits waiting for the town's review, oldest first, each leading to its review page: two queries."""
    if not runs_campaign(user):
        return None
    queue = visits_for_queue(user=user)
    count = queue.count()
    if not count:
        return None
    links = [
        TodoLink(
            v.task.title,
            reverse("campaign:visit_detail", args=[v.pk]),
            f"{v.team.name if v.team_id else v.task.grid.name}，{v.visited_on.month}月{v.visited_on.day}日走访",
        )
        for v in queue[:SHOWN_PER_ITEM]
    ]
    return TodoItem(
        key="visits_to_review",
        title="待审核的走访记录",
        hint="核对走访信息，通过后写入主体名册",
        level="warning",
        count=count,
        links=links,
        more_url=reverse("campaign:review_queue"),
    )
