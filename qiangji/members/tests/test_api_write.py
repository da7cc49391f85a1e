"""Member writes over the API: registration, changes and transfers through the page's forms and services."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from qiangji.core.models import ChangeRecord
from qiangji.members.models import Member, Transfer
from qiangji.members.tests import test_api as shared
from qiangji.members.tests.test_api import INVALID, NOT_A_CHOICE, NOT_FOUND, ZHANG_ID, state, zhang_payload

# The role users, their tokens and the small fixture town are the read tests' own fixtures.
tokens, call, people = shared.tokens, shared.call, shared.people


# --- creating ------------------------------------------------------------------------------


def new_member(town, **extra):
    return {
        "name": "赵六",
        "id_number": "310230199001010036",
        "joined_on": "2015-07-01",
        "full_member_on": "2016-07-01",
        "organization": town["branch_a2"].pk,
        "phone": "139 1234 0000",
        **extra,
    }


def test_secretary_registers_a_member_with_normalised_id_number(call, people, town, users):
    body = new_member(town, id_number="11010519491231002x", joined_on="1975-07-01", full_member_on="1976-07-01")
    response = call("secretary_a", "post", "/members", body)
    assert response.status_code == 201
    member = Member.objects.get(name="赵六")
    assert response.json() == {
        "id": member.pk,
        "name": "赵六",
        "gender": "F",
        "gender_label": "女",
        "id_number": "110***********002X",
        "birth_date": "1949-12-31",
        "ethnicity": "汉族",
        "education": "",
        "education_label": "",
        "joined_on": "1975-07-01",
        "full_member_on": "1976-07-01",
        "status": "full",
        "status_label": "正式党员",
        "organization": town["branch_a2"].pk,
        "organization_name": "东村第二党支部",
        "party_post": "",
        "party_post_label": "",
        "phone": "139****0000",
        "address": "",
        "is_frail": False,
        "is_mobile": False,
        "revealed": False,
        "version": 1,
    }
    assert (member.id_number, member.phone, member.name_initials) == ("11010519491231002X", "13912340000", "zl")
    record = ChangeRecord.objects.get(object_id=member.pk, content_type__model="member")
    assert (record.action, record.source, record.user) == ("create", "api", users["secretary_a"])
    assert record.changes["id_number"] == [None, "110***********002X"]


def test_full_width_digits_are_normalised(call, people, town):
    response = call("town_admin", "post", "/members", new_member(town, id_number="３１０２３０１９９００１０１００３６"))
    assert response.status_code == 201
    assert Member.objects.get(name="赵六").id_number == "310230199001010036"


@pytest.mark.parametrize(
    ("extra", "errors"),
    [
        ({"id_number": "310230199001010035"}, {"id_number": ["身份证号校验位不正确"]}),
        ({"id_number": "310230199002300030"}, {"id_number": ["身份证号中的出生日期无效"]}),
        ({"id_number": "3102301990"}, {"id_number": ["身份证号应为18位（末位可为X）"]}),
        ({"id_number": ZHANG_ID}, {"id_number": ["该身份证号已登记为其他党员"]}),
        ({"phone": "12345"}, {"phone": ["联系电话应为11位手机号，或带区号的固定电话"]}),
        ({"full_member_on": None}, {"full_member_on": ["正式党员请填写转正日期"]}),
        (
            {"joined_on": "2005-07-01", "full_member_on": "2005-06-30"},
            {"joined_on": ["入党时应年满18周岁"], "full_member_on": ["转正日期不能早于入党日期"]},
        ),
        ({"gender": "F"}, {"gender": ["性别与身份证号不一致"]}),
        ({"status": "retired"}, {"status": ["选择一个有效的选项。 retired 不在可用的选项中。"]}),
        ({"organization": None}, {"organization": ["请输入整数。"]}),
        ({"id_number": 310230199001010036}, {"id_number": ["请输入文本。"]}),
    ],
)
def test_invalid_member_answers_422_in_chinese_and_writes_nothing(call, people, town, extra, errors):
    before = state()
    response = call("secretary_a", "post", "/members", new_member(town, **extra))
    assert response.status_code == 422
    assert response.json() == {"detail": INVALID, "errors": errors}
    assert state() == before


def test_organization_outside_manage_scope_is_not_a_choice(call, people, town):
    before = state()
    response = call("secretary_b", "post", "/members", new_member(town))
    assert (response.status_code, response.json()) == (422, {"detail": INVALID, "errors": {"organization": [NOT_A_CHOICE]}})
    assert state() == before


@pytest.mark.parametrize("role", ["liaison", "member", "visitor"])
def test_roles_that_manage_nothing_cannot_register(call, people, town, role):
    before = state()
    response = call(role, "post", "/members", new_member(town))
    assert (response.status_code, response.json()) == (403, {"detail": "您没有登记党员的权限。"})
    assert state() == before


# --- changing ------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent_and_keeps_history_masked(call, people, town, users):
    zhang = people["zhang"]
    response = call("secretary_a", "patch", f"/members/{zhang.pk}", {"phone": "13900001111", "is_mobile": True, "version": 1})
    assert response.status_code == 200
    assert response.json() == {**zhang_payload(people, town), "phone": "139****1111", "is_mobile": True, "version": 2}
    zhang.refresh_from_db()
    assert (zhang.phone, zhang.is_mobile, zhang.id_number, zhang.organization_id) == (
        "13900001111",
        True,
        ZHANG_ID,
        town["branch_a2"].pk,
    )
    record = ChangeRecord.objects.get(object_id=zhang.pk, content_type__model="member", action="update")
    assert (record.source, record.user) == ("api", users["secretary_a"])
    assert record.changes == {"phone": ["138****5678", "139****1111"], "is_mobile": [False, True]}


def test_patch_of_the_id_number_rederives_birth_date_and_gender(call, people):
    response = call("town_admin", "patch", f"/members/{people['zhang'].pk}", {"id_number": "11010519491231002X", "version": 1})
    assert response.status_code == 200
    assert (response.json()["birth_date"], response.json()["gender"]) == ("1949-12-31", "F")


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"id_number": "310230198005170017"}, {"id_number": ["身份证号校验位不正确"]}),
        ({"organization": 1}, {"organization": ["不支持该字段。"]}),
        ({"name": "  "}, {"name": ["姓名未填写"]}),
        ({"joined_on": "1995-07-01"}, {"joined_on": ["入党时应年满18周岁"]}),
        ({"version": None}, {"version": ["请输入整数。"]}),
        ({"version": 0}, {"version": ["页面已过期，请刷新后重新编辑。"]}),
    ],
)
def test_invalid_patch_answers_422_and_changes_nothing(call, people, body, errors):
    before = state()
    response = call("secretary_a", "patch", f"/members/{people['zhang'].pk}", {"version": 1, **body})
    assert (response.status_code, response.json()) == (422, {"detail": INVALID, "errors": errors})
    assert state() == before


@pytest.mark.parametrize(
    ("role", "who"),
    [("secretary_b", "zhang"), ("liaison", "zhang"), ("member", "li"), ("visitor", "zhang"), ("secretary_a", "wang")],
)
def test_patch_outside_manage_scope_answers_404_and_changes_nothing(call, people, role, who):
    before = state()
    response = call(role, "patch", f"/members/{people[who].pk}", {"phone": "13900001111", "version": 1})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert state() == before


# --- transfers -----------------------------------------------------------------------------


def test_secretary_transfers_within_own_subtree(call, people, town, users):
    zhang = people["zhang"]
    body = {"to_organization": town["branch_a1"].pk, "transferred_on": "2025-03-01", "reason": "工作调动"}
    response = call("secretary_a", "post", f"/members/{zhang.pk}/transfer", body)
    assert response.status_code == 201
    transfer = Transfer.objects.get(member=zhang)
    assert response.json() == {
        "id": transfer.pk,
        "member": zhang.pk,
        "from_organization": town["branch_a2"].pk,
        "from_organization_name": "东村第二党支部",
        "to_organization": town["branch_a1"].pk,
        "to_organization_name": "东村第一党支部",
        "transferred_on": "2025-03-01",
        "reason": "工作调动",
    }
    zhang.refresh_from_db()
    assert (zhang.organization_id, transfer.by) == (town["branch_a1"].pk, users["secretary_a"])
    record = ChangeRecord.objects.get(object_id=zhang.pk, content_type__model="member", action="transfer")
    assert (record.source, record.reason, record.changes) == (
        "api",
        "工作调动",
        {"organization": ["东村第二党支部", "东村第一党支部"]},
    )


# 01:00 on 25 November in Shanghai: a server whose own clock is set to UTC still reads the 24th.
SHANGHAI_ONE_AM_ON_A_UTC_SERVER = dt.datetime(2026, 11, 24, 17, 0, tzinfo=ZoneInfo("UTC"))


def test_transfer_date_defaults_to_today_in_shanghai(call, people, town, time_machine):
    time_machine.move_to(SHANGHAI_ONE_AM_ON_A_UTC_SERVER)
    response = call("town_admin", "post", f"/members/{people['zhang'].pk}/transfer", {"to_organization": town["branch_b"].pk})
    assert response.status_code == 201
    assert response.json()["transferred_on"] == "2026-11-25"


def test_a_transfer_dated_today_in_shanghai_is_not_in_the_future(call, people, town, time_machine):
    time_machine.move_to(SHANGHAI_ONE_AM_ON_A_UTC_SERVER)
    body = {"to_organization": town["branch_a1"].pk, "transferred_on": "2026-11-25"}
    response = call("secretary_a", "post", f"/members/{people['zhang'].pk}/transfer", body)
    assert response.status_code == 201
    assert Transfer.objects.get().transferred_on == dt.date(2026, 11, 25)
    tomorrow = {"to_organization": town["branch_a2"].pk, "transferred_on": "2026-11-26"}
    response = call("secretary_a", "post", f"/members/{people['zhang'].pk}/transfer", tomorrow)
    assert response.status_code == 422
    assert response.json()["errors"] == {"transferred_on": ["转接日期不能晚于今天"]}
    assert Transfer.objects.count() == 1


def test_transfer_to_the_same_organization_is_a_409(call, people, town):
    before = state()
    response = call("secretary_a", "post", f"/members/{people['zhang'].pk}/transfer", {"to_organization": town["branch_a2"].pk})
    assert (response.status_code, response.json()) == (409, {"detail": "转入组织与当前所在组织相同"})
    assert state() == before


@pytest.mark.parametrize(
    ("target", "date", "errors"),
    [
        ("branch_b", "2025-03-01", {"to_organization": [NOT_A_CHOICE]}),  # outside sec_a's manage scope
        ("group_a1", "2025-03-01", {"to_organization": [NOT_A_CHOICE]}),  # a group takes no transfers
        ("branch_a1", "2999-01-01", {"transferred_on": ["转接日期不能晚于今天"]}),
    ],
)
def test_invalid_transfer_answers_422_and_changes_nothing(call, people, town, target, date, errors):
    before = state()
    body = {"to_organization": town[target].pk, "transferred_on": date}
    response = call("secretary_a", "post", f"/members/{people['zhang'].pk}/transfer", body)
    assert (response.status_code, response.json()) == (422, {"detail": INVALID, "errors": errors})
    assert state() == before


@pytest.mark.parametrize(("role", "who"), [("secretary_b", "zhang"), ("liaison", "zhang"), ("member", "li"), ("visitor", "li")])
def test_transfer_outside_manage_scope_answers_404(call, people, town, role, who):
    before = state()
    response = call(role, "post", f"/members/{people[who].pk}/transfer", {"to_organization": town["branch_b"].pk})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert state() == before
