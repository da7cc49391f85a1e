"""The organization endpoints: every role, allow and deny, exact payloads, nothing changed on deny."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from qiangji import factories as f
from qiangji.accounts.services import api_token_issue
from qiangji.core.models import ChangeRecord
from qiangji.factories import UnitFactory
from qiangji.orgs.models import Organization

NOT_FOUND = {"detail": "对象不存在，或您无权访问。"}
UNAUTHENTICATED = {"detail": "请先登录，或在请求头中提供有效的接口令牌（Authorization: Bearer 令牌）。"}
INVALID = "提交的数据有误，请按提示修改。"
NOT_A_CHOICE = "选择一个有效的选项： 该选择不在可用的选项中。"
ROLES = ("town_admin", "liaison", "secretary_a", "secretary_b", "member", "visitor")


@pytest.fixture
def tokens(users):
    return {role: api_token_issue(user=users[role], name="测试脚本")[1] for role in ROLES}


@pytest.fixture
def call(api_as, users):
    """call(role, method, path, body) with that role's bearer token; "anonymous" sends none.

    `header` replaces the Authorization header (bad, revoked or foreign credentials).
    """

    def make(role, method, path, body=None, *, header=None, params=None):
        return api_as(users[role], header=header).request(method, path, body, params=params)

    return make


def tree_order(*orgs):
    """The API lists in tree order (materialised path); sibling order follows the ids."""
    return [o.name for o in sorted(orgs, key=lambda o: o.path)]


def state():
    """Everything a write could touch, to prove that a refused write touched nothing."""
    return (
        list(Organization.objects.order_by("pk").values_list("pk", "name", "kind", "parent_id", "path", "term_end")),
        ChangeRecord.objects.count(),
    )


def branch_a1_payload(town):
    a1 = town["branch_a1"]
    return {
        "id": a1.pk,
        "name": "东村第一党支部",
        "kind": "branch",
        "kind_label": "党支部",
        "parent": town["village_a"].pk,
        "parent_name": "东村党总支",
        "unit": None,
        "unit_name": None,
        "village": a1.village_id,
        "village_name": "东村",
        "founded_on": None,
        "term_start": None,
        "term_end": None,
        "dissolved_on": None,
        "has_committee": False,
        "version": a1.version,
    }


# --- reading -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("town_admin", ("town", "village_a", "branch_a1", "group_a1", "branch_a2", "branch_b")),
        ("liaison", ("village_a", "branch_a1", "group_a1", "branch_a2")),
        ("secretary_a", ("village_a", "branch_a1", "group_a1", "branch_a2")),
        ("secretary_b", ("branch_b",)),
        ("member", ("branch_a1",)),
        ("visitor", ()),
    ],
)
def test_list_shows_each_role_its_scope(call, town, role, visible):
    response = call(role, "get", "/organizations")
    assert response.status_code == 200
    body = response.json()
    assert [o["name"] for o in body["items"]] == tree_order(*(town[k] for k in visible))
    assert (body["count"], body["page"], body["page_size"]) == (len(visible), 1, 20)


def test_list_item_is_the_full_organization(call, town):
    body = call("member", "get", "/organizations").json()
    assert body["items"] == [branch_a1_payload(town)]


def test_list_filters_kind_parent_and_name(call, town):
    by_kind = call("town_admin", "get", "/organizations", params={"kind": "general_branch"}).json()
    assert [o["name"] for o in by_kind["items"]] == ["东村党总支"]
    children = call("town_admin", "get", "/organizations", params={"parent": town["village_a"].pk}).json()
    assert [o["name"] for o in children["items"]] == tree_order(town["branch_a1"], town["branch_a2"])
    by_name = call("town_admin", "get", "/organizations", params={"q": "第二"}).json()
    assert [o["name"] for o in by_name["items"]] == ["东村第二党支部"]
    outside = call("secretary_b", "get", "/organizations", params={"parent": town["village_a"].pk}).json()
    assert outside == {"count": 0, "page": 1, "page_size": 20, "items": []}


def test_list_pages(call, town):
    everything = tree_order(*town.values())
    second = call("town_admin", "get", "/organizations", params={"page": 2, "page_size": 4}).json()
    assert (second["count"], second["page"], second["page_size"]) == (6, 2, 4)
    assert [o["name"] for o in second["items"]] == everything[4:]
    past_end = call("town_admin", "get", "/organizations", params={"page": 3, "page_size": 4}).json()
    assert past_end["items"] == []


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"kind": "cell"}, {"kind": ["“cell”不是有效的选项，可选：committee、general_branch、branch、group。"]}),
        ({"page": 0}, {"page": ["不能小于 1。"]}),
        ({"page_size": 101}, {"page_size": ["不能大于 100。"]}),
        ({"parent": "abc"}, {"parent": ["请输入整数。"]}),
    ],
)
def test_list_rejects_bad_filters_in_chinese(call, town, params, errors):
    response = call("town_admin", "get", "/organizations", params=params)
    assert response.status_code == 422
    assert response.json() == {"detail": INVALID, "errors": errors}


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("town_admin", 200),
        ("liaison", 200),
        ("secretary_a", 200),
        ("member", 200),
        ("secretary_b", 404),
        ("visitor", 404),
    ],
)
def test_detail_allows_and_denies_per_role(call, town, role, status):
    response = call(role, "get", f"/organizations/{town['branch_a1'].pk}")
    assert response.status_code == status
    assert response.json() == (branch_a1_payload(town) if status == 200 else NOT_FOUND)


def test_detail_answers_missing_and_forbidden_alike(call, town):
    missing = call("secretary_b", "get", f"/organizations/{Organization.objects.order_by('-pk')[0].pk + 100}")
    forbidden = call("secretary_b", "get", f"/organizations/{town['village_a'].pk}")
    assert (missing.status_code, missing.json()) == (forbidden.status_code, forbidden.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize("header", [None, "Bearer qj_not-a-real-token", "Bearer ", "Basic YWRtaW46YWRtaW4=", "Token qj_x"])
def test_without_valid_credentials_every_endpoint_answers_401(call, town, header):
    before = state()
    requests = [
        ("get", "/organizations", None),
        ("get", f"/organizations/{town['branch_a1'].pk}", None),
        ("post", "/organizations", {"name": "新支部", "kind": "branch", "parent": town["town"].pk}),
        ("patch", f"/organizations/{town['branch_a1'].pk}", {"name": "改名"}),
    ]
    for method, path, body in requests:
        response = call("anonymous", method, path, body, header=header)
        assert response.status_code == 401, (method, path)
        assert response.json() == UNAUTHENTICATED
        assert response["WWW-Authenticate"] == 'Bearer realm="qiangji"'
    assert state() == before


# --- the session (the pages' own htmx calls) ---------------------------------------------


def test_session_reads_without_token(users, town):
    client = Client()
    client.force_login(users["secretary_b"])
    body = client.get("/api/v1/organizations").json()
    assert [o["name"] for o in body["items"]] == ["竖新镇某某公司党支部"]


def test_session_write_needs_the_csrf_token(users, town):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["town_admin"])
    body = json.dumps({"name": "新支部", "kind": "branch", "parent": town["town"].pk})
    before = state()
    refused = client.post("/api/v1/organizations", body, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "CSRF 校验失败，请刷新页面后重试（脚本请使用接口令牌）。"}
    assert state() == before
    client.get("/accounts/tokens/")  # any page sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    accepted = client.post("/api/v1/organizations", body, content_type="application/json", headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 201
    assert Organization.objects.filter(name="新支部", parent=town["town"]).count() == 1


def test_a_bad_token_does_not_fall_back_to_the_session(users, town):
    client = Client()
    client.force_login(users["town_admin"])
    response = client.get("/api/v1/organizations", headers={"Authorization": "Bearer qj_revoked-or-wrong"})
    assert (response.status_code, response.json()) == (401, UNAUTHENTICATED)


# --- the schema ----------------------------------------------------------------------------


def test_openapi_lists_every_path(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    # The foundation's paths; later modules add their own routers beside them.
    foundation = [p for p in sorted(schema["paths"]) if p.startswith(("/api/v1/members", "/api/v1/organizations"))]
    assert foundation == [
        "/api/v1/members",
        "/api/v1/members/{member_id}",
        "/api/v1/members/{member_id}/transfer",
        "/api/v1/organizations",
        "/api/v1/organizations/{org_id}",
    ]
    assert sorted(schema["paths"]["/api/v1/organizations/{org_id}"]) == ["get", "patch"]
    assert schema["components"]["securitySchemes"] == {
        "TokenAuth": {"type": "http", "scheme": "bearer"},
        "SessionAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
    }


def test_docs_page_uses_only_local_scripts(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<script src="/static/ninja/swagger-ui-bundle.js"></script>' in html
    assert "cdn" not in html.lower()
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_organization_list_costs_the_same_queries_for_6_or_16_organizations(town, users):
    client = Client()
    client.force_login(users["town_admin"])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/organizations").status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    few = queries()
    unit = UnitFactory()
    for i in range(10):
        Organization.objects.filter(pk=f.organization(name=f"新支部{i}", parent=town["village_a"]).pk).update(unit=unit)
    many = queries()
    assert client.get("/api/v1/organizations").json()["count"] == 16
    # session, user, the scope's three lookups, the count and the page
    assert len(few) == len(many) == 7, few
