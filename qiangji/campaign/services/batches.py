"""Writes of a district batch (底数批次): the batch with its provenance, its records, and the
visit tasks of the records that need one — all in the commit's one transaction.

Overlapping batches: a record that needs a visit supersedes every record still pending from an
earlier batch for the same entity, credit code or name + address key. The older record becomes
SUPERSEDED and its open task moves onto the new record (with a visit already submitted on it:
the review then applies the newer record); a second open task for the same entity or new row is
never made. Unchanged rows and the later rows of a duplicate inside one file need no visit
(state NONE).

`tasks_for_records` is `visits.task_for_record` for many records at once (same rules: one task
per record; none when the entity already has an open verify task; the grid's team with the
fewest open tasks), in a fixed number of queries: a 100,000-row sheet must not cost a query per
row.
"""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from qiangji.campaign.models import BaseRecord, Entity, EntityBatch, VisitTask, VisitTeam
from qiangji.campaign.services.visits import REASONS, task_due, tasks_notify
from qiangji.core.spreadsheets.bulk import insert
from qiangji.core.spreadsheets.importer import ImportContext
from qiangji.core.spreadsheets.lookups import chunked
from qiangji.orgs.models import Village

State = BaseRecord.State


def entity_batch_write(*, result: Any, ctx: ImportContext, records: list[BaseRecord]) -> EntityBatch:
    """Inside the import's transaction (EntityImporter.written): the batch, its records, the
    superseding of older pending records, the tasks. Nothing is written to the register."""
    source = ctx.batch
    batch = EntityBatch.objects.create(
        import_batch=source,
        file_name=source.file_name,
        file_sha256=source.file_sha256 or ctx.file_sha256,
        sheet=source.sheet,
        is_full=ctx.cache.get("is_full", True),
        by=ctx.user,
        counts=result.counts,
        errors=result.errors,
    )
    for record in records:
        record.batch = batch
    insert(records)
    visiting = [r for r in records if r.state == State.PENDING and r.klass in BaseRecord.NEEDS_VISIT]
    moved = _supersede(batch, visiting)
    tasks = tasks_for_records([r for r in visiting if r.pk not in moved], today=timezone.localdate())
    tasks_notify(tasks, occasion=f"batch{batch.pk}")
    return batch


def _targets(entity_id: Any, duplicate_of_id: Any, code: Any, key: Any) -> list[tuple[str, Any]]:
    found = [("entity", entity_id or duplicate_of_id), ("code", code), ("key", key)]
    return [(kind, value) for kind, value in found if value]


def _supersede(batch: EntityBatch, records: Sequence[BaseRecord]) -> set[int]:
    """Older pending records of the same entity / code / key → SUPERSEDED, their open task moved
    onto the new record (further open tasks of it cancelled). Returns the new records' pks that
    took over a task."""
    if not records:
        return set()
    pending = (
        BaseRecord.objects.filter(state=State.PENDING)
        .exclude(batch=batch)
        .values_list("pk", "entity_id", "duplicate_of_id", "data__credit_code", "data__name_key")
    )
    older: dict[tuple[str, Any], list[int]] = defaultdict(list)
    for pk, entity_id, duplicate_of_id, code, key in pending.iterator(5000):
        for target in _targets(entity_id, duplicate_of_id, code, key):
            older[target].append(pk)
    if not older:
        return set()
    replaced: dict[int, int] = {}  # older record pk → new record pk
    for record in records:
        data = record.data
        for target in _targets(record.entity_id, record.duplicate_of_id, data.get("credit_code"), data.get("name_key")):
            for pk in older.get(target, ()):
                replaced.setdefault(pk, record.pk)
    if not replaced:
        return set()
    for chunk in chunked(sorted(replaced)):
        BaseRecord.objects.filter(pk__in=chunk).update(state=State.SUPERSEDED)
    tasks = []
    for chunk in chunked(sorted(replaced)):
        tasks += VisitTask.objects.open().filter(record_id__in=chunk).order_by("pk")
    taken: set[int] = set()
    moved, cancelled = [], []
    by_pk = {r.pk: r for r in records}
    for task in tasks:
        new = replaced[task.record_id]
        if new in taken:
            task.status, task.closed_at = VisitTask.Status.CANCELLED, timezone.now()
            cancelled.append(task)
            continue
        taken.add(new)
        record = by_pk[new]
        task.record_id = new
        task.reason = (REASONS[record.klass] + "（按新批次数据核实）")[:300]
        moved.append(task)
    # Moving a task onto a record that is still another task's would break the one-to-one link:
    # first free every moved task's old record (None), then set the new one.
    if moved:
        targets = {t.pk: t.record_id for t in moved}
        VisitTask.objects.filter(pk__in=list(targets)).update(record=None)
        VisitTask.objects.bulk_update(moved, ["record", "reason"], batch_size=500)
    if cancelled:
        VisitTask.objects.bulk_update(cancelled, ["status", "closed_at"], batch_size=500)
    return taken


def tasks_for_records(records: Sequence[BaseRecord], *, today: Any = None) -> list[VisitTask]:
    """The verify tasks of many records, as `visits.task_for_record` makes each (see above).
    A record whose village is in no grid gets no task (no team is responsible for it)."""
    records = [r for r in records if r.klass in BaseRecord.NEEDS_VISIT]
    if not records:
        return []
    have = set()
    for chunk in chunked([r.pk for r in records]):
        have.update(VisitTask.objects.filter(record_id__in=chunk).values_list("record_id", flat=True))
    records = [r for r in records if r.pk not in have]
    targets = {r.entity_id or r.duplicate_of_id for r in records} - {None}
    busy: set[int] = set()
    entity_grid: dict[int, int | None] = {}
    for chunk in chunked(sorted(targets)):
        busy.update(
            VisitTask.objects.open().filter(entity_id__in=chunk, kind=VisitTask.Kind.VERIFY).values_list("entity_id", flat=True)
        )
        entity_grid.update(Entity.objects.filter(pk__in=chunk).values_list("pk", "village__grid_id"))
    village_grid = dict(Village.objects.values_list("pk", "grid_id"))
    teams: dict[int, list[list[int]]] = defaultdict(list)  # grid → [[open tasks, team pk], …]
    loads = VisitTeam.objects.filter(active=True).annotate(
        load=Count("tasks", filter=Q(tasks__status__in=(VisitTask.Status.OPEN, VisitTask.Status.SUBMITTED)))
    )
    for team_pk, grid_id, load in loads.values_list("pk", "grid_id", "load"):
        teams[grid_id].append([load, team_pk])
    due = task_due(today)
    tasks = []
    for record in records:
        target = record.entity_id or record.duplicate_of_id
        if target is not None and target in busy:
            continue
        grid = entity_grid.get(target) if target is not None else village_grid.get(record.data.get("village"))
        if grid is None:
            continue
        team = None
        if teams.get(grid):
            best = min(teams[grid])
            best[0] += 1
            team = best[1]
        if target is not None:
            busy.add(target)
        title = record.data.get("name") or "未命名主体"
        tasks.append(
            VisitTask(
                kind=VisitTask.Kind.VERIFY,
                record_id=record.pk,
                entity_id=target,
                grid_id=grid,
                team_id=team,
                title=title[:200],
                reason=(REASONS[record.klass] + (f"（{record.note}）" if record.note else ""))[:300],
                due_on=due,
            )
        )
    insert(tasks)
    return tasks
