"""Writes on members. Forms, pages, the API and the spreadsheet import all call these."""

import datetime as dt
from typing import Any

from django.db import transaction
from pypinyin import Style, lazy_pinyin

from qiangji.core.concurrency import lock_current
from qiangji.core.crypto import keyed_hash
from qiangji.core.errors import DomainError
from qiangji.core.history import change_log, change_record, snapshot
from qiangji.core.models import ChangeRecord
from qiangji.members.models import Member, Transfer
from qiangji.orgs.models import Organization

# The fields a member form writes are exactly those whose history is kept.
FIELDS = Member.HISTORY_FIELDS


def name_initials(name: str) -> str:
    """拼音首字母 for search: 张三丰 → zsf."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()


def member_build(*, data: dict[str, Any]) -> Member:
    """An unsaved member from cleaned form data (the bulk import path saves many at once)."""
    member = Member(**{k: v for k, v in data.items() if k in FIELDS})
    member.name_initials = name_initials(member.name)
    member.id_number_hash = keyed_hash(member.id_number)
    return member


@transaction.atomic
def member_create(*, by: Any, data: dict[str, Any], source: str = ChangeRecord.Source.WEB, batch: Any = None) -> Member:
    member = member_build(data=data)
    if member.organization.dissolved_on:
        raise DomainError("该党组织已撤销，不能再登记党员", field="organization")
    member.save()
    change_log(instance=member, user=by, action=ChangeRecord.Action.CREATE, before=None, source=source, batch=batch)
    return member


@transaction.atomic
def member_update(
    *,
    member: Member,
    by: Any,
    data: dict[str, Any],
    expected_version: int | None = None,
    source: str = ChangeRecord.Source.WEB,
    batch: Any = None,
) -> Member:
    """Change a member's record. The organization is changed only by `member_transfer`.

    `expected_version`: the version the editor read (pages, API); a stale one raises StaleEdit.
    The row is locked and reloaded first, so the save writes the stored organization, never
    the one the editor's copy had before a transfer."""
    lock_current(member, expected_version)
    before = snapshot(member)
    # Compare real values, not the masked snapshots: a phone number that changes only in its
    # hidden middle digits is still a change to save (and to record, even if it reads the same).
    changed = [key for key, value in data.items() if key in FIELDS and key != "organization" and getattr(member, key) != value]
    for key in changed:
        setattr(member, key, data[key])
    member.name_initials = name_initials(member.name)
    member.id_number_hash = keyed_hash(member.id_number)
    after = snapshot(member)
    if changed:
        member.save()
        record = change_record(
            instance=member, user=by, action=ChangeRecord.Action.UPDATE, before=before, after=after, source=source, batch=batch
        )
        for key in changed:  # changed behind the mask: still listed, with its masked values
            record.changes.setdefault(key, [before.get(key), after.get(key)])
        record.save()
    return member


@transaction.atomic
def member_transfer(
    *, member: Member, to: Organization, by: Any, on: dt.date, reason: str = "", source: str = ChangeRecord.Source.WEB
) -> Transfer:
    """Move a member to another organization; the transfer and the change are both kept.

    A state move: the row is locked and reloaded, so two transfers at once (or a transfer and an
    edit) each see the other's result."""
    lock_current(member, None)
    if to.pk == member.organization_id:
        raise DomainError("转入组织与当前所在组织相同", field="to_organization")
    if to.dissolved_on:
        raise DomainError("转入组织已撤销", field="to_organization")
    if to.kind == Organization.Kind.GROUP:
        raise DomainError("组织关系应转入党支部（党委、党总支），不能转入党小组", field="to_organization")
    before = snapshot(member)
    transfer = Transfer.objects.create(
        member=member, from_organization=member.organization, to_organization=to, transferred_on=on, reason=reason, by=by
    )
    member.organization = to
    # A post held in the old organization does not follow the member.
    member.party_post = ""
    member.save(update_fields=["organization", "party_post", "updated_at"])
    change_log(instance=member, user=by, action=ChangeRecord.Action.TRANSFER, before=before, source=source, reason=reason)
    return transfer
