"""Carrier committees (链委会/街委会/片委会) and the ten roles (十员) sunk into each grid.

The town admin sets them up; secretaries, liaison groups and visiting teams read them, as the
town's public structure (names, duties and units, nothing personal beyond a name; the account a
grid role is linked to is shown to the town only). Each write is
one atomic service: a broken rule raises DomainError, a user who is not the town raises
PermissionDenied, and either way nothing is written.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, Prefetch
from django.http import Http404
from django.utils import timezone

from qiangji.campaign.access import is_team_member, runs_campaign
from qiangji.campaign.models import CarrierCommittee, CarrierKind, CommitteeMember, GridRole
from qiangji.core.access import LIAISON, SECRETARY, VISITOR, get_scope
from qiangji.core.concurrency import lock_current
from qiangji.core.errors import DomainError
from qiangji.core.text import clean_text
from qiangji.orgs.models import Chain, Grid, Organization, Street, Village

CARRIER_MODELS: dict[str, type[Model]] = {CarrierKind.CHAIN: Chain, CarrierKind.STREET: Street, CarrierKind.GRID: Grid}
COMMITTEE_SUFFIX = {CarrierKind.CHAIN: "链委会", CarrierKind.STREET: "街委会", CarrierKind.GRID: "片委会"}
# Seat duties, highest first: a new seat goes after the last seat of its rank.
DUTIES = ("主任", "副主任", "委员")
CHAIR = DUTIES[0]


# Who ------------------------------------------------------------------------------------------


def may_read_carriers(user: Any) -> bool:
    """The town, secretaries, liaison groups and visiting teams; members and the public do not."""
    if runs_campaign(user):
        return True
    return get_scope(user).has_role(SECRETARY, LIAISON, VISITOR) or is_team_member(user)


def _may_edit(by: Any) -> None:
    if not runs_campaign(by):
        raise PermissionDenied("载体委员会和网格十员由镇党委维护")


# Reads ----------------------------------------------------------------------------------------


def get_carrier(kind: str, pk: int) -> Model:
    """The chain, street or grid `kind:pk`; 404 for an unknown kind or a missing carrier."""
    model = CARRIER_MODELS.get(kind)
    if model is None:
        raise Http404
    carrier = model.objects.filter(pk=pk).first()
    if carrier is None:
        raise Http404
    return carrier


def committee_default_name(kind: str, carrier: Any) -> str:
    """ "蔬菜链链委会", "竖河商业街区街委会", "第一网格片委会"."""
    return f"{carrier.name}{COMMITTEE_SUFFIX[kind]}"


@dataclass
class CarrierCard:
    """One carrier on the carriers page, with its committee and (for a grid) villages and roles."""

    kind: str
    carrier: Any
    committee: CarrierCommittee | None = None
    villages: list[Village] = field(default_factory=list)
    roles: list[tuple[str, list[GridRole]]] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.carrier.pk}"

    @property
    def committee_word(self) -> str:
        return COMMITTEE_SUFFIX[self.kind]

    @property
    def roles_filled(self) -> int:
        return sum(1 for _, people in self.roles if people)


def carriers_board() -> list[tuple[str, list[CarrierCard]]]:
    """The "5+2+7" carriers in three sections, each with its committee: a fixed number of queries."""
    committees = CarrierCommittee.objects.select_related("organization").prefetch_related(
        Prefetch("seats", queryset=CommitteeMember.objects.order_by("order", "id"))
    )
    by_carrier = {c.carrier_ref: c for c in committees}
    chains = [CarrierCard(CarrierKind.CHAIN, c) for c in Chain.objects.order_by("id")]
    streets = [
        CarrierCard(CarrierKind.STREET, s, villages=list(s.villages.all()))
        for s in Street.objects.prefetch_related(Prefetch("villages", queryset=Village.objects.order_by("name")))
    ]
    grids = []
    role_qs = GridRole.objects.order_by("id")
    village_qs = Village.objects.order_by("name")
    for grid in Grid.objects.prefetch_related(Prefetch("villages", queryset=village_qs), Prefetch("roles", queryset=role_qs)):
        people = list(grid.roles.all())
        roles = [(label, [r for r in people if r.role == value]) for value, label in GridRole.Role.choices]
        grids.append(CarrierCard(CarrierKind.GRID, grid, villages=list(grid.villages.all()), roles=roles))
    sections = [("产业链", chains), ("商业街区", streets), ("网格", grids)]
    for _, cards in sections:
        for card in cards:
            card.committee = by_carrier.get(card.ref)
    return sections


def get_committee(pk: int) -> CarrierCommittee:
    committee = (
        CarrierCommittee.objects.select_related("organization", "chain", "street", "grid")
        .prefetch_related(Prefetch("seats", queryset=CommitteeMember.objects.order_by("order", "id")))
        .filter(pk=pk)
        .first()
    )
    if committee is None:
        raise Http404
    return committee


# Committees -----------------------------------------------------------------------------------


def _clean_committee(data: Mapping[str, Any], *, kind: str, carrier: Any, exclude_pk: int | None) -> dict[str, Any]:
    name = clean_text(data.get("name")) or committee_default_name(kind, carrier)
    if len(name) > 100:
        raise DomainError("委员会名称不能超过100个字", field="name")
    taken = CarrierCommittee.objects.filter(name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise DomainError(f"委员会名称“{name}”已被使用", field="name")
    established_on = data.get("established_on")
    if established_on is not None and not isinstance(established_on, dt.date):
        raise DomainError("请填写有效的成立日期", field="established_on")
    if established_on and established_on > timezone.localdate():
        raise DomainError("成立日期不能晚于今天", field="established_on")
    organization = data.get("organization")
    if organization is not None:
        if not isinstance(organization, Organization):
            raise DomainError("请选择依托党组织", field="organization")
        if organization.dissolved_on is not None:
            raise DomainError(f"“{organization.name}”已撤销，不能作为依托党组织", field="organization")
    duties = (data.get("duties") or "").strip()
    if len(duties) > 2000:
        raise DomainError("运行机制不能超过2000个字", field="duties")
    return {"name": name, "established_on": established_on, "organization": organization, "duties": duties}


@transaction.atomic
def committee_create(*, by: Any, kind: str, carrier_id: int, data: Mapping[str, Any]) -> CarrierCommittee:
    """Set up the committee of a carrier; a carrier has at most one."""
    _may_edit(by)
    model = CARRIER_MODELS.get(kind)
    if model is None:
        raise DomainError("载体类别应为产业链、商业街区或网格", field="carrier")
    # Locking the carrier row makes two simultaneous creations for one carrier wait in turn.
    carrier = model.objects.select_for_update().filter(pk=carrier_id).first()
    if carrier is None:
        raise DomainError("该载体不存在", field="carrier")
    existing = CarrierCommittee.objects.filter(carrier_kind=kind, **{kind: carrier}).first()
    if existing is not None:
        raise DomainError(f"{carrier.name}已成立{COMMITTEE_SUFFIX[kind]}（{existing.name}），一个载体只设一个委员会")
    fields = _clean_committee(data, kind=kind, carrier=carrier, exclude_pk=None)
    return CarrierCommittee.objects.create(carrier_kind=kind, **{kind: carrier}, **fields)


@transaction.atomic
def committee_update(
    *, by: Any, committee: CarrierCommittee, data: Mapping[str, Any], expected_version: int | None = None
) -> CarrierCommittee:
    """Change a committee's name, date, supporting organization or duties (not its carrier).

    `expected_version`: the version the editor read; a later one raises StaleEdit."""
    _may_edit(by)
    committee = lock_current(CarrierCommittee.objects.get(pk=committee.pk), expected_version)
    fields = _clean_committee(data, kind=committee.carrier_kind, carrier=committee.carrier, exclude_pk=committee.pk)
    for name, value in fields.items():
        setattr(committee, name, value)
    committee.save()
    return committee


def _renumber(seats: list[CommitteeMember]) -> None:
    for number, seat in enumerate(seats, start=1):
        if seat.order != number:
            seat.order = number
            seat.save(update_fields=["order"])


def _locked_seats(committee_pk: int) -> list[CommitteeMember]:
    # The committee row is the lock for its seats: adds, removals and moves take turns.
    CarrierCommittee.objects.select_for_update().get(pk=committee_pk)
    return list(CommitteeMember.objects.filter(committee_id=committee_pk).order_by("order", "id"))


@transaction.atomic
def committee_seat_add(*, by: Any, committee: CarrierCommittee, data: Mapping[str, Any]) -> CommitteeMember:
    """Add a seat (name, duty 主任/副主任/委员, unit); a committee has one 主任."""
    _may_edit(by)
    seats = _locked_seats(committee.pk)
    name = clean_text(data.get("name"))
    if not name:
        raise DomainError("请填写成员姓名", field="name")
    if len(name) > 50:
        raise DomainError("姓名不能超过50个字", field="name")
    duty = clean_text(data.get("duty")) or DUTIES[-1]
    if duty not in DUTIES:
        raise DomainError("职务应为主任、副主任或委员", field="duty")
    unit = clean_text(data.get("unit"))
    if len(unit) > 100:
        raise DomainError("所在单位不能超过100个字", field="unit")
    chair = next((s for s in seats if s.duty == CHAIR), None)
    if duty == CHAIR and chair is not None:
        raise DomainError(f"该委员会已有主任（{chair.name}），一个委员会只设一名主任", field="duty")
    if any(s.name == name and s.unit == unit for s in seats):
        raise DomainError(f"该委员会已有成员“{name}”", field="name")
    rank = DUTIES.index(duty)
    place = sum(1 for s in seats if s.duty in DUTIES[: rank + 1])
    seat = CommitteeMember(committee_id=committee.pk, name=name, duty=duty, unit=unit, order=0)
    seat.save()
    seats.insert(place, seat)
    _renumber(seats)
    return seat


@transaction.atomic
def committee_seat_remove(*, by: Any, seat: CommitteeMember) -> None:
    """Take a seat off its committee; the others close up."""
    _may_edit(by)
    seats = _locked_seats(seat.committee_id)
    if not any(s.pk == seat.pk for s in seats):
        raise DomainError("该成员已不在委员会中")
    CommitteeMember.objects.filter(pk=seat.pk).delete()
    _renumber([s for s in seats if s.pk != seat.pk])


@transaction.atomic
def committee_seats_reorder(*, by: Any, committee: CarrierCommittee, seat_ids: list[int]) -> list[CommitteeMember]:
    """Put the seats in the given order; the list must name every seat of the committee once."""
    _may_edit(by)
    seats = _locked_seats(committee.pk)
    if sorted(seat_ids) != sorted(s.pk for s in seats) or len(set(seat_ids)) != len(seat_ids):
        raise DomainError("成员顺序与当前成员名单不一致，请刷新页面后重试", field="order")
    by_pk = {s.pk: s for s in seats}
    ordered = [by_pk[pk] for pk in seat_ids]
    _renumber(ordered)
    return ordered


def committee_seat_move(*, by: Any, seat: CommitteeMember, offset: int) -> list[CommitteeMember]:
    """Move a seat one place up (-1) or down (+1): the page's arrows."""
    if offset not in (-1, 1):
        raise DomainError("只能上移或下移一位")
    ids = list(
        CommitteeMember.objects.filter(committee_id=seat.committee_id).order_by("order", "id").values_list("pk", flat=True)
    )
    if seat.pk not in ids:
        raise DomainError("该成员已不在委员会中")
    at = ids.index(seat.pk)
    to = at + offset
    if not 0 <= to < len(ids):
        raise DomainError("已在最前" if offset < 0 else "已在最后")
    ids[at], ids[to] = ids[to], ids[at]
    return committee_seats_reorder(by=by, committee=seat.committee, seat_ids=ids)


# Grid roles (十员) ----------------------------------------------------------------------------


@transaction.atomic
def grid_role_add(*, by: Any, grid: Grid, data: Mapping[str, Any]) -> GridRole:
    """Name a person to one of a grid's ten roles; the same person twice in one role is refused.

    `data["user"]` (optional) links the post to an active account (an instructor's is what the
    entity's instructor select offers); with no name given, the account's name is the post's.
    """
    _may_edit(by)
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    role = data.get("role") or ""
    if role not in GridRole.Role.values:
        raise DomainError("请选择十员类别", field="role")
    account = _grid_role_account(data.get("user"))
    name = clean_text(data.get("name"))
    if not name and account is not None:
        name = clean_text(account.display_name or account.get_full_name() or account.username)
    if not name:
        raise DomainError("请填写姓名", field="name")
    if len(name) > 50:
        raise DomainError("姓名不能超过50个字", field="name")
    unit = clean_text(data.get("unit"))
    if len(unit) > 100:
        raise DomainError("所在单位不能超过100个字", field="unit")
    label = GridRole.Role(role).label
    if account is not None and GridRole.objects.filter(grid=grid, role=role, user=account).exists():
        raise DomainError(f"{grid.name}的{label}中已关联账号“{account.username}”", field="user")
    if GridRole.objects.filter(grid=grid, role=role, name=name).exists():
        raise DomainError(f"{grid.name}的{label}中已有“{name}”", field="name")
    return GridRole.objects.create(grid=grid, role=role, name=name, unit=unit, user=account)


def _grid_role_account(user: Any) -> Any:
    """The account to link, read afresh (a page may offer one deactivated since), or None."""
    if not user:
        return None
    account = get_user_model().objects.filter(pk=getattr(user, "pk", user)).first()
    if account is None:
        raise DomainError("该账号不存在，请刷新页面后重新选择", field="user")
    if not account.is_active:
        raise DomainError(f"账号“{account.username}”已停用，不能关联", field="user")
    return account


@transaction.atomic
def grid_role_remove(*, by: Any, role: GridRole) -> None:
    _may_edit(by)
    deleted, _ = GridRole.objects.filter(pk=role.pk).delete()
    if not deleted:
        raise DomainError("该人员已不在网格十员中")
