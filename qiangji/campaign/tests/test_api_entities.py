"""/api/v1/entities: the register per role (scope, filters, masking with audit), one entity with
carriers, coverage and history, and the two coverage actions; a refused or invalid call changes nothing."""

import pytest

from qiangji.campaign.models import EntityChange
from qiangji.core.models import AuditEvent

ALL_DONE = ["见到主体负责人", "核实基本信息", "摸清党员情况", "宣讲党建政策", "留下服务卡和联系方式"]
ACTIVE = ["东村小超市", "南村家庭农场", "南村快递驿站", "崇明蔬菜合作社", "西村民宿农家乐", "西村花园民宿"]


def names(response):
    return sorted(item["name"] for item in response.json()["items"])


@pytest.mark.parametrize(
    "role,expected",
    [
        ("town_admin", ACTIVE),
        ("liaison", ["东村小超市", "崇明蔬菜合作社", "西村民宿农家乐"]),
        ("secretary_a", ["东村小超市", "崇明蔬菜合作社", "西村民宿农家乐"]),
        ("secretary_b", []),
        ("visitor", ["东村小超市", "崇明蔬菜合作社", "西村民宿农家乐", "西村花园民宿"]),
    ],
)
def test_list_per_role(coverage_register, users, api_as, role, expected):
    response = api_as(users[role]).get("/entities")
    assert response.status_code == 200
    assert names(response) == expected
    assert response.json()["count"] == len(expected)


def test_list_refused_to_a_member(coverage_register, users, api_as):
    response = api_as(users["member"]).get("/entities")
    assert response.status_code == 403
    assert response.json()["detail"] == "只有镇党委、党组织书记、指导联络组和走访队员可以查看新兴领域主体。"


def test_list_anonymous_is_401(coverage_register, api_as):
    assert api_as(None).get("/entities").status_code == 401


def test_list_phone_in_full_for_the_town_and_logged(coverage_register, users, api_as):
    response = api_as(users["town_admin"]).get("/entities", {"q": "西村民宿"})
    item = response.json()["items"][0]
    assert (item["phone"], item["phone_masked"]) == ("13912345678", False)
    event = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL)
    assert (event.user, event.object_type, event.fields, event.row_count) == (
        users["town_admin"],
        "campaign.Entity",
        ["phone"],
        1,
    )


def test_list_phone_masked_for_a_team_member_and_not_logged(coverage_register, users, api_as):
    response = api_as(users["visitor"]).get("/entities", {"q": "西村民宿"})
    item = response.json()["items"][0]
    assert (item["phone"], item["phone_masked"]) == ("139****5678", True)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).exists()


def test_list_item_shape(coverage_register, places, town, users, api_as):
    item = api_as(users["town_admin"]).get("/entities", {"q": "崇明蔬菜"}).json()["items"][0]
    e1 = coverage_register["e1"]
    assert item == {
        "id": e1.pk,
        "name": "崇明蔬菜合作社",
        "credit_code": e1.credit_code,
        "kind": "company",
        "kind_label": "企业",
        "village": {"id": places["east"].pk, "name": "东村"},
        "grid": {"id": places["grid1"].pk, "name": "第一网格"},
        "address": e1.address,
        "person_in_charge": "王负责",
        "phone": "13800138000",
        "phone_masked": False,
        "employees": 5,
        "party_members": 0,
        "has_party_org": True,
        "chains": [{"id": places["veg"].pk, "name": "蔬菜链"}],
        "street": {"id": places["street"].pk, "name": "竖河商业街区"},
        "status": "active",
        "coverage": {
            "org_covered": True,
            "covering_organization": {"id": town["branch_a1"].pk, "name": "东村第一党支部"},
            "org_coverage": "own",
            "org_coverage_label": "单独建立党组织",
            "work_covered": True,
            "instructor": {"id": coverage_register["instructor"].pk, "name": "张指导员"},
        },
    }


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"grid": "{grid2}"}, ["南村家庭农场", "南村快递驿站"]),
        ({"village": "{west}"}, ["西村民宿农家乐", "西村花园民宿"]),
        ({"chain": "{homestay}"}, ["西村民宿农家乐", "西村花园民宿"]),
        ({"street": "{street}"}, ["崇明蔬菜合作社"]),
        ({"kind": "farm"}, ["南村家庭农场"]),
        ({"coverage": "uncovered"}, ["东村小超市", "南村快递驿站", "西村花园民宿"]),
        ({"coverage": "work"}, ["南村家庭农场", "崇明蔬菜合作社"]),
        ({"status": "closed"}, ["已歇业蔬菜店"]),
        ({"q": "南村"}, ["南村家庭农场", "南村快递驿站"]),
    ],
)
def test_list_filters(coverage_register, places, users, api_as, params, expected):
    ids = {k: places[k].pk for k in ("grid2", "west", "homestay", "street")}
    response = api_as(users["town_admin"]).get("/entities", {k: v.format(**ids) for k, v in params.items()})
    assert names(response) == expected


@pytest.mark.parametrize(
    "params,field",
    [({"coverage": "half"}, "coverage"), ({"kind": "bank"}, "kind"), ({"status": "gone"}, "status"), ({"grid": "x"}, "grid")],
)
def test_list_bad_filter_is_422(coverage_register, users, api_as, params, field):
    response = api_as(users["town_admin"]).get("/entities", params)
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_list_pages(coverage_register, users, api_as):
    body = api_as(users["town_admin"]).get("/entities", {"page": 2, "page_size": 4}).json()
    assert (body["count"], body["page"], len(body["items"])) == (6, 2, 2)


# One entity --------------------------------------------------------------------------------


def test_detail_with_history_and_cards(record_task, teams, users, api_as):
    from qiangji.campaign.models import Entity
    from qiangji.campaign.services.visits import visit_review, visit_submit

    _, task = record_task()
    data = {"checklist": ALL_DONE, "visited_on": "2026-11-21", "card_number": "XLX-0009", "care_package": True}
    visit = visit_submit(task=task, by=users["visitor"], data=data)
    visit_review(visit=visit, by=users["town_admin"], action="approve")
    entity = Entity.objects.get()
    body = api_as(users["visitor"]).get(f"/entities/{entity.pk}").json()
    assert body["service_cards"] == ["XLX-0009"]
    address = next(h for h in body["history"] if h["field"] == "address")
    assert (address["field_label"], address["old"], address["new"]) == ("经营地址", "", "东村88号")
    assert (address["batch"], address["visit"], address["by"]) == (task.record.batch_id, visit.pk, "镇管理员")


@pytest.mark.parametrize(
    "role,key,status",
    [
        ("secretary_a", "e2", 200),
        ("secretary_a", "e4", 404),
        ("visitor", "e6", 404),
        ("member", "e1", 403),
        ("town_admin", None, 404),
    ],
)
def test_detail_per_role(coverage_register, users, api_as, role, key, status):
    pk = coverage_register[key].pk if key else 99999
    assert api_as(users[role]).get(f"/entities/{pk}").status_code == status


# Coverage actions --------------------------------------------------------------------------


def state(entity):
    entity.refresh_from_db()
    return (entity.covering_organization_id, entity.org_coverage, entity.instructor_id)


def test_cover(coverage_register, town, users, api_as):
    e3 = coverage_register["e3"]
    response = api_as(users["town_admin"]).post(
        f"/entities/{e3.pk}/cover", {"organization_id": town["branch_a2"].pk, "how": "joint"}
    )
    assert response.status_code == 200
    assert response.json()["coverage"]["covering_organization"] == {"id": town["branch_a2"].pk, "name": "东村第二党支部"}
    assert response.json()["history"][0]["new"] == "东村第二党支部　联合党组织覆盖"
    assert state(e3) == (town["branch_a2"].pk, "joint", None)


def test_cover_removed(coverage_register, users, api_as):
    e2 = coverage_register["e2"]
    response = api_as(users["town_admin"]).post(f"/entities/{e2.pk}/cover", {"organization_id": None})
    assert response.status_code == 200
    assert state(e2) == (None, "", None)


@pytest.mark.parametrize(
    "body,field,message",
    [
        ({"organization_id": "{org}"}, "how", "请选择覆盖方式（单独建立或联合党组织覆盖）"),
        ({"organization_id": "{org}", "how": "both"}, "how", "覆盖方式只能是单独建立或联合党组织覆盖"),
        ({"organization_id": 99999, "how": "own"}, "organization_id", "所选党组织不存在或已撤销，请重新选择"),
        ({"how": "own"}, "organization_id", "党组织未填写"),
    ],
)
def test_cover_invalid_is_422_and_changes_nothing(coverage_register, town, users, api_as, body, field, message):
    e3 = coverage_register["e3"]
    body = {k: (town["branch_a2"].pk if v == "{org}" else v) for k, v in body.items()}
    response = api_as(users["town_admin"]).post(f"/entities/{e3.pk}/cover", body)
    assert response.status_code == 422
    assert response.json()["errors"][field] == [message]
    assert state(e3) == (None, "", None)
    assert not EntityChange.objects.exists()


@pytest.mark.parametrize("role,status", [("secretary_a", 403), ("visitor", 403), ("secretary_b", 404), ("member", 403)])
def test_cover_refused(coverage_register, users, api_as, role, status):
    e1 = coverage_register["e1"]
    before = state(e1)
    response = api_as(users[role]).post(f"/entities/{e1.pk}/cover", {"organization_id": None})
    assert response.status_code == status
    assert state(e1) == before
    assert not EntityChange.objects.exists()


def test_cover_anonymous_is_401(coverage_register, api_as):
    e1 = coverage_register["e1"]
    assert api_as(None).post(f"/entities/{e1.pk}/cover", {"organization_id": None}).status_code == 401
    assert state(e1)[0] is not None


def test_instructor(coverage_register, users, api_as):
    e7 = coverage_register["e7"]
    response = api_as(users["town_admin"]).post(f"/entities/{e7.pk}/instructor", {"user_id": users["liaison"].pk})
    assert response.status_code == 200
    assert response.json()["coverage"]["instructor"] == {"id": users["liaison"].pk, "name": "联络员"}
    assert state(e7)[2] == users["liaison"].pk
    response = api_as(users["town_admin"]).post(f"/entities/{e7.pk}/instructor", {"user_id": None})
    assert response.json()["coverage"]["work_covered"] is False


def test_instructor_unknown_user_is_422(coverage_register, users, api_as):
    e7 = coverage_register["e7"]
    response = api_as(users["town_admin"]).post(f"/entities/{e7.pk}/instructor", {"user_id": 99999})
    assert response.status_code == 422
    assert response.json()["errors"] == {"user_id": ["编号为99999的用户不存在"]}
    assert state(e7)[2] is None


def test_instructor_inactive_user_is_409(coverage_register, users, api_as):
    from qiangji import factories as f

    retired = f.UserFactory(is_active=False)
    e7 = coverage_register["e7"]
    response = api_as(users["town_admin"]).post(f"/entities/{e7.pk}/instructor", {"user_id": retired.pk})
    assert (response.status_code, response.json()["detail"]) == (409, "该账号已停用，不能担任党建指导员")
    assert state(e7)[2] is None
    assert not EntityChange.objects.exists()


@pytest.mark.parametrize("role,status", [("liaison", 403), ("visitor", 403), ("visitor2", 404)])
def test_instructor_refused(coverage_register, teams, users, api_as, role, status):
    user = teams["visitor2"] if role == "visitor2" else users[role]
    e3 = coverage_register["e3"]
    response = api_as(user).post(f"/entities/{e3.pk}/instructor", {"user_id": users["liaison"].pk})
    assert response.status_code == status
    assert state(e3)[2] is None
