"""The one access mechanism: roles granted on an organization cover its subtree.

Organizations carry a materialised path ("/1/7/42/"); a grant on an organization is the set of
paths starting with its path. Every list goes through `QuerySet.for_user(user, action)` and
every single object through `get_<obj>_for_user(...)`, which answers 404 alike for missing and
forbidden. Core imports no app: grants are read through the app registry.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any, Literal

from django.apps import apps
from django.db import models
from django.db.models import Q

Action = Literal["view", "manage", "reveal"]

TOWN_ADMIN = "town_admin"
LIAISON = "liaison"
SECRETARY = "secretary"
MEMBER = "member"
VISITOR = "visitor"

ROLE_LABELS = {
    TOWN_ADMIN: "镇党委管理员",
    LIAISON: "指导联络组成员",
    SECRETARY: "书记/党务工作者",
    MEMBER: "党员",
    VISITOR: "走访队员",
}


def _reduce_paths(paths: set[str]) -> tuple[str, ...]:
    """Drop paths already covered by an ancestor path in the set."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(sorted(kept))


@dataclass(frozen=True)
class Scope:
    """What one user may see and do, resolved once per request."""

    roles: frozenset[str] = frozenset()
    view_paths: tuple[str, ...] = ()
    manage_paths: tuple[str, ...] = ()
    reveal_paths: tuple[str, ...] = ()
    liaison_group_ids: tuple[int, ...] = ()
    member_id: int | None = None
    member_org_id: int | None = None
    superuser: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def paths(self, action: Action) -> tuple[str, ...]:
        return {"view": self.view_paths, "manage": self.manage_paths, "reveal": self.reveal_paths}[action]

    def covers(self, path: str, action: Action = "view") -> bool:
        return self.superuser or any(path.startswith(p) for p in self.paths(action))

    def has_role(self, *roles: str) -> bool:
        return self.superuser or bool(self.roles.intersection(roles))


ANONYMOUS = Scope()


def get_scope(user: Any) -> Scope:
    """The user's scope, computed with three queries and cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_qiangji_scope", None)
    if cached is not None:
        return cached
    RoleGrant = apps.get_model("accounts", "RoleGrant")
    Organization = apps.get_model("orgs", "Organization")
    Member = apps.get_model("members", "Member")

    roles: set[str] = set()
    view: set[str] = set()
    manage: set[str] = set()
    for role, path in RoleGrant.objects.filter(user=user).values_list("role", "organization__path"):
        roles.add(role)
        if role in (TOWN_ADMIN, SECRETARY):
            view.add(path)
            manage.add(path)
    liaison = list(Organization.objects.filter(liaison_groups__members=user).values_list("path", "liaison_groups__id"))
    if liaison:
        roles.add(LIAISON)
        view.update(path for path, _ in liaison)
    member = Member.objects.filter(user=user).values_list("pk", "organization_id").first()
    if member:
        roles.add(MEMBER)
    scope = Scope(
        roles=frozenset(roles),
        view_paths=_reduce_paths(view),
        manage_paths=_reduce_paths(manage),
        # Those who manage an organization's members need their full contact data; liaison
        # groups supervise and see it masked.
        reveal_paths=_reduce_paths(manage),
        liaison_group_ids=tuple(sorted({gid for _, gid in liaison})),
        member_id=member[0] if member else None,
        member_org_id=member[1] if member else None,
        superuser=user.is_superuser,
    )
    user._qiangji_scope = scope
    return scope


def forget_scope(user: Any) -> None:
    """Drop the cached scope after grants change within one request or test."""
    if hasattr(user, "_qiangji_scope"):
        del user._qiangji_scope


def subtree_q(lookup: str, paths: tuple[str, ...]) -> Q | None:
    if not paths:
        return None
    return reduce(or_, (Q(**{f"{lookup}__startswith": p}) for p in paths))


class ScopedQuerySet(models.QuerySet):
    """Base for every queryset that users list: `for_user` is the only way in.

    A subclass names the lookup of the organization path (`scope_path_lookup`) and may add
    rows a user sees by another right (`extra_scope_q`, e.g. a member's own record).
    """

    scope_path_lookup = "organization__path"

    def extra_scope_q(self, scope: Scope, action: Action) -> Q | None:
        return None

    def for_user(self, user: Any, action: Action = "view") -> "ScopedQuerySet":
        scope = get_scope(user)
        if scope.superuser:
            return self.all()
        parts = [
            q
            for q in (subtree_q(self.scope_path_lookup, scope.paths(action)), self.extra_scope_q(scope, action))
            if q is not None
        ]
        if not parts:
            return self.none()
        return self.filter(reduce(or_, parts))
