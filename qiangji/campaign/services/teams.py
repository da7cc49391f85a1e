"""Writes on visiting teams (三人行) and the five-musts checklist (五必须): town admin only.

A team is meant to have three members; fewer or more is allowed with a warning (people fall ill,
teams get reinforced) but a team of nobody is refused. The checklist is edited in place: visits
keep the labels they were asked (Visit.checklist is a copy), so renaming or switching an item off
never rewrites a recorded visit.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max

from qiangji.campaign.access import runs_campaign
from qiangji.campaign.models import ChecklistItem, VisitTeam
from qiangji.core.concurrency import lock_current
from qiangji.core.errors import DomainError
from qiangji.core.text import clean_text

TEAM_SIZE = 3


def _require_town(by: Any) -> None:
    if not runs_campaign(by):
        raise PermissionDenied("只有镇党委管理员可以调整走访队伍和“五必须”事项")


def team_size_warning(count: int) -> str:
    """The warning a team of `count` members gets (blank for three)."""
    if count == TEAM_SIZE:
        return ""
    return f"走访队伍按“三人行”配置，当前为{count}人，请尽快调整为3人"


def _save_team(team: VisitTeam, data: Mapping[str, Any]) -> VisitTeam:
    name = clean_text(data.get("name") or "")
    if not name:
        raise DomainError("请填写队伍名称", field="name")
    if VisitTeam.objects.filter(name=name).exclude(pk=team.pk).exists():
        raise DomainError(f"队伍名称“{name}”已被使用", field="name")
    grid = data.get("grid")
    if grid is None:
        raise DomainError("请选择负责网格", field="grid")
    members = list(data.get("members") or [])
    if not members:
        raise DomainError("走访队伍至少要有1名队员", field="members")
    inactive = [str(u) for u in members if not u.is_active]
    if inactive:
        raise DomainError(f"账号已停用，不能担任队员：{'、'.join(inactive)}", field="members")
    leader = data.get("leader")
    if leader is not None and leader not in members:
        raise DomainError("队长须是本队队员", field="leader")
    team.name, team.grid, team.leader = name, grid, leader or members[0]
    team.active = bool(data.get("active", True))
    team.save()
    team.members.set(members)
    return team


@transaction.atomic
def team_create(*, by: Any, data: Mapping[str, Any]) -> VisitTeam:
    """A new team for a grid; the leader defaults to the first member chosen."""
    _require_town(by)
    return _save_team(VisitTeam(), data)


@transaction.atomic
def team_update(*, team: VisitTeam, by: Any, data: Mapping[str, Any], expected_version: int | None = None) -> VisitTeam:
    """Change a team's name, grid, members, leader or whether it is on duty. Its open tasks stay
    with it; the tasks follow the grid, so a team moved to another grid leaves them to that
    grid's teams only through new assignments.

    `expected_version`: the version the editor read; a later one raises StaleEdit."""
    _require_town(by)
    team = lock_current(VisitTeam.objects.get(pk=team.pk), expected_version)
    return _save_team(team, data)


def _label(text: Any) -> str:
    label = clean_text(text or "")
    if not label:
        raise DomainError("请填写事项内容", field="label")
    if len(label) > 100:
        raise DomainError("事项内容不能超过100个字", field="label")
    return label


@transaction.atomic
def checklist_item_add(*, by: Any, label: str) -> ChecklistItem:
    """A new item at the end of the list, active at once for visits opened from now on."""
    _require_town(by)
    label = _label(label)
    if ChecklistItem.objects.filter(label=label, active=True).exists():
        raise DomainError(f"“{label}”已在清单中", field="label")
    last = ChecklistItem.objects.aggregate(m=Max("order"))["m"] or 0
    return ChecklistItem.objects.create(label=label, order=last + 1)


@transaction.atomic
def checklist_item_rename(*, item: ChecklistItem, by: Any, label: str) -> ChecklistItem:
    _require_town(by)
    label = _label(label)
    if ChecklistItem.objects.filter(label=label, active=True).exclude(pk=item.pk).exists():
        raise DomainError(f"“{label}”已在清单中", field="label")
    ChecklistItem.objects.filter(pk=item.pk).update(label=label)
    item.label = label
    return item


@transaction.atomic
def checklist_item_set_active(*, item: ChecklistItem, by: Any, active: bool) -> ChecklistItem:
    """Switch an item off (no longer asked) or on again; at least one item stays active."""
    _require_town(by)
    if not active and ChecklistItem.objects.filter(active=True).exclude(pk=item.pk).count() == 0:
        raise DomainError("清单至少要保留一项启用的事项")
    ChecklistItem.objects.filter(pk=item.pk).update(active=active)
    item.active = active
    return item


@transaction.atomic
def checklist_reorder(*, by: Any, order: Iterable[int]) -> list[ChecklistItem]:
    """Put the items in the given order (item pks); items not named keep their place after them."""
    _require_town(by)
    items = list(ChecklistItem.objects.select_for_update().order_by("order", "id"))
    by_pk = {i.pk: i for i in items}
    wanted: list[int] = []
    for pk in order:
        if pk not in by_pk:
            raise DomainError("事项不存在，请刷新页面后重试")
        if pk not in wanted:
            wanted.append(pk)
    ordered = [by_pk[pk] for pk in wanted] + [i for i in items if i.pk not in wanted]
    for position, item in enumerate(ordered, start=1):
        item.order = position
    ChecklistItem.objects.bulk_update(ordered, ["order"])
    return ordered


@transaction.atomic
def checklist_item_move(*, item: ChecklistItem, by: Any, step: int) -> list[ChecklistItem]:
    """Move one item up (step -1) or down (+1) the list."""
    pks = list(ChecklistItem.objects.order_by("order", "id").values_list("pk", flat=True))
    at = pks.index(item.pk)
    to = min(max(at + step, 0), len(pks) - 1)
    pks.insert(to, pks.pop(at))
    return checklist_reorder(by=by, order=pks)
