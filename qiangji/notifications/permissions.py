"""Who may configure a group robot: the town admin over the organization (or, for a liaison group,
a town admin — liaison groups are the town's own). The inbox needs no rule: it is one's own."""

from typing import Any

from qiangji.core.access import TOWN_ADMIN, get_scope


def can_manage_channels(user: Any) -> bool:
    return get_scope(user).has_role(TOWN_ADMIN)


def can_manage_channel_of(user: Any, *, organization: Any = None, liaison_group: Any = None) -> bool:
    scope = get_scope(user)
    if not scope.has_role(TOWN_ADMIN):
        return False
    if organization is not None:
        return scope.covers(organization.path, "manage")
    return liaison_group is not None
