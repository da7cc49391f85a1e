"""The account pages: town admins only (404 for every other role), nothing changed on a denied
POST, and what each page shows and does."""

import pytest
from django.urls import reverse

from qiangji import factories as f
from qiangji.accounts.models import RoleGrant, TotpDevice, User
from qiangji.accounts.services import totp_device_begin
from qiangji.core.models import AuditEvent
from qiangji.members.models import Member

ROLES = ("town_admin", "liaison", "secretary_a", "secretary_b", "member", "visitor", "anonymous")
NOT_ADMINS = ("liaison", "secretary_a", "secretary_b", "member", "visitor")


@pytest.fixture
def target(users):
    """The account the pages act on: secretary of 东村党总支."""
    return users["secretary_a"]


def _pages(target):
    return [
        reverse("accounts:users"),
        reverse("accounts:user_create"),
        reverse("accounts:user_detail", args=[target.pk]),
        reverse("accounts:user_edit", args=[target.pk]),
        reverse("accounts:user_member", args=[target.pk]) + "?q=李",
    ]


def _posts(town, target, member):
    return [
        (
            reverse("accounts:user_create"),
            {"username": "newbie", "display_name": "新人", "password1": "Qiangji-New-2026", "password2": "Qiangji-New-2026"},
        ),
        (reverse("accounts:user_edit", args=[target.pk]), {"display_name": "改名", "is_active": "", "version": "1"}),
        (reverse("accounts:user_password_reset", args=[target.pk]), {}),
        (reverse("accounts:user_grant", args=[target.pk]), {"role": "visitor", "organization": town["town"].pk}),
        (reverse("accounts:user_grant_revoke", args=[target.pk, target.grants.get().pk]), {}),
        (reverse("accounts:user_member", args=[target.pk]), {"member": member.pk}),
        (reverse("accounts:user_member_unlink", args=[target.pk]), {}),
        (reverse("accounts:user_second_factor_reset", args=[target.pk]), {}),
    ]


def _state():
    return (
        list(
            User.objects.order_by("pk").values_list("username", "display_name", "is_active", "password", "must_change_password")
        ),
        list(RoleGrant.objects.order_by("pk").values_list("user", "role", "organization", "title")),
        list(Member.objects.order_by("pk").values_list("pk", "user")),
        list(TotpDevice.objects.values_list("user", "confirmed_at")),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("role", ROLES)
def test_pages_are_for_town_admins_only(client_as, users, target, role):
    client = client_as(users[role])
    for url in _pages(target):
        response = client.get(url)
        if role == "town_admin":
            assert response.status_code == 200, url
        elif role == "anonymous":
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("accounts:login") + "?next="), url
        else:
            assert response.status_code == 404, url


@pytest.mark.parametrize("role", [*NOT_ADMINS, "anonymous"])
def test_denied_posts_change_nothing(client_as, users, town, target, role):
    member = f.member(organization=town["branch_a2"], name="王五")
    totp_device_begin(user=target)
    before = _state()
    client = client_as(users[role])
    for url, data in _posts(town, target, member):
        response = client.post(url, data)
        assert response.status_code == (302 if role == "anonymous" else 404), url
    assert _state() == before


def test_the_menu_shows_the_entry_to_town_admins_only(client_as, users):
    assert "用户与权限" in client_as(users["town_admin"]).get("/").content.decode()
    assert "用户与权限" not in client_as(users["secretary_a"]).get("/").content.decode()


def test_list_shows_each_account_with_its_roles(client_as, users):
    response = client_as(users["town_admin"]).get(reverse("accounts:users"))
    page = response.context["page"]
    assert [u.username for u in page] == ["admin", "liaison", "member", "sec_a", "sec_b", "visitor"]
    html = response.content.decode()
    assert '东村党总支<span class="text-muted">（书记）</span>' in html
    assert "第一指导联络组" in html
    assert '李党员<span class="text-muted">（东村第一党支部）</span>' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=sec", ["sec_a", "sec_b"]),
        ("?q=书记", ["sec_a", "sec_b"]),
        ("?q=东村", ["sec_a"]),
        ("?role=town_admin", ["admin"]),
        ("?role=secretary", ["sec_a", "sec_b"]),
        ("?role=liaison", ["liaison"]),
        ("?role=member", ["member"]),
        ("?role=visitor", ["visitor"]),
        ("?role=none", ["loner"]),
        ("?status=inactive", ["loner"]),
        ("?role=nonsense", ["admin", "liaison", "loner", "member", "sec_a", "sec_b", "visitor"]),
    ],
)
def test_list_filters(client_as, users, query, expected):
    f.UserFactory(username="loner", display_name="无角色", is_active=False)
    response = client_as(users["town_admin"]).get(reverse("accounts:users") + query)
    assert [u.username for u in response.context["page"]] == expected


def test_list_is_paged_and_htmx_gets_the_table_only(client_as, users):
    for i in range(25):
        f.UserFactory(username=f"zz{i:02d}")
    client = client_as(users["town_admin"])
    page2 = client.get(reverse("accounts:users") + "?page=2")
    assert [u.username for u in page2.context["page"]] == ["zz14", *[f"zz{i:02d}" for i in range(15, 25)]]
    fragment = client.get(reverse("accounts:users") + "?q=zz", headers={"HX-Request": "true"})
    assert fragment.templates[0].name == "accounts/users/_table.html"
    assert "<html" not in fragment.content.decode()


def test_list_query_count_does_not_grow_with_accounts(client_as, users, town, django_assert_num_queries):
    client = client_as(users["town_admin"])
    url = reverse("accounts:users")
    client.get(url)
    with django_assert_num_queries(11) as small:  # + the inbox's unread count
        client.get(url)
    for i in range(12):
        account = f.UserFactory(username=f"many{i}")
        f.grant(account, RoleGrant.Role.SECRETARY, town["branch_a2"], title="党务工作者")
        f.member(organization=town["branch_a2"], name=f"党员{i}", user=account)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


def test_create_page_makes_an_account_that_must_change_its_password(client_as, users):
    response = client_as(users["town_admin"]).post(
        reverse("accounts:user_create"),
        {"username": " zhangsan ", "display_name": "张三", "password1": "Qiangji-New-2026", "password2": "Qiangji-New-2026"},
    )
    account = User.objects.get(username="zhangsan")
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:user_detail", args=[account.pk]))
    assert (account.display_name, account.must_change_password, account.check_password("Qiangji-New-2026")) == (
        "张三",
        True,
        True,
    )


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"password1": "abcdefghijkl", "password2": "abcdefghijkl"},
            {"password1": ["密码须包含大写字母、小写字母、数字、符号中的至少三类"]},
        ),
        ({"password2": "Qiangji-Other-2026"}, {"password2": ["两次输入的密码不一致"]}),
        ({"username": "SEC_A"}, {"username": ["账号“SEC_A”已存在，请换一个账号名"]}),
        ({"username": "张 三!"}, {"username": ["账号只能包含字母、数字和 @ . + - _ 符号"]}),
        ({"display_name": "  "}, {"display_name": ["姓名未填写"]}),
    ],
)
def test_create_page_refuses_bad_input_and_creates_nothing(client_as, users, data, errors):
    before = User.objects.count()
    base = {"username": "zhangsan", "display_name": "张三", "password1": "Qiangji-New-2026", "password2": "Qiangji-New-2026"}
    response = client_as(users["town_admin"]).post(reverse("accounts:user_create"), base | data)
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert User.objects.count() == before


def test_edit_page_renames_and_deactivates(client_as, users, target):
    response = client_as(users["town_admin"]).post(
        reverse("accounts:user_edit", args=[target.pk]), {"display_name": "东村书记（已调离）", "version": target.version}
    )
    assert response["Location"] == reverse("accounts:user_detail", args=[target.pk])
    target.refresh_from_db()
    assert (target.display_name, target.is_active) == ("东村书记(已调离)", False)  # full-width brackets folded, as everywhere


def test_edit_page_refuses_to_deactivate_oneself(client_as, users):
    admin = users["town_admin"]
    data = {"display_name": "镇管理员", "version": admin.version}
    response = client_as(admin).post(reverse("accounts:user_edit", args=[admin.pk]), data)
    assert response.context["form"].errors == {"is_active": ["不能停用本人的账号"]}
    admin.refresh_from_db()
    assert admin.is_active


def test_password_reset_shows_the_temporary_password_once(client_as, users, target):
    client = client_as(users["town_admin"])
    response = client.post(reverse("accounts:user_password_reset", args=[target.pk]))
    assert response.status_code == 200
    password = response.context["password"]
    assert password in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    target.refresh_from_db()
    assert target.check_password(password) and target.must_change_password
    page = client.get(reverse("accounts:user_detail", args=[target.pk])).content.decode()
    assert password not in page
    assert "重置密码" in page
    assert password not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_password_reset_needs_post(client_as, users, target):
    password = target.password
    assert client_as(users["town_admin"]).get(reverse("accounts:user_password_reset", args=[target.pk])).status_code == 405
    target.refresh_from_db()
    assert target.password == password


def test_grant_form_grants_and_shows_errors_in_place(client_as, users, town, target):
    client = client_as(users["town_admin"])
    url = reverse("accounts:user_grant", args=[target.pk])
    response = client.post(url, {"role": "secretary", "organization": town["branch_b"].pk, "title": ""})
    assert response.status_code == 200
    assert response.context["grant_form"].errors == {"title": ["请填写职务，如书记、副书记、党务工作者"]}
    response = client.post(url, {"role": "secretary", "organization": town["branch_b"].pk, "title": "副书记"})
    assert response["Location"] == reverse("accounts:user_detail", args=[target.pk])
    assert list(target.grants.order_by("pk").values_list("organization__name", "title")) == [
        ("东村党总支", "书记"),
        ("竖新镇某某公司党支部", "副书记"),
    ]


def test_revoke_button_removes_the_grant(client_as, users, target):
    grant = target.grants.get()
    response = client_as(users["town_admin"]).post(reverse("accounts:user_grant_revoke", args=[target.pk, grant.pk]))
    assert response["Location"] == reverse("accounts:user_detail", args=[target.pk])
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()


def test_revoking_ones_own_last_admin_role_is_refused_with_a_message(client_as, users):
    admin = users["town_admin"]
    grant = admin.grants.get()
    client = client_as(admin)
    response = client.post(reverse("accounts:user_grant_revoke", args=[admin.pk, grant.pk]), follow=True)
    assert "不能撤销本人唯一的镇党委管理员角色，如确需撤销，请由其他管理员操作" in response.content.decode()
    assert RoleGrant.objects.filter(pk=grant.pk).exists()


def test_a_grant_of_another_account_is_404(client_as, users, target):
    other = users["secretary_b"].grants.get()
    response = client_as(users["town_admin"]).post(reverse("accounts:user_grant_revoke", args=[target.pk, other.pk]))
    assert response.status_code == 404
    assert RoleGrant.objects.filter(pk=other.pk).exists()


def test_member_search_and_link(client_as, users, town, target):
    wang = f.member(organization=town["branch_a2"], name="王建国")
    client = client_as(users["town_admin"])
    found = client.get(reverse("accounts:user_member", args=[target.pk]) + "?q=王建", headers={"HX-Request": "true"})
    assert list(found.context["results"]) == [wang]
    assert "王建国" in found.content.decode()
    response = client.post(reverse("accounts:user_member", args=[target.pk]), {"member": wang.pk})
    assert response["Location"] == reverse("accounts:user_detail", args=[target.pk])
    wang.refresh_from_db()
    assert wang.user == target
    unlink = client.post(reverse("accounts:user_member_unlink", args=[target.pk]))
    assert unlink.status_code == 302
    wang.refresh_from_db()
    assert wang.user is None


def test_linking_an_unknown_member_is_404(client_as, users, target):
    response = client_as(users["town_admin"]).post(reverse("accounts:user_member", args=[target.pk]), {"member": "x"})
    assert response.status_code == 404


def test_second_factor_reset_from_the_page(client_as, users, town):
    other_admin = f.UserFactory(username="admin2", display_name="另一管理员")
    f.grant(other_admin, RoleGrant.Role.TOWN_ADMIN, town["town"])
    totp_device_begin(user=other_admin)
    client = client_as(users["town_admin"])
    page = client.get(reverse("accounts:user_detail", args=[other_admin.pk])).content.decode()
    assert "重置双因素认证" in page
    response = client.post(reverse("accounts:user_second_factor_reset", args=[other_admin.pk]))
    assert response["Location"] == reverse("accounts:user_detail", args=[other_admin.pk])
    assert not TotpDevice.objects.filter(user=other_admin).exists()


def test_detail_shows_what_was_done_to_the_account(client_as, users, target):
    client = client_as(users["town_admin"])
    client.post(reverse("accounts:user_password_reset", args=[target.pk]))
    events = client.get(reverse("accounts:user_detail", args=[target.pk])).context["events"]
    assert [(e.summary, e.user) for e in events] == [("重置密码", users["town_admin"])]


def test_a_stale_account_edit_is_refused_and_the_first_stays(client_as, users, target, freeze_day, form_post):
    freeze_day("2026-11-25")
    url = reverse("accounts:user_edit", args=[target.pk])
    a, b = client_as(users["town_admin"]), client_as(users["town_admin"])
    a_form = a.get(url).context["form"]
    assert b.post(url, form_post(b.get(url).context["form"], is_active=None)).status_code == 302

    response = a.post(url, form_post(a_form, display_name="东村书记（已调离）"))

    form = response.context["form"]
    assert form.non_field_errors() == [
        "保存失败：这条记录在您打开后已被 镇管理员 于 2026-11-25 10:00 修改，以下是现在的内容，请核对后再保存。"
    ]
    assert dict(form.stale.shown) == {"姓名": "东村书记", "有效": "否"}
    target.refresh_from_db()
    assert (target.display_name, target.is_active, target.version) == ("东村书记", False, 2)


def test_a_login_does_not_make_an_open_edit_page_stale(client_as, users, target, form_post):
    url = reverse("accounts:user_edit", args=[target.pk])
    admin = client_as(users["town_admin"])
    page_form = admin.get(url).context["form"]
    target.last_login = None
    target.save(update_fields=["last_login"])  # what a login writes

    assert admin.post(url, form_post(page_form, display_name="东村书记（已调离）")).status_code == 302
    target.refresh_from_db()
    assert (target.display_name, target.version) == ("东村书记(已调离)", 2)
