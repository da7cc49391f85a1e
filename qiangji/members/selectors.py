"""Reads of members, always starting from `for_user`."""

import datetime as dt
from typing import Any

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from qiangji.core.access import Action
from qiangji.members.models import Member
from qiangji.orgs.models import add_months

SORTS = {
    "name": ("name_initials", "id"),
    "-name": ("-name_initials", "-id"),
    "joined": ("joined_on", "id"),
    "-joined": ("-joined_on", "-id"),
    "org": ("organization__path", "name_initials", "id"),
    "-org": ("-organization__path", "name_initials", "id"),
    "birth": ("birth_date", "id"),
    "-birth": ("-birth_date", "-id"),
}


def get_member_for_user(user: Any, pk: int, action: Action = "view") -> Member:
    """404 alike for a missing member and one outside the user's scope."""
    return get_object_or_404(Member.objects.for_user(user, action).select_related("organization", "organization__parent"), pk=pk)


def members_list(
    *,
    user: Any,
    q: str = "",
    organization: Any = None,
    status: str = "",
    flag: str = "",
    sort: str = "org",
    action: Action = "view",
    today: dt.date | None = None,
) -> Any:
    """The member list as the list page, the export and the API show it.

    `action="reveal"` keeps only the members whose full personal data the user may see (an
    unmasked export). `flag="probation_over"`: probationary members whose year is over.
    """
    qs = Member.objects.for_user(user, action).select_related("organization")
    if q:
        qs = qs.search(q)
    if organization is not None:
        qs = qs.filter(organization__path__startswith=organization.path)
    if status:
        qs = qs.filter(status=status)
    if flag == "frail":
        qs = qs.filter(is_frail=True)
    elif flag == "mobile":
        qs = qs.filter(is_mobile=True)
    elif flag == "probation_over":
        qs = qs.filter(probation_over_q(today or timezone.localdate()))
    return qs.order_by(*SORTS.get(sort, SORTS["org"]))


def can_reveal(user: Any, member: Member) -> bool:
    return Member.objects.for_user(user, "reveal").filter(pk=member.pk).exists()


FLAGS = {"frail": "年老体弱", "mobile": "流动党员", "probation_over": "预备期已满未转正"}


def probation_over_q(today: dt.date) -> Q:
    """RULES: a probationary member is due for full membership one year after joining."""
    return Q(status=Member.Status.PROBATIONARY, joined_on__lt=add_months(today, -12))


def member_transfers(member: Member) -> Any:
    return member.transfers.select_related("from_organization", "to_organization", "by")


# A member's own record of organizational life. Read through the member's reverse relations, so
# members need not import orglife (which builds on members); the rows are the member's own
# record, shown to whoever may see the member.
RECORD_ROWS = 20


def member_meetings_attended(member: Member) -> list[Any]:
    """The latest meetings the member was present at (attendance is only recorded for held ones)."""
    qs = member.attendances.filter(present=True).select_related("meeting", "meeting__organization")
    return list(qs.order_by("-meeting__date", "-meeting_id")[:RECORD_ROWS])


def member_home_study_visits(member: Member) -> list[dict[str, Any]]:
    """The latest home-study visits to the member: when, who went (accounts first), what was studied."""
    visits = member.home_study_visits.select_related("meeting").prefetch_related("visitor_users")
    rows = []
    for visit in visits.order_by("-date", "-id")[:RECORD_ROWS]:
        names = [str(u) for u in visit.visitor_users.all()]
        if visit.visitors:
            names.append(visit.visitors)
        rows.append({"visit": visit, "visitors": "、".join(names)})
    return rows
