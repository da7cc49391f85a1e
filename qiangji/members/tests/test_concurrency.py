"""Two people editing one member: the later save based on an old read is refused, never silently
applied over the earlier one (page and API alike), and a stale edit cannot undo a transfer."""

import datetime as dt

import pytest
from django.urls import reverse

from qiangji import factories as f
from qiangji.core.models import ChangeRecord
from qiangji.members.models import Member

ID = "11010519491231002X"
STALE = "保存失败：这条记录在您打开后已被 镇管理员 于 2026-11-25 10:00 修改，以下是现在的内容，请核对后再保存。"


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


def test_the_edit_page_carries_the_version_it_read(client_as, users, zhang):
    Member.objects.filter(pk=zhang.pk).update(version=7)
    body = client_as(users["secretary_a"]).get(reverse("members:edit", args=[zhang.pk])).content.decode()
    assert '<input type="hidden" name="version" value="7" id="id_version">' in body


def test_a_stale_page_edit_is_refused_with_the_current_values_and_the_first_stays(client_as, users, zhang, freeze_day, form_post):
    freeze_day("2026-11-25")
    url = reverse("members:edit", args=[zhang.pk])
    a, b = client_as(users["secretary_a"]), client_as(users["town_admin"])
    a_form = a.get(url).context["form"]
    b_form = b.get(url).context["form"]
    assert b.post(url, form_post(b_form, phone="13900001111", party_post="secretary")).status_code == 302

    response = a.post(url, form_post(a_form, education="bachelor"))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors() == [STALE]
    shown = dict(form.stale.shown)
    assert [shown[k] for k in ("联系电话", "党内职务", "学历", "家庭住址")] == ["139****1111", "书记", "高中", "上海市崇明区****"]
    body = response.content.decode()
    assert STALE in body and "139****1111" in body
    # Still A's typing in the inputs; the hidden version is now the current one.
    assert form["education"].value() == "bachelor" and form["version"].value() == "2"
    zhang.refresh_from_db()
    assert (zhang.phone, zhang.party_post, zhang.education, zhang.version) == ("13900001111", "secretary", "high_school", 2)
    assert ChangeRecord.objects.filter(object_id=zhang.pk, content_type__model="member", action="update").count() == 1


def test_saving_again_after_seeing_the_current_values_goes_through(client_as, users, zhang, form_post):
    url = reverse("members:edit", args=[zhang.pk])
    a, b = client_as(users["secretary_a"]), client_as(users["town_admin"])
    a_form = a.get(url).context["form"]
    b.post(url, form_post(b.get(url).context["form"], phone="13900001111"))
    again = a.post(url, form_post(a_form, education="bachelor")).context["form"]
    # A takes B's phone into account and saves with the version the refusal showed.
    assert a.post(url, form_post(again, phone="13900001111")).status_code == 302
    zhang.refresh_from_db()
    assert (zhang.phone, zhang.education, zhang.version) == ("13900001111", "bachelor", 3)


def test_a_page_post_without_a_version_is_refused(client_as, users, zhang, form_post):
    url = reverse("members:edit", args=[zhang.pk])
    a = client_as(users["secretary_a"])
    data = form_post(a.get(url).context["form"], phone="13900001111")
    del data["version"]
    response = a.post(url, data)
    assert response.context["form"].non_field_errors() == ["页面已过期，请刷新后重新编辑。"]
    zhang.refresh_from_db()
    assert (zhang.phone, zhang.version) == ("13912345678", 1)


def test_a_stale_edit_cannot_undo_a_transfer(client_as, users, town, zhang, form_post):
    url = reverse("members:edit", args=[zhang.pk])
    a = client_as(users["secretary_a"])
    a_form = a.get(url).context["form"]
    moved = client_as(users["town_admin"]).post(
        reverse("members:transfer", args=[zhang.pk]),
        {"to_organization": town["branch_a2"].pk, "transferred_on": "2025-03-01", "reason": "居住地变更"},
    )
    assert moved.status_code == 302

    response = a.post(url, form_post(a_form, phone="13900001111"))

    shown = dict(response.context["form"].stale.shown)
    assert (shown["所在党组织"], shown["联系电话"]) == ("东村第二党支部", "139****5678")
    zhang.refresh_from_db()
    assert (zhang.organization_id, zhang.phone, zhang.version) == (town["branch_a2"].pk, "13912345678", 2)


def test_a_stale_api_patch_answers_409_with_the_current_values(api_as, users, town, zhang, freeze_day):
    freeze_day("2026-11-25")
    a, b = api_as(users["secretary_a"]), api_as(users["town_admin"])
    read = a.get(f"/members/{zhang.pk}").json()
    assert read["version"] == 1
    assert b.patch(f"/members/{zhang.pk}", {"phone": "13900001111", "version": 1}).json()["version"] == 2

    response = a.patch(f"/members/{zhang.pk}", {"education": "bachelor", "version": read["version"]})

    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == STALE
    assert body["current"] == {
        "name": "张三",
        "gender": "F",
        "id_number": "110***********002X",
        "birth_date": "1949-12-31",
        "ethnicity": "汉族",
        "education": "high_school",
        "joined_on": zhang.joined_on.isoformat(),
        "full_member_on": zhang.full_member_on.isoformat(),
        "status": "full",
        "organization": town["branch_a1"].pk,
        "party_post": "",
        "phone": "139****1111",
        "address": "上海市崇明区****",
        "is_frail": False,
        "is_mobile": False,
        "version": 2,
    }
    zhang.refresh_from_db()
    assert (zhang.phone, zhang.education, zhang.version) == ("13900001111", "high_school", 2)


def test_an_api_patch_without_a_version_answers_422_and_changes_nothing(api_as, users, zhang):
    response = api_as(users["secretary_a"]).patch(f"/members/{zhang.pk}", {"phone": "13900001111"})
    assert (response.status_code, response.json()["errors"]) == (422, {"version": ["版本号未填写"]})
    zhang.refresh_from_db()
    assert (zhang.phone, zhang.version) == ("13912345678", 1)
