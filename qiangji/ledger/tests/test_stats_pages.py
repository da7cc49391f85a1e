"""The ledger statistics page: the seed's sentence against a hand-computed fixture, scoped per role."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from qiangji.ledger.models import Mechanism, Problem
from qiangji.ledger.services import (
    mechanism_record,
    problem_analyse,
    problem_close,
    problem_close_immediate,
    problem_merge,
    problem_start,
    problem_submit,
)

YEAR = 2026
STATS = reverse("ledger:stats")
RANGE = {"from": f"{YEAR}-03-01", "to": f"{YEAR}-06-30"}


@pytest.fixture(autouse=True)
def _late_in_the_year(freeze_day):
    """The fixture's problems are of March to July; "this year" (the default range) is YEAR."""
    freeze_day(f"{YEAR}-11-25")


def day(month, d):
    return dt.date(YEAR, month, d)


@pytest.fixture
def ledger(users, town, register):
    """Inside 1 March – 30 June: p1..p5 counted (p1, p2 immediate; p1, p2, p5 closed after 4, 10
    and 28 days), p6 merged into p4 (not counted); p7 registered in February (outside).
    Mechanisms: 15 March (branch A1, established), 20 May (branch B, enforced), 5 July (outside)."""
    admin = users["town_admin"]
    S = Problem.Source
    p1 = register(today=day(3, 5), source=S.VISIT_TALK)
    problem_analyse(problem=p1, by=admin, root_cause="管理松散", fix_kind=Problem.FixKind.IMMEDIATE)
    problem_close_immediate(problem=p1, by=admin, evidence="当场整改", today=day(3, 9))
    p2 = register(today=day(4, 10), source=S.VISIT_TALK, organization=town["branch_a2"])
    problem_close_immediate(problem=p2, by=admin, evidence="已整改到位", today=day(4, 20))
    p3 = register(today=day(4, 15), source=S.PETITION, organization=town["branch_b"], owner=users["secretary_b"])
    problem_analyse(problem=p3, by=admin, root_cause="制度缺失", fix_kind=Problem.FixKind.LONG_TERM)
    problem_start(problem=p3, by=users["secretary_b"])
    p4 = register(
        today=day(5, 1), source=S.HOTLINE, external_ref="GD2026050100012", description="群众反映村务公开栏信息长期不更新"
    )
    p5 = register(today=day(6, 2), source=S.SELF_CHECK, description="支部组织生活记录不完整，会议记录缺签到")
    problem_analyse(problem=p5, by=admin, root_cause="记录制度不健全", fix_kind=Problem.FixKind.LONG_TERM)
    problem_start(problem=p5, by=admin)
    problem_submit(problem=p5, by=admin, evidence="已建立会议记录规范")
    rules = {"name": "会议记录规范", "organization": town["branch_a1"], "kind": "established", "effective_on": day(7, 5)}
    mechanism_record(by=admin, data=rules, problems=[p5])  # a long-term fix closes with its mechanism
    problem_close(problem=p5, by=admin, evidence="抽查三次会议记录齐全", today=day(6, 30))
    p6 = register(today=day(5, 10), source=S.VISIT_TALK, description="村务公开栏信息不更新")
    problem_merge(problem=p6, by=admin, into=p4, reason="与12345工单重复")
    register(today=day(2, 20), source=S.WECHAT, description="二月份微信平台反映的问题")
    for name, org, kind, on in (
        ("党员活动室开放制度", town["branch_a1"], Mechanism.Kind.ESTABLISHED, day(3, 15)),
        ("主题党日固定日制度", town["branch_b"], Mechanism.Kind.ENFORCED, day(5, 20)),
    ):
        mechanism_record(by=admin, data={"name": name, "organization": org, "kind": kind, "effective_on": on})


def chart(response):
    match = re.search(r'<script id="ledger-stats-data" type="application/json">(.*?)</script>', response.content.decode())
    return json.loads(match.group(1))


def test_the_town_gets_the_seed_sentence_for_a_date_range(client_as, users, ledger):
    response = client_as(users["town_admin"]).get(STATS, RANGE)
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts["sentence"] == "自查自纠问题5个，其中即知即改2个，建立或落实长效机制2个"
    assert "自查自纠问题5个，其中即知即改2个，建立或落实长效机制2个。" in response.content.decode()
    assert (counts["closed"], counts["open"]) == (3, 2)
    assert (counts["days_to_close_median"], counts["days_to_close_mean"]) == (10, 14.0)
    assert (counts["mechanisms_established"], counts["mechanisms_enforced"]) == (1, 1)
    assert chart(response) == {
        "sources": ["走访座谈", "12345热线", "信访", "自查"],
        "source_counts": [2, 1, 1, 1],
        "months": [f"{YEAR}-03", f"{YEAR}-04", f"{YEAR}-05", f"{YEAR}-06"],
        "registered": [1, 2, 1, 1],
        "closed": [1, 1, 0, 1],
    }


def test_the_default_range_is_this_year(client_as, users, ledger):
    response = client_as(users["town_admin"]).get(STATS)
    assert (response.context["start"], response.context["end"]) == (day(1, 1), day(12, 31))
    assert response.context["counts"]["sentence"] == "自查自纠问题6个，其中即知即改2个，建立或落实长效机制3个"
    assert len(chart(response)["months"]) == 12


def test_an_organization_filter_narrows_the_figures(client_as, users, town, ledger):
    response = client_as(users["town_admin"]).get(STATS, {**RANGE, "org": town["branch_a1"].pk})
    assert response.context["counts"]["sentence"] == "自查自纠问题3个，其中即知即改1个，建立或落实长效机制1个"
    assert chart(response)["sources"] == ["12345热线", "自查", "走访座谈"]


@pytest.mark.parametrize(
    "role, sentence",
    [
        ("liaison", "自查自纠问题4个，其中即知即改2个，建立或落实长效机制1个"),
        ("secretary_a", "自查自纠问题4个，其中即知即改2个，建立或落实长效机制1个"),
        ("secretary_b", "自查自纠问题1个，其中即知即改0个，建立或落实长效机制1个"),
    ],
)
def test_liaison_and_secretaries_count_their_scope(client_as, users, ledger, role, sentence):
    response = client_as(users[role]).get(STATS, RANGE)
    assert response.status_code == 200
    assert response.context["counts"]["sentence"] == sentence


def test_a_secretary_cannot_filter_on_an_organization_outside_their_scope(client_as, users, town, ledger):
    response = client_as(users["secretary_b"]).get(STATS, {**RANGE, "org": town["branch_a1"].pk})
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["member", "visitor"])
def test_members_and_visitors_have_no_statistics(client_as, users, role):
    assert client_as(users[role]).get(STATS).status_code == 404


def test_anonymous_is_sent_to_login(client_as):
    response = client_as(None).get(STATS)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_a_reversed_or_broken_range_falls_back_to_this_year(client_as, users, ledger):
    client = client_as(users["town_admin"])
    reversed_range = client.get(STATS, {"from": f"{YEAR}-06-30", "to": f"{YEAR}-03-01"})
    assert reversed_range.context["errors"] == ["结束日期早于开始日期，已按本年度统计。"]
    assert (reversed_range.context["start"], reversed_range.context["end"]) == (day(1, 1), day(12, 31))
    broken = client.get(STATS, {"from": "2026-13-40", "to": "明天"})
    assert (broken.context["start"], broken.context["end"]) == (day(1, 1), day(12, 31))
    assert broken.context["errors"] == []


def test_nothing_registered_shows_zeros_and_dashes(client_as, users):
    response = client_as(users["town_admin"]).get(STATS, RANGE)
    assert response.context["counts"]["sentence"] == "自查自纠问题0个，其中即知即改0个，建立或落实长效机制0个"
    body = response.content.decode()
    assert '<div class="fs-4" id="stat-median">—</div>' in body
    assert "所选期间没有登记问题。" in body


def test_the_page_loads_its_chart_script_from_a_file(client_as, users):
    body = client_as(users["town_admin"]).get(STATS).content.decode()
    assert '<script src="/static/js/ledger_stats.js" defer></script>' in body
    assert "<script>" not in body  # strict CSP: no inline script


def test_the_town_admin_home_shows_the_figures_of_the_year(client_as, users, town, register):
    admin, today = users["town_admin"], timezone.localdate()
    fixed = register(today=today)
    problem_close_immediate(problem=fixed, by=admin, evidence="当场整改", today=today)
    kept = register(today=today, description="村务公开栏信息长期不更新")
    problem_merge(problem=register(today=today, description="公开栏不更新"), by=admin, into=kept, reason="重复反映")
    register(today=dt.date(YEAR - 1, 12, 31), description="去年登记的问题")
    for name, on in (("党员活动室开放制度", today), ("去年的机制", dt.date(YEAR - 1, 6, 1))):
        data = {"name": name, "organization": town["branch_a1"], "kind": Mechanism.Kind.ESTABLISHED, "effective_on": on}
        mechanism_record(by=admin, data=data)
    response = client_as(admin).get(reverse("home:index"))
    figures = response.context["ledger_figures"]
    assert (figures["total"], figures["immediate"], figures["mechanisms"], figures["closed"]) == (2, 1, 1, 1)
    body = response.content.decode()
    assert '<div class="qj-stat">2</div><div class="qj-stat-label">今年自查自纠问题</div>' in body
    assert '<div class="qj-stat">1</div><div class="qj-stat-label">建立或落实长效机制</div>' in body
    secretary_home = client_as(users["secretary_a"]).get(reverse("home:index"))
    assert "ledger_figures" not in secretary_home.context
    assert "今年自查自纠问题" not in secretary_home.content.decode()
