"""The audit trail of account management, shown on each account's page as its history."""

from typing import Any

from django.http import HttpRequest

from qiangji.accounts.models import User
from qiangji.core.audit import audit
from qiangji.core.models import AuditEvent


def account_event(*, by: Any, account: User, op: str, request: HttpRequest | None = None, **detail: Any) -> None:
    audit(user=by, action=AuditEvent.Action.ACCOUNT, obj=account, detail={"op": op, **detail}, request=request)
