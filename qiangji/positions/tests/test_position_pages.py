"""Position pages: the tree with profiles and "1+4" resources for staff; editing for the town
admin and the position's organization's manager; nothing changed on denial or bad input."""

import pytest

from qiangji.positions.models import PositionResource


@pytest.mark.parametrize(
    "role,status",
    [("town_admin", 200), ("liaison", 200), ("secretary_a", 200), ("secretary_b", 200), ("member", 404), ("visitor", 404)],
)
def test_tree_per_role(places, users, client_as, role, status):
    r = client_as(users[role]).get("/positions/")
    assert r.status_code == status
    if status == 200:
        assert [p.name for p in r.context["roots"]] == ["竖新镇党群服务中心"]
        assert [p.name for p in r.context["roots"][0].kids] == ["东村党群服务站"]
        assert [p.name for p in r.context["roots"][0].kids[0].kids] == ["东村第一党群服务点"]
        assert [p.name for p in r.context["stations"]] == ["柑橘产业链党群服务站"]
        site = r.context["roots"][0].kids[0]
        assert [(label, [x.name for x in items]) for label, items in site.grouped] == [
            ("党建引领", ["党员活动室"]),
            ("便民服务", ["便民代办点"]),
        ]


def test_tree_query_count(places, users, client_as, django_assert_num_queries):
    client = client_as(users["town_admin"])
    client.get("/positions/")
    # session, user, scope (3), positions, resources, inbox bell
    with django_assert_num_queries(8):
        client.get("/positions/")


@pytest.mark.parametrize(
    "role,status,editable",
    [
        ("town_admin", 200, True),
        ("secretary_a", 200, True),
        ("liaison", 200, False),
        ("secretary_b", 200, False),
        ("member", 404, None),
    ],
)
def test_position_page_per_role(places, users, client_as, role, status, editable):
    r = client_as(users[role]).get(f"/positions/{places['site'].pk}/")
    assert r.status_code == status
    if status == 200:
        assert r.context["editable"] is editable


def test_secretary_edits_profile(places, users, client_as):
    site = places["site"]
    r = client_as(users["secretary_a"]).post(
        f"/positions/{site.pk}/",
        {
            "address": "东村村委会一楼",
            "opening_hours": "周一至周五 8:30—17:00",
            "rooms": "党员活动室、议事厅",
            "capacity": "60",
            "contact_name": "王站长",
            "contact_phone": "021-59001234",
            "version": site.version,
        },
    )
    assert r.status_code == 302
    site.refresh_from_db()
    assert (site.address, site.opening_hours, site.rooms, site.capacity, site.contact_name, site.contact_phone) == (
        "东村村委会一楼",
        "周一至周五 8:30—17:00",
        "党员活动室、议事厅",
        60,
        "王站长",
        "021-59001234",
    )


@pytest.mark.parametrize("role,status", [("secretary_b", 403), ("liaison", 403), ("member", 404), ("visitor", 404)])
def test_edit_denied_nothing_changed(places, users, client_as, role, status):
    site = places["site"]
    r = client_as(users[role]).post(f"/positions/{site.pk}/", {"address": "改了", "capacity": "10"})
    assert r.status_code == status
    r = client_as(users[role]).post(f"/positions/{site.pk}/resources/", {"category": "culture", "name": "书屋"})
    assert r.status_code == status
    res = site.resources.first()
    r = client_as(users[role]).post(f"/positions/{site.pk}/resources/{res.pk}/remove/")
    assert r.status_code == status
    site.refresh_from_db()
    assert site.address == "" and site.capacity is None and site.resources.count() == 2


def test_bad_profile_nothing_changed(places, users, client_as):
    site = places["site"]
    r = client_as(users["town_admin"]).post(
        f"/positions/{site.pk}/", {"address": "新地址", "capacity": "0", "version": site.version}
    )
    assert r.status_code == 400
    site.refresh_from_db()
    assert site.address == "" and site.capacity is None


def test_resources_add_and_remove(places, users, client_as):
    site, client = places["site"], client_as(users["secretary_a"])
    assert (
        client.post(
            f"/positions/{site.pk}/resources/", {"category": "culture", "name": "农家书屋", "description": "藏书3000册"}
        ).status_code
        == 302
    )
    r = client.post(f"/positions/{site.pk}/resources/", {"category": "culture", "name": "农家书屋"})
    assert r.status_code == 400 and "资源清单中已有“农家书屋”" in r.content.decode()
    r = client.post(f"/positions/{site.pk}/resources/", {"category": "sports", "name": "球场"})
    assert r.status_code == 400
    assert list(site.resources.order_by("id").values_list("name", flat=True)) == ["党员活动室", "便民代办点", "农家书屋"]
    res = PositionResource.objects.get(name="便民代办点")
    assert client.post(f"/positions/{site.pk}/resources/{res.pk}/remove/").status_code == 302
    assert site.resources.count() == 2


def test_a_stale_profile_edit_is_refused_and_the_first_stays(places, users, client_as, form_post):
    site = places["site"]
    url = f"/positions/{site.pk}/"
    a, b = client_as(users["secretary_a"]), client_as(users["town_admin"])
    a_form = a.get(url).context["form"]
    assert b.post(url, form_post(b.get(url).context["form"], opening_hours="全天")).status_code == 302

    response = a.post(url, form_post(a_form, address="东村村委会一楼"))

    assert response.status_code == 400
    form = response.context["form"]
    assert form.non_field_errors() == ["保存失败：这条记录在您打开后已被他人修改，以下是现在的内容，请核对后再保存。"]
    assert dict(form.stale.shown) == {
        "地址": "—",
        "开放时间": "全天",
        "功能室": "—",
        "可容纳人数": "—",
        "联系人": "—",
        "服务电话": "—",
    }
    assert form["address"].value() == "东村村委会一楼"
    site.refresh_from_db()
    assert (site.address, site.opening_hours, site.version) == ("", "全天", 2)


def test_a_fresh_profile_edit_is_saved(places, users, client_as, form_post):
    site = places["site"]
    url = f"/positions/{site.pk}/"
    client = client_as(users["secretary_a"])
    assert client.post(url, form_post(client.get(url).context["form"], address="东村村委会一楼")).status_code == 302
    site.refresh_from_db()
    assert (site.address, site.version) == ("东村村委会一楼", 2)
