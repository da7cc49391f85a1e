"""Cancelling a scheduled meeting: pages and API, allowed only before it is held."""

import datetime as dt

import pytest
from django.test import Client

from qiangji.core.models import ChangeRecord
from qiangji.orglife.models import Meeting
from qiangji.orglife.tests.conftest import TODAY, hold

K = Meeting.Kind
NEXT_WEEK = TODAY + dt.timedelta(days=7)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_secretary_cancels_a_scheduled_meeting_and_history_keeps_it(town, users):
    meeting = hold(town["branch_a1"], K.ASSEMBLY, NEXT_WEEK, status=Meeting.Status.SCHEDULED, topic="第四季度党员大会")
    response = client_for(users["secretary_a"]).post(f"/orglife/{meeting.pk}/cancel/")
    assert (response.status_code, response["Location"]) == (302, "/orglife/")
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    record = ChangeRecord.objects.get(object_id=meeting.pk, action=ChangeRecord.Action.DELETE)
    assert (record.user, record.object_repr) == (users["secretary_a"], str(meeting))
    assert record.changes["topic"] == ["第四季度党员大会", None]


def test_a_held_meeting_cannot_be_cancelled(town, users):
    meeting = hold(town["branch_a1"], K.ASSEMBLY, dt.date(2026, 3, 5))
    response = client_for(users["secretary_a"]).post(f"/orglife/{meeting.pk}/cancel/", follow=True)
    assert "已召开的会议是组织生活记录，不能删除；如有错误请修改" in response.content.decode()
    assert Meeting.objects.filter(pk=meeting.pk, status=Meeting.Status.HELD).exists()
    assert not ChangeRecord.objects.filter(action=ChangeRecord.Action.DELETE).exists()


@pytest.mark.parametrize(("role", "status"), [("secretary_b", 404), ("liaison", 404), ("member", 404), ("visitor", 404)])
def test_others_cannot_cancel(town, users, role, status):
    meeting = hold(town["branch_a1"], K.ASSEMBLY, NEXT_WEEK, status=Meeting.Status.SCHEDULED)
    assert client_for(users[role]).post(f"/orglife/{meeting.pk}/cancel/").status_code == status
    assert Meeting.objects.filter(pk=meeting.pk).exists()


def test_api_delete(town, users):
    scheduled = hold(town["branch_a1"], K.THEME_DAY, NEXT_WEEK, status=Meeting.Status.SCHEDULED)
    held = hold(town["branch_a1"], K.THEME_DAY, dt.date(2026, 3, 15))
    admin = client_for(users["town_admin"])
    assert client_for(users["secretary_b"]).delete(f"/api/v1/meetings/{scheduled.pk}").status_code == 404
    assert client_for(users["liaison"]).delete(f"/api/v1/meetings/{scheduled.pk}").status_code == 404
    refused = admin.delete(f"/api/v1/meetings/{held.pk}")
    assert (refused.status_code, refused.json()["detail"]) == (409, "已召开的会议是组织生活记录，不能删除；如有错误请修改")
    assert admin.delete(f"/api/v1/meetings/{scheduled.pk}").status_code == 204
    assert list(Meeting.objects.values_list("pk", flat=True)) == [held.pk]
    assert admin.delete("/api/v1/meetings/999999").status_code == 404
