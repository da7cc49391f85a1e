"""The one import engine: normalise each row, catch duplicates in the file, validate through the
importer, and — when committing — write every valid row in one transaction or none.

The preview and the commit run the same code; the commit simply keeps what it wrote.
"""

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from qiangji.core.errors import DomainError
from qiangji.core.spreadsheets.columns import CellError, display
from qiangji.core.spreadsheets.header import Layout, data_rows
from qiangji.core.spreadsheets.importer import (
    CHANGED,
    CONFIRMED,
    INVALID,
    NEW,
    UNCHANGED,
    Checked,
    ImportContext,
    Importer,
    RowInvalid,
    SourceRow,
)

PROGRESS_EVERY = 200
MEMO_PROBE = 2000
_MISS = object()
# A run keeps every row's result alive until it ends: with the interpreter's default threshold
# (700 allocations), its cyclic collector would keep walking them, about a tenth of the time.
GC_THRESHOLD = 50_000


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect garbage less often while a run holds many live objects (it still collects)."""
    saved = gc.get_threshold()
    gc.set_threshold(max(saved[0], GC_THRESHOLD), *saved[1:])
    try:
        yield
    finally:
        gc.set_threshold(*saved)


@dataclass
class RowResult:
    """What became of one data row, as the preview, the error file and provenance need it."""

    number: int
    outcome: str
    messages: list[str] = field(default_factory=list)
    summary: dict[str, str] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    cells: list[str] | None = None
    obj: models.Model | None = None
    # Between the check and the write of a commit: the checked row and where it came from.
    checked: Checked | None = field(default=None, repr=False)
    source: SourceRow | None = field(default=None, repr=False)

    def invalidate(self, messages: list[str]) -> None:
        self.outcome, self.changed, self.obj, self.checked = INVALID, [], None, None
        self.messages = list(dict.fromkeys(messages))
        if self.source is not None:
            self.cells = [display(c) for c in self.source.cells]


@dataclass
class RunResult:
    """Every row's result, ordered by row number, and the counts by outcome."""

    rows: list[RowResult]
    outcomes: tuple[str, ...] = (NEW, CHANGED, UNCHANGED, INVALID)

    @property
    def counts(self) -> dict[str, int]:
        """Rows by outcome (every outcome the importer declares, zero included) and "total"
        (the rows of the file: results that are no row, such as "gone", are not in it)."""
        counts = dict.fromkeys(self.outcomes, 0)
        for row in self.rows:
            counts[row.outcome] = counts.get(row.outcome, 0) + 1
        counts["total"] = sum(1 for row in self.rows if row.number)
        return counts

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [{"row": r.number, "messages": r.messages} for r in self.rows if r.outcome == INVALID]


def normalise_rows(importer: Importer, layout: Layout) -> list[SourceRow]:
    """The data rows under the header with each mapped cell normalised by its column.

    A column's normalisation depends on the cell alone, and a sheet repeats most of its columns
    (villages, kinds, yes/no, small numbers) row after row: each column keeps its results per
    distinct cell, until the first MEMO_PROBE rows show that its cells are mostly distinct
    (names, codes, phones), where keeping them would only cost memory."""
    columns = []
    for i, key in layout.column_map.items():
        column = importer.column(key) if key else None
        if column is not None:
            columns.append((int(i), column, {}))
    rows = []
    for number, cells in data_rows(layout):
        row = SourceRow(number=number, cells=cells)
        values = row.values
        for index, column, memo in columns:
            cell = cells[index]
            found = _MISS
            if memo is not None:
                key = (type(cell), cell)
                found = memo.get(key, _MISS)
            if found is _MISS:
                try:
                    found = (True, column.normalise(cell))
                except CellError as exc:
                    found = (False, str(exc))
                if memo is not None:
                    memo[key] = found
            ok, value = found
            if not ok:
                row.errors.append((column.key, value))
            elif value is not None:
                values[column.key] = value
        rows.append(row)
        if len(rows) == MEMO_PROBE:
            columns = [(i, c, m if m is not None and len(m) < MEMO_PROBE // 2 else None) for i, c, m in columns]
    return rows


def run(
    importer: Importer,
    layout: Layout,
    ctx: ImportContext,
    *,
    commit: bool,
    progress: Callable[[int], None] | None = None,
    on_written: Callable[[RunResult], None] | None = None,
) -> RunResult:
    """Analyse (commit=False) or import (commit=True) the rows the layout points at.

    `on_written` runs inside the commit's transaction, so the batch's own records (provenance,
    counts) are written together with the data or not at all. Any exception other than a row's
    own RowInvalid / DomainError rolls the whole commit back and propagates.
    """
    with _fewer_collections():
        return _run(importer, layout, ctx, commit=commit, progress=progress, on_written=on_written)


def _run(
    importer: Importer,
    layout: Layout,
    ctx: ImportContext,
    *,
    commit: bool,
    progress: Callable[[int], None] | None,
    on_written: Callable[[RunResult], None] | None,
) -> RunResult:
    rows = importer.prepare(normalise_rows(importer, layout), ctx)
    outcomes = tuple(value for value, _ in importer.outcomes)
    if importer.simulate:
        # Each row sees the rows written before it; the preview throws the writes away.
        with transaction.atomic():
            results = _process(importer, rows, ctx, write=True, progress=progress)
            outcome = RunResult(sorted(results, key=lambda r: r.number), outcomes)
            if commit:
                _confirmed(importer, outcome, ctx)
                importer.flush(ctx)
                importer.written(outcome, ctx)
                if on_written:
                    on_written(outcome)
            else:
                transaction.set_rollback(True)
    else:
        results = _process(importer, rows, ctx, write=False, keep=commit, progress=progress)
        outcome = RunResult(sorted(results, key=lambda r: r.number) + _extra(importer, ctx, keep=commit), outcomes)
    if commit and not importer.simulate:
        _confirmed(importer, outcome, ctx)
        with transaction.atomic():
            importer.lock([r.checked for r in outcome.rows if r.checked is not None], ctx)
            for result in outcome.rows:
                if result.checked is not None and result.checked.stale:
                    result.invalidate([result.checked.stale])
                elif result.checked is not None:
                    try:
                        result.obj = _save(importer, result.checked, ctx)
                    except DomainError as exc:
                        # The data changed since the check: the row is skipped like any invalid one.
                        result.invalidate([exc.message])
                    result.checked = result.source = None  # written (or buffered): let it go
            importer.flush(ctx)
            importer.written(outcome, ctx)
            if on_written:
                on_written(outcome)
    for result in outcome.rows:
        result.checked = result.source = None
    return outcome


def _confirmed(importer: Importer, outcome: RunResult, ctx: ImportContext) -> None:
    """Before anything is written: a commit the importer wants confirmed (Importer.confirmation)
    goes ahead only with the very number confirmed; else DomainError, nothing written."""
    needed = importer.confirmation(outcome.counts, ctx)
    if needed is not None and ctx.options.get(CONFIRMED) != needed.number:
        raise DomainError(needed.refusal)


def _process(
    importer: Importer,
    rows: list[SourceRow],
    ctx: ImportContext,
    *,
    write: bool,
    keep: bool = False,
    progress: Callable[[int], None] | None,
) -> list[RowResult]:
    """Check every row (and with `write`, save it at once). `keep`: hold on to each valid row's
    checked data for the writes that follow; a preview does not need it."""
    seen: dict[str, int] = {}
    results: list[RowResult] = []
    for done, row in enumerate(rows, start=1):
        result = RowResult(number=row.number, outcome=INVALID, source=row)
        errors = list(row.errors)
        bad_fields = {k for k, _ in row.errors if k}
        key = row.key if row.has_key else importer.key(row.values)
        duplicate = key is not None and key in seen
        if duplicate:
            errors.append((None, f"与第{seen[key]}行{importer.duplicate_label}重复"))
        elif key is not None:
            seen[key] = row.number
        if not duplicate:
            try:
                if write:
                    with transaction.atomic():
                        checked = importer.check(row.values, ctx)
                        if errors:
                            raise RowInvalid()  # roll back whatever the check wrote (a new unit)
                        result.obj = _save(importer, checked, ctx)
                else:
                    checked = importer.check(row.values, ctx)
                    if keep:
                        result.checked = checked
                result.outcome, result.changed, result.messages = checked.outcome, checked.changed, checked.notes
                # The preview shows what will be stored: cleaned by the form, not as typed.
                result.summary = _summary(importer, {**row.values, **checked.data})
            except RowInvalid as exc:
                # A cell that could not be read already has its message; the form's "未填写" for
                # the same field would only repeat it.
                errors += [(k, m) for k, m in exc.errors if k is None or k not in bad_fields]
            except DomainError as exc:
                errors.append((exc.field, exc.message))
        if errors:
            result.invalidate([m for _, m in errors])
            if not result.summary:  # the form did not get to clean it: what the file says
                result.summary = _summary(importer, row.values)
        results.append(result)
        if progress and done % PROGRESS_EVERY == 0:
            progress(done)
    if progress:
        progress(len(rows))
    return results


def _extra(importer: Importer, ctx: ImportContext, *, keep: bool) -> list[RowResult]:
    """The importer's results that are no row of the file (number 0), after the rows."""
    results = []
    for checked in importer.extra(ctx):
        result = RowResult(number=0, outcome=checked.outcome, changed=checked.changed, messages=checked.notes)
        result.summary = _summary(importer, checked.data)
        if keep:
            result.checked = checked
        results.append(result)
    return results


def _save(importer: Importer, checked: Checked, ctx: ImportContext) -> models.Model | None:
    if checked.outcome in importer.writes:
        return importer.save(checked, ctx)
    return checked.instance


def _summary(importer: Importer, values: dict[str, Any]) -> dict[str, str]:
    summary = {}
    for key in importer.summary_columns:
        column = importer.column(key)
        if column is not None:
            summary[column.label] = column.show(values.get(key))
    return summary
