"""Reserve pool pages: who sees which candidates, the profile read from the member record, the
timeline, the steps per role (403 for a forbidden step, 400 for a refused one, nothing changed)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from qiangji import factories as f
from qiangji.reserve.models import Assessment, Candidate, CandidateEvent, Mentorship
from qiangji.trainings.models import Training
from qiangji.trainings.services import attendance_record, enrolment_create, session_create, training_create

POOLS = "/reserve/"


def cand_url(c, tail=""):
    return f"/reserve/candidates/{c.pk}/{tail}"


@pytest.mark.parametrize(
    "role,status,names",
    [
        ("town_admin", 200, ["张后备", "王后备"]),
        ("liaison", 200, ["张后备"]),
        ("secretary_a", 200, ["张后备"]),
        ("secretary_b", 200, ["王后备"]),
        ("member", 404, None),
        ("visitor", 404, None),
    ],
)
def test_pools_per_role(role, status, names, cand_a, cand_b, users, client_as):
    response = client_as(users[role]).get(POOLS)
    assert response.status_code == status
    if names is not None:
        good = response.context["pools"][0]
        assert good["pool"].name == "瀛洲好班长"
        assert sorted(c.member.name for c in good["in_pool"]) == sorted(names)
        assert good["counts"]["in_pool"] == len(names)


def test_pools_anonymous_goes_to_login(client_as):
    assert client_as(None).get(POOLS)["Location"].startswith("/accounts/login/")


def test_pools_show_history_and_counts(cand_a, appointed, users, client_as):
    response = client_as(users["town_admin"]).get(POOLS)
    dual = response.context["pools"][1]
    assert dual["counts"] == {"in_pool": 0, "under_assessment": 0, "appointed": 1, "left": 0}
    assert [c.member.name for c in dual["history"]] == ["赵任用"]
    assert "东村第二党支部书记" in response.content.decode()


def test_pools_query_count_does_not_grow(cand_a, cand_b, appointed, users, client_as, django_assert_num_queries, pool, town):
    client = client_as(users["town_admin"])
    client.get(POOLS)
    # session, user, scope (3), pools with counts, candidates, inbox bell
    with django_assert_num_queries(8):
        client.get(POOLS)
    from qiangji.reserve.services import candidate_enter

    for i in range(3):
        m = f.member(organization=town["branch_a2"], name=f"新后备{i}")
        candidate_enter(pool=pool, member=m, by=users["town_admin"], route="org", on=dt.date(2026, 3, 2))
    with django_assert_num_queries(8):
        client.get(POOLS)


@pytest.mark.parametrize(
    "role,status",
    [("town_admin", 200), ("liaison", 200), ("secretary_a", 200), ("secretary_b", 404), ("member", 404), ("visitor", 404)],
)
def test_candidate_page_per_role(role, status, cand_a, users, client_as):
    assert client_as(users[role]).get(cand_url(cand_a)).status_code == status


def test_candidate_profile_from_member_record_masked(cand_a, users, client_as):
    response = client_as(users["town_admin"]).get(cand_url(cand_a))
    body = response.content.decode()
    age = cand_a.member.age_on(timezone.localdate())
    assert f"{age}岁" in body and "东村第一党支部" in body and "高中" in body
    assert cand_a.member.id_number not in body and "13812345678" not in body
    assert cand_a.member.phone_masked in body
    # The town admin is offered the steps of an in-pool candidate; secretary_a only assessing.
    assert [a for a, _ in response.context["actions"]] == ["assess", "leave"]
    sec = client_as(users["secretary_a"]).get(cand_url(cand_a)).context
    assert sec["actions"] == [] and sec["can_assess"] and not sec["can_sign"]
    liaison = client_as(users["liaison"]).get(cand_url(cand_a)).context
    assert liaison["actions"] == [] and not liaison["can_assess"]


def test_trainings_attended_this_year(cand_a, users, client_as, town):
    year = 2026  # the sessions are in March, held by the conftest's day whatever the month
    training = training_create(
        by=users["town_admin"], data={"name": "后备干部培训班", "kind": Training.Kind.SECRETARY, "organization": town["town"]}
    )
    s1 = session_create(training=training, data={"date": dt.date(year, 3, 10), "hours": Decimal("3.0"), "topic": "村级治理"})
    s2 = session_create(training=training, data={"date": dt.date(year, 3, 11), "hours": Decimal("2.0"), "topic": "财务管理"})
    enrolment_create(training=training, members=[cand_a.member], by=users["town_admin"])
    attendance_record(
        session=s1, members=[cand_a.member], present_ids={cand_a.member.pk}, by=users["town_admin"], today=timezone.localdate()
    )
    attendance_record(session=s2, members=[cand_a.member], present_ids=set(), by=users["town_admin"], today=timezone.localdate())
    trainings = client_as(users["town_admin"]).get(cand_url(cand_a)).context["trainings"]
    assert [s.topic for s in trainings["sessions"]] == ["村级治理"] and trainings["hours"] == Decimal("3.0")


def test_admin_assesses_then_moves_timeline_in_date_order(cand_a, users, client_as):
    client = client_as(users["town_admin"])
    r = client.post(
        cand_url(cand_a, "assessments/"), {"on": "2026-04-10", "findings": "走访群众20户，反映良好", "conclusion": "good"}
    )
    assert r.status_code == 302
    r = client.post(cand_url(cand_a, "move/"), {"action": "assess", "on": "2026-05-01", "reason": "列入重点考察"})
    assert r.status_code == 302
    cand_a.refresh_from_db()
    assert cand_a.state == Candidate.State.UNDER_ASSESSMENT
    timeline = client.get(cand_url(cand_a)).context["timeline"]
    assert [(i.on, i.kind, i.title) for i in timeline] == [
        (dt.date(2026, 3, 1), "event", "入库"),
        (dt.date(2026, 4, 10), "assessment", "跟踪考察"),
        (dt.date(2026, 5, 1), "event", "列为考察对象（在库 → 考察中）"),
    ]


def test_secretary_cannot_move_nothing_changed(cand_a, users, client_as):
    r = client_as(users["secretary_a"]).post(cand_url(cand_a, "move/"), {"action": "assess"})
    assert r.status_code == 403
    cand_a.refresh_from_db()
    assert cand_a.state == Candidate.State.IN_POOL and CandidateEvent.objects.filter(candidate=cand_a).count() == 1


@pytest.mark.parametrize("role,status", [("secretary_b", 404), ("member", 404), ("visitor", 404), ("liaison", 403)])
def test_foreign_roles_cannot_assess(cand_a, users, client_as, role, status):
    r = client_as(users[role]).post(
        cand_url(cand_a, "assessments/"), {"on": "2026-04-10", "findings": "好", "conclusion": "good"}
    )
    assert r.status_code == status
    assert Assessment.objects.count() == 0


def test_secretary_assesses_own_candidate(cand_a, users, client_as):
    r = client_as(users["secretary_a"]).post(
        cand_url(cand_a, "assessments/"), {"on": "2026-04-10", "findings": "表现好", "conclusion": "fair"}
    )
    assert r.status_code == 302
    assert Assessment.objects.get().assessor == users["secretary_a"]


@pytest.mark.parametrize(
    "data,message",
    [
        ({"action": "leave", "reason": ""}, "请填写原因"),
        ({"action": "appoint", "post": "书记"}, "不能任用"),
        ({"action": "assess", "on": "2026-01-01"}, "日期应在入库日期和今天之间"),
        ({"action": "fly"}, "填写的内容有误"),
    ],
)
def test_bad_move_shows_message_nothing_changed(cand_a, users, client_as, data, message):
    r = client_as(users["town_admin"]).post(cand_url(cand_a, "move/"), data)
    assert r.status_code == 400
    assert message in r.content.decode()
    cand_a.refresh_from_db()
    assert cand_a.state == Candidate.State.IN_POOL and CandidateEvent.objects.filter(candidate=cand_a).count() == 1


def test_bad_assessment_nothing_changed(cand_a, users, client_as):
    r = client_as(users["town_admin"]).post(
        cand_url(cand_a, "assessments/"), {"on": "2026-02-01", "findings": "好", "conclusion": "good"}
    )
    assert r.status_code == 400 and "考察日期应在入库日期和今天之间" in r.content.decode()
    assert Assessment.objects.count() == 0


def test_sign_mentorship(cand_a, users, client_as):
    leader = users["liaison"]  # a town cadre of a liaison group
    r = client_as(users["town_admin"]).post(
        cand_url(cand_a, "mentorships/"), {"mentor": leader.pk, "started_on": "2026-03-05", "goals": "熟悉村务，主持一次支委会"}
    )
    assert r.status_code == 302
    m = Mentorship.objects.get()
    assert (m.mentor, m.started_on, m.goals) == (leader, dt.date(2026, 3, 5), "熟悉村务，主持一次支委会")


@pytest.mark.parametrize("role,status", [("secretary_a", 403), ("liaison", 403), ("secretary_b", 404), ("member", 404)])
def test_sign_mentorship_denied(cand_a, users, client_as, role, status):
    r = client_as(users[role]).post(
        cand_url(cand_a, "mentorships/"), {"mentor": users["liaison"].pk, "started_on": "2026-03-05", "goals": "目标"}
    )
    assert r.status_code == status
    assert Mentorship.objects.count() == 0


def test_sign_mentorship_without_goals_nothing_changed(cand_a, users, client_as):
    r = client_as(users["town_admin"]).post(
        cand_url(cand_a, "mentorships/"), {"mentor": users["liaison"].pk, "started_on": "2026-03-05", "goals": " "}
    )
    assert r.status_code == 400
    assert Mentorship.objects.count() == 0


@pytest.mark.parametrize(
    "role,status", [("town_admin", 200), ("secretary_a", 200), ("liaison", 403), ("member", 404), ("visitor", 404)]
)
def test_enter_page_per_role(role, status, users, client_as):
    assert client_as(users[role]).get("/reserve/enter/").status_code == status


def test_member_search_lists_only_managed_members(town, users, client_as):
    f.member(organization=town["branch_a2"], name="陈东村")
    f.member(organization=town["branch_b"], name="陈公司")
    body = client_as(users["secretary_a"]).get("/reserve/enter/members/", {"q": "陈"}).content.decode()
    assert "陈东村" in body and "陈公司" not in body
    assert client_as(users["member"]).get("/reserve/enter/members/", {"q": "陈"}).status_code == 404


def test_secretary_enters_own_member(pool, town, users, client_as):
    m = f.member(organization=town["branch_a2"], name="陈东村")
    r = client_as(users["secretary_a"]).post(
        "/reserve/enter/",
        {"pool": pool.pk, "member": m.pk, "route": "org", "entered_on": "2026-05-01", "recommendation": "带头致富"},
    )
    assert r.status_code == 302
    c = Candidate.objects.get(member=m)
    assert (c.route, c.entered_on, c.recommendation) == ("org", dt.date(2026, 5, 1), "带头致富")


def test_secretary_cannot_enter_other_members(pool, town, users, client_as):
    m = f.member(organization=town["branch_b"], name="陈公司")
    r = client_as(users["secretary_a"]).post(
        "/reserve/enter/", {"pool": pool.pk, "member": m.pk, "route": "org", "entered_on": "2026-05-01"}
    )
    assert r.status_code == 400 and "选择一个有效的选项" in r.content.decode()
    assert Candidate.objects.count() == 0


def test_enter_twice_refused(cand_a, pool, users, client_as):
    r = client_as(users["town_admin"]).post(
        "/reserve/enter/", {"pool": pool.pk, "member": cand_a.member.pk, "route": "self", "entered_on": "2026-05-01"}
    )
    assert r.status_code == 400 and "张后备已在瀛洲好班长中" in r.content.decode()
    assert Candidate.objects.count() == 1
