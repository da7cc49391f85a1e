"""/api/v1/trainings: the same scoping, forms and services as the pages."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from qiangji.accounts.services import api_token_issue
from qiangji.trainings.models import Attendance, Enrolment, Session, Training
from qiangji.trainings.tests.conftest import attend

ROLES = ("town_admin", "liaison", "secretary_a", "secretary_b", "member", "visitor")


@pytest.fixture
def call(users):
    tokens = {role: api_token_issue(user=users[role], name="测试脚本")[1] for role in ROLES}

    def make(role, method, path, body=None, params=None):
        headers = {"Authorization": f"Bearer {tokens[role]}"} if role in tokens else {}
        url = "/api/v1/trainings" + path
        if method == "get":
            return Client().get(url, params or {}, headers=headers)
        return getattr(Client(), method)(url, data=json.dumps(body), content_type="application/json", headers=headers)

    return make


@pytest.mark.parametrize(
    ("role", "count"),
    [("town_admin", 1), ("liaison", 1), ("secretary_a", 1), ("secretary_b", 1), ("member", 0), ("visitor", 0)],
)
def test_list_per_role(call, training, role, count):
    response = call(role, "get", "")
    assert response.status_code == 200 and response.json()["count"] == count


def test_list_anonymous_and_bad_kind(call, training):
    assert call("anonymous", "get", "").status_code == 401
    assert call("town_admin", "get", "", params={"kind": "x"}).status_code == 422


def test_get_with_sessions(call, training):
    body = call("secretary_a", "get", f"/{training.pk}").json()
    assert body["kind_label"] == "党员集中轮训"
    assert [(x["date"], x["hours"], x["topic"]) for x in body["sessions"]] == [
        ("2025-03-01", "20.0", "党章学习"),
        ("2025-06-01", "12.5", "和美乡村建设"),
    ]
    assert call("member", "get", f"/{training.pk}").status_code == 404


def test_create(call, town):
    body = {"name": "村居书记主体班", "kind": "themed_class", "organization": town["town"].pk}
    assert call("secretary_a", "post", "", body).status_code == 403
    assert call("town_admin", "post", "", {**body, "kind": "bogus"}).status_code == 422
    assert Training.objects.count() == 0
    response = call("town_admin", "post", "", body)
    assert response.status_code == 201 and response.json()["name"] == "村居书记主体班"


def test_session_create(call, training):
    body = {"date": "2025-10-01", "hours": "3.5", "topic": "党务实操"}
    assert call("secretary_a", "post", f"/{training.pk}/sessions", body).status_code == 404
    assert call("town_admin", "post", f"/{training.pk}/sessions", {**body, "hours": "30"}).status_code == 422
    assert training.sessions.count() == 2
    assert call("town_admin", "post", f"/{training.pk}/sessions", body).status_code == 201
    assert training.sessions.filter(topic="党务实操").count() == 1


def test_attendance(call, people, training):
    session = training.sessions.first()
    for m in people.values():
        Enrolment.objects.create(training=training, member=m)
    path = f"/sessions/{session.pk}/attendance"
    assert [r["name"] for r in call("secretary_a", "get", path).json()] == ["李党员", "赵书记"]
    bad = call("secretary_a", "put", path, {"present": [people["wang"].pk]})
    assert bad.status_code == 409 and Attendance.objects.count() == 0
    # The member sees the training they are enrolled in, but records nobody's attendance.
    assert call("member", "put", path, {"present": [people["li"].pk]}).status_code == 403
    ok = call("secretary_a", "put", path, {"present": [people["li"].pk]})
    assert ok.json() == {"present": 1, "absent": 1}
    assert dict(Attendance.objects.values_list("member__name", "present")) == {"李党员": True, "赵书记": False}
    # Secretary B's sheet holds only their own member; A's records stay as they were.
    assert call("secretary_b", "put", path, {"present": [people["wang"].pk]}).json() == {"present": 1, "absent": 0}
    assert dict(Attendance.objects.values_list("member__name", "present")) == {"李党员": True, "赵书记": False, "王五": True}


def test_attendance_future_session_is_409(call, people, training):
    future = Session.objects.create(training=training, date=timezone.localdate() + dt.timedelta(days=1), hours=2, topic="将来")
    Enrolment.objects.create(training=training, member=people["li"])
    response = call("town_admin", "put", f"/sessions/{future.pk}/attendance", {"present": [people["li"].pk]})
    assert response.status_code == 409 and Attendance.objects.count() == 0


def test_hours(call, town, people, training):
    attend(training.sessions.first(), people["li"])
    body = call("secretary_a", "get", "/hours", params={"organization": town["village_a"].pk, "year": 2025}).json()
    assert body["requirements"] == {"member": 32, "leader": 56}
    assert body["total"] == {"name": "东村党总支", "members": 2, "below": 2, "average": "10.0", "completion_rate": "0.0"}
    assert [(m["name"], m["hours"], m["required"], m["reached"]) for m in body["members"]] == [
        ("李党员", "20.0", 32, False),
        ("赵书记", "0.0", 56, False),
    ]
    outside = call("secretary_a", "get", "/hours", params={"organization": town["branch_b"].pk, "year": 2025})
    assert outside.status_code == 404
    assert call("town_admin", "get", "/hours", params={"organization": town["town"].pk, "year": 1900}).status_code == 422
