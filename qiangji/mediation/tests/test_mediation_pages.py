"""Mediation pages: studios and cases per role, parties only for those who run the studio
(the liaison group sees the case without them), the steps with 403/400 and nothing changed."""

import pytest

from qiangji.mediation.models import CaseEvent, MediationCase, MediationSession
from qiangji.mediation.selectors import HIDDEN_PARTIES


def case_url(c, tail=""):
    return f"/mediation/cases/{c.pk}/{tail}"


@pytest.mark.parametrize(
    "role,status,names",
    [
        ("town_admin", 200, ["东村老娘舅工作室", "公司老舅妈工作室"]),
        ("liaison", 200, ["东村老娘舅工作室"]),
        ("secretary_a", 200, ["东村老娘舅工作室"]),
        ("secretary_b", 200, ["公司老舅妈工作室"]),
        ("member", 404, None),
        ("visitor", 404, None),
    ],
)
def test_studios_per_role(studio_a, studio_b, case_a, users, client_as, role, status, names):
    r = client_as(users[role]).get("/mediation/")
    assert r.status_code == status
    if names:
        studios = r.context["studios"]
        assert [s.name for s in studios] == names
        if studios[0].name == "东村老娘舅工作室":
            assert studios[0].open_count == 1
            assert [m.name for m in studios[0].mediators.all()] == ["陈老伯", "顾阿姨"]


def test_studios_query_count(studio_a, studio_b, case_a, case_b, users, client_as, django_assert_num_queries):
    client = client_as(users["town_admin"])
    client.get("/mediation/")
    # session, user, scope (3), studios with counts, mediators, inbox bell
    with django_assert_num_queries(8):
        client.get("/mediation/")


@pytest.mark.parametrize(
    "role,status",
    [("town_admin", 200), ("liaison", 200), ("secretary_a", 200), ("secretary_b", 404), ("member", 404), ("visitor", 404)],
)
def test_studio_page_per_role(studio_a, case_a, users, client_as, role, status):
    assert client_as(users[role]).get(f"/mediation/studios/{studio_a.pk}/").status_code == status


@pytest.mark.parametrize(
    "role,status,numbers",
    [
        ("town_admin", 200, ["2026-002", "2026-001"]),
        ("liaison", 200, ["2026-001"]),
        ("secretary_a", 200, ["2026-001"]),
        ("secretary_b", 200, ["2026-002"]),
        ("member", 404, None),
        ("visitor", 404, None),
    ],
)
def test_cases_per_role(case_a, case_b, users, client_as, role, status, numbers):
    r = client_as(users[role]).get("/mediation/cases/")
    assert r.status_code == status
    if numbers:
        assert [c.number for c in r.context["page"]] == numbers


def test_cases_state_filter_and_query_count(case_a, case_b, users, client_as, django_assert_num_queries):
    client = client_as(users["town_admin"])
    assert [c.number for c in client.get("/mediation/cases/", {"state": "closed"}).context["page"]] == []
    assert [c.number for c in client.get("/mediation/cases/", {"state": "accepted"}).context["page"]] == ["2026-002", "2026-001"]
    # session, user, scope (3), page count, rows, studios run (for the button), inbox bell
    with django_assert_num_queries(9):
        client.get("/mediation/cases/")


@pytest.mark.parametrize(
    "role,status,shown",
    [
        ("town_admin", 200, True),
        ("secretary_a", 200, True),
        ("liaison", 200, False),
        ("secretary_b", 404, None),
        ("member", 404, None),
        ("visitor", 404, None),
    ],
)
def test_case_page_parties(case_a, users, client_as, role, status, shown):
    r = client_as(users[role]).get(case_url(case_a))
    assert r.status_code == status
    if status == 200:
        body = r.content.decode()
        assert ("张某某、李某某" in body) == shown
        assert (HIDDEN_PARTIES in body) == (not shown)
        assert "宅基地边界围墙纠纷" in body


def test_session_then_agree_then_close(case_a, users, client_as):
    client = client_as(users["secretary_a"])
    r = client.post(
        case_url(case_a, "sessions/"),
        {"held_on": "2026-10-10", "notes": "双方到场，各自陈述", "mediators": [case_a.mediators.first().pk]},
    )
    assert r.status_code == 302
    case_a.refresh_from_db()
    assert case_a.state == "mediating"
    assert (
        client.post(
            case_url(case_a, "move/"), {"action": "agree", "note": "围墙后退20厘米，费用各半", "on": "2026-10-12"}
        ).status_code
        == 302
    )
    assert (
        client.post(case_url(case_a, "move/"), {"action": "close", "note": "回访双方满意", "on": "2026-10-20"}).status_code == 302
    )
    case_a.refresh_from_db()
    assert (case_a.state, case_a.agreement, case_a.follow_up, str(case_a.closed_on)) == (
        "closed",
        "围墙后退20厘米，费用各半",
        "回访双方满意",
        "2026-10-20",
    )
    events = client.get(case_url(case_a)).context["events"]
    assert [(e.action, e.to_state) for e in events] == [
        ("open", "accepted"),
        ("start", "mediating"),
        ("agree", "agreed"),
        ("close", "closed"),
    ]


@pytest.mark.parametrize("role,status", [("liaison", 403), ("secretary_b", 404), ("member", 404), ("visitor", 404)])
def test_steps_denied_nothing_changed(case_a, users, client_as, role, status):
    client = client_as(users[role])
    assert client.post(case_url(case_a, "sessions/"), {"held_on": "2026-10-10", "notes": "试图登记"}).status_code == status
    assert client.post(case_url(case_a, "move/"), {"action": "start"}).status_code == status
    case_a.refresh_from_db()
    assert case_a.state == "accepted" and MediationSession.objects.count() == 0 and CaseEvent.objects.count() == 1


@pytest.mark.parametrize(
    "data,message",
    [
        ({"action": "agree", "note": "协议"}, "不能登记协议"),
        ({"action": "close", "note": ""}, "不能回访结案"),
        ({"action": "start", "on": "2026-10-01"}, "不能早于受理日期"),
    ],
)
def test_bad_steps_nothing_changed(case_a, users, client_as, data, message):
    r = client_as(users["town_admin"]).post(case_url(case_a, "move/"), data)
    assert r.status_code == 400 and message in r.content.decode()
    case_a.refresh_from_db()
    assert case_a.state == "accepted" and CaseEvent.objects.count() == 1


def test_bad_session_nothing_changed(case_a, users, client_as):
    r = client_as(users["town_admin"]).post(case_url(case_a, "sessions/"), {"held_on": "2026-10-01", "notes": "早于受理"})
    assert r.status_code == 400 and "调解日期不能早于受理日期" in r.content.decode()
    assert MediationSession.objects.count() == 0


@pytest.mark.parametrize(
    "role,status",
    [("town_admin", 200), ("secretary_a", 200), ("secretary_b", 200), ("liaison", 403), ("member", 404), ("visitor", 404)],
)
def test_new_case_page_per_role(studio_a, studio_b, users, client_as, role, status):
    assert client_as(users[role]).get("/mediation/cases/new/").status_code == status


def test_new_case(studio_a, users, client_as):
    mediator = studio_a.mediators.get(name="陈老伯")
    r = client_as(users["secretary_a"]).post(
        "/mediation/cases/new/",
        {
            "studio": studio_a.pk,
            "parties": "周某、吴某",
            "dispute": "楼上漏水损坏楼下吊顶",
            "category": "物业",
            "opened_on": "2026-11-01",
            "mediators": [mediator.pk],
        },
    )
    assert r.status_code == 302
    case = MediationCase.objects.get()
    assert (case.number, case.parties, list(case.mediators.all())) == ("2026-001", "周某、吴某", [mediator])


def test_new_case_in_foreign_studio_or_bad_nothing_changed(studio_a, studio_b, users, client_as):
    client = client_as(users["secretary_a"])
    r = client.post(
        "/mediation/cases/new/",
        {"studio": studio_b.pk, "parties": "周某", "dispute": "楼上漏水损坏吊顶", "opened_on": "2026-11-01"},
    )
    assert r.status_code == 400
    r = client.post(
        "/mediation/cases/new/", {"studio": studio_a.pk, "parties": "周某", "dispute": "漏水", "opened_on": "2026-11-01"}
    )
    assert r.status_code == 400 and "至少5个字" in r.content.decode()
    inactive = studio_a.mediators.get(name="沈老师")
    r = client.post(
        "/mediation/cases/new/",
        {
            "studio": studio_a.pk,
            "parties": "周某",
            "dispute": "楼上漏水损坏吊顶",
            "opened_on": "2026-11-01",
            "mediators": [inactive.pk],
        },
    )
    assert r.status_code == 400
    assert MediationCase.objects.count() == 0
