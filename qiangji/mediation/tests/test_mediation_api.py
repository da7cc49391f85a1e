"""/api/v1/mediation-cases: scoping, parties only for those who run the studio, writes per role."""

import pytest

from qiangji.mediation.models import CaseEvent, MediationCase, MediationSession


@pytest.mark.parametrize(
    "role,status,numbers",
    [
        ("town_admin", 200, ["2026-002", "2026-001"]),
        ("liaison", 200, ["2026-001"]),
        ("secretary_a", 200, ["2026-001"]),
        ("secretary_b", 200, ["2026-002"]),
        ("member", 403, None),
        ("visitor", 403, None),
    ],
)
def test_list_per_role(case_a, case_b, users, api_as, role, status, numbers):
    r = api_as(users[role]).get("/mediation-cases")
    assert r.status_code == status
    if numbers:
        assert [c["number"] for c in r.json()] == numbers
        assert "parties" not in r.json()[0]


def test_list_filter_and_anonymous(case_a, users, api_as):
    assert api_as(None).get("/mediation-cases").status_code == 401
    assert api_as(users["town_admin"]).get("/mediation-cases", {"state": "open"}).json()[0]["number"] == "2026-001"
    assert api_as(users["town_admin"]).get("/mediation-cases", {"state": "nope"}).status_code == 422


def test_detail_parties(case_a, users, api_as):
    mine = api_as(users["secretary_a"]).get(f"/mediation-cases/{case_a.pk}").json()
    assert mine["parties"] == "张某某、李某某" and mine["parties_visible"] and mine["allowed_actions"] == ["start"]
    theirs = api_as(users["liaison"]).get(f"/mediation-cases/{case_a.pk}").json()
    assert theirs["parties"] == "" and not theirs["parties_visible"] and theirs["allowed_actions"] == []
    assert api_as(users["secretary_b"]).get(f"/mediation-cases/{case_a.pk}").status_code == 404


def test_open_session_move(studio_a, users, api_as):
    api = api_as(users["secretary_a"])
    r = api.post(
        "/mediation-cases",
        {"studio": studio_a.pk, "parties": "周某、吴某", "dispute": "楼上漏水损坏吊顶", "opened_on": "2026-11-01"},
    )
    assert r.status_code == 201
    pk = r.json()["id"]
    r = api.post(f"/mediation-cases/{pk}/sessions", {"held_on": "2026-11-02", "notes": "现场查看漏水点"})
    assert r.status_code == 201 and r.json()["notes"] == "现场查看漏水点"
    r = api.post(f"/mediation-cases/{pk}/move", {"action": "fail", "note": "楼上拒绝承担维修费用", "on": "2026-11-03"})
    assert r.status_code == 200 and r.json()["state"] == "failed" and r.json()["failure_reason"] == "楼上拒绝承担维修费用"


def test_writes_denied_nothing_changed(studio_a, studio_b, case_a, users, api_as):
    r = api_as(users["liaison"]).post(
        "/mediation-cases", {"studio": studio_a.pk, "parties": "周某", "dispute": "楼上漏水损坏吊顶"}
    )
    assert r.status_code == 403
    r = api_as(users["secretary_b"]).post(
        "/mediation-cases", {"studio": studio_a.pk, "parties": "周某", "dispute": "楼上漏水损坏吊顶"}
    )
    assert r.status_code == 422
    assert (
        api_as(users["liaison"])
        .post(f"/mediation-cases/{case_a.pk}/sessions", {"held_on": "2026-10-10", "notes": "x"})
        .status_code
        == 403
    )
    assert api_as(users["liaison"]).post(f"/mediation-cases/{case_a.pk}/move", {"action": "start"}).status_code == 403
    assert api_as(users["member"]).post(f"/mediation-cases/{case_a.pk}/move", {"action": "start"}).status_code == 403
    r = api_as(users["town_admin"]).post(f"/mediation-cases/{case_a.pk}/move", {"action": "close", "note": "回访"})
    assert r.status_code == 409
    assert MediationCase.objects.count() == 1 and MediationSession.objects.count() == 0 and CaseEvent.objects.count() == 1
