"""Who may look after the installation itself (the 系统状态 page, retrying failed tasks)."""

from typing import Any

from qiangji.core.access import TOWN_ADMIN, get_scope


def can_manage_system(user: Any) -> bool:
    """Town administrators: the installation serves one town, whose committee runs it."""
    return bool(getattr(user, "is_authenticated", False)) and get_scope(user).has_role(TOWN_ADMIN)
