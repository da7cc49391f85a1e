"""/api/v1/reserve-candidates: the same scoping and services as the pages; refused writes change nothing."""

import datetime as dt

import pytest

from qiangji import factories as f
from qiangji.reserve.models import Assessment, Candidate, CandidateEvent, Mentorship


@pytest.mark.parametrize(
    "role,status,names",
    [
        ("town_admin", 200, ["张后备", "王后备"]),
        ("liaison", 200, ["张后备"]),
        ("secretary_a", 200, ["张后备"]),
        ("secretary_b", 200, ["王后备"]),
        ("member", 403, None),
        ("visitor", 403, None),
    ],
)
def test_list_per_role(cand_a, cand_b, users, api_as, role, status, names):
    r = api_as(users[role]).get("/reserve-candidates")
    assert r.status_code == status
    if names:
        assert sorted(c["name"] for c in r.json()) == sorted(names)


def test_list_anonymous_401(api_as):
    assert api_as(None).get("/reserve-candidates").status_code == 401


def test_list_filters(cand_a, cand_b, appointed, users, api_as, dual_pool):
    api = api_as(users["town_admin"])
    assert [c["name"] for c in api.get("/reserve-candidates", {"pool": dual_pool.pk}).json()] == ["赵任用"]
    assert [c["name"] for c in api.get("/reserve-candidates", {"state": "appointed"}).json()] == ["赵任用"]
    r = api.get("/reserve-candidates", {"state": "gone"})
    assert r.status_code == 422 and "state" in r.json()["errors"]


def test_detail_with_timeline(appointed, users, api_as):
    r = api_as(users["secretary_a"]).get(f"/reserve-candidates/{appointed.pk}")
    assert r.status_code == 200
    body = r.json()
    assert body["state"] == "appointed" and body["appointed_post"] == "东村第二党支部书记"
    assert [(i["on"], i["kind"]) for i in body["timeline"]] == [
        ("2026-03-01", "event"),
        ("2026-04-01", "event"),
        ("2026-05-01", "assessment"),
        ("2026-06-01", "event"),
    ]
    assert body["timeline"][2]["conclusion"] == "优秀"
    assert api_as(users["secretary_b"]).get(f"/reserve-candidates/{appointed.pk}").status_code == 404


def test_enter(pool, town, users, api_as):
    m = f.member(organization=town["branch_a2"], name="陈东村")
    r = api_as(users["secretary_a"]).post(
        "/reserve-candidates", {"pool": pool.pk, "member": m.pk, "route": "org", "entered_on": "2026-05-01"}
    )
    assert r.status_code == 201 and r.json()["name"] == "陈东村" and r.json()["state"] == "in_pool"


def test_enter_foreign_member_nothing_changed(pool, town, users, api_as):
    m = f.member(organization=town["branch_b"], name="陈公司")
    r = api_as(users["secretary_a"]).post("/reserve-candidates", {"pool": pool.pk, "member": m.pk, "route": "org"})
    assert r.status_code == 422 and "member" in r.json()["errors"]
    r = api_as(users["member"]).post("/reserve-candidates", {"pool": pool.pk, "member": m.pk, "route": "org"})
    assert r.status_code == 403
    assert Candidate.objects.count() == 0


def test_move_and_refusals(cand_a, users, api_as):
    r = api_as(users["town_admin"]).post(f"/reserve-candidates/{cand_a.pk}/move", {"action": "assess", "on": "2026-04-01"})
    assert r.status_code == 200 and r.json()["state"] == "under_assessment"
    r = api_as(users["town_admin"]).post(f"/reserve-candidates/{cand_a.pk}/move", {"action": "appoint", "post": "书记"})
    assert r.status_code == 409 and "跟踪考察" in r.json()["detail"]
    r = api_as(users["secretary_a"]).post(f"/reserve-candidates/{cand_a.pk}/move", {"action": "return", "reason": "再培养"})
    assert r.status_code == 403
    r = api_as(users["secretary_b"]).post(f"/reserve-candidates/{cand_a.pk}/move", {"action": "return", "reason": "再培养"})
    assert r.status_code == 404
    cand_a.refresh_from_db()
    assert cand_a.state == "under_assessment" and CandidateEvent.objects.filter(candidate=cand_a).count() == 2


def test_assessments(cand_a, users, api_as):
    r = api_as(users["secretary_a"]).post(
        f"/reserve-candidates/{cand_a.pk}/assessments", {"on": "2026-04-10", "findings": "敢于担当", "conclusion": "good"}
    )
    assert r.status_code == 201 and r.json()["findings"] == "敢于担当"
    r = api_as(users["liaison"]).post(
        f"/reserve-candidates/{cand_a.pk}/assessments", {"on": "2026-04-10", "findings": "好", "conclusion": "good"}
    )
    assert r.status_code == 403
    r = api_as(users["town_admin"]).post(
        f"/reserve-candidates/{cand_a.pk}/assessments", {"on": "2026-04-10", "findings": "好", "conclusion": "great"}
    )
    assert r.status_code == 422
    r = api_as(users["town_admin"]).post(
        f"/reserve-candidates/{cand_a.pk}/assessments", {"on": "2026-01-10", "findings": "好", "conclusion": "good"}
    )
    assert r.status_code == 409
    assert Assessment.objects.count() == 1


def test_mentorships(cand_a, users, api_as):
    body = {"mentor": users["liaison"].pk, "started_on": "2026-03-05", "goals": "熟悉村务"}
    assert api_as(users["secretary_a"]).post(f"/reserve-candidates/{cand_a.pk}/mentorships", body).status_code == 403
    r = api_as(users["town_admin"]).post(f"/reserve-candidates/{cand_a.pk}/mentorships", body)
    assert r.status_code == 201 and r.json()["mentor"] == "联络员" and r.json()["ended_on"] is None
    r = api_as(users["town_admin"]).post(f"/reserve-candidates/{cand_a.pk}/mentorships", {**body, "started_on": "2026-03-01"})
    assert r.status_code == 409
    assert Mentorship.objects.count() == 1
    assert dt.date(2026, 3, 5) == Mentorship.objects.get().started_on
