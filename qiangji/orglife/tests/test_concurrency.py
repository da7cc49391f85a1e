"""Two people editing one meeting: the later save based on an old read is refused with the
meeting as it is now (page and API), and the change made in between stays."""

import datetime as dt

import pytest
from django.urls import reverse

from qiangji.core.models import ChangeRecord
from qiangji.orglife.models import Meeting, Requirement
from qiangji.orglife.services import meeting_complete
from qiangji.orglife.tests.conftest import hold

STALE = "保存失败：这条记录在您打开后已被 {who} 于 2026-11-25 10:00 修改，以下是现在的内容，请核对后再保存。"
DAY = dt.date(2026, 11, 20)


@pytest.fixture
def meeting(town, freeze_day):
    freeze_day("2026-11-25")
    return hold(town["branch_a1"], Meeting.Kind.THEME_DAY, DAY, status=Meeting.Status.SCHEDULED, topic="旧主题")


def test_a_stale_page_edit_is_refused_and_the_first_stays(client_as, users, meeting, form_post):
    url = reverse("orglife:edit", args=[meeting.pk])
    a, b = client_as(users["secretary_a"]), client_as(users["town_admin"])
    a_form = a.get(url).context["form"]
    assert b.post(url, form_post(b.get(url).context["form"], place="村委会")).status_code == 302

    response = a.post(url, form_post(a_form, topic="新主题"))

    form = response.context["form"]
    assert form.non_field_errors() == [STALE.format(who="镇管理员")]
    shown = dict(form.stale.shown)
    assert (shown["地点"], shown["主题"], shown["状态"]) == ("村委会", "旧主题", "计划召开")
    meeting.refresh_from_db()
    assert (meeting.place, meeting.topic, meeting.version) == ("村委会", "旧主题", 2)
    assert ChangeRecord.objects.filter(content_type__model="meeting", object_id=meeting.pk).count() == 1


def test_an_edit_opened_before_the_meeting_was_completed_is_refused(client_as, users, people, meeting, form_post):
    url = reverse("orglife:edit", args=[meeting.pk])
    a = client_as(users["secretary_a"])
    a_form = a.get(url).context["form"]
    meeting_complete(meeting=Meeting.objects.get(pk=meeting.pk), by=users["town_admin"], present=[people["li"].pk], absent={})

    response = a.post(url, form_post(a_form, topic="新主题"))

    assert dict(response.context["form"].stale.shown)["状态"] == "已召开"
    meeting.refresh_from_db()
    assert (meeting.status, meeting.topic, meeting.version) == ("held", "旧主题", 2)


def test_a_stale_api_patch_answers_409_with_the_current_values(api_as, users, town, meeting):
    a, b = api_as(users["secretary_a"]), api_as(users["town_admin"])
    read = a.get(f"/meetings/{meeting.pk}").json()
    assert read["version"] == 1
    assert b.patch(f"/meetings/{meeting.pk}", {"place": "村委会", "version": 1}).json()["version"] == 2

    response = a.patch(f"/meetings/{meeting.pk}", {"topic": "新主题", "version": read["version"]})

    assert response.status_code == 409
    assert response.json() == {
        "detail": STALE.format(who="镇管理员"),
        "current": {
            "organization": town["branch_a1"].pk,
            "kind": "theme_day",
            "status": "scheduled",
            "date": "2026-11-20",
            "place": "村委会",
            "topic": "旧主题",
            "presenter": None,
            "presenter_name": "",
            "minutes": "",
            "expected_count": None,
            "actual_count": None,
            "version": 2,
        },
    }
    meeting.refresh_from_db()
    assert (meeting.place, meeting.topic) == ("村委会", "旧主题")


def test_an_api_patch_without_a_version_answers_422(api_as, users, meeting):
    response = api_as(users["secretary_a"]).patch(f"/meetings/{meeting.pk}", {"topic": "新主题"})
    assert (response.status_code, response.json()["errors"]) == (422, {"version": ["版本号未填写"]})
    meeting.refresh_from_db()
    assert (meeting.topic, meeting.version) == ("旧主题", 1)


def test_a_stale_requirement_edit_is_refused_and_the_first_stays(client_as, users, freeze_day, form_post):
    freeze_day("2026-11-25")
    lecture = Requirement.objects.get(kind=Meeting.Kind.LECTURE)
    url = reverse("orglife:requirement_edit", args=[lecture.pk])
    a, b = client_as(users["town_admin"]), client_as(users["town_admin"])
    a_form = a.get(url).context["form"]
    assert b.post(url, form_post(b.get(url).context["form"], minimum_count="2")).status_code == 302

    response = a.post(url, form_post(a_form, period="year"))

    form = response.context["form"]
    assert form.non_field_errors() == [STALE.format(who="镇管理员")]
    assert dict(form.stale.shown) == {"适用组织": "每个党支部", "周期": "每季度", "每周期至少（次）": "2", "启用": "是"}
    lecture.refresh_from_db()
    assert (lecture.period, lecture.minimum_count, lecture.version) == ("quarter", 2, 2)
    assert ChangeRecord.objects.filter(content_type__model="requirement").count() == 1


def test_a_fresh_requirement_edit_is_saved(client_as, users, form_post):
    lecture = Requirement.objects.get(kind=Meeting.Kind.LECTURE)
    url = reverse("orglife:requirement_edit", args=[lecture.pk])
    client = client_as(users["town_admin"])
    assert client.post(url, form_post(client.get(url).context["form"], period="year")).status_code == 302
    lecture.refresh_from_db()
    assert (lecture.period, lecture.version) == ("year", 2)
