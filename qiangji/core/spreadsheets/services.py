"""An import batch from upload to commit: the writes behind the pages, tasks and commands.

upload → (mapping) → analysing → preview → committing → done, or discarded at any rest state.
Files with more rows than settings.IMPORT_BACKGROUND_ROWS are analysed and committed by the
task worker; smaller ones within the request.

Whatever works on a batch leaves a heartbeat (`heartbeat_at`, with the progress). A batch
queued, analysing or committing with no heartbeat for settings.IMPORT_STALLED_MINUTES (10 by
default) may be taken up again by its uploader (`import_batch_retry`, "重新处理"): nothing then
waits for one exact job that a dead worker will never finish. Doing the work twice is harmless:
an analysis writes only the batch's own rows, a commit is one transaction that checks, under
lock, that the batch is still waiting for it.
"""

import datetime as dt
import hashlib
import json
import logging
import time
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from qiangji.core.audit import audit
from qiangji.core.errors import DomainError
from qiangji.core.models import AuditEvent, ChangeRecord, ImportBatch, ImportRow
from qiangji.core.spreadsheets import engine, storage
from qiangji.core.spreadsheets.bulk import insert
from qiangji.core.spreadsheets.header import Layout, data_rows, detect, layout_for
from qiangji.core.spreadsheets.importer import CONFIRMED, INVALID, ImportContext, Importer
from qiangji.core.spreadsheets.reader import MEMORY_MESSAGE, read_sheets
from qiangji.core.spreadsheets.registry import get_importer
from qiangji.core.spreadsheets.safety import SpreadsheetError, check_upload

logger = logging.getLogger(__name__)
Status = ImportBatch.Status
RESTING = (Status.MAPPING, Status.PREVIEW, Status.FAILED)
DISCARDABLE = (Status.PENDING, *RESTING)
RUNNING = (Status.PENDING, Status.ANALYSING, Status.COMMITTING)
PROGRESS_SECONDS = 1.0  # at most one progress UPDATE a second
ROWS_CHUNK = 5000  # batch row records built and written at a time


class _Superseded(Exception):
    """The batch moved on (discarded, committed by another run) while this run worked on it."""


def stalled_after() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "IMPORT_STALLED_MINUTES", 10))


def import_batch_stalled(batch: ImportBatch, *, now: dt.datetime | None = None) -> bool:
    """Queued, analysing or committing, with no sign of life for settings.IMPORT_STALLED_MINUTES."""
    if batch.status not in RUNNING:
        return False
    last = batch.heartbeat_at or batch.created_at
    return last is None or (now or timezone.now()) - last > stalled_after()


def missing_columns(importer: Importer, column_map: dict[str, str]) -> list[str]:
    mapped = set(column_map.values())
    return [c.label for c in importer.columns if c.required and c.key not in mapped]


def _importer(kind: str) -> Importer:
    importer = get_importer(kind)
    if importer is None:
        raise DomainError("不支持的导入类型")
    return importer


def _background(batch: ImportBatch) -> bool:
    return batch.total_rows > settings.IMPORT_BACKGROUND_ROWS


def _layout(batch: ImportBatch) -> Layout:
    try:
        data = storage.load(batch.stored_name)
    except FileNotFoundError:
        raise SpreadsheetError("上传的文件已不存在，请重新上传") from None
    ext = check_upload(batch.file_name, data, size_limit=0)
    sheets = read_sheets(data, ext)
    return layout_for(
        sheets, sheet_name=batch.sheet, header_row=batch.header_row or 1, headers=batch.headers, column_map=batch.column_map
    )


def _progress(batch: ImportBatch):
    """The engine's progress callback: rows done and a heartbeat, at most once a second (and
    always the last report), outside the commit's transaction so that pages see it."""
    last = [0.0]

    def report(done: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_SECONDS or done >= batch.total_rows:
            last[0] = now
            ImportBatch.objects.filter(pk=batch.pk).update(processed_rows=done, heartbeat_at=timezone.now())

    return report


def _rows(batch: ImportBatch, result: engine.RunResult, *, only_invalid: bool = False) -> None:
    """Replace the batch's row records with this run's (provenance after a commit), written a
    chunk at a time; `only_invalid` for an importer that keeps its own (`row_records`)."""
    batch.rows.all().delete()
    content_types: dict[type, ContentType] = {}
    records: list[ImportRow] = []
    for row in result.rows:
        if only_invalid and row.outcome != INVALID:
            continue
        if len(records) == ROWS_CHUNK:
            insert(records)
            records = []
        obj = row.obj if row.obj is not None and row.obj.pk else None
        if obj is not None and type(obj) not in content_types:
            content_types[type(obj)] = ContentType.objects.get_for_model(type(obj))
        records.append(
            ImportRow(
                batch=batch,
                row_number=row.number,
                outcome=row.outcome,
                messages=row.messages,
                summary=row.summary,
                changed_fields=row.changed,
                content_type=content_types[type(obj)] if obj is not None else None,
                object_id=obj.pk if obj is not None else None,
                raw=json.dumps(row.cells, ensure_ascii=False) if row.outcome == INVALID and row.cells else "",
            )
        )
    insert(records)


def import_batch_upload(
    *, user: Any, kind: str, file_name: str, data: bytes, options: dict[str, bool] | None = None
) -> ImportBatch:
    """Check and read the file, keep it encrypted, find its header; analyse it now or queue it.

    `options`: the importer's `upload_options` the uploader ticked and its `upload_choices` made
    ({"list": "partial"}), kept on the batch for its analysis and commit. SpreadsheetError
    (nothing created) when the file cannot be read at all; DomainError for an option this kind
    does not offer or a choice not made.
    """
    importer = _importer(kind)
    if not importer.may_import(user):
        raise DomainError("您无权进行此类导入")
    options = _upload_options(importer, options)
    ext = check_upload(file_name, data)
    sheets = read_sheets(data, ext)
    layout = detect(sheets, importer.columns)
    stored = storage.store(data)
    try:
        batch = ImportBatch.objects.create(
            kind=kind,
            user=user,
            file_name=file_name[-255:],
            file_sha256=hashlib.sha256(data).hexdigest(),
            stored_name=stored,
            sheet=layout.sheet.name[:100],
            header_row=layout.header_row,
            headers=layout.headers,
            column_map=layout.column_map,
            options=options,
            total_rows=len(data_rows(layout)),
        )
    except BaseException:
        storage.delete(stored)
        raise
    _start_analysis(batch, importer)
    batch.refresh_from_db()
    return batch


def _upload_options(importer: Importer, options: dict[str, Any] | None) -> dict[str, Any]:
    """The ticked options and the choices made, checked against what this kind offers (a stale
    page may send others); a required choice not made is refused with its own message."""
    offered = {key for key, _, _ in importer.upload_options}
    chosen = {c.key for c in importer.upload_choices}
    options = dict(options or {})
    if any(key not in offered | chosen for key in options):
        raise DomainError("导入选项有误，请刷新页面后重试")
    _check_choices(importer, options)
    return {key: (value if key in chosen else bool(value)) for key, value in options.items()}


def _check_choices(importer: Importer, options: dict[str, Any]) -> None:
    for choice in importer.upload_choices:
        value = options.get(choice.key)
        if value in (None, ""):
            raise DomainError(choice.required)
        if value not in dict(choice.choices):
            raise DomainError("导入选项有误，请刷新页面后重试")


def batch_context(batch: ImportBatch, **kwargs: Any) -> ImportContext:
    """A batch's run: its uploader, its file, the options ticked on upload."""
    return ImportContext(user=batch.user, batch=batch, options=dict(batch.options), file_sha256=batch.file_sha256, **kwargs)


def _start_analysis(batch: ImportBatch, importer: Importer) -> None:
    missing = missing_columns(importer, batch.column_map)
    if not batch.column_map or missing:
        batch.status = Status.MAPPING
        batch.message = (
            f"未能识别必需的列：{'、'.join(missing)}。请在下方为各列选择对应的字段。"
            if batch.column_map
            else f"未能自动识别表头，暂以第{batch.header_row}行作为表头，请为各列选择对应的字段。"
        )
        batch.save(update_fields=["status", "message"])
        return
    batch.status, batch.message, batch.processed_rows, batch.heartbeat_at = Status.PENDING, "", 0, timezone.now()
    batch.save(update_fields=["status", "message", "processed_rows", "heartbeat_at"])
    if _background(batch):
        from qiangji.core.spreadsheets.tasks import analyse_import_batch

        batch_id = batch.pk
        transaction.on_commit(lambda: analyse_import_batch.enqueue(batch_id))
    else:
        import_batch_analyse(batch=batch)


def import_batch_analyse(*, batch: ImportBatch) -> ImportBatch:
    """Run the preview: every row classified, nothing written but the batch's own records."""
    importer = _importer(batch.kind)
    started = ImportBatch.objects.filter(pk=batch.pk, status__in=(Status.PENDING, Status.ANALYSING)).update(
        status=Status.ANALYSING, processed_rows=0, heartbeat_at=timezone.now()
    )
    if not started:
        return batch  # discarded (or analysed by another run) meanwhile
    try:
        layout = _layout(batch)
        ctx = batch_context(batch)
        result = engine.run(importer, layout, ctx, commit=False, progress=_progress(batch))
    except SpreadsheetError as exc:
        _fail(batch, exc.message)
        return batch
    except MemoryError:
        logger.warning("import batch %s: out of memory while analysing", batch.pk)
        _fail(batch, MEMORY_MESSAGE)
        return batch
    except Exception as exc:
        logger.exception("import batch %s failed to analyse", batch.pk)
        _fail(batch, f"分析文件时出错（{exc.__class__.__name__}），请检查文件后重新上传，或联系管理员。")
        return batch
    with transaction.atomic():
        if ImportBatch.objects.select_for_update().get(pk=batch.pk).status not in (Status.PENDING, Status.ANALYSING):
            return batch
        _rows(batch, result)
        batch.status, batch.counts, batch.message = Status.PREVIEW, result.counts, ""
        # The file's own rows: results that are no row ("疑似注销" register entities) are not data of it.
        batch.total_rows = batch.processed_rows = result.counts["total"]
        batch.heartbeat_at = timezone.now()
        batch.read_versions = ctx.cache.get("read_versions", {})
        batch.save(update_fields=["status", "counts", "message", "total_rows", "processed_rows", "heartbeat_at", "read_versions"])
    return batch


def _fail(batch: ImportBatch, message: str) -> None:
    """The file cannot be read: the batch fails, unless another run has moved it on meanwhile."""
    moved = ImportBatch.objects.filter(pk=batch.pk, status__in=RUNNING).update(
        status=Status.FAILED, message=message, stored_name=""
    )
    if not moved:
        batch.refresh_from_db()
        return
    storage.delete(batch.stored_name)
    batch.status, batch.message, batch.stored_name = Status.FAILED, message, ""


def _lock(batch: ImportBatch, *, by: Any, allowed: tuple[str, ...], action: str) -> ImportBatch:
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.user_id is None or by is None or locked.user_id != by.pk:
        raise DomainError(f"只有上传人可以{action}")
    if locked.status not in allowed:
        raise DomainError(f"该批次{locked.get_status_display()}，不能{action}")
    return locked


def import_batch_map_columns(*, batch: ImportBatch, by: Any, column_map: dict[str, str]) -> ImportBatch:
    """Store the hand-made column map and analyse again."""
    with transaction.atomic():
        batch = _set_column_map(batch=batch, by=by, column_map=column_map)
    _start_analysis(batch, _importer(batch.kind))
    batch.refresh_from_db()
    return batch


def _set_column_map(*, batch: ImportBatch, by: Any, column_map: dict[str, str]) -> ImportBatch:
    batch = _lock(batch, by=by, allowed=(Status.MAPPING, Status.PREVIEW), action="调整列对应")
    importer = _importer(batch.kind)
    known = {c.key for c in importer.columns}
    column_map = {i: key for i, key in column_map.items() if key}
    if any(key not in known for key in column_map.values()) or any(
        not i.isdigit() or int(i) >= len(batch.headers) for i in column_map
    ):
        raise DomainError("列对应有误，请刷新页面后重试")
    used: dict[str, int] = {}
    for key in column_map.values():
        used[key] = used.get(key, 0) + 1
    doubled = [c.label for c in importer.columns if used.get(c.key, 0) > 1]
    if doubled:
        raise DomainError(f"字段“{'、'.join(doubled)}”被对应到了多列，每个字段只能对应一列")
    missing = missing_columns(importer, column_map)
    if missing:
        raise DomainError(f"还缺少必需的列：{'、'.join(missing)}")
    batch.column_map = column_map
    batch.save(update_fields=["column_map"])
    return batch


def import_batch_commit(*, batch: ImportBatch, by: Any, confirmed: int | None = None) -> ImportBatch:
    """Write all valid rows of a previewed batch in one transaction, now or by the worker.

    A preview the importer wants confirmed (Importer.confirmation, e.g. many entities marked
    gone) commits only with `confirmed` equal to the number it asks; else DomainError and the
    batch stays as it was. The confirmed number is kept on the batch for the run that writes
    (which checks it again against what it finds then)."""
    with transaction.atomic():
        batch = _lock(batch, by=by, allowed=(Status.PREVIEW,), action="确认导入")
        importer = _importer(batch.kind)
        needed = importer.confirmation(batch.counts, batch_context(batch))
        if needed is not None:
            if confirmed != needed.number:
                raise DomainError(needed.refusal)
            batch.options = {**batch.options, CONFIRMED: needed.number}
            batch.save(update_fields=["options"])
        if _queue_commit(batch):
            return batch
    return import_batch_run_commit(batch=batch)


def _queue_commit(batch: ImportBatch) -> bool:
    """Mark the (locked) batch committing; True when the worker will run it."""
    batch.status, batch.processed_rows, batch.message, batch.heartbeat_at = Status.COMMITTING, 0, "", timezone.now()
    batch.save(update_fields=["status", "processed_rows", "message", "heartbeat_at"])
    if not _background(batch):
        return False
    from qiangji.core.spreadsheets.tasks import commit_import_batch

    batch_id = batch.pk
    transaction.on_commit(lambda: commit_import_batch.enqueue(batch_id))
    return True


def import_batch_retry(*, batch: ImportBatch, by: Any) -> ImportBatch:
    """重新处理: take up a batch whose worker went silent (see the module's docstring)."""
    with transaction.atomic():
        batch = _lock(batch, by=by, allowed=RUNNING, action="重新处理")
        if not import_batch_stalled(batch):
            minutes = int(stalled_after().total_seconds() // 60)
            raise DomainError(f"该批次仍在处理中（{minutes}分钟内有进展），请稍候再看")
        logger.warning("import batch %s stalled while %s; taken up again by its uploader", batch.pk, batch.status)
        if batch.status == Status.COMMITTING:
            if _queue_commit(batch):
                return batch
        else:
            batch.status = Status.PENDING
    if batch.status == Status.COMMITTING:
        return import_batch_run_commit(batch=batch)
    _start_analysis(batch, _importer(batch.kind))
    batch.refresh_from_db()
    return batch


def import_batch_run_commit(*, batch: ImportBatch) -> ImportBatch:
    importer = _importer(batch.kind)
    source = ChangeRecord.Source.IMPORT if batch.user_id else ChangeRecord.Source.COMMAND
    # A batch is committed after its preview: the rows are held to what the preview read.
    ctx = batch_context(batch, source=source, read_versions=batch.read_versions)
    try:
        layout = _layout(batch)
        engine.run(
            importer, layout, ctx, commit=True, progress=_progress(batch), on_written=lambda r: _finish(batch, importer, r)
        )
    except _Superseded:
        logger.warning("import batch %s: commit superseded, nothing written by this run", batch.pk)
        batch.refresh_from_db()
    except SpreadsheetError as exc:
        _fail(batch, exc.message)
    except DomainError as exc:
        # Refused before writing (a confirmation that no longer matches what the run found).
        _back_to_preview(batch, exc.message)
    except MemoryError:
        # The commit's transaction has rolled back: nothing of the batch is written.
        logger.warning("import batch %s: out of memory while committing", batch.pk)
        _fail(batch, MEMORY_MESSAGE)
    except Exception as exc:
        logger.exception("import batch %s failed to commit", batch.pk)
        _back_to_preview(batch, f"确认导入未完成，未写入任何数据（{exc.__class__.__name__}）。可重试，或联系管理员。")
    return batch


def _back_to_preview(batch: ImportBatch, message: str) -> None:
    """Only a batch still waiting for this commit goes back to its preview."""
    if ImportBatch.objects.filter(pk=batch.pk, status=Status.COMMITTING).update(status=Status.PREVIEW, message=message):
        batch.status, batch.message = Status.PREVIEW, message
    else:
        batch.refresh_from_db()


def _finish(batch: ImportBatch, importer: Importer, result: engine.RunResult) -> None:
    """Inside the commit's transaction: provenance, counts, audit; the file goes after it."""
    if ImportBatch.objects.select_for_update().get(pk=batch.pk).status != Status.COMMITTING:
        raise _Superseded
    _rows(batch, result, only_invalid=not importer.row_records)
    stored, batch.stored_name = batch.stored_name, ""
    batch.status, batch.counts, batch.committed_at = Status.DONE, result.counts, timezone.now()
    batch.total_rows = batch.processed_rows = result.counts["total"]
    batch.save()
    if importer.personal_fields:
        counts = result.counts
        audit(
            user=batch.user,
            username="" if batch.user_id else "manage.py",
            action=AuditEvent.Action.IMPORT,
            obj=batch,
            fields=importer.personal_fields,
            row_count=counts["new"] + counts["changed"],
            detail={"kind": batch.kind, "file": batch.file_name, "counts": counts},
        )
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


@transaction.atomic
def import_batch_discard(*, batch: ImportBatch, by: Any) -> ImportBatch:
    """Give up a batch: its file is deleted and the cells kept for the error file are wiped."""
    batch = _lock(batch, by=by, allowed=DISCARDABLE, action="放弃")
    stored = batch.stored_name
    batch.status, batch.stored_name = Status.DISCARDED, ""
    batch.save(update_fields=["status", "stored_name"])
    batch.rows.exclude(raw="").update(raw="")
    transaction.on_commit(lambda: storage.delete(stored))
    return batch


def import_file(
    *, kind: str, file_name: str, data: bytes, commit: bool, user: Any = None, options: dict[str, Any] | None = None
) -> engine.RunResult:
    """A whole import in one call, for management commands and the API: read, analyse, and
    unless a dry run, commit with a batch for provenance. SpreadsheetError when the file cannot
    be read; DomainError when a choice the kind asks for (Importer.upload_choices) is not made.
    `options` go to the importer as they are (ImportContext.options)."""
    importer = _importer(kind)
    _check_choices(importer, dict(options or {}))
    try:
        return _import_file(importer, kind=kind, file_name=file_name, data=data, commit=commit, user=user, options=options)
    except MemoryError:
        # Whatever ran out of memory was inside one transaction (or wrote nothing at all).
        raise SpreadsheetError(MEMORY_MESSAGE) from None


def _import_file(
    importer: Importer, *, kind: str, file_name: str, data: bytes, commit: bool, user: Any, options: dict[str, Any] | None
) -> engine.RunResult:
    ext = check_upload(file_name, data, size_limit=0)
    layout = detect(read_sheets(data, ext), importer.columns)
    missing = missing_columns(importer, layout.column_map)
    if missing:
        found = "、".join(h for h in layout.headers if h) or "无"
        raise SpreadsheetError(f"缺少必需的列：{'、'.join(missing)}（第{layout.header_row}行表头为：{found}）")
    source = ChangeRecord.Source.COMMAND if user is None else ChangeRecord.Source.IMPORT
    sha256 = hashlib.sha256(data).hexdigest()
    ctx = ImportContext(user=user, source=source, options=dict(options or {}), file_sha256=sha256)
    if not commit:
        return engine.run(importer, layout, ctx, commit=False)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=kind,
            user=user,
            file_name=file_name[-255:],
            file_sha256=sha256,
            sheet=layout.sheet.name[:100],
            header_row=layout.header_row,
            headers=layout.headers,
            column_map=layout.column_map,
            status=Status.COMMITTING,
        )
        ctx.batch = batch
        return engine.run(importer, layout, ctx, commit=True, on_written=lambda r: _finish(batch, importer, r))
