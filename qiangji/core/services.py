"""Writes on the installation's own machinery (not on domain records)."""

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from qiangji.core.audit import audit
from qiangji.core.models import AuditEvent
from qiangji.core.permissions import can_manage_system


def task_retry(*, by: Any, task_id: uuid.UUID, request: Any = None) -> str:
    """Put a failed background task back on the queue with its arguments, once: the failed
    result is removed in the same transaction (a second click finds nothing to retry) and the
    new one is enqueued when that commits. Returns the task's name."""
    if not can_manage_system(by):
        raise PermissionDenied
    with transaction.atomic():
        row = DBTaskResult.objects.select_for_update().filter(pk=task_id, status=TaskResultStatus.FAILED).first()
        if row is None:
            raise ValidationError("该任务不存在，或已不是失败状态（可能已被重试）")
        try:
            task = row.task
        except Exception:
            raise ValidationError("该任务在当前版本中已不存在，无法重试") from None
        args, kwargs = row.args_kwargs.get("args", []), row.args_kwargs.get("kwargs", {})
        name = row.task_path.rpartition(".")[2]
        row.delete()
        audit(
            user=by,
            action=AuditEvent.Action.TASK_RETRY,
            object_type="django_tasks_db.DBTaskResult",
            object_id=str(task_id),
            detail={"task": row.task_path},
            request=request,
        )
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs))
    return name
