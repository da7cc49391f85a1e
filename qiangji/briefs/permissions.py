"""Who may write and issue a brief: those who manage its part of the tree (core access roles).

A town brief is the town admin's (only they manage the root); a subtree's brief is also that of
the secretaries who manage it; a liaison group's brief is the town's, the groups supervising
but not managing their organizations. Everyone who sees the part reads its briefs.
"""

from typing import Any

from qiangji.core.access import TOWN_ADMIN, get_scope


def may_write_part(user: Any, *, organization: Any = None, group: Any = None) -> bool:
    scope = get_scope(user)
    if group is not None:
        return scope.has_role(TOWN_ADMIN)
    return organization is not None and scope.covers(organization.path, "manage")


def may_write(user: Any, brief: Any) -> bool:
    return may_write_part(user, organization=brief.organization, group=brief.group)


def actions_for(user: Any, brief: Any) -> set[str]:
    """What the buttons offer and the services allow: edit, refresh and issue while a draft."""
    if brief.issued or not may_write(user, brief):
        return set()
    return {"edit", "refresh", "issue"}
