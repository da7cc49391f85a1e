"""The liaison groups page and its one service: town admins assign, liaison members look."""

import pytest
from django.urls import reverse

from qiangji import factories as f
from qiangji.core.errors import DomainError
from qiangji.core.models import ChangeRecord
from qiangji.orgs.models import LiaisonGroup
from qiangji.orgs.services import liaison_group_update


@pytest.fixture
def second_group(town):
    cadre = f.UserFactory(username="cadre2", display_name="二组干部")
    return f.liaison_group(name="第二指导联络组", users=[cadre], organizations=[town["branch_b"]])


def test_town_admin_sees_every_group_a_liaison_member_only_their_own(client_as, users, second_group):
    admin_page = client_as(users["town_admin"]).get(reverse("liaison:groups"))
    assert [g.name for g in admin_page.context["groups"]] == ["第一指导联络组", "第二指导联络组"]
    assert admin_page.context["can_edit"] is True
    liaison_page = client_as(users["liaison"]).get(reverse("liaison:groups"))
    assert [g.name for g in liaison_page.context["groups"]] == ["第一指导联络组"]
    assert [o.name for o in liaison_page.context["groups"][0].organizations.all()] == ["东村党总支"]
    body = liaison_page.content.decode()
    assert "第二指导联络组" not in body and "调整" not in body and "联络员" in body


def test_admin_reassigns_members_and_organizations_with_history(client_as, users, town):
    group = LiaisonGroup.objects.get(name="第一指导联络组")
    helper = f.UserFactory(username="helper", display_name="新成员")
    response = client_as(users["town_admin"]).post(
        reverse("liaison:edit", args=[group.pk]),
        {
            "name": "第一指导联络组",
            "leader": users["liaison"].pk,
            "members": [users["liaison"].pk, helper.pk],
            "organizations": [town["village_a"].pk, town["branch_b"].pk],
            "version": group.version,
        },
    )
    assert (response.status_code, response["Location"]) == (302, reverse("liaison:groups"))
    group.refresh_from_db()
    assert group.leader == users["liaison"]
    assert sorted(u.username for u in group.members.all()) == ["helper", "liaison"]
    assert [o.name for o in group.organizations.order_by("path")] == ["东村党总支", "竖新镇某某公司党支部"]
    record = ChangeRecord.objects.get(content_type__model="liaisongroup", object_id=group.pk)
    assert record.changes == {
        "leader": [None, "联络员"],
        "members": ["联络员", "新成员、联络员"],
        "organizations": ["东村党总支", "东村党总支、竖新镇某某公司党支部"],
    }


def test_an_organization_liaised_by_another_group_is_refused_and_nothing_changes(client_as, users, town, second_group):
    group = LiaisonGroup.objects.get(name="第一指导联络组")
    response = client_as(users["town_admin"]).post(
        reverse("liaison:edit", args=[group.pk]),
        {"name": "第一指导联络组", "members": [users["liaison"].pk], "organizations": [town["branch_b"].pk], "version": 1},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["organizations"] == [
        "以下党组织已由其他联络组联系，请先从原联络组移出：竖新镇某某公司党支部（第二指导联络组）"
    ]
    assert [o.name for o in group.organizations.all()] == ["东村党总支"]
    assert ChangeRecord.objects.count() == 0


def test_leader_must_be_a_member_of_the_group(client_as, users, town):
    other = f.UserFactory(username="other", display_name="外组干部")
    response = client_as(users["town_admin"]).post(
        reverse("liaison:create"), {"name": "第三指导联络组", "leader": other.pk, "members": [users["liaison"].pk]}
    )
    assert response.context["form"].errors["leader"] == ["组长应为本组成员，请同时勾选为成员"]
    assert not LiaisonGroup.objects.filter(name="第三指导联络组").exists()
    with pytest.raises(DomainError, match="组长应为本组成员"):
        liaison_group_update(
            group=LiaisonGroup.objects.get(), by=users["town_admin"], name="x", leader=other, members=[], organizations=[]
        )


def test_admin_creates_a_group(client_as, users, town):
    response = client_as(users["town_admin"]).post(
        reverse("liaison:create"),
        {"name": " 第三指导联络组 ", "members": [users["liaison"].pk], "organizations": [town["branch_a2"].pk]},
    )
    assert response.status_code == 302
    group = LiaisonGroup.objects.get(name="第三指导联络组")
    assert [o.name for o in group.organizations.all()] == ["东村第二党支部"]
    assert ChangeRecord.objects.get(object_id=group.pk, content_type__model="liaisongroup").action == "create"


def test_member_logins_are_not_offered_as_liaison_cadres(client_as, users):
    form = client_as(users["town_admin"]).get(reverse("liaison:create")).context["form"]
    offered = sorted(u.username for u in form.fields["members"].queryset)
    assert "member" not in offered
    assert {"admin", "liaison", "sec_a", "sec_b", "visitor"} <= set(offered)


def test_a_stale_group_edit_is_refused_and_the_first_stays(client_as, users, town, freeze_day, form_post):
    freeze_day("2026-11-25")
    group = LiaisonGroup.objects.get(name="第一指导联络组")
    url = reverse("liaison:edit", args=[group.pk])
    a, b = client_as(users["town_admin"]), client_as(users["town_admin"])
    a_form = a.get(url).context["form"]
    assert b.post(url, form_post(b.get(url).context["form"], leader=str(users["liaison"].pk))).status_code == 302

    response = a.post(url, form_post(a_form, name="第一联络组", organizations=[str(town["branch_b"].pk)]))

    form = response.context["form"]
    assert form.non_field_errors() == [
        "保存失败：这条记录在您打开后已被 镇管理员 于 2026-11-25 10:00 修改，以下是现在的内容，请核对后再保存。"
    ]
    assert dict(form.stale.shown) == {
        "联络组名称": "第一指导联络组",
        "组长": "联络员",
        "成员": "联络员",
        "联系党组织": "东村党总支",
    }
    group.refresh_from_db()
    assert (group.name, group.leader, group.version) == ("第一指导联络组", users["liaison"], 2)
    assert [o.name for o in group.organizations.all()] == ["东村党总支"]
    assert ChangeRecord.objects.filter(content_type__model="liaisongroup").count() == 1


def test_a_fresh_group_edit_is_saved(client_as, users, form_post):
    group = LiaisonGroup.objects.get(name="第一指导联络组")
    url = reverse("liaison:edit", args=[group.pk])
    client = client_as(users["town_admin"])
    assert client.post(url, form_post(client.get(url).context["form"], name="第一联络组")).status_code == 302
    group.refresh_from_db()
    assert (group.name, group.version) == ("第一联络组", 2)
