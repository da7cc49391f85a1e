"""Summary pages: the history list, one report, its Word document, generating on demand. The town
admin runs them; every other role gets a 404 (anonymous: the login page) and nothing is written."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from docx import Document

from qiangji.campaign.models import Summary
from qiangji.campaign.services.summaries import summary_generate
from qiangji.campaign.services.visit_problems import visit_problem_register

OTHERS = ["liaison", "secretary_a", "secretary_b", "member", "visitor"]
WEEK = dt.date(2026, 11, 19)


@pytest.fixture
def weekly(summary_week):
    return summary_generate(kind="weekly", day=WEEK)


def page_urls(summary):
    return [
        reverse("campaign:summary_list"),
        reverse("campaign:summary_detail", args=[summary.pk]),
        reverse("campaign:summary_word", args=[summary.pk]),
    ]


def test_town_admin_reads_every_page(weekly, users, client_as):
    client = client_as(users["town_admin"])
    for url in page_urls(weekly):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_get_404_and_write_nothing(weekly, users, client_as, role):
    client = client_as(users[role])
    for url in page_urls(weekly):
        assert client.get(url).status_code == 404
    response = client.post(reverse("campaign:summary_generate"), {"kind": "daily", "day": "2026-11-20"})
    assert response.status_code == 404
    assert list(Summary.objects.values_list("kind", "start")) == [("weekly", dt.date(2026, 11, 16))]


def test_anonymous_is_sent_to_login(weekly, client_as):
    client = client_as(None)
    for url in page_urls(weekly):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.post(reverse("campaign:summary_generate"), {"kind": "daily", "day": "2026-11-20"})
    assert Summary.objects.count() == 1


def test_detail_reads_as_a_report_with_tables_charts_and_problems(weekly, summary_week, users, client_as):
    html = client_as(users["town_admin"]).get(reverse("campaign:summary_detail", args=[weekly.pk])).content.decode()
    assert "2026年11月16日至2026年11月22日“新连心”一周一分析" in html
    assert "11月16日至11月22日，全镇2支“三人行”队伍走访主体4家次，校核3家，新发现主体1家" in html
    assert 'id="summary-chart-data"' in html and 'data-qj-summary-chart="trend"' in html
    assert "campaign-summary.js" in html and "echarts.min.js" in html
    assert "第一网格三人行一队" in html and "超期未走访任务1个" in html
    # v1 is approved and not yet in the ledger: the link leads to its visit page's form; v6
    # awaits review, so it cannot be registered yet.
    v1, v6 = summary_week["v1"], summary_week["v6"]
    assert f'href="/campaign/visits/{v1.pk}/#h-problem"' in html
    assert "走访记录待审核" in html
    assert f"/campaign/visits/{v6.pk}/#h-problem" not in html


def test_a_problem_registered_after_the_report_shows_its_ledger_number(weekly, summary_week, users, client_as):
    problem = visit_problem_register(visit=summary_week["v1"], by=users["town_admin"])
    html = client_as(users["town_admin"]).get(reverse("campaign:summary_detail", args=[weekly.pk])).content.decode()
    assert f"已登记 {problem.number}" in html
    assert reverse("ledger:problem_detail", args=[problem.pk]) in html


def test_daily_page_has_no_charts(summary_week, users, client_as):
    daily = summary_generate(kind="daily", day=dt.date(2026, 11, 22))
    html = client_as(users["town_admin"]).get(reverse("campaign:summary_detail", args=[daily.pk])).content.decode()
    assert "11月22日，全镇1支“三人行”队伍走访主体1家，校核1家" in html
    assert "echarts" not in html and "summary-chart-data" not in html


def test_word_document_opens_and_holds_the_headline_and_team_table(weekly, users, client_as):
    response = client_as(users["town_admin"]).get(reverse("campaign:summary_word", args=[weekly.pk]))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "attachment" in response["Content-Disposition"]
    doc = Document(io.BytesIO(b"".join(response.streaming_content)))
    text = [p.text for p in doc.paragraphs]
    assert text[0] == "2026年11月16日至2026年11月22日“新连心”一周一分析"
    assert text[1].startswith("竖新镇党委　") and text[1].endswith("生成")
    assert (
        "11月16日至11月22日，全镇2支“三人行”队伍走访主体4家次，校核3家，新发现主体1家，更正信息1家，"
        "核实注销歇业1家，发现党员3名，1家主体有建立党组织意愿，发放暖心加油包1份、新连心服务卡2张。"
    ) in text
    teams = doc.tables[0]
    assert [[c.text for c in row.cells] for row in teams.rows] == [
        ["走访队伍", "负责网格", "走访", "校核", "待办任务", "超期任务"],
        ["第一网格三人行一队", "第一网格", "3", "3", "1", "1"],
        ["第二网格三人行一队", "第二网格", "1", "0", "2", "0"],
    ]
    grids = doc.tables[1]
    assert [c.text for c in grids.rows[1].cells] == ["第一网格", "3", "4", "25.0%", "—", "1", "1"]
    assert len(doc.tables) == 6  # teams, grids, carriers, problems, days, weeks


def test_generate_on_demand_then_show(summary_week, users, client_as):
    client = client_as(users["town_admin"])
    response = client.post(reverse("campaign:summary_generate"), {"kind": "daily", "day": "2026-11-23"})
    summary = Summary.objects.get()
    assert (summary.kind, summary.start, summary.end) == ("daily", dt.date(2026, 11, 23), dt.date(2026, 11, 23))
    assert response.status_code == 302 and response["Location"] == reverse("campaign:summary_detail", args=[summary.pk])
    again = client.post(reverse("campaign:summary_generate"), {"kind": "daily", "day": "2026-11-23"}, follow=True)
    assert "已生成2026年11月23日“新连心”一日一汇总。" in again.content.decode()
    assert Summary.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "daily", "day": ""}, "请选择日期。"),
        ({"kind": "daily", "day": "2026-02-30"}, "请输入有效的日期。"),
        ({"kind": "monthly", "day": "2026-11-20"}, "选择一个有效的选项"),
        ({"kind": "daily", "day": "2999-01-01"}, "不能生成尚未开始的日期或周的汇总"),
    ],
)
def test_generate_with_bad_input_says_why_and_writes_nothing(db, users, client_as, data, message):
    response = client_as(users["town_admin"]).post(reverse("campaign:summary_generate"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Summary.objects.count() == 0


def test_list_newest_first_with_kind_filter(summary_week, users, client_as):
    for day in (dt.date(2026, 11, 20), dt.date(2026, 11, 22)):
        summary_generate(kind="daily", day=day)
    summary_generate(kind="weekly", day=WEEK)
    client = client_as(users["town_admin"])
    html = client.get(reverse("campaign:summary_list")).content.decode()
    assert html.index("2026年11月22日") < html.index("2026年11月20日")
    weekly_only = client.get(reverse("campaign:summary_list"), {"kind": "weekly"}).content.decode()
    assert "2026年11月16日至11月22日" in weekly_only and "2026年11月20日" not in weekly_only


def test_list_query_count_is_pinned(db, users, client_as, django_assert_num_queries):
    for n in range(25):
        Summary.objects.create(
            kind="daily", start=dt.date(2026, 10, 1) + dt.timedelta(days=n), end=dt.date(2026, 10, 1) + dt.timedelta(days=n)
        )
    client = client_as(users["town_admin"])
    client.get(reverse("campaign:summary_list"))  # warm the session
    # session, user, the scope (role grants, liaison groups, member record), the count, the inbox
    # bell, one page of rows: the same however many summaries there are
    with django_assert_num_queries(8):
        response = client.get(reverse("campaign:summary_list"))
    assert response.status_code == 200
