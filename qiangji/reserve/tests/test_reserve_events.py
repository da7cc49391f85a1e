"""Reserve events pages: the list, recording a 头雁论坛 with speakers and attendees, one event."""

import datetime as dt

import pytest

from qiangji import factories as f
from qiangji.reserve.models import Event
from qiangji.reserve.services import event_record

EVENTS = "/reserve/events/"


@pytest.fixture
def forum(town, users):
    a = f.member(organization=town["branch_a1"], name="甲听众")
    b = f.member(organization=town["branch_b"], name="乙听众")
    return event_record(
        by=users["town_admin"],
        data={
            "kind": "forum",
            "title": "第三期头雁论坛",
            "held_on": dt.date(2026, 6, 18),
            "place": "镇党群服务中心",
            "speakers": "秦建华、施振华",
        },
        attendees=[a, b],
    )


@pytest.mark.parametrize(
    "role,status",
    [("town_admin", 200), ("liaison", 200), ("secretary_a", 200), ("secretary_b", 200), ("member", 404), ("visitor", 404)],
)
def test_events_list_per_role(forum, users, client_as, role, status):
    r = client_as(users[role]).get(EVENTS)
    assert r.status_code == status
    if status == 200:
        assert [e.title for e in r.context["page"]] == ["第三期头雁论坛"]
        assert r.context["page"][0].attendee_count == 2
        assert (r.context["form"] is not None) == (role == "town_admin")


def test_events_list_query_count(forum, users, client_as, django_assert_num_queries):
    client = client_as(users["liaison"])
    client.get(EVENTS)
    # session, user, scope (3), page count, rows, inbox bell
    with django_assert_num_queries(8):
        client.get(EVENTS)


def test_event_detail_attendance_scoped(forum, users, client_as):
    r = client_as(users["secretary_a"]).get(f"{EVENTS}{forum.pk}/")
    assert [m.name for m in r.context["attendees"]] == ["甲听众"] and r.context["attendee_total"] == 2
    r = client_as(users["town_admin"]).get(f"{EVENTS}{forum.pk}/")
    assert sorted(m.name for m in r.context["attendees"]) == ["乙听众", "甲听众"]
    assert client_as(users["member"]).get(f"{EVENTS}{forum.pk}/").status_code == 404


def test_admin_records_event(town, users, client_as):
    a = f.member(organization=town["branch_a1"], name="甲听众")
    r = client_as(users["town_admin"]).post(
        EVENTS,
        {
            "kind": "staged_lecture",
            "title": "情景党课《初心》",
            "held_on": "2026-07-01",
            "place": "竖河村",
            "speakers": "龚建明",
            "attendees": [a.pk],
        },
    )
    assert r.status_code == 302
    e = Event.objects.get()
    assert (e.kind, e.title, e.held_on, list(e.attendees.all())) == (
        "staged_lecture",
        "情景党课《初心》",
        dt.date(2026, 7, 1),
        [a],
    )


@pytest.mark.parametrize("role", ["secretary_a", "liaison"])
def test_staff_cannot_record_event(users, client_as, role):
    r = client_as(users[role]).post(EVENTS, {"kind": "forum", "title": "论坛", "held_on": "2026-07-01"})
    assert r.status_code == 403 and Event.objects.count() == 0


def test_bad_event_nothing_changed(users, client_as):
    r = client_as(users["town_admin"]).post(EVENTS, {"kind": "party", "title": " ", "held_on": ""})
    assert r.status_code == 400 and Event.objects.count() == 0
