"""Reads of members, always starting from `for_user`."""

from typing import Any

from django.shortcuts import get_object_or_404

from qiangji.core.access import Action
from qiangji.members.models import Member

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


def members_list(*, user: Any, q: str = "", organization: Any = None, status: str = "", flag: str = "", sort: str = "org") -> Any:
    """The member list as the list page, the export and the API show it."""
    qs = Member.objects.for_user(user).select_related("organization")
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
    return qs.order_by(*SORTS.get(sort, SORTS["org"]))


def can_reveal(user: Any, member: Member) -> bool:
    return Member.objects.for_user(user, "reveal").filter(pk=member.pk).exists()
