"""Writes on accounts: lockout bookkeeping, tokens, role grants."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from qiangji.accounts.models import ApiToken, LoginAttempt, RoleGrant, User
from qiangji.core.access import forget_scope
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
    *, username: str, ip: str | None, succeeded: bool, user: User | None = None, request: HttpRequest | None = None
) -> None:
    """Count the attempt towards the lockout and log it; the failure that locks is logged too."""
    LoginAttempt.objects.create(username=username, ip=ip, succeeded=succeeded)
    action = AuditEvent.Action.LOGIN if succeeded else AuditEvent.Action.LOGIN_FAILED
    audit(user=user if succeeded else None, username=username, action=action, request=request)
    if not succeeded and login_locked_until(username=username):
        audit(user=None, username=username, action=AuditEvent.Action.LOCKED, request=request)


@transaction.atomic
def api_token_issue(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token; the clear key is returned once and never stored."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(user=user, name=name or "脚本", prefix=key[:10], key_hash=ApiToken.hash_key(key))
    audit(user=user, action=AuditEvent.Action.TOKEN, obj=token, detail={"op": "issue"})
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, user: User) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit(user=user, action=AuditEvent.Action.TOKEN, obj=token, detail={"op": "revoke"})
    return token


def api_token_authenticate(*, key: str) -> User | None:
    token = ApiToken.objects.active().select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # One write a minute at most: a busy script should not turn every read into a write.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def role_grant_create(*, user: User, role: str, organization, title: str = "") -> RoleGrant:
    grant, _ = RoleGrant.objects.get_or_create(user=user, role=role, organization=organization, defaults={"title": title})
    forget_scope(user)
    return grant
