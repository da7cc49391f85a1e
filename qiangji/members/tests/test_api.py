"""The member endpoints: every role, masking and reveal, writes through the forms and services."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qiangji import factories as f
from qiangji.accounts.services import api_token_issue, api_token_revoke
from qiangji.core.models import AuditEvent, ChangeRecord
from qiangji.members.models import Member, Transfer

NOT_FOUND = {"detail": "对象不存在，或您无权访问。"}
UNAUTHENTICATED = {"detail": "请先登录，或在请求头中提供有效的接口令牌（Authorization: Bearer 令牌）。"}
INVALID = "提交的数据有误，请按提示修改。"
NOT_A_CHOICE = "选择一个有效的选项： 该选择不在可用的选项中。"
ROLES = ("town_admin", "liaison", "secretary_a", "secretary_b", "member", "visitor")
ZHANG_ID = "310230198005170016"
WANG_ID = "310230198503020029"


@pytest.fixture
def people(town, users):
    """张三 in branch_a2 (under village_a), 王芳 (probationary, frail) in branch_b, and 李党员 from `users`."""
    zhang = f.member(
        organization=town["branch_a2"],
        name="张三",
        birth=dt.date(1980, 5, 17),
        id_number=ZHANG_ID,
        phone="13812345678",
        address="上海市崇明区竖新镇东村100号",
    )
    wang = f.member(
        organization=town["branch_b"],
        name="王芳",
        birth=dt.date(1985, 3, 2),
        female=True,
        id_number=WANG_ID,
        status=Member.Status.PROBATIONARY,
        full_member_on=None,
        joined_on=dt.date(2025, 7, 1),
        is_frail=True,
    )
    li = Member.objects.get(name="李党员")
    return {"zhang": zhang, "wang": wang, "li": li}


@pytest.fixture
def tokens(users):
    return {role: api_token_issue(user=users[role], name="测试脚本")[1] for role in ROLES}


@pytest.fixture
def call(api_as, users):
    def make(role, method, path, body=None, *, header=None, params=None):
        return api_as(users[role], header=header).request(method, path, body, params=params)

    return make


def state():
    """Everything a member write could touch."""
    return (
        sorted(
            (m.pk, m.name, m.id_number, m.phone, m.address, m.organization_id, m.status, m.party_post)
            for m in Member.objects.all()
        ),
        Transfer.objects.count(),
        ChangeRecord.objects.count(),
        AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).count(),
    )


def zhang_payload(people, town, *, revealed=False):
    zhang = people["zhang"]
    return {
        "id": zhang.pk,
        "name": "张三",
        "gender": "M",
        "gender_label": "男",
        "id_number": ZHANG_ID if revealed else "310***********0016",
        "birth_date": "1980-05-17",
        "ethnicity": "汉族",
        "education": "high_school",
        "education_label": "高中",
        "joined_on": "2005-07-01",
        "full_member_on": "2006-07-01",
        "status": "full",
        "status_label": "正式党员",
        "organization": town["branch_a2"].pk,
        "organization_name": "东村第二党支部",
        "party_post": "",
        "party_post_label": "",
        "phone": "13812345678" if revealed else "138****5678",
        "address": "上海市崇明区竖新镇东村100号" if revealed else "上海市崇明区****",
        "is_frail": False,
        "is_mobile": False,
        "revealed": revealed,
        "version": 1,
    }


def names(response):
    return sorted(m["name"] for m in response.json()["items"])


# --- reading -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("town_admin", ["张三", "李党员", "王芳"]),
        ("liaison", ["张三", "李党员"]),
        ("secretary_a", ["张三", "李党员"]),
        ("secretary_b", ["王芳"]),
        ("member", ["李党员"]),
        ("visitor", []),
    ],
)
def test_list_shows_each_role_its_scope(call, people, role, visible):
    response = call(role, "get", "/members")
    assert response.status_code == 200
    assert names(response) == sorted(visible)
    assert response.json()["count"] == len(visible)


def test_list_items_are_masked_even_for_those_who_may_reveal(call, people, town):
    body = call("secretary_a", "get", "/members", params={"q": "张三"}).json()
    assert body == {"count": 1, "page": 1, "page_size": 20, "items": [zhang_payload(people, town)]}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).count() == 0


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "张"}, ["张三"]),
        ({"q": "zs"}, ["张三"]),
        ({"q": ZHANG_ID}, ["张三"]),
        ({"q": ZHANG_ID[:6] + ZHANG_ID[8:17]}, ["张三"]),  # the 15-digit form of the same number
        ({"status": "probationary"}, ["王芳"]),
        ({"flag": "frail"}, ["王芳"]),
        ({"status": "full", "q": "李"}, ["李党员"]),
    ],
)
def test_list_searches_and_filters(call, people, params, expected):
    assert names(call("town_admin", "get", "/members", params=params)) == expected


def test_organization_filter_covers_the_subtree_within_scope(call, people, town):
    assert names(call("town_admin", "get", "/members", params={"organization": town["village_a"].pk})) == ["张三", "李党员"]
    assert names(call("town_admin", "get", "/members", params={"organization": town["branch_a1"].pk})) == ["李党员"]
    outside = call("secretary_a", "get", "/members", params={"organization": town["branch_b"].pk})
    assert (outside.status_code, outside.json()) == (200, {"count": 0, "page": 1, "page_size": 20, "items": []})


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"status": "retired"}, {"status": ["“retired”不是有效的选项，可选：full、probationary。"]}),
        ({"flag": "old"}, {"flag": ["“old”不是有效的选项，可选：frail、mobile、probation_over。"]}),
        ({"organization": "东村"}, {"organization": ["请输入整数。"]}),
        ({"page_size": 0}, {"page_size": ["不能小于 1。"]}),
    ],
)
def test_list_rejects_bad_filters_in_chinese(call, people, params, errors):
    response = call("town_admin", "get", "/members", params=params)
    assert (response.status_code, response.json()) == (422, {"detail": INVALID, "errors": errors})


@pytest.mark.parametrize(
    ("role", "status"),
    [("town_admin", 200), ("liaison", 200), ("secretary_a", 200), ("secretary_b", 404), ("member", 404), ("visitor", 404)],
)
def test_detail_is_masked_and_scoped(call, people, town, role, status):
    response = call(role, "get", f"/members/{people['zhang'].pk}")
    assert response.status_code == status
    assert response.json() == (zhang_payload(people, town) if status == 200 else NOT_FOUND)


def test_detail_answers_missing_and_forbidden_alike(call, people):
    missing = call("secretary_b", "get", f"/members/{Member.objects.order_by('-pk')[0].pk + 100}")
    forbidden = call("secretary_b", "get", f"/members/{people['zhang'].pk}")
    assert (missing.status_code, missing.json()) == (forbidden.status_code, forbidden.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize("role", ["town_admin", "secretary_a"])
def test_reveal_unmasks_for_managers_and_is_audited(call, people, town, users, role):
    response = call(role, "get", f"/members/{people['zhang'].pk}", params={"reveal": "true"})
    assert response.status_code == 200
    assert response.json() == zhang_payload(people, town, revealed=True)
    event = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL)
    assert (event.user, event.object_type, event.object_id, event.object_repr) == (
        users[role],
        "members.Member",
        str(people["zhang"].pk),
        "张三",
    )
    assert (event.fields, event.row_count, event.detail, event.ip) == (
        ["id_number", "phone", "address"],
        1,
        {"via": "api"},
        "127.0.0.1",
    )


def test_member_may_reveal_own_record(call, people):
    response = call("member", "get", f"/members/{people['li'].pk}", params={"reveal": "true"})
    assert response.status_code == 200
    assert (response.json()["id_number"], response.json()["revealed"]) == (people["li"].id_number, True)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL, object_id=str(people["li"].pk)).count() == 1


def test_liaison_sees_masked_but_may_not_reveal(call, people):
    before = state()
    response = call("liaison", "get", f"/members/{people['zhang'].pk}", params={"reveal": "true"})
    assert (response.status_code, response.json()) == (403, {"detail": "您无权查看该党员的完整身份证号、联系电话和家庭住址。"})
    assert state() == before


def test_reveal_of_an_invisible_member_is_404_not_403(call, people):
    before = state()
    response = call("secretary_b", "get", f"/members/{people['zhang'].pk}", params={"reveal": "true"})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert state() == before


# --- credentials ---------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Bearer qj_not-a-real-token", "Basic YWRtaW46YWRtaW4="])
def test_without_valid_credentials_every_endpoint_answers_401(call, people, town, header):
    before = state()
    pk = people["zhang"].pk
    requests = [
        ("get", "/members", None),
        ("get", f"/members/{pk}", None),
        ("post", "/members", {"name": "赵六"}),
        ("patch", f"/members/{pk}", {"phone": "13900000000"}),
        ("post", f"/members/{pk}/transfer", {"to_organization": town["branch_a1"].pk}),
    ]
    for method, path, body in requests:
        response = call("anonymous", method, path, body, header=header)
        assert (response.status_code, response.json()) == (401, UNAUTHENTICATED), (method, path)
    assert state() == before


def test_revoked_token_stops_working_at_once(people, users):
    token, key = api_token_issue(user=users["secretary_a"], name="同步脚本")
    headers = {"Authorization": f"Bearer {key}"}
    assert Client().get("/api/v1/members", headers=headers).status_code == 200
    api_token_revoke(token=token, user=users["secretary_a"])
    response = Client().get("/api/v1/members", headers=headers)
    assert (response.status_code, response.json()) == (401, UNAUTHENTICATED)


def test_token_of_a_deactivated_user_is_refused(people, users, tokens):
    users["secretary_a"].is_active = False
    users["secretary_a"].save(update_fields=["is_active"])
    response = Client().get("/api/v1/members", headers={"Authorization": f"Bearer {tokens['secretary_a']}"})
    assert (response.status_code, response.json()) == (401, UNAUTHENTICATED)


def test_token_use_is_recorded_on_the_token(people, users):
    token, key = api_token_issue(user=users["secretary_b"], name="同步脚本")
    assert token.last_used_at is None
    Client().get("/api/v1/members", headers={"Authorization": f"Bearer {key}"})
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < dt.timedelta(minutes=1)


# --- cost ----------------------------------------------------------------------------------


def test_member_list_costs_the_same_queries_for_3_or_13_members(people, town, users):
    client = Client()
    client.force_login(users["town_admin"])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/members").status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    few = queries()
    for i in range(10):
        f.member(organization=town["branch_a1"], name=f"党员{i}")
    many = queries()
    assert len(client.get("/api/v1/members").json()["items"]) == 13
    # session, user, the scope's three lookups, the count and the page
    assert len(few) == len(many) == 7, few
