"""Reads of the district batches (底数批次): the town admin's list, one batch, its records."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from qiangji.campaign.access import runs_campaign
from qiangji.campaign.models import BaseRecord, Entity, EntityBatch
from qiangji.core.crypto import mask_phone
from qiangji.orgs.models import Chain, Street, Village


def entity_batches_for_user(user: Any) -> QuerySet[EntityBatch]:
    """Every batch for the town admin; nothing for anyone else (imports are the town's)."""
    if not runs_campaign(user):
        return EntityBatch.objects.none()
    return EntityBatch.objects.select_related("by", "import_batch").order_by("-created_at", "-id")


def get_entity_batch_for_user(user: Any, pk: int) -> EntityBatch:
    """404 alike for a missing batch and for anyone who does not run the campaign."""
    if not runs_campaign(user):
        raise Http404
    return get_object_or_404(EntityBatch.objects.select_related("by", "import_batch"), pk=pk)


def batch_records(*, batch: EntityBatch, klass: str = "") -> QuerySet[BaseRecord]:
    records = batch.records.select_related("entity", "duplicate_of", "task", "task__team")
    if klass:
        records = records.filter(klass=klass)
    return records.order_by("row_number", "id")


def place_names() -> dict[str, dict[int, str]]:
    """Names of villages, streets and chains by pk, for showing a record's values (one query each)."""
    return {
        "village": dict(Village.objects.values_list("pk", "name")),
        "street": dict(Street.objects.values_list("pk", "name")),
        "chains": dict(Chain.objects.values_list("pk", "name")),
    }


def record_row(record: BaseRecord, names: dict[str, dict[int, str]]) -> dict[str, Any]:
    """A record as pages, exports and the API show it (phone masked)."""
    data = record.data
    return {
        "record": record,
        "name": record.name,
        "credit_code": data.get("credit_code") or (record.entity.credit_code if record.entity_id else ""),
        "village": names["village"].get(data.get("village") or (record.entity.village_id if record.entity_id else None), ""),
        "address": data.get("address", ""),
        "person_in_charge": data.get("person_in_charge", ""),
        "phone": mask_phone(record.phone),
        "changes": record_changes(record, names),
        "task": getattr(record, "task", None),
    }


def record_changes(record: BaseRecord, names: dict[str, dict[int, str]] | None = None) -> list[dict[str, str]]:
    """What a changed row changed, in the register's field order (jsonb keeps no key order):
    {field, label, old, new}, values as people read them.

    The importer stores each field as [old shown, new value, new shown]; a record written as
    [old, new] (by hand, or before the shown value was kept) is read too."""
    names = names if names is not None else place_names()
    return [
        {"field": field, "label": str(FIELD_LABELS.get(field, field)), "old": str(values[0] or ""),
         "new": _new_shown(values, field, names)}
        for field, values in sorted((record.changes or {}).items(), key=lambda item: ORDER.get(item[0], 99))
    ]  # fmt: skip


def _new_shown(values: list, field: str, names: dict[str, dict[int, str]]) -> str:
    if len(values) > 2:
        return str(values[2])
    new = values[1]
    if field in ("village", "street"):
        return names[field].get(new, "")
    if field == "chains":
        return "、".join(names["chains"].get(pk, "") for pk in new or [])
    return "" if new is None else str(new)


ORDER = {name: i for i, name in enumerate(Entity.REGISTER_FIELDS)}
FIELD_LABELS = {name: str(Entity._meta.get_field(name).verbose_name) for name in Entity.REGISTER_FIELDS}
