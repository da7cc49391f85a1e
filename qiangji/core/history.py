"""Before/after snapshots written by services into ChangeRecord (no signals).

A model opts in by listing `HISTORY_FIELDS`; its personal fields (core.personal.PERSONAL_FIELDS)
are masked before the value is written to history, which keeps no clear copy to reveal.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from qiangji.core.models import ChangeRecord
from qiangji.core.personal import masks_for


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The instance's history fields as JSON-ready values, sensitive ones masked."""
    masks = masks_for(instance)
    data: dict[str, Any] = {}
    for name in instance.HISTORY_FIELDS:  # type: ignore[attr-defined]
        field = instance._meta.get_field(name)
        value = getattr(instance, name)
        if isinstance(field, models.ForeignKey):
            value = str(value) if value is not None else None
        if name in masks and value:
            value = masks[name](value)
        data[name] = _plain(value)
    return data


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    keys = list(dict.fromkeys([*before, *after]))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def change_record(
    *,
    instance: models.Model,
    user: Any,
    action: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None = None,
    source: str = ChangeRecord.Source.WEB,
    reason: str = "",
    batch: Any = None,
) -> ChangeRecord:
    """Build (unsaved) the history row for one write; `change_log` or bulk_create saves it."""
    after = snapshot(instance) if after is None else after
    changes = diff(before or {}, after)
    return ChangeRecord(
        user=user if getattr(user, "is_authenticated", False) else None,
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=instance.pk,
        object_repr=str(instance)[:200],
        action=action,
        source=source,
        changes=changes,
        reason=reason,
        batch=batch,
    )


def change_log(**kwargs: Any) -> ChangeRecord:
    record = change_record(**kwargs)
    record.save()
    return record


def history_for(instance: models.Model) -> Iterable[ChangeRecord]:
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(type(instance)), object_id=instance.pk
    ).select_related("user")
