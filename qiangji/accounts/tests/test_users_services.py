"""The rules of each account service, with exact messages, and nothing written when refused."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from qiangji import factories as f
from qiangji.accounts.models import RoleGrant, User
from qiangji.accounts.selectors import users_administered
from qiangji.accounts.services import (
    api_token_issue,
    role_grant_create,
    role_grant_revoke,
    user_create,
    user_member_link,
    user_member_unlink,
    user_password_reset,
    user_update,
)
from qiangji.core.access import get_scope
from qiangji.core.errors import DomainError
from qiangji.core.models import AuditEvent

PASSWORD = "Qiangji-Test-2026"


def exactly(message: str) -> str:
    return f"^{re.escape(message)}$"


def account_events():
    return list(AuditEvent.objects.filter(action="account").order_by("id").values_list("username", "object_repr", "detail"))


@pytest.fixture
def admin(users):
    return users["town_admin"]


@pytest.fixture
def sub_admin(town):
    """A town admin of 东村党总支 only: the subtree scoping of the account pages."""
    user = f.UserFactory(username="sub_admin", display_name="东村管理员")
    f.grant(user, RoleGrant.Role.TOWN_ADMIN, town["village_a"])
    return user


# --- user_create ---------------------------------------------------------------------------


def test_user_create_sets_a_password_to_change_at_first_login(admin):
    account = user_create(by=admin, username="zhangsan", display_name="张三", password="Qiangji-New-2026")
    assert (account.username, account.display_name, account.must_change_password) == ("zhangsan", "张三", True)
    assert account.check_password("Qiangji-New-2026")
    assert account_events() == [("admin", "张三", {"op": "create"})]


def test_user_create_checks_the_password_policy(admin):
    with pytest.raises(DomainError) as error:
        user_create(by=admin, username="zhangsan", display_name="张三", password="zhangsan123")
    assert error.value.message == "密码跟 用户名 太相似了；密码须包含大写字母、小写字母、数字、符号中的至少三类"
    assert error.value.field == "password"
    assert not User.objects.filter(username="zhangsan").exists()
    assert account_events() == []


def test_user_create_refuses_a_taken_username_in_any_case(admin):
    with pytest.raises(DomainError, match=exactly("账号“ADMIN”已存在，请换一个账号名")):
        user_create(by=admin, username="ADMIN", display_name="重名", password="Qiangji-New-2026")
    assert User.objects.filter(username__iexact="admin").count() == 1


def test_a_new_account_is_sent_to_change_its_password(admin):
    user_create(by=admin, username="zhangsan", display_name="张三", password="Qiangji-New-2026")
    client = Client()
    assert client.post("/accounts/login/", {"username": "zhangsan", "password": "Qiangji-New-2026"})["Location"] == "/"
    assert client.get("/")["Location"] == "/accounts/password/?temporary=1"
    page = client.get("/accounts/password/?temporary=1").content.decode()
    assert "您正在使用管理员设置的初始密码或临时密码，请先设置只有您本人知道的新密码。" in page
    client.post(
        "/accounts/password/",
        {"old_password": "Qiangji-New-2026", "new_password1": "Zhangsan-Own-2026", "new_password2": "Zhangsan-Own-2026"},
    )
    assert User.objects.get(username="zhangsan").must_change_password is False
    assert client.get("/").status_code == 200


# --- user_update ---------------------------------------------------------------------------


def test_user_update_logs_what_changed(admin, users):
    account = users["secretary_a"]
    user_update(by=admin, account=account, display_name="王书记", is_active=False)
    account.refresh_from_db()
    assert (account.display_name, account.is_active) == ("王书记", False)
    assert account_events() == [
        ("admin", "王书记", {"op": "update", "changes": {"display_name": ["东村书记", "王书记"], "is_active": [True, False]}})
    ]


def test_user_update_without_change_logs_nothing(admin, users):
    user_update(by=admin, account=users["secretary_a"], display_name="东村书记", is_active=True)
    assert account_events() == []


def test_nobody_deactivates_themselves(admin):
    with pytest.raises(DomainError, match=exactly("不能停用本人的账号")):
        user_update(by=admin, account=admin, display_name="镇管理员", is_active=False)
    admin.refresh_from_db()
    assert admin.is_active and account_events() == []


def test_a_deactivated_account_can_neither_log_in_nor_use_its_tokens(admin, users):
    account = users["secretary_a"]
    _, key = api_token_issue(user=account, name="脚本")
    user_update(by=admin, account=account, display_name=account.display_name, is_active=False)
    response = Client().post("/accounts/login/", {"username": "sec_a", "password": PASSWORD})
    assert response.status_code == 200
    assert Client().get("/api/v1/organizations", headers={"Authorization": f"Bearer {key}"}).status_code == 401


# --- user_password_reset -------------------------------------------------------------------


def test_password_reset_gives_a_strong_temporary_password(admin, users):
    account = users["secretary_a"]
    session = Client()
    session.force_login(account)
    password = user_password_reset(by=admin, account=account)
    assert len(password) == 14 and password.count("-") == 2
    account.refresh_from_db()
    assert account.check_password(password) and account.must_change_password
    assert account_events() == [("admin", "东村书记", {"op": "password_reset"})]
    # The account's open sessions end with the old password.
    assert session.get("/")["Location"] == "/accounts/login/?next=/"


def test_password_reset_of_oneself_is_refused(admin):
    old = admin.password
    with pytest.raises(DomainError, match=exactly("本人的密码请在“修改密码”中修改")):
        user_password_reset(by=admin, account=admin)
    admin.refresh_from_db()
    assert admin.password == old


# --- role_grant_create / role_grant_revoke -------------------------------------------------


def test_grant_gives_the_role_on_the_subtree(admin, users, town):
    account = users["visitor"]
    grant = role_grant_create(user=account, role="secretary", organization=town["branch_a2"], title="副书记", by=admin)
    assert (grant.role, grant.organization, grant.title) == ("secretary", town["branch_a2"], "副书记")
    assert get_scope(account).manage_paths == (town["branch_a2"].path,)
    assert account_events() == [
        ("admin", "走访队员", {"op": "grant", "role": "secretary", "organization": "东村第二党支部", "title": "副书记"})
    ]


@pytest.mark.parametrize(
    ("role", "org", "title", "message"),
    [
        ("chairman", "branch_a2", "", "请选择角色"),
        ("secretary", "branch_a2", " ", "请填写职务，如书记、副书记、党务工作者"),
        ("secretary", "village_a", "书记", "该账号在“东村党总支”已有“书记/党务工作者”角色"),
    ],
)
def test_grant_refusals(admin, users, town, role, org, title, message):
    before = list(RoleGrant.objects.values_list("pk", flat=True))
    with pytest.raises(DomainError, match=exactly(message)):
        role_grant_create(user=users["secretary_a"], role=role, organization=town[org], title=title, by=admin)
    assert list(RoleGrant.objects.values_list("pk", flat=True)) == before


def test_no_grant_on_a_dissolved_organization(admin, users, town):
    town["branch_a2"].dissolved_on = dt.date(2025, 1, 1)
    town["branch_a2"].save()
    with pytest.raises(DomainError, match=exactly("不能在已撤销的党组织上授权")):
        role_grant_create(user=users["visitor"], role="visitor", organization=town["branch_a2"], by=admin)


def test_a_sub_admin_grants_only_within_their_subtree(sub_admin, users, town):
    with pytest.raises(DomainError, match=exactly("只能在您管理的党组织范围内操作")):
        role_grant_create(user=users["visitor"], role="visitor", organization=town["branch_b"], by=sub_admin)
    assert not RoleGrant.objects.filter(organization=town["branch_b"], user=users["visitor"]).exists()
    role_grant_create(user=users["visitor"], role="visitor", organization=town["branch_a1"], by=sub_admin)


def test_revoke_takes_the_role_away(admin, users):
    account = users["secretary_a"]
    assert get_scope(account).manage_paths
    role_grant_revoke(grant=account.grants.get(), by=admin)
    assert not account.grants.exists()
    assert get_scope(account).manage_paths == ()
    assert account_events() == [
        ("admin", "东村书记", {"op": "revoke", "role": "secretary", "organization": "东村党总支", "title": "书记"})
    ]


def test_an_admin_cannot_revoke_their_own_last_admin_role(admin):
    grant = admin.grants.get()
    with pytest.raises(DomainError, match=exactly("不能撤销本人唯一的镇党委管理员角色，如确需撤销，请由其他管理员操作")):
        role_grant_revoke(grant=grant, by=admin)
    assert RoleGrant.objects.filter(pk=grant.pk).exists() and account_events() == []


def test_an_admin_may_revoke_one_of_two_own_admin_roles(admin, town):
    second = f.grant(admin, RoleGrant.Role.TOWN_ADMIN, town["village_a"])
    role_grant_revoke(grant=second, by=admin)
    assert list(admin.grants.values_list("organization", flat=True)) == [town["town"].pk]


def test_another_admin_may_revoke_an_admins_last_role(admin, town):
    other = f.UserFactory(username="admin2")
    grant = f.grant(other, RoleGrant.Role.TOWN_ADMIN, town["town"])
    role_grant_revoke(grant=grant, by=admin)
    assert not other.grants.exists()


def test_a_sub_admin_cannot_revoke_outside_their_subtree(sub_admin, users):
    grant = users["secretary_b"].grants.get()
    with pytest.raises(DomainError, match=exactly("只能在您管理的党组织范围内操作")):
        role_grant_revoke(grant=grant, by=sub_admin)
    assert RoleGrant.objects.filter(pk=grant.pk).exists()


# --- user_member_link ----------------------------------------------------------------------


def test_linking_a_member_gives_the_member_role(admin, town):
    account = f.UserFactory(username="wangwu", display_name="")
    member = f.member(organization=town["branch_a2"], name="王五")
    user_member_link(account=account, member=member, by=admin)
    member.refresh_from_db()
    account.refresh_from_db()
    assert (member.user, account.display_name) == (account, "王五")
    assert "member" in get_scope(account).roles
    assert account_events() == [
        ("admin", "王五", {"op": "member_link", "member": "王五", "organization": "东村第二党支部", "replaced": ""})
    ]


def test_linking_another_member_replaces_the_previous_link(admin, users, town):
    account = users["member"]
    old = account.member
    new = f.member(organization=town["branch_a2"], name="李党员")
    user_member_link(account=account, member=new, by=admin)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.user, new.user) == (None, account)
    assert account_events()[-1][2]["replaced"] == "李党员"


def test_a_member_linked_to_someone_else_is_refused(admin, users):
    member = users["member"].member
    with pytest.raises(DomainError, match=exactly("党员“李党员”已关联账号“member”，请先在该账号中解除关联")):
        user_member_link(account=users["visitor"], member=member, by=admin)
    member.refresh_from_db()
    assert member.user == users["member"]


def test_a_sub_admin_links_only_members_of_their_subtree(sub_admin, users, town):
    member = f.member(organization=town["branch_b"], name="赵六")
    with pytest.raises(DomainError, match=exactly("只能在您管理的党组织范围内操作")):
        user_member_link(account=users["visitor"], member=member, by=sub_admin)
    member.refresh_from_db()
    assert member.user is None


def test_unlink_removes_the_member_role(admin, users):
    account = users["member"]
    user_member_unlink(account=account, by=admin)
    account.refresh_from_db()
    assert not hasattr(account, "member")
    assert "member" not in get_scope(account).roles


# --- which accounts an admin administers ---------------------------------------------------


def test_a_sub_admin_sees_the_accounts_of_their_subtree_and_unassigned_ones(sub_admin, users):
    f.UserFactory(username="loner")
    f.UserFactory(username="ops", is_staff=True)
    f.UserFactory(username="root", is_superuser=True)
    names = sorted(users_administered(user=sub_admin).values_list("username", flat=True))
    assert names == ["liaison", "loner", "member", "sec_a", "sub_admin"]


def test_a_town_admin_never_manages_superusers_or_operators(admin, client_as):
    root = f.UserFactory(username="root", is_superuser=True)
    ops = f.UserFactory(username="ops", is_staff=True)
    client = client_as(admin)
    for account in (root, ops):
        assert client.get(reverse("accounts:user_detail", args=[account.pk])).status_code == 404
        assert client.post(reverse("accounts:user_password_reset", args=[account.pk])).status_code == 404
    assert not User.objects.get(pk=root.pk).must_change_password


def test_a_sub_admin_gets_404_for_accounts_outside_their_subtree(sub_admin, users, client_as):
    response = client_as(sub_admin).get(reverse("accounts:user_detail", args=[users["secretary_b"].pk]))
    assert response.status_code == 404
