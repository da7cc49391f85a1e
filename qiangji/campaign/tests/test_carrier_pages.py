"""The carriers page and the committee pages: who reads, who edits, what shows, how many queries."""

import pytest
from django.urls import reverse

from qiangji.accounts.models import RoleGrant
from qiangji.campaign.models import CarrierCommittee, CommitteeMember, GridRole
from qiangji.campaign.services.carriers import grid_role_add
from qiangji.orgs.models import Chain, Grid

CARRIERS = reverse("campaign:carriers")
READERS = ["liaison", "secretary_a", "secretary_b", "visitor"]


def seats(committee):
    return list(CommitteeMember.objects.filter(committee=committee).order_by("order").values_list("name", "duty"))


def test_the_town_sees_every_carrier_with_its_committee_seats_villages_and_roles(client_as, users, committee, places):
    grid_role_add(by=users["town_admin"], grid=places["grid1"], data={"role": "instructor", "name": "周指导员"})
    grid_role_add(by=users["town_admin"], grid=places["grid1"], data={"role": "mediator", "name": "吴调解员"})
    response = client_as(users["town_admin"]).get(CARRIERS)
    body = response.content.decode()
    assert response.status_code == 200
    labels = [(label, [card.carrier.name for card in cards]) for label, cards in response.context["sections"]]
    assert labels == [("产业链", ["蔬菜链", "民宿链"]), ("商业街区", ["竖河商业街区"]), ("网格", ["第一网格", "第二网格"])]
    veg = response.context["sections"][0][1][0]
    assert veg.committee == committee
    assert [(s.name, s.duty, s.unit) for s in veg.committee.seats.all()] == [
        ("张主任", "主任", "竖新镇党委"),
        ("李委员", "委员", "崇明蔬菜合作社"),
    ]
    grid1 = response.context["sections"][2][1][0]
    assert [v.name for v in grid1.villages] == ["东村", "西村"]
    assert [(label, [p.name for p in people]) for label, people in grid1.roles if people] == [
        ("党建指导员", ["周指导员"]),
        ("调解员", ["吴调解员"]),
    ]
    assert grid1.roles_filled == 2
    assert response.context["committees_set"] == 1 and response.context["carrier_count"] == 5
    for text in ("蔬菜链链委会", "张主任", "崇明蔬菜合作社", "尚未成立链委会", "尚未成立街委会", "尚未成立片委会", "周指导员"):
        assert text in body
    assert reverse("campaign:committee_create", args=["chain", places["homestay"].pk]) in body
    assert "管理十员" in body


@pytest.mark.parametrize("role", READERS)
def test_secretaries_liaison_and_teams_read_the_page_without_edit_links(client_as, users, committee, places, role):
    response = client_as(users[role]).get(CARRIERS)
    body = response.content.decode()
    assert response.status_code == 200
    assert "张主任" in body and "蔬菜链链委会" in body
    assert reverse("campaign:committee_create", args=["chain", places["homestay"].pk]) not in body
    assert "管理十员" not in body and "查看十员" in body
    assert response.context["can_edit"] is False


def test_a_team_member_without_a_visitor_grant_reads_the_page(client_as, users, teams, committee):
    mate = teams["mate1"]
    assert not RoleGrant.objects.filter(user=mate).exists()
    assert client_as(mate).get(CARRIERS).status_code == 200


def test_a_member_gets_404_and_anonymous_is_sent_to_login(client_as, users, committee):
    assert client_as(users["member"]).get(CARRIERS).status_code == 404
    response = client_as(None).get(CARRIERS)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_carriers_page_query_count_does_not_grow_with_carriers(client_as, users, committee, places, django_assert_num_queries):
    client = client_as(users["town_admin"])
    client.get(CARRIERS)  # warm the session
    with django_assert_num_queries(14):
        client.get(CARRIERS)
    admin = users["town_admin"]
    for n in range(3, 8):
        grid = Grid.objects.create(name=f"第{n}网格", number=n)
        grid_role_add(by=admin, grid=grid, data={"role": "liaison", "name": f"联络员{n}"})
    for name in ("水果链", "稻米链", "花卉链"):
        Chain.objects.create(name=name)
    with django_assert_num_queries(14):
        response = client.get(CARRIERS)
    assert response.context["carrier_count"] == 13


# Committee pages -------------------------------------------------------------------------------


def test_the_town_sets_up_a_committee_from_the_page(client_as, users, places, town):
    client = client_as(users["town_admin"])
    url = reverse("campaign:committee_create", args=["chain", places["veg"].pk])
    form = client.get(url)
    assert form.status_code == 200 and "蔬菜链链委会" in form.content.decode()
    response = client.post(url, {"name": "", "established_on": "2025-04-01", "organization": town["village_a"].pk, "duties": ""})
    committee = CarrierCommittee.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("campaign:committee_detail", args=[committee.pk])
    assert (committee.name, str(committee.established_on), committee.organization) == (
        "蔬菜链链委会",
        "2025-04-01",
        town["village_a"],
    )
    # A second committee for the same carrier: the form sends the town to the existing one.
    again = client.get(url)
    assert again.status_code == 302 and again.url == reverse("campaign:committee_detail", args=[committee.pk])
    refused = client.post(url, {"name": "又一个"})
    assert refused.status_code == 400
    assert refused.context["form"].non_field_errors() == ["蔬菜链已成立链委会（蔬菜链链委会），一个载体只设一个委员会"]
    assert CarrierCommittee.objects.count() == 1


def test_an_unknown_carrier_kind_or_pk_is_404(client_as, users, places):
    client = client_as(users["town_admin"])
    assert client.get(reverse("campaign:committee_create", args=["village", places["east"].pk])).status_code == 404
    assert client.get(reverse("campaign:committee_create", args=["chain", 99999])).status_code == 404


def test_the_town_edits_a_committee_and_a_bad_date_changes_nothing(client_as, users, committee):
    client = client_as(users["town_admin"])
    url = reverse("campaign:committee_edit", args=[committee.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"name": "蔬菜链链委会", "established_on": "2999-01-01", "version": 1})
    assert refused.status_code == 400
    assert refused.context["form"].errors["established_on"] == ["成立日期不能晚于今天"]
    committee.refresh_from_db()
    assert committee.established_on is None
    done = client.post(url, {"name": "蔬菜产业链链委会", "established_on": "2025-05-04", "duties": "每月一次例会", "version": 1})
    assert done.status_code == 302
    committee.refresh_from_db()
    assert (committee.name, str(committee.established_on), committee.duties) == ("蔬菜产业链链委会", "2025-05-04", "每月一次例会")


def test_seats_are_added_moved_and_removed_with_htmx(client_as, users, committee):
    client = client_as(users["town_admin"])
    add = reverse("campaign:seat_add", args=[committee.pk])
    response = client.post(add, {"name": "赵副主任", "duty": "副主任", "unit": "东村村委"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.templates[0].name == "campaign/_committee_seats.html"
    assert "已添加副主任赵副主任。" in response.content.decode()
    assert seats(committee) == [("张主任", "主任"), ("赵副主任", "副主任"), ("李委员", "委员")]
    refused = client.post(add, {"name": "孙主任", "duty": "主任"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200  # htmx swaps only 2xx: the fragment carries its error
    assert "该委员会已有主任（张主任），一个委员会只设一名主任" in refused.content.decode()
    assert len(seats(committee)) == 3
    member = CommitteeMember.objects.get(name="李委员")
    moved = client.post(
        reverse("campaign:seat_move", args=[committee.pk, member.pk]), {"direction": "up"}, HTTP_HX_REQUEST="true"
    )
    assert moved.status_code == 200
    assert seats(committee) == [("张主任", "主任"), ("李委员", "委员"), ("赵副主任", "副主任")]
    removed = client.post(reverse("campaign:seat_remove", args=[committee.pk, member.pk]), HTTP_HX_REQUEST="true")
    assert removed.status_code == 200
    assert seats(committee) == [("张主任", "主任"), ("赵副主任", "副主任")]


def test_seat_edits_without_scripts_come_back_to_the_page(client_as, users, committee):
    client = client_as(users["town_admin"])
    detail = reverse("campaign:committee_detail", args=[committee.pk])
    response = client.post(reverse("campaign:seat_add", args=[committee.pk]), {"name": "钱委员", "duty": "委员"})
    assert response.status_code == 302 and response.url == detail
    refused = client.post(reverse("campaign:seat_add", args=[committee.pk]), {"name": "", "duty": "委员"})
    assert refused.status_code == 400
    assert refused.context["seat_form"].errors["name"] == ["姓名未填写"]
    assert seats(committee) == [("张主任", "主任"), ("李委员", "委员"), ("钱委员", "委员")]


def committee_writes(committee):
    seat = committee.seats.order_by("order").last()
    return [
        (reverse("campaign:committee_edit", args=[committee.pk]), {"name": "改名的链委会"}),
        (reverse("campaign:seat_add", args=[committee.pk]), {"name": "王五", "duty": "委员"}),
        (reverse("campaign:seat_move", args=[committee.pk, seat.pk]), {"direction": "up"}),
        (reverse("campaign:seat_remove", args=[committee.pk, seat.pk]), {}),
        (reverse("campaign:committee_create", args=["chain", committee.chain_id + 1]), {"name": "民宿链链委会"}),
    ]


@pytest.mark.parametrize("role", READERS)
def test_readers_see_the_committee_but_every_write_is_403(client_as, users, committee, places, role):
    client = client_as(users[role])
    detail = client.get(reverse("campaign:committee_detail", args=[committee.pk]))
    assert detail.status_code == 200 and "张主任" in detail.content.decode()
    assert "添加成员" not in detail.content.decode()
    assert client.get(reverse("campaign:committee_edit", args=[committee.pk])).status_code == 403
    for url, data in committee_writes(committee):
        assert client.post(url, data).status_code == 403, url
    assert list(CarrierCommittee.objects.values_list("name", flat=True)) == ["蔬菜链链委会"]
    assert seats(committee) == [("张主任", "主任"), ("李委员", "委员")]


def test_members_get_404_and_anonymous_login_on_committee_pages(client_as, users, committee):
    member, anonymous = client_as(users["member"]), client_as(None)
    pages = [reverse("campaign:committee_detail", args=[committee.pk]), reverse("campaign:committee_edit", args=[committee.pk])]
    for url in pages:
        assert member.get(url).status_code == 404
        assert anonymous.get(url).url.startswith(reverse("accounts:login"))
    for url, data in committee_writes(committee):
        assert member.post(url, data).status_code == 404
        assert anonymous.post(url, data).status_code == 302
    assert seats(committee) == [("张主任", "主任"), ("李委员", "委员")]
    assert GridRole.objects.count() == 0
