"""Writing the city-scale benchmark data by the fastest path each database offers.

PostgreSQL: client-side COPY through psycopg (ENGINEERING.md: the floor to beat), with the
secondary indexes and constraints of the member and history tables dropped during the load and
rebuilt once at the end (one sort per index instead of two million random B-tree inserts).
SQLite: executemany in large batches. Towns are built in worker processes when `jobs` > 1.
"""

import json
import multiprocessing
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from qiangji.accounts.models import RoleGrant, User
from qiangji.core.models import ChangeRecord
from qiangji.demo import city
from qiangji.demo.logins import DEMO_PASSWORD
from qiangji.members.models import Member
from qiangji.orgs.models import Organization


class RowWriter:
    """Appends rows to one table: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        self.table = model._meta.db_table
        self.columns = list(columns)

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        qn = connection.ops.quote_name
        cols = ", ".join(qn(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {qn(self.table)} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {qn(self.table)} ({cols}) VALUES ({marks})", rows)


@contextmanager
def indexes_dropped(models_: Sequence[type[models.Model]], timings: dict[str, float]) -> Iterator[None]:
    """PostgreSQL only: drop secondary indexes, unique and foreign-key constraints; rebuild after."""
    if connection.vendor != "postgresql":
        yield
        return
    saved: list[tuple[str, str, str]] = []  # (table, kind, definition or name)
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
                [table],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [table, table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                saved.append((table, "index", definition))
            for name, definition in constraints:
                qn = connection.ops.quote_name
                cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
                saved.append((table, "constraint", f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}"))
    yield
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        # Plain indexes first, then the unique and foreign-key constraints (each validates in one pass).
        for _table, _kind, sql in sorted(saved, key=lambda s: s[1] != "index"):
            cursor.execute(sql)
    timings["rebuild_indexes"] = time.perf_counter() - started


def bench_users(grants: Sequence[tuple[str, str, int | None]]) -> None:
    """Logins for the member-list benchmark: (username, role, organization id)."""
    hashed = make_password(DEMO_PASSWORD)
    for username, role, org_id in grants:
        if org_id is None:
            continue
        defaults = {"display_name": username, "password": hashed, "password_changed_at": timezone.now()}
        user, _ = User.objects.update_or_create(username=username, defaults=defaults)
        RoleGrant.objects.get_or_create(user=user, role=role, organization_id=org_id)


def _context(history: bool) -> tuple[city.Context, list[str]]:
    now = timezone.now()
    # psycopg adapts aware datetimes itself; SQLite gets the text Django would have written.
    stamp = now if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)
    extra = [f for f in Member._meta.concrete_fields if f.column not in city.MEMBER_COLUMNS]
    return city.Context(
        today=timezone.localdate(),
        stamp=stamp,
        ct_member=ContentType.objects.get_for_model(Member).pk,
        ct_org=ContentType.objects.get_for_model(Organization).pk,
        # Columns added to Member later keep their defaults, so the generator does not break.
        member_defaults=tuple(f.get_default() for f in extra),
        history=history,
    ), [f.column for f in extra]


def generate_city(
    *,
    members: int,
    organizations: int,
    towns: int = 200,
    seed: int = 2026,
    history: bool = True,
    jobs: int = 1,
    log: Callable[[str], None] = print,
) -> dict[str, float]:
    """Write the whole city into an empty database; returns seconds per phase."""
    ctx, extra_columns = _context(history)
    top, specs = city.city_plan(members=members, organizations=organizations, towns=towns, seed=seed, ctx=ctx)
    orgs = RowWriter(Organization, city.ORG_COLUMNS)
    people = RowWriter(Member, [*city.MEMBER_COLUMNS, *extra_columns])
    changes = RowWriter(ChangeRecord, city.HISTORY_COLUMNS)
    timings = {"build_cpu": 0.0, "write": 0.0}
    pool = None
    if jobs > 1:
        connection.close()  # forked workers must not inherit an open connection
        pool = multiprocessing.get_context("fork").Pool(jobs)
    try:
        with transaction.atomic(), indexes_dropped([Member, ChangeRecord], timings):
            jobs_iter = ((spec, ctx) for spec in specs)
            results = pool.imap(city.build_town, jobs_iter) if pool else map(city.build_town, jobs_iter)
            top_history = [
                (ctx.stamp, ctx.ct_org, row[0], row[1], "create", "command", json.dumps({"name": [None, row[1]]}), city.REASON)
                for row in top
            ]
            orgs.write(top)
            changes.write(top_history if history else [])
            first: city.TownRows | None = None
            for n, rows in enumerate(results, start=1):
                first = first or rows
                timings["build_cpu"] += rows.seconds
                started = time.perf_counter()
                orgs.write(rows.orgs)
                people.write(rows.members)
                changes.write(rows.history)
                timings["write"] += time.perf_counter() - started
                if n % 20 == 0 or n == len(specs):
                    log(f"  {n}/{len(specs)} 个镇，党员 {rows.members[-1][0] if rows.members else 0:,} 名")
        with transaction.atomic():
            town = first.town_id if first else None
            secretary = first.general_branch_id if first else None
            bench_users(
                [("bench_city", "town_admin", 1), ("bench_town", "town_admin", town), ("bench_secretary", "secretary", secretary)]
            )
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [Organization, Member]):
                    cursor.execute(sql)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["analyze"] = time.perf_counter() - started
    return timings
