"""Moving every stored secret to the current keys (`manage.py rotate_keys`, docs/operations.md).

What is encrypted is found from the model registry, by field class, never from a list:
`EncryptedTextField` (the whole value), `PersonalJSONField` (the personal keys of a JSON object),
`SealedTextField` (sealed copies among plain text) and `KeyedHashField` (a hash rebuilt from its
encrypted source field). Pending import files (core.spreadsheets.storage) are sealed too.

Rows are read raw, in primary-key order, a batch at a time; each batch is one transaction, and
each row is written only if its stored value is still the one read (compare and swap), so the
site can keep running: a row someone saved meanwhile is already under the current key. A value
already under the current key is skipped without being decrypted, so an interrupted run simply
starts again and finishes the rest.
"""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from qiangji.core.crypto import (
    FIELD,
    HASH,
    SCHEME,
    EncryptedTextField,
    KeyedHashField,
    SealedTextField,
    current_key_ids,
    decrypt,
    encrypt,
    keyed_hash,
    stored_key_id,
)
from qiangji.core.personal import PersonalJSONField, personal_fields
from qiangji.core.spreadsheets import storage

TEXT, JSON, SEALED = "text", "json", "sealed"
LEGACY = "legacy"  # the key-id label of a value written before ciphertexts named their key
PREFIX = SCHEME + ":"


@dataclass(frozen=True)
class Column:
    """One column that holds ciphertexts (kind TEXT, JSON or SEALED) or a keyed hash (`source`)."""

    model: type[models.Model]
    field: models.Field
    kind: str
    source: models.Field | None = None

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def label(self) -> str:
        return f"{self.model._meta.verbose_name}·{self.field.verbose_name}（{self.model._meta.label}.{self.field.name}）"


def _models() -> Iterator[type[models.Model]]:
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            yield model


def encrypted_columns() -> list[Column]:
    columns = []
    for model in _models():
        for f in model._meta.concrete_fields:
            if isinstance(f, EncryptedTextField):
                columns.append(Column(model, f, TEXT))
            elif isinstance(f, PersonalJSONField):
                columns.append(Column(model, f, JSON))
            elif isinstance(f, SealedTextField):
                columns.append(Column(model, f, SEALED))
    return columns


def hash_columns() -> list[Column]:
    return [
        Column(model, f, HASH, source=model._meta.get_field(f.of))
        for model in _models()
        for f in model._meta.concrete_fields
        if isinstance(f, KeyedHashField)
    ]


def _q(name: str) -> str:
    # The same identifier quoting on SQLite and PostgreSQL, usable on a plain DB-API cursor too.
    return '"' + name.replace('"', '""') + '"'


def ciphertexts(column: Column, raw: Any) -> list[str]:
    """The ciphertexts in one stored value of an encrypted column (raw, as the database holds it)."""
    if raw is None or raw == "":
        return []
    if column.kind == TEXT:
        return [raw]
    if column.kind == SEALED:
        return [raw] if raw.startswith(PREFIX) else []
    try:
        payload = json.loads(raw) if isinstance(raw, str | bytes) else raw
    except ValueError:
        return []
    if not isinstance(payload, dict):
        return []
    keys = personal_fields(column.field.keys_of)
    return [v for k, v in payload.items() if k in keys and isinstance(v, str) and v.startswith(PREFIX)]


def stored_values(cursor: Any, column: Column) -> Iterator[str]:
    """Every ciphertext of the column, read raw through `cursor` (a backup's snapshot too)."""
    col = _q(column.field.column)
    cursor.execute(f"SELECT {col} FROM {_q(column.table)} WHERE {col} IS NOT NULL")
    for (raw,) in cursor.fetchall():
        yield from ciphertexts(column, raw)


def label_of(ciphertext: str) -> str:
    try:
        return stored_key_id(ciphertext) or LEGACY
    except ValueError:
        return ciphertext.partition(":")[0]


def key_usage(cursor: Any, tables: set[str] | None = None) -> tuple[dict[str, int], dict[str, int]]:
    """({scheme: values}, {key id or "legacy": values}) over every encrypted column."""
    schemes: dict[str, int] = {}
    keys: dict[str, int] = {}
    for column in encrypted_columns():
        if tables is not None and column.table not in tables:
            continue
        for value in stored_values(cursor, column):
            scheme = value.partition(":")[0]
            schemes[scheme] = schemes.get(scheme, 0) + 1
            label = label_of(value)
            keys[label] = keys.get(label, 0) + 1
    return dict(sorted(schemes.items())), dict(sorted(keys.items()))


def _stale(ciphertext: str, current: str) -> bool:
    return label_of(ciphertext) != current


def _rewrap(column: Column, raw: Any, current: str) -> str | None:
    """The stored value with every ciphertext under the current key; None when nothing changes."""
    if column.kind in (TEXT, SEALED):
        return encrypt(decrypt(raw)) if raw and ciphertexts(column, raw) and _stale(raw, current) else None
    found = ciphertexts(column, raw)
    if not any(_stale(v, current) for v in found):
        return None
    payload = json.loads(raw) if isinstance(raw, str | bytes) else dict(raw)
    keys = personal_fields(column.field.keys_of)
    for k, v in payload.items():
        if k in keys and isinstance(v, str) and v.startswith(PREFIX) and _stale(v, current):
            payload[k] = encrypt(decrypt(v))
    return json.dumps(payload)


def _placeholder(column: Column) -> str:
    # A JSON column is jsonb on PostgreSQL: the raw text read back is cast to compare and store.
    if column.kind == JSON and connection.vendor == "postgresql":
        return "CAST(%s AS jsonb)"
    return "%s"


@dataclass
class Progress:
    """What one column's pass did."""

    column: Column
    total: int = 0
    checked: int = 0
    rewritten: int = 0
    moved_meanwhile: int = 0
    unreadable: int = 0
    remaining_by_key: dict[str, int] = field(default_factory=dict)


def _batches(column: Column, batch_size: int, select: str) -> Iterator[list[tuple[Any, ...]]]:
    pk = _q(column.model._meta.pk.column)
    last = None
    while True:
        with connection.cursor() as cursor:
            where = f"WHERE {pk} > %s " if last is not None else ""
            cursor.execute(
                f"SELECT {pk}, {select} FROM {_q(column.table)} {where}ORDER BY {pk} LIMIT {int(batch_size)}",
                [last] if last is not None else [],
            )
            rows = cursor.fetchall()
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def _count(column: Column) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {_q(column.table)}")
        return cursor.fetchone()[0]


def rotate_column(column: Column, *, batch_size: int = 500, report: Callable[[Progress], None] | None = None) -> Progress:
    """Re-encrypt the column's values that are not under the current key, batch by batch."""
    current = current_key_ids()[FIELD]
    progress = Progress(column, total=_count(column))
    col, pk = _q(column.field.column), _q(column.model._meta.pk.column)
    update = f"UPDATE {_q(column.table)} SET {col} = {_placeholder(column)} WHERE {pk} = %s AND {col} = {_placeholder(column)}"
    for rows in _batches(column, batch_size, col):
        with transaction.atomic(), connection.cursor() as cursor:
            for row_pk, raw in rows:
                try:
                    new = _rewrap(column, raw, current)
                except Exception:
                    progress.unreadable += 1
                    continue
                if new is None:
                    continue
                cursor.execute(update, [new, row_pk, raw])
                if cursor.rowcount == 1:
                    progress.rewritten += 1
                else:
                    progress.moved_meanwhile += 1
        progress.checked += len(rows)
        if report:
            report(progress)
    return progress


def rebuild_hashes(column: Column, *, batch_size: int = 500, report: Callable[[Progress], None] | None = None) -> Progress:
    """Recompute the keyed hash of every row from its encrypted source under the current hash key."""
    progress = Progress(column, total=_count(column))
    col, src, pk = _q(column.field.column), _q(column.source.column), _q(column.model._meta.pk.column)
    update = f"UPDATE {_q(column.table)} SET {col} = %s WHERE {pk} = %s AND {col} = %s AND {src} = %s"
    for rows in _batches(column, batch_size, f"{col}, {src}"):
        with transaction.atomic(), connection.cursor() as cursor:
            for row_pk, digest, source in rows:
                if not source:
                    continue
                try:
                    new = keyed_hash(decrypt(source))
                except Exception:
                    progress.unreadable += 1
                    continue
                if new == digest:
                    continue
                cursor.execute(update, [new, row_pk, digest, source])
                if cursor.rowcount == 1:
                    progress.rewritten += 1
                else:
                    progress.moved_meanwhile += 1
        progress.checked += len(rows)
        if report:
            report(progress)
    return progress


def check_column(column: Column) -> Progress:
    """How many of the column's values are not under the current key (nothing written)."""
    progress = Progress(column, total=_count(column))
    if column.kind == HASH:
        for rows in _batches(column, 1000, f"{_q(column.field.column)}, {_q(column.source.column)}"):
            for _pk, digest, source in rows:
                if not source:
                    continue
                try:
                    stale = keyed_hash(decrypt(source)) != digest
                except Exception:
                    progress.unreadable += 1
                    continue
                if stale:
                    progress.remaining_by_key["hash"] = progress.remaining_by_key.get("hash", 0) + 1
            progress.checked += len(rows)
        return progress
    current = current_key_ids()[FIELD]
    with connection.cursor() as cursor:
        for value in stored_values(cursor, column):
            label = label_of(value)
            if label != current:
                progress.remaining_by_key[label] = progress.remaining_by_key.get(label, 0) + 1
    progress.checked = progress.total
    return progress


@dataclass
class FileProgress:
    """What the pass over the pending import files did."""

    total: int = 0
    rewritten: int = 0
    remaining: int = 0
    unreadable: int = 0


def rotate_files(*, dry_run: bool = False) -> FileProgress:
    progress = FileProgress()
    for name in storage.stored_names():
        progress.total += 1
        try:
            if dry_run:
                progress.remaining += storage.under_old_key(name)
            else:
                progress.rewritten += storage.rewrap(name)
        except FileNotFoundError:
            progress.unreadable += 1
    return progress
