"""Writes on user accounts by a town admin: accounts, passwords, role grants, member links.

Each write leaves an "account" event in the audit log (who did what to which account), which
the account's page shows as its history.
"""

import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from qiangji.accounts.models import RoleGrant, User
from qiangji.accounts.selectors import admin_covers
from qiangji.accounts.services.events import account_event
from qiangji.core.access import SECRETARY, TOWN_ADMIN, forget_scope
from qiangji.core.concurrency import lock_current
from qiangji.core.errors import DomainError
from qiangji.members.models import Member
from qiangji.orgs.models import Organization

# No 0/O, 1/l/I: a temporary password is read out over the phone or copied from a screen.
_TEMP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


def _check_password(password: str, account: User) -> None:
    try:
        validate_password(password, account)
    except ValidationError as exc:
        raise DomainError("；".join(m.rstrip("。") for m in exc.messages), field="password") from exc


def _temporary_password(account: User) -> str:
    """Three groups of four, e.g. "Kx7m-Pq3r-Tz9w": strong enough for the policy, easy to type."""
    while True:
        password = "-".join("".join(secrets.choice(_TEMP_ALPHABET) for _ in range(4)) for _ in range(3))
        try:
            validate_password(password, account)
        except ValidationError:
            continue
        return password


@transaction.atomic
def user_create(*, by: Any, username: str, display_name: str, password: str, request: HttpRequest | None = None) -> User:
    """A new account with an initial password its owner must change at the first login."""
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(f"账号“{username}”已存在，请换一个账号名", field="username")
    account = User(username=username, display_name=display_name.strip())
    _check_password(password, account)
    account.set_password(password)
    account.must_change_password = True
    account.save()
    account_event(by=by, account=account, op="create", request=request)
    return account


@transaction.atomic
def user_update(
    *,
    by: Any,
    account: User,
    display_name: str,
    is_active: bool,
    request: HttpRequest | None = None,
    expected_version: int | None = None,
) -> User:
    """Change the name or (de)activate. A deactivated account can no longer log in or use tokens.

    `expected_version`: the version the administrator read; a later one raises StaleEdit."""
    lock_current(account, expected_version)
    if account.pk == getattr(by, "pk", None) and not is_active:
        raise DomainError("不能停用本人的账号", field="is_active")
    before = {"display_name": account.display_name, "is_active": account.is_active}
    account.display_name, account.is_active = display_name.strip(), is_active
    after = {"display_name": account.display_name, "is_active": account.is_active}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        account.save(update_fields=list(changes))
        account_event(by=by, account=account, op="update", request=request, changes=changes)
    return account


@transaction.atomic
def user_password_reset(*, by: Any, account: User, request: HttpRequest | None = None) -> str:
    """Give the account a new temporary password, returned once to be handed to its owner.

    Changing the password ends the account's other sessions (Django checks a hash of it), and the
    owner must choose their own password at the next login.
    """
    if account.pk == getattr(by, "pk", None):
        raise DomainError("本人的密码请在“修改密码”中修改")
    password = _temporary_password(account)
    account.set_password(password)
    account.must_change_password = True
    account.save(update_fields=["password", "password_changed_at", "must_change_password"])
    account_event(by=by, account=account, op="password_reset", request=request)
    return password


def _check_covers(by: Any, organization: Organization) -> None:
    if by is not None and not admin_covers(by, organization):
        raise DomainError("只能在您管理的党组织范围内操作", field="organization")


@transaction.atomic
def role_grant_create(
    *,
    user: User,
    role: str,
    organization: Organization,
    title: str = "",
    by: Any = None,
    request: HttpRequest | None = None,
) -> RoleGrant:
    """Grant a role on an organization (covering its subtree). `by` None: a command or the demo."""
    if role not in RoleGrant.Role.values:
        raise DomainError("请选择角色", field="role")
    title = title.strip()
    if role == SECRETARY and not title:
        raise DomainError("请填写职务，如书记、副书记、党务工作者", field="title")
    if organization.dissolved_on:
        raise DomainError("不能在已撤销的党组织上授权", field="organization")
    _check_covers(by, organization)
    if RoleGrant.objects.filter(user=user, role=role, organization=organization).exists():
        raise DomainError(f"该账号在“{organization.name}”已有“{RoleGrant.Role(role).label}”角色", field="role")
    grant = RoleGrant.objects.create(user=user, role=role, organization=organization, title=title)
    forget_scope(user)
    account_event(by=by, account=user, op="grant", request=request, role=role, organization=organization.name, title=title)
    return grant


@transaction.atomic
def role_grant_revoke(*, grant: RoleGrant, by: Any, request: HttpRequest | None = None) -> None:
    """Take a role back. Nobody removes their own last town_admin grant: the town would risk being
    left without anyone able to manage accounts, and another admin can always do it."""
    own = grant.user_id == getattr(by, "pk", None)
    if own and grant.role == TOWN_ADMIN and not by.is_superuser:
        others = RoleGrant.objects.filter(user_id=grant.user_id, role=TOWN_ADMIN).exclude(pk=grant.pk)
        if not others.exists():
            raise DomainError("不能撤销本人唯一的镇党委管理员角色，如确需撤销，请由其他管理员操作")
    _check_covers(by, grant.organization)
    account = grant.user
    detail = {"role": grant.role, "organization": grant.organization.name, "title": grant.title}
    grant.delete()
    forget_scope(account)
    account_event(by=by, account=account, op="revoke", request=request, **detail)


@transaction.atomic
def user_member_link(*, account: User, member: Member, by: Any, request: HttpRequest | None = None) -> Member:
    """Make the account this member's login, so that its owner gets the party-member role.

    An account is one person: a member already linked elsewhere must be unlinked there first,
    and linking another member to this account replaces its previous link.
    """
    _check_covers(by, member.organization)
    if member.user_id == account.pk:
        return member
    if member.user_id is not None:
        raise DomainError(f"党员“{member.name}”已关联账号“{member.user.username}”，请先在该账号中解除关联", field="member")
    previous = Member.objects.filter(user=account).first()
    if previous is not None:
        previous.user = None
        previous.save(update_fields=["user", "updated_at"])
    member.user = account
    member.save(update_fields=["user", "updated_at"])
    if not account.display_name:
        account.display_name = member.name
        account.save(update_fields=["display_name"])
    forget_scope(account)
    account_event(
        by=by,
        account=account,
        op="member_link",
        request=request,
        member=member.name,
        organization=member.organization.name,
        replaced=previous.name if previous else "",
    )
    return member


@transaction.atomic
def user_member_unlink(*, account: User, by: Any, request: HttpRequest | None = None) -> None:
    member = Member.objects.filter(user=account).select_related("organization").first()
    if member is None:
        return
    _check_covers(by, member.organization)
    member.user = None
    member.save(update_fields=["user", "updated_at"])
    forget_scope(account)
    account_event(
        by=by, account=account, op="member_unlink", request=request, member=member.name, organization=member.organization.name
    )
