"""Meetings and compliance over the API: same forms, services and scoping as the pages."""

import datetime as dt

import pytest
from django.utils import timezone

from qiangji.orglife.models import Attendance, Meeting
from qiangji.orglife.tests.conftest import TODAY, hold
from qiangji.orglife.tests.test_pages import state

K = Meeting.Kind
LAST_WEEK = TODAY - dt.timedelta(days=7)


@pytest.fixture
def call(api_as, users):
    """call(role, method, path, body) with that role's bearer token; "anonymous" sends none."""

    def make(role, method, path, body=None, params=None):
        return api_as(users[role]).request(method, path, body, params=params)

    return make


@pytest.mark.parametrize(
    ("role", "count"), [("town_admin", 2), ("liaison", 1), ("secretary_a", 1), ("secretary_b", 1), ("member", 1), ("visitor", 0)]
)
def test_list_is_scoped(call, town, users, role, count):
    hold(town["branch_a1"], K.THEME_DAY, dt.date(2025, 5, 5))
    hold(town["branch_b"], K.THEME_DAY, dt.date(2025, 5, 6))
    response = call(role, "get", "/meetings")
    assert response.status_code == 200 and response.json()["count"] == count


def test_anonymous_gets_401(call):
    assert call("anonymous", "get", "/meetings").status_code == 401
    assert call("anonymous", "get", "/compliance", params={"organization": 1}).status_code == 401


def test_list_filters(call, town, users):
    hold(town["branch_a1"], K.THEME_DAY, dt.date(2025, 5, 5), topic="甲")
    hold(town["branch_a1"], K.LECTURE, dt.date(2025, 6, 5), topic="乙")
    params = {"organization": town["village_a"].pk, "kind": "lecture", "date_from": "2025-06-01"}
    body = call("town_admin", "get", "/meetings", params=params).json()
    assert [m["topic"] for m in body["items"]] == ["乙"]
    assert call("town_admin", "get", "/meetings", params={"kind": "party"}).status_code == 422
    hidden = call("secretary_b", "get", "/meetings", params={"organization": town["branch_a1"].pk}).json()
    assert hidden["count"] == 0


def test_create_get_update_complete(call, town, users, people):
    body = {"organization": town["branch_a1"].pk, "kind": "assembly", "date": LAST_WEEK.isoformat(), "topic": "党员大会"}
    response = call("secretary_a", "post", "/meetings", body)
    assert response.status_code == 201
    created = response.json()
    assert (created["status"], created["kind_label"], created["present_count"], created["attendance"]) == (
        "scheduled",
        "支部党员大会",
        0,
        [],
    )
    pk = created["id"]
    response = call("secretary_a", "patch", f"/meetings/{pk}", {"place": "村委会三楼", "version": created["version"]})
    assert response.status_code == 200 and response.json()["place"] == "村委会三楼"
    response = call(
        "secretary_a",
        "post",
        f"/meetings/{pk}/complete",
        {
            "present": [people["li"].pk],
            "absent": {str(people["zhao"].pk): "work", str(people["qian"].pk): {"reason": "other", "note": "外出探亲"}},
        },
    )
    assert response.status_code == 200
    got = response.json()
    assert (got["status"], got["present_count"], got["absent_count"]) == ("held", 1, 2)
    assert sorted(
        (a["member_name"], a["present"], a["absence_reason"], a["absence_reason_label"], a["absence_note"])
        for a in got["attendance"]
    ) == [
        ("李党员", True, "", "", ""),
        ("赵一", False, "work", "因公", ""),
        ("钱二", False, "other", "其他：外出探亲", "外出探亲"),
    ]
    assert call("liaison", "get", f"/meetings/{pk}").json()["present_count"] == 1


def test_bad_writes_change_nothing(call, town, users, people):
    meeting = hold(town["branch_a1"], K.ASSEMBLY, LAST_WEEK, status=Meeting.Status.SCHEDULED)
    before = state()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    body = {"organization": town["branch_a1"].pk, "kind": "assembly", "status": "held", "date": tomorrow, "topic": "会"}
    response = call("secretary_a", "post", "/meetings", body)
    assert response.status_code == 409 and response.json() == {"detail": "会议日期在今天之后，不能登记为已召开"}
    assert call("secretary_b", "post", "/meetings", {**body, "status": "scheduled"}).status_code == 422
    assert call("liaison", "post", "/meetings", {**body, "status": "scheduled"}).status_code == 403
    response = call("secretary_a", "post", f"/meetings/{meeting.pk}/complete", {"present": [people["sun"].pk]})
    assert response.status_code == 422 and response.json()["errors"]["present"] == ["所选党员不属于本组织。"]
    assert call("secretary_b", "patch", f"/meetings/{meeting.pk}", {"topic": "改", "version": 1}).status_code == 404
    assert call("liaison", "post", f"/meetings/{meeting.pk}/complete", {"present": [people["li"].pk]}).status_code == 404
    assert state() == before
    assert Attendance.objects.count() == 0


def test_compliance(call, town, users):
    a1 = town["branch_a1"]
    hold(a1, K.ASSEMBLY, dt.date(2025, 2, 1))
    hold(a1, K.ASSEMBLY, dt.date(2025, 2, 9))
    body = call("liaison", "get", "/compliance", params={"organization": a1.pk, "year": 2025}).json()
    assert (body["organization_name"], body["year"]) == ("东村第一党支部", 2025)
    assembly = next(k for k in body["kinds"] if k["kind"] == "assembly")
    assert (assembly["held"], assembly["missed"], assembly["pending"], assembly["not_required"]) == (1, 3, 0, 0)
    assert assembly["periods"][0] == {
        "period": "2025-Q1",
        "label": "第一季度",
        "start": "2025-01-01",
        "end": "2025-03-31",
        "status": "held",
        "count": 2,
    }
    committee = next(k for k in body["kinds"] if k["kind"] == "committee_meeting")
    assert committee["not_required"] == 12
    assert (body["held"], body["not_required"]) == (1, 24)
    assert call("secretary_b", "get", "/compliance", params={"organization": a1.pk}).status_code == 404
    assert call("town_admin", "get", "/compliance", params={"organization": a1.pk, "year": 1990}).status_code == 422
