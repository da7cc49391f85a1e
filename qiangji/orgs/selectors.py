"""Reads of the organization tree, always starting from `for_user`."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from qiangji.core.access import Action
from qiangji.orgs.models import LiaisonGroup, Organization


def get_organization_for_user(user: Any, pk: int, action: Action = "view") -> Organization:
    """404 alike for a missing organization and one outside the user's scope."""
    return get_object_or_404(
        Organization.objects.for_user(user, action).select_related("parent", "unit", "village", "village__grid"), pk=pk
    )


def organizations_visible(*, user: Any) -> Any:
    return Organization.objects.for_user(user).select_related("parent", "unit", "village")


def organizations_with_counts(*, user: Any) -> Any:
    """Each visible organization with its direct member counts (full / probationary)."""
    return organizations_visible(user=user).annotate(
        member_count=Count("members", distinct=True),
        full_count=Count("members", filter=Q(members__status="full"), distinct=True),
    )


def organizations_term_ending(*, user: Any, today: dt.date, months: int = 6) -> Any:
    return Organization.objects.for_user(user).term_ending(today=today, months=months).order_by("term_end")


def liaison_groups_visible(*, user: Any) -> Any:
    scope = user.scope
    qs = LiaisonGroup.objects.prefetch_related("members", "organizations")
    if scope.has_role("town_admin"):
        return qs
    return qs.filter(pk__in=scope.liaison_group_ids)
