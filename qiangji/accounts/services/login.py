"""Login bookkeeping: the attempts that lock an account after repeated failures."""

import datetime as dt

from django.conf import settings
from django.db import transaction
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
    """Count the attempt towards the lockout and log it; the failure that locks is logged too.

    `factor="totp"` marks the second step of a town admin's login: a wrong code counts like a
    wrong password, and only a right code ends the run of failures.
    """
    LoginAttempt.objects.create(username=username, ip=ip, succeeded=succeeded)
    action = AuditEvent.Action.LOGIN if succeeded else AuditEvent.Action.LOGIN_FAILED
    detail = {"factor": factor} if factor != "password" else None
    audit(user=user if succeeded else None, username=username, action=action, request=request, detail=detail)
    if not succeeded and login_locked_until(username=username):
        audit(user=None, username=username, action=AuditEvent.Action.LOCKED, request=request, detail=detail)
