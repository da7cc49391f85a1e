"""API tokens: issued once in clear, stored as a hash, revoked at once, dead after QIANGJI_API_TOKEN_DAYS
or a password change."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from qiangji.accounts.models import ApiToken, User
from qiangji.core.audit import audit
from qiangji.core.models import AuditEvent


@transaction.atomic
def api_token_issue(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token; the clear key is returned once and never stored."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user,
        name=name or "脚本",
        prefix=key[:10],
        key_hash=ApiToken.hash_key(key),
        expires_at=timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS),
        password_fingerprint=ApiToken.fingerprint(user),
    )
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
    if token is None or not token.usable:
        return None
    now = timezone.now()
    # One write a minute at most: a busy script should not turn every read into a write.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
