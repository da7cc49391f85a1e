"""Reads for the user-account pages: which accounts, organizations and members a town admin
administers, and an account's roles and record.

A town admin administers what lies under their town_admin grants: the organizations there, the
members of those organizations, and the accounts that hold any role there. Accounts with no role
at all (just created, or every role revoked) are listed too, so that they can be given one.
Superusers and operators' accounts (/ops/) are left to superusers: a town admin who could reset
their password could become one.
"""

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from qiangji.accounts.models import RoleGrant, TotpDevice, User
from qiangji.core.access import LIAISON, MEMBER, SECRETARY, TOWN_ADMIN, VISITOR, get_scope, subtree_q
from qiangji.core.models import AuditEvent
from qiangji.members.models import Member
from qiangji.orgs.models import LiaisonGroup, Organization

ROLE_FILTERS = {
    TOWN_ADMIN: "镇党委管理员",
    SECRETARY: "书记/党务工作者",
    LIAISON: "指导联络组成员",
    MEMBER: "党员（已关联党员信息）",
    VISITOR: "走访队员",
    "none": "未分配角色",
}
STATUS_FILTERS = {"active": "正常", "inactive": "已停用"}


def is_user_admin(user: Any) -> bool:
    """Who may open the account pages at all: town admins (and superusers)."""
    return get_scope(user).has_role(TOWN_ADMIN)


def _admin_paths(user: Any) -> tuple[str, ...] | None:
    """Paths of the user's town_admin grants; None means everything (a superuser)."""
    if get_scope(user).superuser:
        return None
    return tuple(RoleGrant.objects.filter(user=user, role=TOWN_ADMIN).values_list("organization__path", flat=True))


def organizations_administered(*, user: Any) -> QuerySet[Organization]:
    paths = _admin_paths(user)
    if paths is None:
        return Organization.objects.all()
    q = subtree_q("path", paths)
    return Organization.objects.filter(q) if q is not None else Organization.objects.none()


def admin_covers(user: Any, organization: Organization) -> bool:
    paths = _admin_paths(user)
    return paths is None or any(organization.path.startswith(p) for p in paths)


def _has_role_q(role: str, organizations: QuerySet[Organization] | None = None) -> Exists:
    """Accounts holding `role` (on one of `organizations`, or anywhere when None)."""
    if role in (TOWN_ADMIN, SECRETARY, VISITOR, "any_grant"):
        rows = RoleGrant.objects.filter(user=OuterRef("pk"))
        if role != "any_grant":
            rows = rows.filter(role=role)
        if organizations is not None:
            rows = rows.filter(organization__in=organizations)
    elif role == LIAISON:
        rows = LiaisonGroup.objects.filter(members=OuterRef("pk"))
        if organizations is not None:
            rows = rows.filter(organizations__in=organizations)
    else:
        rows = Member.objects.filter(user=OuterRef("pk"))
        if organizations is not None:
            rows = rows.filter(organization__in=organizations)
    return Exists(rows)


def _no_role_q() -> Q:
    return ~Q(_has_role_q("any_grant")) & ~Q(_has_role_q(LIAISON)) & ~Q(_has_role_q(MEMBER))


def users_administered(*, user: Any) -> QuerySet[User]:
    """Every account the user may manage on the account pages (none for a non-admin)."""
    scope = get_scope(user)
    if not scope.has_role(TOWN_ADMIN):
        return User.objects.none()
    if scope.superuser:
        return User.objects.all()
    organizations = organizations_administered(user=user)
    reach = reduce(or_, (Q(_has_role_q(role, organizations)) for role in ("any_grant", LIAISON, MEMBER)))
    return User.objects.filter(reach | _no_role_q()).exclude(is_superuser=True).exclude(is_staff=True)


def users_list(*, user: Any, q: str = "", role: str = "", status: str = "") -> QuerySet[User]:
    """The account list: search by account or name, filter by role and status, roles prefetched."""
    qs = users_administered(user=user)
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    if role == "none":
        qs = qs.filter(_no_role_q())
    elif role in ROLE_FILTERS:
        qs = qs.filter(_has_role_q(role))
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    return with_roles(qs).order_by("username")


def with_roles(qs: QuerySet[User]) -> QuerySet[User]:
    """Grants (with organization), liaison groups, the linked member and the 2FA device, in a
    fixed number of queries whatever the page size."""
    return qs.select_related("member", "member__organization", "totp_device").prefetch_related(
        Prefetch("grants", queryset=RoleGrant.objects.select_related("organization").order_by("organization__path", "role")),
        Prefetch("liaison_groups", queryset=LiaisonGroup.objects.order_by("name")),
    )


def get_user_for_admin(user: Any, pk: int) -> User:
    """404 alike for a missing account and one the user may not manage."""
    return get_object_or_404(with_roles(users_administered(user=user)), pk=pk)


def get_grant_for_admin(user: Any, account: User, pk: int) -> RoleGrant:
    return get_object_or_404(
        RoleGrant.objects.filter(user=account, organization__in=organizations_administered(user=user)).select_related(
            "organization"
        ),
        pk=pk,
    )


def grant_organization_choices(*, user: Any) -> list[tuple[int, str, int]]:
    """(pk, name, depth) of active organizations a role may be granted on, in tree order.

    Party groups are left out: a role there would cover nothing a branch role does not.
    """
    qs = organizations_administered(user=user).filter(dissolved_on__isnull=True).exclude(kind=Organization.Kind.GROUP)
    return list(qs.order_by("path").values_list("pk", "name", "depth"))


def members_linkable(*, user: Any, q: str, limit: int = 20) -> list[Member]:
    """Members the admin may link to an account, found by name, initials or full ID number."""
    if not q:
        return []
    qs = Member.objects.filter(organization__in=organizations_administered(user=user)).search(q)
    return list(qs.select_related("organization", "user").order_by("organization__path", "name", "pk")[:limit])


def get_member_for_admin(user: Any, pk: int) -> Member:
    return get_object_or_404(
        Member.objects.filter(organization__in=organizations_administered(user=user)).select_related("organization", "user"),
        pk=pk,
    )


def account_events(account: User, limit: int = 50) -> QuerySet[AuditEvent]:
    """What was done to the account (account management) and its logins, newest first."""
    done_to = Q(object_type=User._meta.label, object_id=str(account.pk), action=AuditEvent.Action.ACCOUNT)
    logins = Q(
        username__iexact=account.username,
        action__in=[AuditEvent.Action.LOGIN, AuditEvent.Action.LOGIN_FAILED, AuditEvent.Action.LOCKED],
    )
    return AuditEvent.objects.filter(done_to | logins).select_related("user")[:limit]


def totp_device_of(user: Any) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user).first()
