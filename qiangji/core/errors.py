"""The one exception a service raises when a domain rule says no.

A view turns it into a form error, the API into a 409 with the same Chinese message, and the
spreadsheet engine into a row error: one rule, written once.
"""

import datetime as dt
from typing import Any


class DomainError(Exception):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class RateLimited(DomainError):
    """Too many submissions from one client of a public page in the last hour (pages answer 429)."""


def refuse_over_hourly_limit(recent: Any, *, now: dt.datetime, limit: int, message: str, field: str = "created_at") -> None:
    """The one hourly rate rule: `recent` (the client's or user's own rows, dated by `field`) may
    hold at most `limit - 1` rows of the last hour before this one."""
    if recent.filter(**{f"{field}__gte": now - dt.timedelta(hours=1)}).count() >= limit:
        raise RateLimited(message)
