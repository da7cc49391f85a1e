"""API: the district batches (底数批次) and their analysis; upload a sheet to analyse or import.

Town admin only: listing answers 403 to anyone else, a single batch 404 (as for a missing one).
`POST /entity-batches` (multipart: `file`, `dry_run`, `is_full` — required, no default —,
`confirm_gone`) answers what `import_entities --json` prints, plus the batch it made (or the
earlier batch of the same file).
"""

import hashlib
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from qiangji.campaign.access import runs_campaign
from qiangji.campaign.importers import FULL, LIST_CHOICE, PARTIAL
from qiangji.campaign.models import BaseRecord, EntityBatch
from qiangji.campaign.selectors_batches import (
    batch_records,
    entity_batches_for_user,
    get_entity_batch_for_user,
    place_names,
    record_row,
)
from qiangji.core.api import ErrorOut, FormInvalid, ValidationErrorOut, choice_or_422, paginate
from qiangji.core.errors import DomainError
from qiangji.core.spreadsheets import CONFIRMED
from qiangji.core.spreadsheets.safety import SpreadsheetError
from qiangji.core.spreadsheets.services import import_file

router = Router(tags=["新连心攻坚"])
READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
CLASSES = ("new", "unchanged", "changed", "duplicate", "invalid", "gone")


class RowErrorOut(Schema):
    row: int
    messages: list[str]


class EntityBatchOut(Schema):
    id: int
    file_name: str
    sheet: str
    file_sha256: str
    is_full: bool
    created_at: str
    by: str
    counts: dict[str, int]

    @staticmethod
    def of(batch: EntityBatch) -> dict[str, Any]:
        return {
            "id": batch.pk,
            "file_name": batch.file_name,
            "sheet": batch.sheet,
            "file_sha256": batch.file_sha256,
            "is_full": batch.is_full,
            "created_at": batch.created_at.isoformat(),
            "by": str(batch.by or ""),
            "counts": batch.counts or {},
        }


class EntityBatchDetailOut(EntityBatchOut):
    errors: list[RowErrorOut]


class ChangeOut(Schema):
    field: str
    label: str
    old: str
    new: str


class BaseRecordOut(Schema):
    id: int
    row_number: int | None
    klass: str
    klass_label: str
    state: str
    state_label: str
    name: str
    credit_code: str
    village: str
    address: str
    phone: str  # masked
    changes: list[ChangeOut]
    note: str
    entity_id: int | None
    duplicate_of_id: int | None
    task_id: int | None
    task_status: str


class BaseRecordPageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[BaseRecordOut]


class AnalysisOut(Schema):
    new: int
    unchanged: int
    changed: int
    duplicate: int
    invalid: int
    gone: int
    total: int
    errors: list[RowErrorOut]
    dry_run: bool
    batch_id: int | None


def _record(row: dict[str, Any]) -> dict[str, Any]:
    record, task = row["record"], row["task"]
    return {
        "id": record.pk,
        "row_number": record.row_number,
        "klass": record.klass,
        "klass_label": record.get_klass_display(),
        "state": record.state,
        "state_label": record.get_state_display(),
        "name": row["name"],
        "credit_code": row["credit_code"],
        "village": row["village"],
        "address": row["address"],
        "phone": row["phone"],
        "changes": [{k: str(c[k]) for k in ("field", "label", "old", "new")} for c in row["changes"]],
        "note": record.note,
        "entity_id": record.entity_id,
        "duplicate_of_id": record.duplicate_of_id,
        "task_id": task.pk if task else None,
        "task_status": task.status if task else "",
    }


def _town(user: Any) -> None:
    if not runs_campaign(user):
        raise HttpError(403, "只有镇党委管理员可以查看和导入底数批次。")


@router.get("", response={200: list[EntityBatchOut], **READ_ERRORS}, operation_id="entity_batch_list", summary="底数批次")
def entity_batch_list(request: HttpRequest) -> Any:
    _town(request.auth)
    return [EntityBatchOut.of(b) for b in entity_batches_for_user(request.auth)[:200]]


@router.get(
    "/{id:pk}",
    response={200: EntityBatchDetailOut, **READ_ERRORS},
    operation_id="entity_batch_detail",
    summary="底数批次分析结果",
)
def entity_batch_detail(request: HttpRequest, pk: int) -> Any:
    batch = get_entity_batch_for_user(request.auth, pk)
    return {**EntityBatchOut.of(batch), "errors": batch.errors}


@router.get(
    "/{id:pk}/records", response={200: BaseRecordPageOut, **READ_ERRORS}, operation_id="entity_batch_records", summary="批次记录"
)
def entity_batch_records(
    request: HttpRequest,
    pk: int,
    klass: str = "",
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=200),
) -> Any:
    """`klass`: new / unchanged / changed / duplicate / gone (blank: all)."""
    batch = get_entity_batch_for_user(request.auth, pk)
    choice_or_422("klass", klass, BaseRecord.Klass.choices)
    result = paginate(batch_records(batch=batch, klass=klass), page=page, page_size=page_size)
    names = place_names()
    result["items"] = [_record(record_row(r, names)) for r in result["items"]]
    return result


@router.post(
    "",
    response={200: AnalysisOut, 409: ErrorOut, **READ_ERRORS},
    operation_id="entity_batch_upload",
    summary="上传底数表格：分析或导入",
)
def entity_batch_upload(
    request: HttpRequest,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
    is_full: Form[bool | None] = None,
    confirm_gone: Form[int | None] = None,
) -> Any:
    """`dry_run=true` analyses only (nothing written); otherwise the batch, its records and the
    visit tasks are written in one transaction. `is_full` (required): the sheet is the
    district's full list (register entities it does not name become 疑似注销) or a partial one.
    A full list marking more than IMPORT_GONE_CONFIRM_SHARE of the active register gone is
    refused (409, nothing written) unless `confirm_gone` is that number (a dry run tells it).
    The same file again writes nothing and answers the analysis of its first import."""
    user = request.auth
    _town(user)
    if is_full is None:
        raise FormInvalid({"is_full": [LIST_CHOICE.required]})
    options: dict[str, Any] = {LIST_CHOICE.key: FULL if is_full else PARTIAL}
    if confirm_gone is not None:
        options[CONFIRMED] = confirm_gone
    data = file.read()
    try:
        result = import_file(
            kind="entities", file_name=file.name or "upload.xlsx", data=data, commit=not dry_run, user=user, options=options
        )
    except SpreadsheetError as exc:
        raise FormInvalid({"file": [f"无法读取文件：{exc.message}"]}) from None
    except DomainError as exc:
        raise HttpError(409, exc.message) from None
    batch = None
    if not dry_run:
        batch = EntityBatch.objects.filter(file_sha256=hashlib.sha256(data).hexdigest()).order_by("pk").first()
    counts = result.counts
    return {
        **{name: counts[name] for name in CLASSES},
        "total": counts["total"],
        "errors": result.errors,
        "dry_run": dry_run,
        "batch_id": batch.pk if batch else None,
    }
