"""The "5+2+7" page, a carrier's uncovered list and the two coverage actions (组织覆盖 / 工作覆盖),
per role; a refused or invalid action changes nothing."""

import re

import pytest

from qiangji import factories as f
from qiangji.campaign.models import Entity, EntityChange

INDEX = "/campaign/coverage/"


def carrier_url(kind, pk):
    return f"/campaign/coverage/{kind}/{pk}/"


def cover_url(entity):
    return f"/campaign/entities/{entity.pk}/cover/"


def instructor_url(entity):
    return f"/campaign/entities/{entity.pk}/instructor/"


def coverage_state(entity):
    entity.refresh_from_db()
    return (entity.covering_organization_id, entity.org_coverage, entity.instructor_id, entity.has_party_org)


# The 5+2+7 page ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status",
    [("town_admin", 200), ("liaison", 200), ("secretary_a", 200), ("secretary_b", 200), ("visitor", 404), ("member", 404)],
)
def test_index_per_role(coverage_register, users, client_as, role, status):
    assert client_as(users[role]).get(INDEX).status_code == status


def test_index_anonymous_is_sent_to_login(client_as, places):
    assert client_as(None).get(INDEX).status_code == 302


def test_index_figures(coverage_register, places, users, client_as):
    response = client_as(users["town_admin"]).get(INDEX)
    body = response.content.decode()
    grid1 = places["grid1"].pk
    row = body.split(f'id="coverage-grid-{grid1}"')[1].split("</tr>")[0]
    cells = [re.sub(r"<[^>]+>", "", c.split("<td", 1)[1].split(">", 1)[1]) for c in row.split("</td>")[:-1]]
    assert [c.strip() for c in cells] == ["4", "2", "1", "2", "2", "50.0%", "25.0%", "50.0%"]
    assert f'href="/campaign/coverage/grid/{grid1}/">2</a>' in body
    assert 'id="coverage-town-0"' in body
    assert "33.3%" in body and "口径说明" in body
    chart = response.context["chart"]
    assert chart["names"] == ["蔬菜链", "民宿链", "竖河商业街区", "第一网格", "第二网格"]
    assert chart["covered"] == [100.0, 50.0, 100.0, 50.0, 50.0]
    assert "campaign-coverage.js" in body and 'id="coverage-chart-data"' in body


def test_index_query_count(coverage_register, users, client_as, django_assert_num_queries):
    client = client_as(users["town_admin"])
    # session, user, scope (3), one per carrier kind (3), the town, bell
    with django_assert_num_queries(10):
        assert client.get(INDEX).status_code == 200


# A carrier's uncovered list ----------------------------------------------------------------


def test_uncovered_list_for_the_town(coverage_register, places, users, client_as):
    response = client_as(users["town_admin"]).get(carrier_url("grid", places["grid1"].pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert [e.name for e in response.context["page"]] == ["东村小超市", "西村花园民宿"]
    assert "覆盖该主体" in body
    assert response.context["figures"].uncovered == 2


def test_uncovered_list_for_a_secretary_shows_only_their_entities(coverage_register, places, users, client_as):
    response = client_as(users["secretary_a"]).get(carrier_url("grid", places["grid1"].pk))
    assert [e.name for e in response.context["page"]] == ["东村小超市"]
    assert "覆盖该主体" not in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/campaign/coverage/grid/9999/", "/campaign/coverage/town/1/", "/campaign/coverage/chain/9999/"]
)
def test_uncovered_list_unknown_carrier_is_404(coverage_register, users, client_as, path):
    assert client_as(users["town_admin"]).get(path).status_code == 404


@pytest.mark.parametrize("role", ["visitor", "member"])
def test_uncovered_list_refused(coverage_register, places, users, client_as, role):
    assert client_as(users[role]).get(carrier_url("grid", places["grid1"].pk)).status_code == 404


def test_uncovered_list_query_count(coverage_register, entity, places, users, client_as, django_assert_num_queries):
    for _ in range(10):
        entity(village=places["west"])
    client = client_as(users["town_admin"])
    # session, user, scope (3), the carrier's figures, count, rows, bell
    with django_assert_num_queries(9):
        assert client.get(carrier_url("grid", places["grid1"].pk)).status_code == 200


# Organizational coverage -------------------------------------------------------------------


def test_cover_from_the_entity_page(coverage_register, users, client_as, town):
    e3 = coverage_register["e3"]
    response = client_as(users["town_admin"]).post(
        cover_url(e3), {"organization": town["branch_a2"].pk, "how": "own"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "已登记组织覆盖：东村第二党支部（单独建立党组织）" in body
    assert 'id="entity-coverage"' in body
    assert coverage_state(e3) == (town["branch_a2"].pk, "own", None, True)
    change = EntityChange.objects.get(entity=e3)
    assert (change.field, change.old, change.new, change.by) == (
        "covering_organization",
        "",
        "东村第二党支部　单独建立党组织",
        users["town_admin"],
    )


def test_cover_from_the_uncovered_list_updates_the_figures(coverage_register, places, users, client_as, town):
    e3 = coverage_register["e3"]
    carrier = f"grid:{places['grid1'].pk}"
    client = client_as(users["town_admin"])
    form = client.get(cover_url(e3), {"carrier": carrier}, HTTP_HX_REQUEST="true").content.decode()
    assert f'id="cover-item-{e3.pk}"' in form and f'value="{carrier}"' in form and "东村第二党支部" in form
    response = client.post(
        cover_url(e3), {"organization": town["branch_a2"].pk, "how": "joint", "carrier": carrier}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert f'id="cover-item-{e3.pk}"' in body and "已组织覆盖" in body
    assert 'id="carrier-figures" class="row g-3 mb-3" hx-swap-oob="true"' in body
    assert '<div class="qj-stat" id="fig-covered-rate">75.0%</div>' in body
    assert '<div class="qj-stat" id="fig-uncovered">1</div>' in body


def test_cover_without_htmx_redirects_with_a_message(coverage_register, places, users, client_as, town):
    e3 = coverage_register["e3"]
    client = client_as(users["town_admin"])
    response = client.post(
        cover_url(e3), {"organization": town["branch_a2"].pk, "how": "own", "carrier": f"grid:{places['grid1'].pk}"}
    )
    assert response.status_code == 302
    assert response["Location"] == carrier_url("grid", places["grid1"].pk)
    response = client.post(cover_url(e3), {"organization": "none"}, follow=True)
    assert "已取消组织覆盖" in response.content.decode()
    assert coverage_state(e3) == (None, "", None, True)


@pytest.mark.parametrize(
    "data,message",
    [
        ({"organization": "", "how": "own"}, "请选择覆盖该主体的党组织"),
        ({"organization": "{org}", "how": ""}, "请选择覆盖方式（单独建立或联合党组织覆盖）"),
        ({"organization": "{org}", "how": "both"}, "覆盖方式只能是单独建立或联合党组织覆盖"),
        ({"organization": "99999", "how": "own"}, "所选党组织不存在或已撤销，请重新选择"),
        ({"organization": "{group}", "how": "own"}, "所选党组织不存在或已撤销，请重新选择"),
        ({"organization": "{dissolved}", "how": "own"}, "所选党组织不存在或已撤销，请重新选择"),
    ],
)
def test_cover_invalid_changes_nothing(coverage_register, users, client_as, town, data, message):
    import datetime as dt

    dissolved = f.organization(name="已撤销党支部", parent=town["town"])
    dissolved.dissolved_on = dt.date(2025, 1, 1)
    dissolved.save()
    ids = {"org": town["branch_a2"].pk, "group": town["group_a1"].pk, "dissolved": dissolved.pk}
    e3 = coverage_register["e3"]
    before = coverage_state(e3)
    posted = {k: v.format(**ids) for k, v in data.items()}
    response = client_as(users["town_admin"]).post(cover_url(e3), posted, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert coverage_state(e3) == before
    assert not EntityChange.objects.exists()


@pytest.mark.parametrize(
    "role,status", [("secretary_a", 403), ("liaison", 403), ("visitor", 403), ("secretary_b", 404), ("member", 404)]
)
def test_cover_refused(coverage_register, users, client_as, town, role, status):
    e1 = coverage_register["e1"]
    before = coverage_state(e1)
    response = client_as(users[role]).post(cover_url(e1), {"organization": "none"})
    assert response.status_code == status
    assert coverage_state(e1) == before
    assert not EntityChange.objects.exists()


def test_cover_form_refused_to_a_secretary(coverage_register, users, client_as):
    assert client_as(users["secretary_a"]).get(cover_url(coverage_register["e3"])).status_code == 403


# Work coverage -----------------------------------------------------------------------------


def test_instructor_from_the_grid_roles(coverage_register, users, client_as):
    e3, instructor = coverage_register["e3"], coverage_register["instructor"]
    client = client_as(users["town_admin"])
    page = client.get(f"/campaign/entities/{e3.pk}/").content.decode()
    assert '<optgroup label="本网格党建指导员">' in page and "张指导员（第一网格）" in page
    response = client.post(instructor_url(e3), {"instructor": instructor.pk}, HTTP_HX_REQUEST="true")
    assert "已指定党建指导员：张指导员" in response.content.decode()
    assert coverage_state(e3)[2] == instructor.pk
    change = EntityChange.objects.get(entity=e3)
    assert (change.field, change.old, change.new) == ("instructor", "", "张指导员")


def test_instructor_by_account_name(coverage_register, users, client_as):
    e4 = coverage_register["e4"]
    response = client_as(users["town_admin"]).post(instructor_url(e4), {"instructor": "", "username": "sec_a"}, follow=True)
    assert "已指定党建指导员：东村书记" in response.content.decode()
    assert coverage_state(e4)[2] == users["secretary_a"].pk


def test_instructor_removed(coverage_register, users, client_as):
    e6 = coverage_register["e6"]
    client_as(users["town_admin"]).post(instructor_url(e6), {"instructor": "none"})
    assert coverage_state(e6)[2] is None
    assert EntityChange.objects.get(entity=e6).new == ""


@pytest.mark.parametrize(
    "data,message",
    [
        ({"instructor": ""}, "请选择党建指导员，或填写其账号"),
        ({"instructor": "", "username": "nobody"}, "没有账号为“nobody”的用户"),
        ({"instructor": "none", "username": "sec_a"}, "已选择“取消工作覆盖”，不能同时填写账号"),
        ({"instructor": "99999"}, "所选人员不在名单中，请重新选择或填写账号"),
        ({"instructor": "", "username": "retired"}, "该账号已停用，不能担任党建指导员"),
    ],
)
def test_instructor_invalid_changes_nothing(coverage_register, users, client_as, data, message):
    f.UserFactory(username="retired", is_active=False)
    e3 = coverage_register["e3"]
    response = client_as(users["town_admin"]).post(instructor_url(e3), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert coverage_state(e3)[2] is None
    assert not EntityChange.objects.exists()


@pytest.mark.parametrize("role,status", [("secretary_a", 403), ("visitor", 403), ("secretary_b", 404), ("member", 404)])
def test_instructor_refused(coverage_register, users, client_as, role, status):
    e3 = coverage_register["e3"]
    response = client_as(users[role]).post(instructor_url(e3), {"instructor": coverage_register["instructor"].pk})
    assert response.status_code == status
    assert coverage_state(e3)[2] is None
    assert not EntityChange.objects.exists()


def test_closed_entity_offers_no_cover_forms(coverage_register, users, client_as):
    body = client_as(users["town_admin"]).get(f"/campaign/entities/{coverage_register['e5'].pk}/").content.decode()
    assert Entity.Status.CLOSED.label in body
    assert 'name="organization"' not in body
