from typing import Any

from django.http import HttpRequest

from qiangji.core.access import get_scope
from qiangji.core.navigation import entries_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_entries": [], "nav_section": None}
    section = request.path.strip("/").split("/")[0]
    return {"nav_entries": entries_for(get_scope(user)), "nav_section": section, "scope": get_scope(user)}
