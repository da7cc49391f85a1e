from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from qiangji.notifications.selectors import unread_count


def inbox(request: HttpRequest) -> dict[str, Any]:
    """The unread count for the bell in the top bar: one COUNT query, run only when a page shows it
    (htmx fragments never do)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(user=user))}
