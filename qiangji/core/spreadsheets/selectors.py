"""Reads of import batches: a user sees their own, a town admin sees all."""

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404

from qiangji.core.models import ImportBatch, ImportRow
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
