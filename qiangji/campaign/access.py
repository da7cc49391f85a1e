"""Who sees which emerging-sector entities and visit tasks: one place, read by every queryset.

Entities are not in the organization tree; they sit in villages, and villages in grids. So:
- the town admin (and operators) see the whole campaign and run it (import, review, cover);
- a visiting-team member sees the entities and tasks of the grids of their teams, nothing else;
- a secretary or liaison-group member sees the entities in the villages of the organizations
  they see, and those their organizations cover (read only).
"""

from typing import Any

from django.apps import apps
from django.db.models import Q

from qiangji.core.access import TOWN_ADMIN, get_scope, subtree_q

NOTHING = Q(pk__in=[])


def runs_campaign(user: Any) -> bool:
    """The town admin runs the campaign: imports, reviews, coverage, committees, summaries."""
    scope = get_scope(user)
    return scope.superuser or scope.has_role(TOWN_ADMIN)


def team_grid_ids(user: Any) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_campaign_grids", None)
    if cached is None:
        VisitTeam = apps.get_model("campaign", "VisitTeam")
        cached = sorted(set(VisitTeam.objects.filter(members=user, active=True).values_list("grid_id", flat=True)))
        user._campaign_grids = cached
    return cached


def is_team_member(user: Any) -> bool:
    return bool(team_grid_ids(user))


def entity_scope_q(user: Any, prefix: str = "") -> Q | None:
    """The Q that keeps what `user` may see (None: everything)."""
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    if runs_campaign(user):
        return None
    scope = get_scope(user)
    parts = []
    grids = team_grid_ids(user)
    if grids:
        parts.append(Q(**{f"{prefix}village__grid_id__in": grids}))
    org_q = subtree_q("path", scope.view_paths)
    if org_q is not None:
        Organization = apps.get_model("orgs", "Organization")
        seen = Organization.objects.filter(org_q)
        parts.append(Q(**{f"{prefix}village_id__in": seen.exclude(village=None).values("village_id")}))
        parts.append(Q(**{f"{prefix}covering_organization__in": seen.values("pk")}))
    if not parts:
        return NOTHING
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q
