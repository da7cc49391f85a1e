"""Writing the append-only audit log (RULES.md: every unmasked read and every export)."""

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest

from qiangji.core.clientip import client_ip
from qiangji.core.models import AuditEvent


def audit(
    *,
    user: Any,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: Any = "",
    fields: Iterable[str] = (),
    row_count: int = 0,
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    username: str = "",
) -> AuditEvent:
    authenticated = getattr(user, "is_authenticated", False)
    return AuditEvent.objects.create(
        user=user if authenticated else None,
        username=username or (user.get_username() if authenticated else ""),
        action=action,
        object_type=object_type or (obj._meta.label if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None else str(object_id),
        object_repr=str(obj)[:200] if obj is not None else "",
        fields=list(fields),
        row_count=row_count,
        detail=detail or {},
        ip=client_ip(request),
    )
