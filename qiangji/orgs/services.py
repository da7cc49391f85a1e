"""Writes on the organization tree. Every write keeps its history (who, when, before/after)."""

from typing import Any

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from qiangji.core.errors import DomainError
from qiangji.core.history import change_log, snapshot
from qiangji.core.models import ChangeRecord
from qiangji.orgs.models import Organization

EDITABLE_FIELDS = (
    "name",
    "kind",
    "parent",
    "unit",
    "village",
    "founded_on",
    "term_start",
    "term_end",
    "dissolved_on",
    "has_committee",
)


def _check_parent(org: Organization, parent: Organization | None) -> None:
    allowed = Organization.ALLOWED_PARENTS[Organization.Kind(org.kind)]
    parent_kind = Organization.Kind(parent.kind) if parent else None
    if parent_kind not in allowed:
        if parent is None:
            raise DomainError(f"{org.get_kind_display()}必须有上级组织", field="parent")
        raise DomainError(f"{org.get_kind_display()}不能设在{parent.get_kind_display()}之下", field="parent")
    if parent is not None and org.pk and parent.path.startswith(org.path):
        raise DomainError("上级组织不能是本组织或其下级组织", field="parent")
    if org.term_start and org.term_end and org.term_end <= org.term_start:
        raise DomainError("届满日期应晚于本届任期开始日期", field="term_end")


def _set_path(org: Organization) -> None:
    parent = org.parent
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.depth = parent.depth + 1 if parent else 0


@transaction.atomic
def organization_create(
    *, by: Any, data: dict[str, Any], source: str = ChangeRecord.Source.WEB, batch: Any = None
) -> Organization:
    org = Organization(**{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    _check_parent(org, org.parent)
    org.save()
    _set_path(org)
    org.save(update_fields=["path", "depth"])
    change_log(instance=org, user=by, action=ChangeRecord.Action.CREATE, before=None, source=source, batch=batch)
    return org


@transaction.atomic
def organization_update(
    *, organization: Organization, by: Any, data: dict[str, Any], source: str = ChangeRecord.Source.WEB, batch: Any = None
) -> Organization:
    """Apply changed fields; moving it under another parent re-paths the whole subtree."""
    before = snapshot(organization)
    old_path = organization.path
    for key, value in data.items():
        if key in EDITABLE_FIELDS:
            setattr(organization, key, value)
    _check_parent(organization, organization.parent)
    _set_path(organization)
    organization.save()
    if organization.path != old_path:
        depth_shift = organization.depth - (old_path.count("/") - 2)
        Organization.objects.filter(path__startswith=old_path).exclude(pk=organization.pk).update(
            path=Concat(Value(organization.path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + depth_shift,
        )
    after = snapshot(organization)
    if after != before:
        change_log(
            instance=organization,
            user=by,
            action=ChangeRecord.Action.UPDATE,
            before=before,
            after=after,
            source=source,
            batch=batch,
        )
    return organization
