"""Inserting many rows at once, by the fastest path the database offers.

`insert(objects)` does what `bulk_create` does — fields' `pre_save` (auto_now_add), their
database values (`get_db_prep_save`: encryption of personal data included), primary keys set on
the objects, a related object that was never saved refused — but on PostgreSQL it sends the rows
with COPY, primary keys taken from the table's sequence first (ENGINEERING.md: COPY takes about
40 % of `bulk_create`'s time there, as Django 5.2 builds one large INSERT per batch). Constraints
are checked as for INSERT. Elsewhere (SQLite) it is `bulk_create`. No signals are sent, as with
`bulk_create`.
"""

import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router

# Fields whose database value is the Python value itself when it already has the field's type:
# their get_db_prep_save would only return it unchanged.
_AS_IS: dict[type[models.Field], tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.BooleanField: (bool,),
    models.IntegerField: (int,),
    models.BigIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveBigIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.AutoField: (int,),
    models.BigAutoField: (int,),
    models.DateField: (dt.date,),
}


def insert(objects: Sequence[models.Model], *, batch_size: int = 1000) -> None:
    if not objects:
        return
    model = type(objects[0])
    using = router.db_for_write(model)
    connection = connections[using]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects, batch_size=batch_size)
        return
    opts = model._meta
    qn = connection.ops.quote_name
    fields = [f for f in opts.concrete_fields if f.column]  # (a column-less field has no value to send)
    columns = ", ".join(qn(str(f.column)) for f in fields)
    relations: list[Any] = [f for f in fields if f.is_relation]
    as_is = [_AS_IS.get(type(f)) for f in fields]
    table, pk_column = opts.db_table, opts.pk.column
    with connection.cursor() as cursor:
        missing = [obj for obj in objects if obj.pk is None]
        if missing:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk_column, len(missing)],
            )
            for obj, (pk,) in zip(missing, cursor.fetchall(), strict=True):
                obj.pk = pk
        sql = f"COPY {qn(table)} ({columns}) FROM STDIN"
        started = time.monotonic()
        with cursor.cursor.copy(sql) as copy:
            for obj in objects:
                _related_saved(obj, relations)
                row: list[Any] = []
                for field, kinds in zip(fields, as_is, strict=True):
                    value = field.pre_save(obj, True)
                    if value is not None and not (kinds and type(value) in kinds):
                        value = field.get_db_prep_save(value, connection)
                    row.append(value)
                copy.write_row(row)
        if connection.queries_logged:
            # COPY bypasses Django's cursor wrapper; log it like any query (tests count them).
            connection.queries_log.append({"sql": f"{sql} -- {len(objects)} rows", "time": f"{time.monotonic() - started:.3f}"})
    for obj in objects:
        obj._state.adding = False
        obj._state.db = using


def _related_saved(obj: models.Model, relations: list[Any]) -> None:
    """What bulk_create checks of foreign keys: a related object must have been saved, and one
    saved after it was assigned gives its primary key now."""
    for field in relations:
        if not field.is_cached(obj):
            continue
        related = field.get_cached_value(obj)
        if related is None:
            continue
        if related.pk is None:
            raise ValueError(f"insert() prohibited to prevent data loss due to unsaved related object '{field.name}'.")
        if getattr(obj, field.attname) in field.empty_values:
            setattr(obj, field.attname, related.pk)
