"""Visit tasks, visits and their review (三人行 · 五必须 · 校核).

A task is made for each batch record that needs checking on the spot (one per record: importing
the same rows again makes none) and for regular care visits. A team member of the task's grid
submits a visit; the town reviews it: send back with a comment (has issues → resubmitted),
reject, or approve — and only an approved visit writes to the register.
"""

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from qiangji.campaign.access import runs_campaign, team_grid_ids
from qiangji.campaign.models import (
    BaseRecord,
    ChecklistItem,
    Entity,
    EntityChange,
    ServiceCard,
    Visit,
    VisitEvent,
    VisitTask,
    VisitTeam,
)
from qiangji.campaign.services.care import care_answers
from qiangji.campaign.services.register import entity_apply
from qiangji.core.errors import DomainError
from qiangji.core.text import clean_text
from qiangji.core.validators import normalize_credit_code, normalize_phone

Klass = BaseRecord.Klass
REASONS = {
    Klass.NEW: "区级底数中新出现的主体，请上门核实是否存在",
    Klass.CHANGED: "区级底数信息有变化，请核实",
    Klass.DUPLICATE: "疑似与在册主体重复，请核实是否同一主体",
    Klass.GONE: "全量名单中已无此主体，请核实是否注销或歇业",
}


def task_due(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) + dt.timedelta(days=settings.CAMPAIGN_TASK_DAYS)


def _team_for(grid_id: int) -> VisitTeam | None:
    """The grid's team with the fewest open tasks (a grid may have several teams)."""
    teams = list(VisitTeam.objects.filter(grid_id=grid_id, active=True).order_by("id"))
    if len(teams) <= 1:
        return teams[0] if teams else None
    load = {t.pk: t.tasks.open().count() for t in teams}
    return min(teams, key=lambda t: (load[t.pk], t.pk))


def task_for_record(*, record: BaseRecord, grid_id: int, today: dt.date | None = None) -> VisitTask | None:
    """The verify task of a record, made once. A record of an entity that already has an open
    verify task joins that task instead (a second batch does not send a second team)."""
    if record.klass not in BaseRecord.NEEDS_VISIT:
        return None
    existing = VisitTask.objects.filter(record=record).first()
    if existing:
        return existing
    target = record.entity or record.duplicate_of
    if target is not None and VisitTask.objects.open().filter(entity=target, kind=VisitTask.Kind.VERIFY).exists():
        return None
    task = VisitTask.objects.create(
        kind=VisitTask.Kind.VERIFY,
        record=record,
        entity=target,
        grid_id=grid_id,
        team=_team_for(grid_id),
        title=record.data.get("name") or (target.name if target else "未命名主体"),
        reason=REASONS[record.klass] + (f"（{record.note}）" if record.note else ""),
        due_on=task_due(today),
    )
    tasks_notify([task], occasion=f"task{task.pk}")
    return task


@transaction.atomic
def care_tasks_schedule(*, today: dt.date | None = None) -> int:
    """Regular care visits (三送三问): every active entity whose last approved visit is older than
    the interval, and that has no open task, gets one. Safe to run any number of times a day."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=settings.CAMPAIGN_CARE_INTERVAL_DAYS)
    recent = Visit.objects.filter(state=Visit.State.APPROVED, visited_on__gt=since).values("task__entity_id")
    busy = VisitTask.objects.open().exclude(entity=None).values("entity_id")
    due = (
        Entity.objects.active()
        .exclude(pk__in=recent)
        .exclude(pk__in=busy)
        .exclude(village__grid=None)
        .values_list("pk", "name", "village__grid_id")
        .order_by("pk")
    )
    # Each task goes to the grid's least loaded team, counting the tasks handed out in this round
    # (one count read up front, not per task): a round shares the work instead of giving one team all.
    loads: dict[int, list[list[int]]] = {}
    counted = VisitTeam.objects.filter(active=True).annotate(
        load=Count("tasks", filter=Q(tasks__status__in=(VisitTask.Status.OPEN, VisitTask.Status.SUBMITTED)))
    )
    for team_pk, grid_id, load in counted.values_list("pk", "grid_id", "load").order_by("pk"):
        loads.setdefault(grid_id, []).append([load, team_pk])
    tasks = []
    for pk, name, grid in due:
        team = None
        if loads.get(grid):
            least = min(loads[grid])
            least[0] += 1
            team = least[1]
        tasks.append(
            VisitTask(
                kind=VisitTask.Kind.CARE,
                entity_id=pk,
                grid_id=grid,
                team_id=team,
                title=name,
                reason="定期走访：送政策、送服务、送温暖，问需求、问困难、问建议",
                due_on=task_due(today),
            )
        )
    VisitTask.objects.bulk_create(tasks)
    tasks_notify(tasks, occasion=f"care{today:%Y%m%d}")
    return len(tasks)


def tasks_notify(tasks: Iterable[VisitTask], *, occasion: str) -> None:
    """Tell each team about the tasks just assigned to it: one notice per team and occasion (a
    batch, a day's care round), sent by the task worker once the tasks are committed."""
    per_team: dict[int, tuple[int, dt.date]] = {}
    for task in tasks:
        if task.team_id is None:
            continue
        n, due = per_team.get(task.team_id, (0, task.due_on))
        per_team[task.team_id] = (n + 1, min(due, task.due_on))
    if not per_team:
        return
    payload = {str(team): [n, due.isoformat()] for team, (n, due) in per_team.items()}
    from qiangji.campaign.tasks import tasks_assigned_notify

    transaction.on_commit(lambda: tasks_assigned_notify.enqueue(payload, occasion))


def tasks_assigned_send(*, per_team: Mapping[str, list[Any]], occasion: str) -> int:
    """The inbox notices of `tasks_notify` (idempotent by occasion and team): how many were sent."""
    from qiangji.notifications.services import notification_send

    sent = 0
    teams = VisitTeam.objects.filter(pk__in=[int(pk) for pk in per_team]).prefetch_related("members").order_by("pk")
    for team in teams:
        n, due = per_team[str(team.pk)]
        due_on = dt.date.fromisoformat(due)
        sent += len(
            notification_send(
                recipients=team.members.all(),
                title=f"{team.name}有{n}个新的走访任务",
                body=f"最早的须在{due_on.month}月{due_on.day}日前走访，请在“我的走访任务”中查看并按期完成。",
                link=reverse("campaign:my_tasks"),
                kind="campaign_task",
                key=f"campaign_tasks:{occasion}:{team.pk}",
            )
        )
    return sent


def can_visit(user: Any, task: VisitTask) -> bool:
    return runs_campaign(user) or task.grid_id in team_grid_ids(user)


def _checklist(done: Any) -> list[dict[str, Any]]:
    """The five musts as asked now, each marked done or not (`done`: labels or item pks)."""
    marked = {str(d) for d in (done or [])}
    return [
        {"label": item.label, "done": str(item.pk) in marked or item.label in marked}
        for item in ChecklistItem.objects.filter(active=True)
    ]


def clean_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """The corrected facts a visit brings, normalised; a bad value is a DomainError in Chinese."""
    clean: dict[str, Any] = {}
    for field, value in (facts or {}).items():
        if field not in Visit.FACT_FIELDS or value in (None, ""):
            continue
        try:
            if field == "credit_code":
                value = normalize_credit_code(value)
            elif field == "phone":
                value = normalize_phone(value)
            elif field in ("employees", "party_members"):
                value = int(value)
                if value < 0:
                    raise ValidationError("不能为负数")
            elif field == "kind":
                if value not in Entity.Kind.values:
                    raise ValidationError("主体类型不正确")
            elif field == "has_party_org":
                value = value in (True, "true", "1", "on", "是", 1)
            else:
                value = clean_text(value)
        except (ValueError, TypeError):
            raise DomainError(f"{Entity._meta.get_field(field).verbose_name}应为整数", field=field) from None
        except ValidationError as exc:
            raise DomainError(f"{Entity._meta.get_field(field).verbose_name}：{exc.messages[0]}", field=field) from None
        clean[field] = value
    return clean


def is_first_visit(task: VisitTask, *, found_exists: bool = True) -> bool:
    """The first visit of an entity hands out the card: a task whose entity is not yet in the
    register (a new record), or an entity that has never been given a card. A visit that finds
    the entity gone hands out nothing."""
    if not found_exists:
        return False
    target = task.entity
    if target is None and task.record_id:
        target = task.record.duplicate_of
    return target is None or not ServiceCard.objects.filter(entity=target).exists()


def _card_taken(number: str, visit: Visit | None = None) -> bool:
    pending = Visit.objects.filter(card_number=number).exclude(state=Visit.State.REJECTED)
    if visit is not None:
        pending = pending.exclude(pk=visit.pk)
    return ServiceCard.objects.filter(number=number).exists() or pending.exists()


def _fill(visit: Visit, data: Mapping[str, Any]) -> None:
    visited_on = data.get("visited_on") or timezone.localdate()
    if isinstance(visited_on, str):
        try:
            visited_on = dt.date.fromisoformat(visited_on)
        except ValueError:
            raise DomainError("走访日期格式不正确", field="visited_on") from None
    if visited_on > timezone.localdate():
        raise DomainError("走访日期不能晚于今天", field="visited_on")
    visit.visited_on = visited_on
    visit.facts = clean_facts(data.get("facts") or {})
    visit.found_exists = bool(data.get("found_exists", True))
    if visit.task.kind == VisitTask.Kind.CARE:
        # A care visit answers the three sends and three asks, not the five musts.
        visit.checklist = []
        visit.sends, visit.asks = care_answers(data, found_exists=visit.found_exists)
    else:
        visit.checklist = _checklist(data.get("checklist"))
        visit.sends, visit.asks = [], []
    try:
        visit.party_members_found = int(data.get("party_members_found") or 0)
    except (TypeError, ValueError):
        raise DomainError("发现党员数应为整数", field="party_members_found") from None
    if visit.party_members_found < 0:
        raise DomainError("发现党员数不能为负数", field="party_members_found")
    visit.wants_party_org = bool(data.get("wants_party_org"))
    for field in ("needs", "problems", "notes"):
        setattr(visit, field, clean_text(data.get(field) or ""))
    visit.care_package = bool(data.get("care_package"))
    visit.card_number = clean_text(data.get("card_number") or "").upper()
    if visit.card_number and _card_taken(visit.card_number, visit if visit.pk else None):
        raise DomainError(f"服务卡{visit.card_number}已经发放过，请核对卡号", field="card_number")
    if not visit.card_number and is_first_visit(visit.task, found_exists=visit.found_exists):
        raise DomainError("首次走访须发放“新连心”服务卡，请填写服务卡编号", field="card_number")
    if visit.found_exists and not visit.checklist_done and not clean_text(data.get("notes") or ""):
        raise DomainError("“五必须”未全部完成，请在备注中说明原因", field="checklist")


def _event(visit: Visit, action: str, by: Any, before: str, comment: str = "") -> None:
    VisitEvent.objects.create(visit=visit, action=action, from_state=before, to_state=visit.state, by=by, comment=comment)


@transaction.atomic
def visit_submit(*, task: VisitTask, by: Any, data: Mapping[str, Any], client_uuid: Any = None) -> Visit:
    """A team member records a visit. Sending the same visit twice (same client_uuid, e.g. a
    phone back online) stores it once and returns the first."""
    if client_uuid:
        try:
            client_uuid = uuid.UUID(str(client_uuid))
        except ValueError:
            raise DomainError("客户端编号格式不正确", field="client_uuid") from None
        existing = Visit.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            if existing.task_id != task.pk:
                raise DomainError("该走访记录已提交到其他任务")
            return existing
    task = VisitTask.objects.select_for_update().get(pk=task.pk)
    if not can_visit(by, task):
        raise PermissionDenied("该任务不属于您所在走访队伍的网格")
    if task.status != VisitTask.Status.OPEN:
        raise DomainError(f"该任务{task.get_status_display()}，不能再提交走访")
    if task.visits.filter(state=Visit.State.HAS_ISSUES).exists():
        raise DomainError("该任务有退回修改的走访记录，请修改后重新提交")
    teams = VisitTeam.objects.filter(members=by, grid_id=task.grid_id)
    visit = Visit(task=task, by=by, team=task.team if task.team and task.team in teams else teams.first() or task.team)
    visit.client_uuid = client_uuid or None
    _fill(visit, data)
    visit.save()
    task.status = VisitTask.Status.SUBMITTED
    task.save(update_fields=["status"])
    _event(visit, "submit", by, "")
    return visit


@transaction.atomic
def visit_resubmit(*, visit: Visit, by: Any, data: Mapping[str, Any]) -> Visit:
    """Correct a visit sent back (has issues) and submit it again."""
    visit = Visit.objects.select_for_update().select_related("task").get(pk=visit.pk)
    if not can_visit(by, visit.task):
        raise PermissionDenied("该任务不属于您所在走访队伍的网格")
    _step(visit, "resubmit")
    before = visit.state
    _fill(visit, data)
    visit.state = Visit.State.SUBMITTED
    visit.save()
    VisitTask.objects.filter(pk=visit.task_id).update(status=VisitTask.Status.SUBMITTED)
    _event(visit, "resubmit", by, before)
    return visit


def _step(visit: Visit, action: str) -> str:
    sources, target = Visit.TRANSITIONS[action]
    if visit.state not in sources:
        raise DomainError(f"走访记录{visit.get_state_display()}，不能{ACTION_LABELS[action]}")
    return target


ACTION_LABELS = {"send_back": "退回修改", "resubmit": "重新提交", "approve": "审核通过", "reject": "不予采纳"}


@transaction.atomic
def visit_review(*, visit: Visit, by: Any, action: str, comment: str = "") -> Visit:
    """The town's review: send back (needs a comment), reject (needs a reason) or approve (writes
    the register)."""
    if action not in ("send_back", "approve", "reject"):
        raise DomainError("未知的审核操作")
    if not runs_campaign(by):
        raise PermissionDenied("只有镇党委管理员可以审核走访记录")
    # Lock the visit row only: PostgreSQL refuses FOR UPDATE on the nullable side of the
    # record's outer join.
    visit = Visit.objects.select_for_update(of=("self",)).select_related("task", "task__record").get(pk=visit.pk)
    target = _step(visit, action)
    comment = clean_text(comment)
    if action in ("send_back", "reject") and not comment:
        raise DomainError("请填写退回或不予采纳的理由", field="comment")
    if visit.by_id == by.pk:
        raise DomainError("不能审核自己填报的走访记录")
    before = visit.state
    visit.state = target
    visit.review_comment = comment
    visit.reviewed_by = by
    visit.reviewed_at = timezone.now()
    visit.save()
    task = visit.task
    if action == "send_back":
        task.status = VisitTask.Status.OPEN
    else:
        task.status = VisitTask.Status.DONE
        task.closed_at = timezone.now()
        if action == "approve":
            _register(visit, by)
        elif task.record_id:
            BaseRecord.objects.filter(pk=task.record_id).update(state=BaseRecord.State.REJECTED)
    task.save()
    _event(visit, action, by, before, comment)
    return visit


def _register(visit: Visit, by: Any) -> None:
    """What an approved visit writes: the record's values overlaid by the facts found."""
    task = visit.task
    record = task.record
    facts = dict(visit.facts)
    if visit.party_members_found and "party_members" not in facts:
        facts["party_members"] = visit.party_members_found
    entity = task.entity
    if record is not None:
        if not visit.found_exists:
            if entity is not None and entity.status == Entity.Status.ACTIVE:
                _close_entity(entity, visit, by)
            record.state = BaseRecord.State.REGISTERED if entity is not None else BaseRecord.State.REJECTED
            record.save(update_fields=["state"])
            return
        values = dict(record.data) if record.klass == Klass.NEW else {f: v[1] for f, v in record.changes.items()}
        if record.klass == Klass.NEW and record.phone:
            values["phone"] = record.phone
        if record.klass == Klass.CHANGED and "phone" in record.changes:
            values["phone"] = record.phone
        if record.klass in (Klass.DUPLICATE, Klass.GONE):
            values = {}
        values.update(facts)
        values.pop("name_key", None)
        if entity is None and record.klass == Klass.DUPLICATE and record.duplicate_of_id:
            entity = record.duplicate_of
        entity, _ = entity_apply(entity=entity, values=values, by=by, batch=record.batch, visit=visit)
        record.entity, record.state = entity, BaseRecord.State.REGISTERED
        record.save(update_fields=["entity", "state"])
        task.entity = entity
    elif entity is not None:
        if not visit.found_exists:
            _close_entity(entity, visit, by)
            return
        if facts:
            entity_apply(entity=entity, values=facts, by=by, visit=visit)
    if visit.card_number and entity is not None:
        ServiceCard.objects.create(number=visit.card_number, entity=entity, visit=visit, issued_on=visit.visited_on)


def _close_entity(entity: Entity, visit: Visit, by: Any) -> None:
    """The visit found the entity gone: it leaves the active register, with its history kept."""
    Entity.objects.filter(pk=entity.pk).update(status=Entity.Status.CLOSED)
    EntityChange.objects.create(entity=entity, field="status", old="在册", new="已注销/歇业", visit=visit, by=by)
