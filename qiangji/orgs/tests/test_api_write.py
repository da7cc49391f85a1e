"""Organization writes over the API: the page's form and services, scoped to what the caller manages."""

import datetime as dt

import pytest
from django.test import Client

from qiangji.core.models import ChangeRecord
from qiangji.orgs.models import Organization
from qiangji.orgs.tests import test_api as shared
from qiangji.orgs.tests.test_api import INVALID, NOT_A_CHOICE, NOT_FOUND, state

# The role users and their tokens are the read tests' own fixtures.
tokens, call = shared.tokens, shared.call


# --- creating ------------------------------------------------------------------------------


def test_secretary_creates_a_branch_in_own_subtree(call, town, users):
    response = call(
        "secretary_a",
        "post",
        "/organizations",
        {"name": " 东村第三党支部 ", "kind": "branch", "parent": town["village_a"].pk, "founded_on": "2024-07-16"},
    )
    assert response.status_code == 201
    org = Organization.objects.get(name="东村第三党支部")
    assert response.json() == {
        "id": org.pk,
        "name": "东村第三党支部",
        "kind": "branch",
        "kind_label": "党支部",
        "parent": town["village_a"].pk,
        "parent_name": "东村党总支",
        "unit": None,
        "unit_name": None,
        "village": None,
        "village_name": None,
        "founded_on": "2024-07-16",
        "term_start": None,
        "term_end": None,
        "dissolved_on": None,
        "has_committee": False,
        "version": org.version,
    }
    assert org.path == f"{town['village_a'].path}{org.pk}/"
    record = ChangeRecord.objects.get(object_id=org.pk, content_type__model="organization")
    assert (record.action, record.source, record.user) == ("create", "api", users["secretary_a"])


@pytest.mark.parametrize("role", ["liaison", "member", "visitor"])
def test_roles_that_manage_nothing_cannot_create(call, town, role):
    before = state()
    response = call(role, "post", "/organizations", {"name": "新支部", "kind": "branch", "parent": town["branch_a1"].pk})
    assert response.status_code == 403
    assert response.json() == {"detail": "您没有新增党组织的权限。"}
    assert state() == before


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"kind": "branch"}, {"name": ["名称未填写"]}),
        ({"name": "东村第一党支部", "kind": "branch"}, {"name": ["已有同名党组织"]}),
        ({"name": "新小组", "kind": "group"}, {"parent": ["党小组不能设在党总支之下"]}),
        ({"name": "新支部", "kind": "cell"}, {"kind": ["选择一个有效的选项。 cell 不在可用的选项中。"]}),
        (
            {"name": "新支部", "kind": "branch", "term_start": "2024-01-01", "term_end": "2023-12-31"},
            {"term_end": ["届满日期应晚于本届任期开始日期"]},
        ),
        (
            {"name": "新支部", "kind": "branch", "founded_on": "2024年7月16日"},
            {"founded_on": ["请输入有效的日期（格式：YYYY-MM-DD）。"]},
        ),
        ({"name": "新支部", "kind": "branch", "secretary": "张三"}, {"secretary": ["不支持该字段。"]}),
    ],
)
def test_invalid_create_answers_422_in_chinese_and_writes_nothing(call, town, body, errors):
    before = state()
    response = call("secretary_a", "post", "/organizations", {"parent": town["village_a"].pk, **body})
    assert response.status_code == 422
    assert response.json() == {"detail": INVALID, "errors": errors}
    assert state() == before


def test_parent_outside_manage_scope_is_not_a_choice(call, town):
    before = state()
    response = call("secretary_a", "post", "/organizations", {"name": "新支部", "kind": "branch", "parent": town["branch_b"].pk})
    assert response.status_code == 422
    assert response.json() == {"detail": INVALID, "errors": {"parent": [NOT_A_CHOICE]}}
    assert state() == before


def test_body_that_is_not_json_answers_400(town, tokens):
    before = state()
    headers = {"Authorization": f"Bearer {tokens['town_admin']}"}
    response = Client().post("/api/v1/organizations", "{name:", content_type="application/json", headers=headers)
    assert (response.status_code, response.json()) == (400, {"detail": "请求体无法解析，应为 JSON 格式。"})
    assert state() == before


def test_body_that_is_not_an_object_answers_422(call, town):
    before = state()
    response = call("town_admin", "post", "/organizations", ["东村第三党支部"])
    assert response.status_code == 422
    assert response.json() == {"detail": INVALID, "errors": {"__all__": ["请求体应为 JSON 对象。"]}}
    assert state() == before


# --- changing ------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(call, town, users):
    a2 = town["branch_a2"]
    response = call(
        "secretary_a",
        "patch",
        f"/organizations/{a2.pk}",
        {"name": "东村第二支部", "term_end": "2027-06-30", "version": a2.version},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["term_end"], body["parent"], body["village_name"]) == (
        "东村第二支部",
        "2027-06-30",
        town["village_a"].pk,
        "东村",
    )
    a2.refresh_from_db()
    assert (a2.name, a2.term_end, a2.kind, a2.parent_id) == ("东村第二支部", dt.date(2027, 6, 30), "branch", town["village_a"].pk)
    record = ChangeRecord.objects.get(object_id=a2.pk, content_type__model="organization")
    assert (record.action, record.source, record.user) == ("update", "api", users["secretary_a"])
    assert record.changes == {"name": ["东村第二党支部", "东村第二支部"], "term_end": [None, "2027-06-30"]}


def test_secretary_edits_the_top_of_own_subtree_whose_parent_they_do_not_manage(call, town):
    response = call(
        "secretary_a",
        "patch",
        f"/organizations/{town['village_a'].pk}",
        {"has_committee": True, "version": town["village_a"].version},
    )
    assert response.status_code == 200
    town["village_a"].refresh_from_db()
    assert (town["village_a"].has_committee, town["village_a"].parent_id) == (True, town["town"].pk)


def test_town_admin_moves_a_branch_and_its_subtree(call, town):
    a1, g1 = town["branch_a1"], town["group_a1"]
    response = call("town_admin", "patch", f"/organizations/{a1.pk}", {"parent": town["town"].pk, "version": a1.version})
    assert response.status_code == 200
    a1.refresh_from_db()
    g1.refresh_from_db()
    assert (a1.path, a1.depth) == (f"{town['town'].path}{a1.pk}/", 1)
    assert (g1.path, g1.depth) == (f"{a1.path}{g1.pk}/", 2)


@pytest.mark.parametrize(
    ("role", "target"),
    [
        ("secretary_a", "branch_b"),  # not visible
        ("secretary_b", "branch_a1"),  # not visible
        ("liaison", "branch_a1"),  # visible, not manageable
        ("member", "branch_a1"),  # own branch: visible, not manageable
        ("visitor", "branch_a1"),
    ],
)
def test_patch_outside_manage_scope_answers_404_and_changes_nothing(call, town, role, target):
    before = state()
    response = call(role, "patch", f"/organizations/{town[target].pk}", {"name": "改过的名字", "version": town[target].version})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert state() == before


def test_secretary_cannot_move_a_branch_out_of_own_subtree(call, town):
    before = state()
    response = call(
        "secretary_a",
        "patch",
        f"/organizations/{town['branch_a2'].pk}",
        {"parent": town["town"].pk, "version": town["branch_a2"].version},
    )
    assert response.status_code == 422
    assert response.json() == {"detail": INVALID, "errors": {"parent": [NOT_A_CHOICE]}}
    assert state() == before


def test_patch_into_own_subtree_is_refused(call, town):
    before = state()
    response = call(
        "town_admin",
        "patch",
        f"/organizations/{town['village_a'].pk}",
        {"parent": town["branch_a1"].pk, "version": town["village_a"].version},
    )
    assert response.status_code == 422
    assert response.json() == {"detail": INVALID, "errors": {"parent": [NOT_A_CHOICE]}}
    assert state() == before
