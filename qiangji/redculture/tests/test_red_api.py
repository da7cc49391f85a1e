"""/api/v1/red-sites: sites and routes for every signed-in caller; check-ins are the caller's own."""

import datetime as dt

import pytest
from django.utils import timezone

from qiangji import factories as f
from qiangji.redculture.models import CheckIn

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["town_admin", "secretary_a", "liaison", "member", "visitor"])
def test_sites_for_every_signed_in_caller(sites, route, users, api_as, who):
    api = api_as(users[who])
    response = api.get("/red-sites")
    assert response.status_code == 200
    assert [s["name"] for s in response.json()] == ["烈士墓", "竖新镇革命历史陈列馆", "修缮中的旧址"]
    detail = api.get(f"/red-sites/{sites['hall'].pk}").json()
    assert detail["opening_hours"] == "周二至周日 9:00-16:00"
    assert [(r["name"], [s["site_name"] for s in r["stops"]]) for r in detail["routes"]] == [
        ("竖新红色研学一日游", ["烈士墓", "竖新镇革命历史陈列馆"])
    ]


def test_anonymous_gets_401(sites, api_as):
    assert api_as(None).get("/red-sites").status_code == 401
    assert api_as(None).post(f"/red-sites/{sites['hall'].pk}/checkins", {}).status_code == 401
    assert CheckIn.objects.count() == 0


def test_missing_site_404(sites, users, api_as):
    assert api_as(users["member"]).get("/red-sites/99999").status_code == 404
    assert api_as(users["member"]).post("/red-sites/99999/checkins", {}).status_code == 404


def test_a_member_checks_in_once_a_day(sites, users, api_as):
    api = api_as(users["member"])
    first = api.post(f"/red-sites/{sites['hall'].pk}/checkins", {"note": "重温入党誓词"})
    assert first.status_code == 201
    body = first.json()
    assert (body["site_name"], body["on"], body["note"], body["created"]) == (
        "竖新镇革命历史陈列馆",
        timezone.localdate().isoformat(),
        "重温入党誓词",
        True,
    )
    again = api.post(f"/red-sites/{sites['hall'].pk}/checkins", {})
    assert again.status_code == 200 and again.json()["id"] == body["id"] and again.json()["created"] is False
    assert CheckIn.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "site", "body", "status"),
    [
        ("town_admin", "hall", {}, 403),
        ("secretary_a", "hall", {}, 403),
        ("visitor", "hall", {}, 403),
        ("member", "closed", {}, 409),
        ("member", "hall", {"note": "长" * 301}, 422),
        ("member", "hall", {"score": 5}, 422),
    ],
)
def test_refused_checkins_change_nothing(sites, users, api_as, who, site, body, status):
    assert api_as(users[who]).post(f"/red-sites/{sites[site].pk}/checkins", body).status_code == status
    assert CheckIn.objects.count() == 0


def test_mine_is_the_callers_own(sites, town, users, api_as):
    other = f.member(organization=town["branch_a2"], name="另一位党员")
    CheckIn.objects.create(member=other, site=sites["grave"], on=dt.date(2026, 7, 1))
    CheckIn.objects.create(member=users["member"].member, site=sites["hall"], on=dt.date(2026, 6, 1), note="第一次")
    rows = api_as(users["member"]).get("/red-sites/checkins/mine").json()
    assert [(r["site_name"], r["on"], r["note"]) for r in rows] == [("竖新镇革命历史陈列馆", "2026-06-01", "第一次")]
    assert api_as(users["town_admin"]).get("/red-sites/checkins/mine").json() == []
