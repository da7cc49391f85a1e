"""Reads of import batches: a user sees their own, a town admin sees all."""

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from qiangji.core.models import ImportBatch, ImportRow
from qiangji.core.nextactions import SHOWN_PER_ITEM, TodoItem, TodoLink
from qiangji.core.spreadsheets.registry import get_importer


def import_batches_for_user(*, user: Any) -> Any:
    return ImportBatch.objects.for_user(user).select_related("user")


def get_import_batch_for_user(user: Any, pk: int, action: str = "view") -> ImportBatch:
    """404 alike for a missing batch, someone else's, and one whose import the user may no
    longer run (a secretary whose grant was withdrawn cannot commit an old upload)."""
    batch = get_object_or_404(ImportBatch.objects.for_user(user, action).select_related("user"), pk=pk)
    if action == "manage":
        importer = get_importer(batch.kind)
        if importer is None or not importer.may_import(user):
            raise Http404
    return batch


def import_rows(*, batch: ImportBatch, outcome: str = "") -> Any:
    rows = batch.rows.defer("raw").order_by("row_number")
    if outcome in ImportRow.Outcome.values:
        rows = rows.filter(outcome=outcome)
    return rows


def imports_failed_todo(*, user: Any) -> TodoItem | None:
    """Import batches that failed and were neither retried nor discarded (the user's own; all of
    them for a town admin), newest first, each leading to its page (retry or discard): one query."""
    failed = list(
        ImportBatch.objects.for_user(user)
        .filter(status=ImportBatch.Status.FAILED)
        .select_related("user")
        .order_by("-created_at", "-id")[:200]
    )
    if not failed:
        return None
    links = []
    for batch in failed[:SHOWN_PER_ITEM]:
        importer = get_importer(batch.kind)
        kind = importer.label if importer is not None else batch.kind
        who = f"，{batch.user}" if batch.user_id and batch.user_id != user.pk else ""
        when = timezone.localtime(batch.created_at)
        links.append(
            TodoLink(batch.file_name, reverse("imports:detail", args=[batch.pk]), f"{kind}，{when:%m-%d %H:%M}上传{who}")
        )
    return TodoItem(
        key="imports_failed",
        title="导入失败的表格",
        hint="查看原因后重新处理或放弃",
        level="warning",
        count=len(failed),
        links=links,
        more_url=reverse("imports:list"),
    )
