"""The one exception a service raises when a domain rule says no.

A view turns it into a form error, the API into a 409 with the same Chinese message, and the
spreadsheet engine into a row error: one rule, written once.
"""

import datetime as dt
import hashlib
from typing import Any

from django.db import connection


class DomainError(Exception):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class RateLimited(DomainError):
    """Too many submissions from one client of a public page in the last hour (pages answer 429)."""


def refuse_over_hourly_limit(recent: Any, *, client_key: str, now: dt.datetime, limit: int, message: str) -> None:
    """The public pages' one rate rule: `recent` (the client's own rows, with `created_at`) may
    hold at most `limit - 1` rows of the last hour before this one.

    Counting and the caller's insert must be one step, or ten requests sent at once all count
    the same four rows. So this runs inside the caller's transaction and first takes a lock on
    (rule, client) that lasts until it commits: on PostgreSQL a transaction-level advisory lock,
    on SQLite the write lock every transaction takes at BEGIN (transaction_mode IMMEDIATE).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("refuse_over_hourly_limit must run inside the transaction that inserts the row")
    if connection.vendor == "postgresql":
        rule = f"{recent.model._meta.label}:{client_key}".encode()
        lock_id = int.from_bytes(hashlib.sha256(rule).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])
    if recent.filter(created_at__gte=now - dt.timedelta(hours=1)).count() >= limit:
        raise RateLimited(message)
