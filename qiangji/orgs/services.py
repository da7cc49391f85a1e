"""Writes on the organization tree. Every write keeps its history (who, when, before/after)."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from qiangji.core.concurrency import lock_current
from qiangji.core.errors import DomainError
from qiangji.core.history import change_log, snapshot
from qiangji.core.models import ChangeRecord
from qiangji.orgs.models import CommitteePeriod, LiaisonGroup, Organization

# The fields a form may write are exactly those whose history is kept.
EDITABLE_FIELDS = Organization.HISTORY_FIELDS
# The date from which a change of `has_committee` takes effect (optional, default today).
COMMITTEE_DATE = "committee_changed_on"
COMMITTEE_DATE_LABEL = "委员会设立/撤销日期"


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


def _committee_open(org: Organization, on: dt.date) -> None:
    """Start a committee period on `on`; it may not begin before the organization or the last period."""
    if on > timezone.localdate():
        raise DomainError("委员会设立日期不能晚于今天", field=COMMITTEE_DATE)
    if org.founded_on and on < org.founded_on:
        raise DomainError("委员会设立日期不能早于党组织成立日期", field=COMMITTEE_DATE)
    last = org.committee_periods.exclude(dissolved_on__isnull=True).order_by("-dissolved_on").first()
    if last and on < last.dissolved_on:
        raise DomainError(f"委员会设立日期不能早于上次撤销日期（{last.dissolved_on:%Y-%m-%d}）", field=COMMITTEE_DATE)
    CommitteePeriod.objects.create(organization=org, established_on=on)


def _committee_close(org: Organization, on: dt.date) -> None:
    """End the open committee period on `on` (the first day without a committee)."""
    if on > timezone.localdate():
        raise DomainError("委员会撤销日期不能晚于今天", field=COMMITTEE_DATE)
    period = org.committee_periods.filter(dissolved_on__isnull=True).first()
    if period is None:
        # A row written outside the services (a bulk load) has no period: it had the committee
        # since it was founded, as far as anyone recorded.
        period = CommitteePeriod(organization=org, established_on=org.founded_on or org.term_start)
    if period.established_on and on <= period.established_on:
        raise DomainError(f"委员会撤销日期应晚于设立日期（{period.established_on:%Y-%m-%d}）", field=COMMITTEE_DATE)
    period.dissolved_on = on
    period.save()


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
    after = snapshot(org)
    if org.has_committee:
        # A new organization set up with its committee has had it since it was founded.
        on = data.get(COMMITTEE_DATE) or org.founded_on or org.term_start or timezone.localdate()
        _committee_open(org, on)
        after[COMMITTEE_DATE_LABEL] = on.isoformat()
    change_log(instance=org, user=by, action=ChangeRecord.Action.CREATE, before=None, after=after, source=source, batch=batch)
    return org


@transaction.atomic
def organization_update(
    *,
    organization: Organization,
    by: Any,
    data: dict[str, Any],
    expected_version: int | None = None,
    source: str = ChangeRecord.Source.WEB,
    batch: Any = None,
) -> Organization:
    """Apply changed fields; moving it under another parent re-paths the whole subtree.

    Setting or clearing `has_committee` opens or closes a committee period dated
    `data["committee_changed_on"]` (today when not given), which compliance reads month by month.
    `expected_version`: the version the editor read (StaleEdit when it moved on); the row is
    locked and reloaded first, so the path written is the stored one even after a move above.
    """
    lock_current(organization, expected_version)
    before = snapshot(organization)
    had_committee = organization.has_committee
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
    if organization.has_committee != had_committee:
        on = data.get(COMMITTEE_DATE) or timezone.localdate()
        (_committee_open if organization.has_committee else _committee_close)(organization, on)
        after[COMMITTEE_DATE_LABEL] = on.isoformat()
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


def _liaison_snapshot(group: LiaisonGroup) -> dict[str, Any]:
    """Names, not ids: the history must read the same after people or organizations are renamed."""
    return {
        "name": group.name,
        "leader": str(group.leader) if group.leader_id else None,
        "members": "、".join(sorted(str(u) for u in group.members.all())),
        "organizations": "、".join(o.name for o in group.organizations.order_by("path")),
    }


@transaction.atomic
def liaison_group_create(
    *, by: Any, name: str, leader: Any, members: Iterable[Any], organizations: Iterable[Organization]
) -> LiaisonGroup:
    return _liaison_group_apply(group=None, by=by, name=name, leader=leader, members=members, organizations=organizations)


@transaction.atomic
def liaison_group_update(
    *,
    group: LiaisonGroup,
    by: Any,
    name: str,
    leader: Any,
    members: Iterable[Any],
    organizations: Iterable[Organization],
    expected_version: int | None = None,
) -> LiaisonGroup:
    """Replace a group's name, leader, members and assigned organizations; history kept.

    `expected_version`: the version the editor read; a later one raises StaleEdit."""
    lock_current(group, expected_version)
    return _liaison_group_apply(group=group, by=by, name=name, leader=leader, members=members, organizations=organizations)


def _liaison_group_apply(
    *,
    group: LiaisonGroup | None,
    by: Any,
    name: str,
    leader: Any,
    members: Iterable[Any],
    organizations: Iterable[Organization],
) -> LiaisonGroup:
    """Each organization is liaised by one group only, so that an assembly is announced to one
    group and its attendance is that group's to record.
    """
    members = list(members)
    organizations = list(organizations)
    if leader is not None and leader not in members:
        raise DomainError("组长应为本组成员", field="leader")
    if any(o.dissolved_on for o in organizations):
        raise DomainError("不能联系已撤销的党组织", field="organizations")
    taken = (
        LiaisonGroup.organizations.through.objects.filter(organization__in=organizations)
        .exclude(liaisongroup=group)
        .select_related("organization", "liaisongroup")
        .order_by("organization__path")
    )
    clashes = [f"{t.organization.name}（{t.liaisongroup.name}）" for t in taken]
    if clashes:
        raise DomainError("以下党组织已由其他联络组联系，请先从原联络组移出：" + "、".join(clashes), field="organizations")
    if LiaisonGroup.objects.filter(name=name).exclude(pk=group.pk if group else None).exists():
        raise DomainError("已有同名联络组", field="name")
    before = _liaison_snapshot(group) if group is not None else None
    if group is None:
        group = LiaisonGroup(name=name, leader=leader)
    group.name, group.leader = name, leader
    group.save()
    group.members.set(members)
    group.organizations.set(organizations)
    after = _liaison_snapshot(group)
    if after != before:
        change_log(
            instance=group,
            user=by,
            action=ChangeRecord.Action.CREATE if before is None else ChangeRecord.Action.UPDATE,
            before=before,
            after=after,
        )
    return group
