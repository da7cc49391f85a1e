"""Carrier committees: one per carrier, a default name, one 主任, seats in order; only the town
writes, and every refusal leaves the committee as it was."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from qiangji.campaign.models import CarrierCommittee, CommitteeMember
from qiangji.campaign.services.carriers import (
    committee_create,
    committee_seat_add,
    committee_seat_move,
    committee_seat_remove,
    committee_seats_reorder,
    committee_update,
)
from qiangji.core.errors import DomainError


def seats(committee):
    return list(CommitteeMember.objects.filter(committee=committee).order_by("order").values_list("order", "name", "duty"))


@pytest.mark.parametrize(
    "kind, place, name",
    [("chain", "veg", "蔬菜链链委会"), ("street", "street", "竖河商业街区街委会"), ("grid", "grid1", "第一网格片委会")],
)
def test_a_committee_is_named_after_its_carrier_by_default(places, users, kind, place, name):
    made = committee_create(by=users["town_admin"], kind=kind, carrier_id=places[place].pk, data={"name": "  "})
    assert (made.name, made.carrier_kind, made.carrier) == (name, kind, places[place])
    assert made.carrier_ref == f"{kind}:{places[place].pk}"


def test_a_committee_keeps_its_date_organization_and_duties(places, users, town):
    data = {
        "name": "蔬菜产业链党建联盟委员会",
        "established_on": dt.date(2025, 3, 1),
        "organization": town["village_a"],
        "duties": "每季度召开一次联席会议",
    }
    made = committee_create(by=users["town_admin"], kind="chain", carrier_id=places["veg"].pk, data=data)
    made.refresh_from_db()
    assert (made.name, made.established_on, made.organization, made.duties) == (
        "蔬菜产业链党建联盟委员会",
        dt.date(2025, 3, 1),
        town["village_a"],
        "每季度召开一次联席会议",
    )


def test_a_carrier_has_at_most_one_committee(committee, places, users):
    with pytest.raises(DomainError) as error:
        committee_create(by=users["town_admin"], kind="chain", carrier_id=places["veg"].pk, data={"name": "第二个链委会"})
    assert error.value.message == "蔬菜链已成立链委会（蔬菜链链委会），一个载体只设一个委员会"
    assert CarrierCommittee.objects.count() == 1


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"name": "蔬菜链链委会"}, "name", "委员会名称“蔬菜链链委会”已被使用"),
        ({"established_on": "2099-01-01"}, "established_on", "请填写有效的成立日期"),
        ({"name": "链" * 101}, "name", "委员会名称不能超过100个字"),
    ],
)
def test_bad_committee_data_is_refused_and_nothing_is_written(committee, places, users, data, field, message):
    with pytest.raises(DomainError) as error:
        committee_create(by=users["town_admin"], kind="chain", carrier_id=places["homestay"].pk, data=data)
    assert (error.value.field, error.value.message) == (field, message)
    assert list(CarrierCommittee.objects.values_list("name", flat=True)) == ["蔬菜链链委会"]


def test_a_future_date_or_a_dissolved_organization_is_refused(places, users, town):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(DomainError, match="成立日期不能晚于今天"):
        committee_create(by=users["town_admin"], kind="chain", carrier_id=places["veg"].pk, data={"established_on": tomorrow})
    town["branch_b"].dissolved_on = dt.date(2024, 1, 1)
    town["branch_b"].save()
    with pytest.raises(DomainError, match="已撤销，不能作为依托党组织"):
        committee_create(
            by=users["town_admin"], kind="chain", carrier_id=places["veg"].pk, data={"organization": town["branch_b"]}
        )
    assert CarrierCommittee.objects.count() == 0


def test_an_unknown_carrier_is_refused(places, users):
    with pytest.raises(DomainError, match="该载体不存在"):
        committee_create(by=users["town_admin"], kind="chain", carrier_id=99999, data={})
    with pytest.raises(DomainError, match="载体类别应为产业链、商业街区或网格"):
        committee_create(by=users["town_admin"], kind="village", carrier_id=places["east"].pk, data={})
    assert CarrierCommittee.objects.count() == 0


@pytest.mark.parametrize("role", ["liaison", "secretary_a", "secretary_b", "member", "visitor"])
def test_only_the_town_sets_up_or_changes_committees(committee, places, users, role):
    user = users[role]
    with pytest.raises(PermissionDenied):
        committee_create(by=user, kind="chain", carrier_id=places["homestay"].pk, data={})
    with pytest.raises(PermissionDenied):
        committee_update(by=user, committee=committee, data={"name": "改名"})
    with pytest.raises(PermissionDenied):
        committee_seat_add(by=user, committee=committee, data={"name": "王五", "duty": "委员"})
    with pytest.raises(PermissionDenied):
        committee_seat_remove(by=user, seat=committee.seats.first())
    assert CarrierCommittee.objects.get().name == "蔬菜链链委会"
    assert seats(committee) == [(1, "张主任", "主任"), (2, "李委员", "委员")]


def test_update_changes_the_fields_but_not_the_carrier(committee, users, town):
    committee_update(
        by=users["town_admin"],
        committee=committee,
        data={"name": "", "established_on": dt.date(2025, 6, 1), "organization": town["branch_b"], "duties": "按月例会"},
    )
    committee.refresh_from_db()
    assert (committee.name, committee.established_on, committee.organization, committee.duties, committee.carrier_kind) == (
        "蔬菜链链委会",
        dt.date(2025, 6, 1),
        town["branch_b"],
        "按月例会",
        "chain",
    )


def test_update_refuses_a_name_another_committee_has(committee, places, users):
    committee_create(by=users["town_admin"], kind="chain", carrier_id=places["homestay"].pk, data={})
    with pytest.raises(DomainError) as error:
        committee_update(by=users["town_admin"], committee=committee, data={"name": "民宿链链委会"})
    assert error.value.field == "name"
    committee.refresh_from_db()
    assert committee.name == "蔬菜链链委会"


def test_seats_are_placed_by_duty_and_a_committee_has_one_chair(committee, users):
    admin = users["town_admin"]
    committee_seat_add(by=admin, committee=committee, data={"name": "赵副主任", "duty": "副主任", "unit": "东村"})
    committee_seat_add(by=admin, committee=committee, data={"name": "钱委员", "duty": "", "unit": ""})
    assert seats(committee) == [(1, "张主任", "主任"), (2, "赵副主任", "副主任"), (3, "李委员", "委员"), (4, "钱委员", "委员")]
    with pytest.raises(DomainError) as error:
        committee_seat_add(by=admin, committee=committee, data={"name": "孙主任", "duty": "主任"})
    assert (error.value.field, error.value.message) == ("duty", "该委员会已有主任（张主任），一个委员会只设一名主任")
    assert len(seats(committee)) == 4


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"name": "", "duty": "委员"}, "name", "请填写成员姓名"),
        ({"name": "王五", "duty": "秘书长"}, "duty", "职务应为主任、副主任或委员"),
        ({"name": "李委员", "duty": "委员", "unit": "崇明蔬菜合作社"}, "name", "该委员会已有成员“李委员”"),
    ],
)
def test_bad_seats_are_refused_and_nothing_changes(committee, users, data, field, message):
    with pytest.raises(DomainError) as error:
        committee_seat_add(by=users["town_admin"], committee=committee, data=data)
    assert (error.value.field, error.value.message) == (field, message)
    assert seats(committee) == [(1, "张主任", "主任"), (2, "李委员", "委员")]


def test_removing_a_seat_closes_up_the_order(committee, users):
    admin = users["town_admin"]
    deputy = committee_seat_add(by=admin, committee=committee, data={"name": "赵副主任", "duty": "副主任"})
    committee_seat_remove(by=admin, seat=deputy)
    assert seats(committee) == [(1, "张主任", "主任"), (2, "李委员", "委员")]
    with pytest.raises(DomainError, match="该成员已不在委员会中"):
        committee_seat_remove(by=admin, seat=deputy)


def test_seats_can_be_reordered_and_moved(committee, users):
    admin = users["town_admin"]
    chair, member = committee.seats.order_by("order")
    committee_seats_reorder(by=admin, committee=committee, seat_ids=[member.pk, chair.pk])
    assert seats(committee) == [(1, "李委员", "委员"), (2, "张主任", "主任")]
    chair.refresh_from_db()
    committee_seat_move(by=admin, seat=chair, offset=-1)
    assert seats(committee) == [(1, "张主任", "主任"), (2, "李委员", "委员")]
    chair.refresh_from_db()
    with pytest.raises(DomainError, match="已在最前"):
        committee_seat_move(by=admin, seat=chair, offset=-1)
    assert seats(committee) == [(1, "张主任", "主任"), (2, "李委员", "委员")]


@pytest.mark.parametrize("order", ["none", "one", "dup", "foreign"])
def test_a_reorder_that_does_not_name_every_seat_once_is_refused(committee, places, users, order):
    admin = users["town_admin"]
    chair = committee.seats.order_by("order").first()
    other = committee_create(by=admin, kind="chain", carrier_id=places["homestay"].pk, data={})
    outsider = committee_seat_add(by=admin, committee=other, data={"name": "外人", "duty": "委员"})
    ids = {"none": [], "one": [chair.pk], "dup": [chair.pk, chair.pk], "foreign": [chair.pk, outsider.pk]}[order]
    with pytest.raises(DomainError, match="成员顺序与当前成员名单不一致"):
        committee_seats_reorder(by=admin, committee=committee, seat_ids=ids)
    assert seats(committee) == [(1, "张主任", "主任"), (2, "李委员", "委员")]
