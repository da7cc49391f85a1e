"""The ten roles (十员) of a grid: a role needs a kind and a name (or an account to take it from),
the same person or account twice in one role is refused, only the town edits; the grid's page per
role."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from qiangji import factories as f
from qiangji.campaign.models import GridRole
from qiangji.campaign.services.carriers import grid_role_add, grid_role_remove
from qiangji.core.errors import DomainError

READERS = ["liaison", "secretary_a", "secretary_b", "visitor"]


def roles(grid):
    return list(GridRole.objects.filter(grid=grid).order_by("id").values_list("role", "name", "unit"))


def linked(grid):
    return list(GridRole.objects.filter(grid=grid).order_by("id").values_list("role", "name", "user__username"))


@pytest.fixture
def instructor(places, users):
    return grid_role_add(
        by=users["town_admin"], grid=places["grid1"], data={"role": "instructor", "name": "周指导员", "unit": "竖新镇党建办"}
    )


def test_the_town_names_people_to_a_grids_roles(places, users, instructor):
    grid_role_add(by=users["town_admin"], grid=places["grid1"], data={"role": "mediator", "name": " 吴 调解员 ", "unit": ""})
    # The same name in another role, or in the same role of another grid, is another post.
    grid_role_add(by=users["town_admin"], grid=places["grid1"], data={"role": "volunteer", "name": "周指导员"})
    grid_role_add(by=users["town_admin"], grid=places["grid2"], data={"role": "instructor", "name": "周指导员"})
    assert roles(places["grid1"]) == [
        ("instructor", "周指导员", "竖新镇党建办"),
        ("mediator", "吴 调解员", ""),
        ("volunteer", "周指导员", ""),
    ]
    assert roles(places["grid2"]) == [("instructor", "周指导员", "")]


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"role": "", "name": "王五"}, "role", "请选择十员类别"),
        ({"role": "captain", "name": "王五"}, "role", "请选择十员类别"),
        ({"role": "liaison", "name": "  "}, "name", "请填写姓名"),
        ({"role": "liaison", "name": "名" * 51}, "name", "姓名不能超过50个字"),
        ({"role": "instructor", "name": "周指导员"}, "name", "第一网格的党建指导员中已有“周指导员”"),
    ],
)
def test_bad_roles_are_refused_and_nothing_changes(places, users, instructor, data, field, message):
    with pytest.raises(DomainError) as error:
        grid_role_add(by=users["town_admin"], grid=places["grid1"], data=data)
    assert (error.value.field, error.value.message) == (field, message)
    assert roles(places["grid1"]) == [("instructor", "周指导员", "竖新镇党建办")]


@pytest.fixture
def zhidao(db):
    return f.UserFactory(username="zhidao1", display_name="陈指导员")


def test_a_role_can_be_linked_to_an_account(places, users, instructor, zhidao):
    admin, grid = users["town_admin"], places["grid1"]
    # No name given: the post takes the account's name; a name given stays the post's.
    person = grid_role_add(by=admin, grid=grid, data={"role": "instructor", "name": " ", "user": zhidao, "unit": "镇党建办"})
    assert (person.name, person.user) == ("陈指导员", zhidao)
    grid_role_add(by=admin, grid=grid, data={"role": "liaison", "name": "陈老师", "user": zhidao})
    # An account without a display name gives its username.
    plain = f.UserFactory(username="wangwu", display_name="")
    grid_role_add(by=admin, grid=places["grid2"], data={"role": "volunteer", "user": plain})
    assert linked(grid) == [
        ("instructor", "周指导员", None),
        ("instructor", "陈指导员", "zhidao1"),
        ("liaison", "陈老师", "zhidao1"),
    ]
    assert linked(places["grid2"]) == [("volunteer", "wangwu", "wangwu")]


def test_a_bad_account_is_refused_and_nothing_changes(places, users, instructor, zhidao):
    admin, grid = users["town_admin"], places["grid1"]
    grid_role_add(by=admin, grid=grid, data={"role": "instructor", "user": zhidao})
    before = linked(grid)
    with pytest.raises(DomainError) as error:
        grid_role_add(by=admin, grid=grid, data={"role": "instructor", "name": "另一个名字", "user": zhidao})
    assert (error.value.field, error.value.message) == ("user", "第一网格的党建指导员中已关联账号“zhidao1”")
    gone = f.UserFactory(username="tuixiu", display_name="退休干部", is_active=False)
    with pytest.raises(DomainError) as error:
        grid_role_add(by=admin, grid=grid, data={"role": "volunteer", "user": gone})
    assert (error.value.field, error.value.message) == ("user", "账号“tuixiu”已停用，不能关联")
    assert linked(grid) == before == [("instructor", "周指导员", None), ("instructor", "陈指导员", "zhidao1")]


def test_removing_a_role_twice_is_refused(places, users, instructor):
    grid_role_remove(by=users["town_admin"], role=instructor)
    assert roles(places["grid1"]) == []
    with pytest.raises(DomainError, match="该人员已不在网格十员中"):
        grid_role_remove(by=users["town_admin"], role=instructor)


@pytest.mark.parametrize("role", [*READERS, "member", "anonymous"])
def test_only_the_town_edits_roles(places, users, instructor, role):
    with pytest.raises(PermissionDenied):
        grid_role_add(by=users[role], grid=places["grid1"], data={"role": "liaison", "name": "王五"})
    with pytest.raises(PermissionDenied):
        grid_role_remove(by=users[role], role=instructor)
    assert roles(places["grid1"]) == [("instructor", "周指导员", "竖新镇党建办")]


# Pages -----------------------------------------------------------------------------------------


def test_the_town_adds_and_removes_roles_on_the_grids_page(client_as, users, places, instructor):
    client = client_as(users["town_admin"])
    url = reverse("campaign:grid_roles", args=[places["grid1"].pk])
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "周指导员" in body and "东村、西村" in body and "已配备1/10类" in body
    added = client.post(url, {"role": "security", "name": "郑安全员", "unit": "东村"}, HTTP_HX_REQUEST="true")
    assert added.status_code == 200
    assert added.templates[0].name == "campaign/_gridrole_table.html"
    assert "已添加安全员郑安全员。" in added.content.decode()
    refused = client.post(url, {"role": "security", "name": "郑安全员"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200
    assert "第一网格的安全员中已有“郑安全员”" in refused.content.decode()
    assert roles(places["grid1"]) == [("instructor", "周指导员", "竖新镇党建办"), ("security", "郑安全员", "东村")]
    person = GridRole.objects.get(name="郑安全员")
    removed = client.post(reverse("campaign:grid_role_remove", args=[places["grid1"].pk, person.pk]))
    assert removed.status_code == 302 and removed.url == url
    assert roles(places["grid1"]) == [("instructor", "周指导员", "竖新镇党建办")]


def test_the_town_links_an_account_on_the_grids_page(client_as, users, places, instructor, zhidao):
    client = client_as(users["town_admin"])
    url = reverse("campaign:grid_roles", args=[places["grid1"].pk])
    page = client.get(url).content.decode()
    assert "关联账号（可选）" in page and f'<option value="{zhidao.pk}">陈指导员（zhidao1）</option>' in page
    f.UserFactory(username="tuixiu", display_name="退休干部", is_active=False)
    assert "tuixiu" not in page and "退休干部" not in client.get(url).content.decode()
    added = client.post(url, {"role": "instructor", "name": "", "unit": "镇党建办", "user": zhidao.pk}, HTTP_HX_REQUEST="true")
    assert added.status_code == 200
    body = added.content.decode()
    assert "已添加党建指导员陈指导员。" in body and "账号 zhidao1" in body
    refused = client.post(url, {"role": "instructor", "name": "陈老师", "user": zhidao.pk}, HTTP_HX_REQUEST="true")
    assert "第一网格的党建指导员中已关联账号“zhidao1”" in refused.content.decode()
    assert linked(places["grid1"]) == [("instructor", "周指导员", None), ("instructor", "陈指导员", "zhidao1")]
    # Readers see the post, not the account.
    reader = client_as(users["secretary_a"]).get(url).content.decode()
    assert "陈指导员" in reader and "zhidao1" not in reader


def test_an_inactive_account_is_refused_on_the_page(client_as, users, places, instructor):
    gone = f.UserFactory(username="tuixiu", display_name="退休干部", is_active=False)
    response = client_as(users["town_admin"]).post(
        reverse("campaign:grid_roles", args=[places["grid1"].pk]), {"role": "liaison", "name": "", "user": gone.pk}
    )
    assert response.status_code == 400
    assert response.context["role_form"].errors == {"user": ["该账号已不可选（可能已停用），请重新选择"]}
    assert linked(places["grid1"]) == [("instructor", "周指导员", None)]


@pytest.mark.parametrize("role", [*READERS, "member", "anonymous"])
def test_only_the_town_links_accounts_on_the_page(client_as, users, places, instructor, zhidao, role):
    url = reverse("campaign:grid_roles", args=[places["grid1"].pk])
    response = client_as(users[role]).post(url, {"role": "liaison", "name": "", "user": zhidao.pk})
    expected = {"member": 404, "anonymous": 302}.get(role, 403)
    assert response.status_code == expected
    assert linked(places["grid1"]) == [("instructor", "周指导员", None)]


def test_a_role_of_another_grid_cannot_be_removed_through_this_one(client_as, users, places, instructor):
    url = reverse("campaign:grid_role_remove", args=[places["grid2"].pk, instructor.pk])
    assert client_as(users["town_admin"]).post(url).status_code == 404
    assert roles(places["grid1"]) == [("instructor", "周指导员", "竖新镇党建办")]


def test_a_bad_role_without_scripts_answers_400_with_the_message(client_as, users, places):
    response = client_as(users["town_admin"]).post(
        reverse("campaign:grid_roles", args=[places["grid1"].pk]), {"role": "", "name": ""}
    )
    assert response.status_code == 400
    assert response.context["role_form"].errors == {"role": ["请选择十员类别"], "name": ["请填写姓名，或选择关联账号"]}
    assert roles(places["grid1"]) == []


@pytest.mark.parametrize("role", READERS)
def test_readers_see_the_roles_and_every_write_is_403(client_as, users, places, instructor, role):
    client = client_as(users[role])
    url = reverse("campaign:grid_roles", args=[places["grid1"].pk])
    page = client.get(url)
    assert page.status_code == 200 and "周指导员" in page.content.decode()
    assert "添加人员" not in page.content.decode()
    assert client.post(url, {"role": "liaison", "name": "王五"}).status_code == 403
    assert client.post(reverse("campaign:grid_role_remove", args=[places["grid1"].pk, instructor.pk])).status_code == 403
    assert roles(places["grid1"]) == [("instructor", "周指导员", "竖新镇党建办")]


def test_members_get_404_and_anonymous_login(client_as, users, places, instructor):
    url = reverse("campaign:grid_roles", args=[places["grid1"].pk])
    remove = reverse("campaign:grid_role_remove", args=[places["grid1"].pk, instructor.pk])
    member, anonymous = client_as(users["member"]), client_as(None)
    assert member.get(url).status_code == 404
    assert member.post(url, {"role": "liaison", "name": "王五"}).status_code == 404
    assert member.post(remove).status_code == 404
    for response in (anonymous.get(url), anonymous.post(url, {"role": "liaison", "name": "王五"}), anonymous.post(remove)):
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert roles(places["grid1"]) == [("instructor", "周指导员", "竖新镇党建办")]


def test_an_unknown_grid_is_404(client_as, users):
    assert client_as(users["town_admin"]).get(reverse("campaign:grid_roles", args=[99999])).status_code == 404
