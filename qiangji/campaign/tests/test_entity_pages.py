"""Register pages: the list per role (scope, filters, htmx, query count), the export (masked
unless the town, always audit-logged), the detail page (carriers, coverage, history with its
batch and visit sources, records, visits, cards) and the audited phone reveal."""

import io
import re

import pytest
from openpyxl import load_workbook

from qiangji.campaign.models import Entity, EntityChange, ServiceCard
from qiangji.campaign.services.visits import visit_review, visit_submit
from qiangji.core.models import AuditEvent

LIST = "/campaign/entities/"
EXPORT = "/campaign/entities/export/"
ALL_DONE = ["见到主体负责人", "核实基本信息", "摸清党员情况", "宣讲党建政策", "留下服务卡和联系方式"]
ACTIVE = ["崇明蔬菜合作社", "西村民宿农家乐", "东村小超市", "西村花园民宿", "南村家庭农场", "南村快递驿站"]


def names_in(response):
    body = response.content.decode()
    return sorted(n for n in [*ACTIVE, "已歇业蔬菜店"] if f">{n}</a>" in body)


# The list ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status,sees",
    [
        ("town_admin", 200, ACTIVE),
        ("liaison", 200, ["东村小超市", "崇明蔬菜合作社", "西村民宿农家乐"]),
        ("secretary_a", 200, ["东村小超市", "崇明蔬菜合作社", "西村民宿农家乐"]),
        ("secretary_b", 200, []),
        ("visitor", 200, ["东村小超市", "崇明蔬菜合作社", "西村民宿农家乐", "西村花园民宿"]),
        ("member", 404, []),
    ],
)
def test_list_per_role(coverage_register, users, client_as, role, status, sees):
    response = client_as(users[role]).get(LIST)
    assert response.status_code == status
    assert names_in(response) == sorted(sees)


def test_list_anonymous_is_sent_to_login(coverage_register, client_as):
    response = client_as(None).get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "query,expected",
    [
        ("grid={grid2}", ["南村家庭农场", "南村快递驿站"]),
        ("village={west}", ["西村民宿农家乐", "西村花园民宿"]),
        ("chain={veg}", ["崇明蔬菜合作社", "西村民宿农家乐"]),
        ("street={street}", ["崇明蔬菜合作社"]),
        ("kind=homestay", ["西村花园民宿"]),
        ("coverage=org", ["崇明蔬菜合作社", "西村民宿农家乐"]),
        ("coverage=work", ["南村家庭农场", "崇明蔬菜合作社"]),
        ("coverage=covered", ["南村家庭农场", "崇明蔬菜合作社", "西村民宿农家乐"]),
        ("coverage=uncovered", ["东村小超市", "南村快递驿站", "西村花园民宿"]),
        ("q=民宿", ["西村民宿农家乐", "西村花园民宿"]),
        ("status=closed", ["已歇业蔬菜店"]),
        ("chain={veg}&status=all", ["崇明蔬菜合作社", "已歇业蔬菜店", "西村民宿农家乐"]),
        ("coverage=nonsense&grid=abc", ACTIVE),
    ],
)
def test_list_filters(coverage_register, places, users, client_as, query, expected):
    ids = {k: places[k].pk for k in ("grid2", "west", "veg", "street")}
    response = client_as(users["town_admin"]).get(LIST + "?" + query.format(**ids))
    assert response.status_code == 200
    assert names_in(response) == sorted(expected)


def test_list_search_by_credit_code(coverage_register, users, client_as):
    code = coverage_register["e4"].credit_code
    response = client_as(users["town_admin"]).get(LIST, {"q": code.lower()})
    assert names_in(response) == ["西村花园民宿"]


def test_list_htmx_returns_the_table_only(coverage_register, users, client_as):
    response = client_as(users["town_admin"]).get(LIST, {"coverage": "uncovered"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and 'id="entity-filters"' not in body
    assert names_in(response) == ["东村小超市", "南村快递驿站", "西村花园民宿"]


def test_list_query_count_is_pinned(coverage_register, entity, users, client_as, django_assert_num_queries, places):
    for _ in range(15):
        entity(chains=[places["veg"]])
    client = client_as(users["town_admin"])
    # session, user, scope (3), count, rows, their chains, grid/village/chain/street choices (4), bell
    with django_assert_num_queries(13):
        assert client.get(LIST).status_code == 200


def test_list_query_count_for_a_team_member(coverage_register, users, client_as, django_assert_num_queries):
    client = client_as(users["visitor"])
    # the team's grids add one to the town's count
    with django_assert_num_queries(14):
        assert client.get(LIST).status_code == 200


# The export --------------------------------------------------------------------------------


def sheet(response):
    ws = load_workbook(io.BytesIO(response.content)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_export_in_full_for_the_town_and_logged(coverage_register, users, client_as):
    response = client_as(users["town_admin"]).get(EXPORT, {"village": coverage_register["e2"].village_id})
    rows = sheet(response)
    assert rows[0][:8] == ["主体名称", "统一社会信用代码", "主体类型", "所在村居", "所属网格", "经营地址", "负责人", "联系电话"]
    assert [(r[0], r[7], r[11], r[13], r[14]) for r in rows[1:]] == [
        ("西村民宿农家乐", "13912345678", "蔬菜链、民宿链", "东村党总支", "联合党组织覆盖"),
        ("西村花园民宿", "13800138000", "民宿链", None, None),
    ]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.user, event.object_type, event.fields, event.row_count) == (
        users["town_admin"],
        "campaign.Entity",
        ["phone"],
        2,
    )
    assert event.detail["unmasked"] is True
    assert event.detail["filters"] == {"village": coverage_register["e2"].village_id, "status": "active"}


def test_export_masked_for_a_secretary_and_still_logged(coverage_register, users, client_as):
    rows = sheet(client_as(users["secretary_a"]).get(EXPORT))
    assert sorted((r[0], r[7]) for r in rows[1:]) == [
        ("东村小超市", None),
        ("崇明蔬菜合作社", "138****8000"),
        ("西村民宿农家乐", "139****5678"),
    ]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.user, event.row_count, event.detail["unmasked"]) == (users["secretary_a"], 3, False)


def test_export_refused_to_a_member(coverage_register, users, client_as):
    assert client_as(users["member"]).get(EXPORT).status_code == 404
    assert not AuditEvent.objects.exists()


# The detail page ---------------------------------------------------------------------------


def detail(entity):
    return f"/campaign/entities/{entity.pk}/"


@pytest.mark.parametrize(
    "role,entity_key,status",
    [
        ("town_admin", "e7", 200),
        ("liaison", "e2", 200),
        ("secretary_a", "e1", 200),
        ("secretary_a", "e4", 404),
        ("secretary_b", "e1", 404),
        ("visitor", "e4", 200),
        ("visitor", "e6", 404),
        ("member", "e1", 404),
    ],
)
def test_detail_per_role(coverage_register, users, client_as, role, entity_key, status):
    response = client_as(users[role]).get(detail(coverage_register[entity_key]))
    assert response.status_code == status
    if status == 200:
        assert coverage_register[entity_key].name in response.content.decode()


def test_detail_missing_is_404(coverage_register, users, client_as):
    assert client_as(users["town_admin"]).get("/campaign/entities/99999/").status_code == 404


def test_detail_shows_carriers_and_coverage(coverage_register, users, client_as):
    body = client_as(users["town_admin"]).get(detail(coverage_register["e1"])).content.decode()
    assert "第一网格" in body and "蔬菜链" in body and "竖河商业街区" in body
    assert "单独建立党组织</span> 东村第一党支部" in body
    assert "党建指导员</span> 张指导员" in body
    assert "138****8000" in body and "13800138000" not in body
    assert 'name="organization"' in body and 'name="instructor"' in body


def test_detail_read_only_for_a_secretary(coverage_register, users, client_as):
    body = client_as(users["secretary_a"]).get(detail(coverage_register["e2"])).content.decode()
    assert "联合党组织覆盖</span> 东村党总支" in body
    assert 'name="organization"' not in body and "查看完整号码" not in body


def test_history_names_the_batch_and_the_visit(record_task, teams, users, client_as):
    _, task = record_task()
    visit = visit_submit(
        task=task, by=users["visitor"], data={"checklist": ALL_DONE, "visited_on": "2026-11-21", "card_number": "XLX-0007"}
    )
    visit_review(visit=visit, by=users["town_admin"], action="approve")
    entity = Entity.objects.get()
    changes = EntityChange.objects.filter(entity=entity)
    assert set(changes.values_list("batch", flat=True)) == {task.record.batch_id}
    assert set(changes.values_list("visit", flat=True)) == {visit.pk}
    body = client_as(users["town_admin"]).get(detail(entity)).content.decode()
    assert "批次：" in body and "区级底数.xlsx" in body
    assert "走访：" in body and "2026-11-21 底数校核" in body
    assert "东村88号" in body
    assert 'id="card-XLX-0007"' in body
    # The number and its date read apart, not "XLX-00072026-11-25发放".
    issued = ServiceCard.objects.get(number="XLX-0007").issued_on
    card = re.search(r'<li id="card-XLX-0007">(.*?)</li>', body).group(1)
    assert re.sub(r"<[^>]+>", "", card) == f"XLX-0007 （{issued:%Y-%m-%d}发放）"
    assert "新发现" in body  # the batch record about it
    assert f'href="/campaign/batches/{task.record.batch_id}/"' in body
    assert f'href="/campaign/visits/{visit.pk}/"' in body
    # the team member sees the same story; the batch pages are the town's, so no link to them
    body = client_as(users["visitor"]).get(detail(entity)).content.decode()
    assert "区级底数.xlsx" in body and f'href="/campaign/batches/{task.record.batch_id}/"' not in body
    assert f'href="/campaign/visits/{visit.pk}/"' in body


def test_history_of_coverage_changes(coverage_register, users, client_as, town):
    from qiangji.campaign.services.register import entity_cover

    entity_cover(entity=coverage_register["e3"], by=users["town_admin"], organization=town["branch_a2"], how="joint")
    body = client_as(users["town_admin"]).get(detail(coverage_register["e3"])).content.decode()
    assert "组织覆盖</td>" in body
    assert "东村第二党支部　联合党组织覆盖" in body
    assert "镇管理员" in body


# The phone reveal --------------------------------------------------------------------------


def reveal(entity):
    return f"/campaign/entities/{entity.pk}/reveal/"


@pytest.mark.parametrize("role", ["town_admin", "visitor"])
def test_reveal_is_logged(coverage_register, users, client_as, role):
    e2 = coverage_register["e2"]
    response = client_as(users[role]).post(reveal(e2), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "13912345678" in response.content.decode()
    event = AuditEvent.objects.get()
    assert (event.user, event.action, event.object_id, event.fields) == (users[role], "reveal", str(e2.pk), ["phone"])


@pytest.mark.parametrize("role,status", [("secretary_a", 404), ("liaison", 404), ("member", 404), ("secretary_b", 404)])
def test_reveal_refused(coverage_register, users, client_as, role, status):
    response = client_as(users[role]).post(reveal(coverage_register["e2"]))
    assert response.status_code == status
    assert "13912345678" not in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_reveal_needs_post(coverage_register, users, client_as):
    assert client_as(users["town_admin"]).get(reveal(coverage_register["e2"])).status_code == 405
    assert not AuditEvent.objects.exists()


# Manual add and edit (town only, through entity_apply with history) -------------------------


def entity_form(places, **overrides):
    data = {
        "name": "竖新镇新开咖啡馆",
        "credit_code": "",
        "kind": "self_employed",
        "village": places["west"].pk,
        "address": "西村18号",
        "person_in_charge": "陈店主",
        "phone": "13600001111",
        "employees": "4",
        "party_members": "1",
        "chains": [places["homestay"].pk],
        "street": "",
    }
    data.update(overrides)
    return data


def test_add_by_hand(places, users, client_as):
    response = client_as(users["town_admin"]).post("/campaign/entities/new/", entity_form(places), follow=True)
    assert "已登记主体“竖新镇新开咖啡馆”。" in response.content.decode()
    entity = Entity.objects.get()
    assert (entity.village, entity.phone, entity.employees, list(entity.chains.all())) == (
        places["west"],
        "13600001111",
        4,
        [places["homestay"]],
    )
    notes = set(EntityChange.objects.filter(entity=entity).values_list("note", flat=True))
    assert notes == {"镇党委手工登记"}
    assert set(EntityChange.objects.values_list("by", flat=True)) == {users["town_admin"].pk}


def test_add_invalid_changes_nothing(places, users, client_as):
    response = client_as(users["town_admin"]).post(
        "/campaign/entities/new/", entity_form(places, name="", credit_code="91310151MA1FL00000")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "主体名称未填写" in body
    assert not Entity.objects.exists() and not EntityChange.objects.exists()


@pytest.mark.parametrize("role,status", [("secretary_a", 403), ("visitor", 403), ("member", 404)])
def test_add_refused(places, teams, users, client_as, role, status):
    response = client_as(users[role]).post("/campaign/entities/new/", entity_form(places))
    assert response.status_code == status
    assert not Entity.objects.exists()


def test_edit_by_hand_keeps_the_phone_and_records_history(coverage_register, places, users, client_as):
    e3 = coverage_register["e3"]
    e3.phone = "13700002222"
    e3.save()
    client = client_as(users["town_admin"])
    page = client.get(f"/campaign/entities/{e3.pk}/edit/").content.decode()
    assert "137****2222" in page and "13700002222" not in page
    data = entity_form(places, name=e3.name, credit_code=e3.credit_code, village=places["east"].pk, phone="", employees="9")
    data.update(
        kind="self_employed", address=e3.address, person_in_charge="王负责", party_members="0", chains=[], version=str(e3.version)
    )
    response = client.post(f"/campaign/entities/{e3.pk}/edit/", data, follow=True)
    assert "已修改1项信息，变更记录已保存。" in response.content.decode()
    e3.refresh_from_db()
    assert (e3.employees, e3.phone) == (9, "13700002222")
    change = EntityChange.objects.get(entity=e3)
    assert (change.field, change.old, change.new, change.note) == ("employees", "5", "9", "镇党委手工修改")


@pytest.mark.parametrize("role,status", [("secretary_a", 403), ("secretary_b", 404), ("member", 404)])
def test_edit_refused(coverage_register, places, users, client_as, role, status):
    e1 = coverage_register["e1"]
    response = client_as(users[role]).post(f"/campaign/entities/{e1.pk}/edit/", entity_form(places, name="改名"))
    assert response.status_code == status
    e1.refresh_from_db()
    assert e1.name == "崇明蔬菜合作社"
    assert not EntityChange.objects.exists()
