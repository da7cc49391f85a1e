"""One member: the masked page, the audited reveal, and the create, edit and transfer forms."""

import datetime as dt

import pytest
from django.urls import reverse

from qiangji import factories as f
from qiangji.core.models import AuditEvent, ChangeRecord
from qiangji.members.models import Member, Transfer

ID = "11010519491231002X"


@pytest.fixture
def zhang(town, users):
    return f.member(
        organization=town["branch_a1"],
        name="张三",
        id_number=ID,
        birth=dt.date(1949, 12, 31),
        female=True,
        phone="13912345678",
        address="上海市崇明区竖新镇东村88号",
    )


def test_detail_is_masked_and_offers_reveal_to_those_allowed(client_as, users, zhang):
    page = client_as(users["secretary_a"]).get(reverse("members:detail", args=[zhang.pk]))
    body = page.content.decode()
    assert "110***********002X" in body and "139****5678" in body and "上海市崇明区****" in body
    assert ID not in body and "13912345678" not in body and "东村88号" not in body
    assert "查看完整信息" in body and page.context["can_reveal"] is True
    liaison = client_as(users["liaison"]).get(reverse("members:detail", args=[zhang.pk]))
    assert liaison.status_code == 200 and liaison.context["can_reveal"] is False
    assert "查看完整信息" not in liaison.content.decode()
    assert AuditEvent.objects.count() == 0


def test_reveal_returns_the_fragment_and_writes_exactly_one_audit_event(client_as, users, zhang):
    response = client_as(users["secretary_a"]).post(reverse("members:reveal", args=[zhang.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert [t.name for t in response.templates] == ["members/_personal.html"]
    body = response.content.decode()
    assert ID in body and "13912345678" in body and "上海市崇明区竖新镇东村88号" in body
    event = AuditEvent.objects.get()
    assert (event.action, event.user, event.object_type, event.object_id, event.fields) == (
        "reveal",
        users["secretary_a"],
        "members.Member",
        str(zhang.pk),
        ["id_number", "phone", "address"],
    )


def test_reveal_without_htmx_renders_the_whole_page(client_as, users, zhang):
    response = client_as(users["town_admin"]).post(reverse("members:reveal", args=[zhang.pk]))
    assert response.status_code == 200 and "<html" in response.content.decode() and ID in response.content.decode()
    assert AuditEvent.objects.count() == 1


def test_a_member_may_reveal_their_own_record_only(client_as, users, zhang):
    own = Member.objects.get(user=users["member"])
    client = client_as(users["member"])
    assert client.post(reverse("members:reveal", args=[own.pk])).status_code == 200
    assert client.post(reverse("members:reveal", args=[zhang.pk])).status_code == 404
    assert client.get(reverse("members:reveal", args=[own.pk])).status_code == 405
    assert list(AuditEvent.objects.values_list("object_id", flat=True)) == [str(own.pk)]


def test_create_member_writes_history(client_as, users, town):
    data = {
        "name": "新党员",
        "id_number": ID.lower(),
        "joined_on": "2024-07-01",
        "status": "probationary",
        "organization": town["branch_a2"].pk,
        "phone": "139 1234 5678",
        "ethnicity": "汉",
    }
    response = client_as(users["secretary_a"]).post(reverse("members:create"), data)
    member = Member.objects.get(name="新党员")
    assert (response.status_code, response["Location"]) == (302, reverse("members:detail", args=[member.pk]))
    assert (member.id_number, member.phone, member.birth_date, member.gender, member.ethnicity) == (
        ID,
        "13912345678",
        dt.date(1949, 12, 31),
        "F",
        "汉族",
    )
    record = ChangeRecord.objects.get(object_id=member.pk, content_type__model="member")
    assert record.changes["id_number"] == [None, "110***********002X"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"id_number": "110105194912310021"}, "id_number", "身份证号校验位不正确"),
        ({"id_number": "123"}, "id_number", "身份证号应为18位（末位可为X）"),
        ({"phone": "12345"}, "phone", "联系电话应为11位手机号，或带区号的固定电话"),
        ({"status": "full"}, "full_member_on", "正式党员请填写转正日期"),
        ({"joined_on": "1960-01-01"}, "joined_on", "入党时应年满18周岁"),
        ({"gender": "M"}, "gender", "性别与身份证号不一致"),
        ({"name": "  "}, "name", "姓名未填写"),
    ],
)
def test_create_with_bad_input_shows_chinese_errors_and_writes_nothing(client_as, users, town, change, field, message):
    data = {
        "name": "新党员",
        "id_number": ID,
        "joined_on": "2024-07-01",
        "status": "probationary",
        "organization": town["branch_a2"].pk,
    }
    before = (Member.objects.count(), ChangeRecord.objects.count())
    response = client_as(users["secretary_a"]).post(reverse("members:create"), {**data, **change})
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert (Member.objects.count(), ChangeRecord.objects.count()) == before


def test_duplicate_id_number_is_refused(client_as, users, town, zhang):
    data = {
        "name": "重复",
        "id_number": ID,
        "joined_on": "2024-07-01",
        "status": "probationary",
        "organization": town["branch_a2"].pk,
    }
    response = client_as(users["town_admin"]).post(reverse("members:create"), data)
    assert response.context["form"].errors["id_number"] == ["该身份证号已登记为其他党员"]
    assert Member.objects.filter(name="重复").count() == 0


def test_secretary_cannot_register_a_member_outside_their_subtree(client_as, users, town):
    data = {
        "name": "越权",
        "id_number": ID,
        "joined_on": "2024-07-01",
        "status": "probationary",
        "organization": town["branch_b"].pk,
    }
    response = client_as(users["secretary_a"]).post(reverse("members:create"), data)
    assert response.status_code == 200 and "organization" in response.context["form"].errors
    assert not Member.objects.filter(name="越权").exists()


def test_edit_page_is_an_audited_read_and_saving_keeps_history(client_as, users, zhang):
    client = client_as(users["secretary_a"])
    page = client.get(reverse("members:edit", args=[zhang.pk]))
    assert ID in page.content.decode()
    assert AuditEvent.objects.get().detail == {"context": "edit"}
    data = {
        "name": "张三",
        "id_number": ID,
        "joined_on": zhang.joined_on.isoformat(),
        "full_member_on": zhang.full_member_on.isoformat(),
        "status": "full",
        "education": "high_school",
        "phone": "13900009999",
        "address": zhang.address,
        "party_post": "secretary",
        "is_frail": "on",
        "version": "1",
    }
    response = client.post(reverse("members:edit", args=[zhang.pk]), data)
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert (zhang.phone, zhang.party_post, zhang.is_frail) == ("13900009999", "secretary", True)
    record = ChangeRecord.objects.filter(object_id=zhang.pk, content_type__model="member").first()
    assert record.changes == {
        "party_post": ["", "secretary"],
        "phone": ["139****5678", "139****9999"],
        "is_frail": [False, True],
    }
    detail = client.get(reverse("members:detail", args=[zhang.pk])).content.decode()
    assert "139****9999" in detail and "书记" in detail
    # Posting the form does not count as another read.
    assert AuditEvent.objects.count() == 1


def test_transfer_moves_the_member_and_keeps_history(client_as, users, town, zhang):
    client = client_as(users["secretary_a"])
    form = client.get(reverse("members:transfer", args=[zhang.pk])).context["form"]
    assert [o.name for o in form.fields["to_organization"].queryset] == ["东村党总支", "东村第二党支部"]
    response = client.post(
        reverse("members:transfer", args=[zhang.pk]),
        {"to_organization": town["branch_a2"].pk, "transferred_on": "2025-03-01", "reason": "居住地变更"},
    )
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert zhang.organization == town["branch_a2"]
    transfer = Transfer.objects.get()
    assert (transfer.from_organization, transfer.to_organization, transfer.by, transfer.reason) == (
        town["branch_a1"],
        town["branch_a2"],
        users["secretary_a"],
        "居住地变更",
    )
    record = ChangeRecord.objects.get(object_id=zhang.pk, action="transfer")
    assert record.changes == {"organization": ["东村第一党支部", "东村第二党支部"]}
    detail = client.get(reverse("members:detail", args=[zhang.pk])).content.decode()
    assert "居住地变更" in detail and "2025-03-01" in detail


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"transferred_on": "2999-01-01"}, "transferred_on", "转接日期不能晚于今天"),
        ({"to_organization": "group"}, "to_organization", "选择一个有效的选项： 该选择不在可用的选项中。"),
        ({"to_organization": "branch_b"}, "to_organization", "选择一个有效的选项： 该选择不在可用的选项中。"),
    ],
)
def test_transfer_with_bad_input_changes_nothing(client_as, users, town, zhang, data, field, message):
    targets = {"group": town["group_a1"].pk, "branch_b": town["branch_b"].pk}
    payload = {"to_organization": town["branch_a2"].pk, "transferred_on": "2025-03-01"}
    payload.update({k: targets.get(v, v) for k, v in data.items()})
    response = client_as(users["secretary_a"]).post(reverse("members:transfer", args=[zhang.pk]), payload)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    zhang.refresh_from_db()
    assert (zhang.organization, Transfer.objects.count(), ChangeRecord.objects.filter(action="transfer").count()) == (
        town["branch_a1"],
        0,
        0,
    )
