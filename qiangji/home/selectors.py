"""What each role must do next, read from live records."""

import datetime as dt
from typing import Any

from qiangji.core.access import get_scope
from qiangji.members.models import Member
from qiangji.orgs.models import Organization


def todo_for(*, user: Any, today: dt.date) -> dict[str, Any]:
    scope = get_scope(user)
    orgs = Organization.objects.for_user(user).active()
    members = Member.objects.for_user(user)
    return {
        "scope": scope,
        "org_count": orgs.count(),
        "member_count": members.count(),
        "term_ending": list(orgs.term_ending(today=today, months=6).order_by("term_end")[:10]),
        "today": today,
    }
