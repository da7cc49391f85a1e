"""Login bookkeeping: the attempts that lock an account after repeated failures.

An attempt is counted before the password (or code) is checked, under a lock per account:
`login_attempt_begin` takes one try from what is left of the allowance, recorded as a failure,
and `login_attempt_end` turns it into a success when the password was right. Counting after the
check would let many requests sent at once all find the account unlocked and each get a guess.
"""

import datetime as dt
import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from qiangji.accounts.models import LoginAttempt, User
from qiangji.core.audit import audit
from qiangji.core.models import AuditEvent


def login_locked_until(*, username: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the account unlocks, or None: N failures since the last success within the window."""
    now = now or timezone.now()
    window_start = now - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    recent = LoginAttempt.objects.filter(username__iexact=username, at__gte=window_start).order_by("-at")
    failures = []
    for attempt in recent.values("succeeded", "at")[: settings.LOGIN_MAX_FAILURES]:
        if attempt["succeeded"]:
            break
        failures.append(attempt["at"])
    if len(failures) < settings.LOGIN_MAX_FAILURES:
        return None
    return failures[0] + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


class LoginLocked(PermissionDenied):
    """The account has no tries left until `until` (a PermissionDenied: Django's authenticate()
    then asks no other backend)."""

    def __init__(self, until: dt.datetime) -> None:
        super().__init__(f"密码连续错误次数过多，账号已临时锁定，请于 {timezone.localtime(until):%H:%M} 后再试。")
        self.until = until


def _take_turns(username: str) -> None:
    """Until commit, attempts on one account wait for each other: a PostgreSQL advisory lock per
    account; on SQLite the write lock every transaction takes at BEGIN (transaction_mode IMMEDIATE)."""
    if connection.vendor == "postgresql":
        key = f"login:{username.lower()}".encode()
        lock_id = int.from_bytes(hashlib.sha256(key).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


def login_attempt_begin(*, username: str, ip: str | None) -> LoginAttempt:
    """Take one try, counted as a failure until `login_attempt_end` says otherwise; LoginLocked
    when none is left. Its own transaction: the try stays counted whatever happens next."""
    with transaction.atomic():
        _take_turns(username)
        until = login_locked_until(username=username)
        if until is not None:
            raise LoginLocked(until)
        return LoginAttempt.objects.create(username=username, ip=ip, succeeded=False)


@transaction.atomic
def login_attempt_end(
    *,
    attempt: LoginAttempt,
    succeeded: bool | None,
    user: User | None = None,
    request: HttpRequest | None = None,
    factor: str = "password",
) -> None:
    """The try's outcome, logged. `succeeded=None`: neither (a right password that still needs
    the second factor): the try is given back, and only the code ends a run of failures."""
    if succeeded is None:
        LoginAttempt.objects.filter(pk=attempt.pk).delete()
        return
    if succeeded:
        LoginAttempt.objects.filter(pk=attempt.pk).update(succeeded=True)
    _log(username=attempt.username, succeeded=succeeded, user=user, request=request, factor=factor)


def _log(*, username: str, succeeded: bool, user: User | None, request: HttpRequest | None, factor: str) -> None:
    action = AuditEvent.Action.LOGIN if succeeded else AuditEvent.Action.LOGIN_FAILED
    detail = {"factor": factor} if factor != "password" else None
    audit(user=user if succeeded else None, username=username, action=action, request=request, detail=detail)
    if not succeeded and login_locked_until(username=username):
        audit(user=None, username=username, action=AuditEvent.Action.LOCKED, request=request, detail=detail)


@transaction.atomic
def login_attempt_record(
    *,
    username: str,
    ip: str | None,
    succeeded: bool,
    user: User | None = None,
    request: HttpRequest | None = None,
    factor: str = "password",
) -> None:
    """Count an attempt already decided (a code that enrols a device) and log it; the failure
    that locks is logged too. Attempts that guess go through `login_attempt_begin` instead.

    `factor="totp"` marks the second step of a town admin's login: a wrong code counts like a
    wrong password, and only a right code ends the run of failures.
    """
    LoginAttempt.objects.create(username=username, ip=ip, succeeded=succeeded)
    _log(username=username, succeeded=succeeded, user=user, request=request, factor=factor)
