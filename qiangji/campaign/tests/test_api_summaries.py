"""/api/v1/campaign-summaries: the town admin lists, reads and generates; other roles get 403 on
the list and on generating, 404 on one summary; anonymous 401; bad input 422, nothing written."""

import datetime as dt

import pytest

from qiangji.campaign.models import Summary
from qiangji.campaign.services.summaries import summary_generate

OTHERS = ["liaison", "secretary_a", "secretary_b", "member", "visitor"]


@pytest.fixture
def weekly(summary_week):
    return summary_generate(kind="weekly", day=dt.date(2026, 11, 19))


def test_list_newest_first_with_kind_filter(weekly, users, api_as):
    daily = summary_generate(kind="daily", day=dt.date(2026, 11, 23))
    api = api_as(users["town_admin"])
    body = api.get("/campaign-summaries").json()
    assert body["count"] == 2
    assert [(i["id"], i["kind"], i["start"], i["end"]) for i in body["items"]] == [
        (daily.pk, "daily", "2026-11-23", "2026-11-23"),
        (weekly.pk, "weekly", "2026-11-16", "2026-11-22"),
    ]
    assert body["items"][1]["title"] == "2026年11月16日至2026年11月22日“新连心”一周一分析"
    only = api.get("/campaign-summaries", {"kind": "weekly"}).json()
    assert [i["id"] for i in only["items"]] == [weekly.pk]


def test_detail_gives_the_figures_and_sentences(weekly, users, api_as):
    body = api_as(users["town_admin"]).get(f"/campaign-summaries/{weekly.pk}").json()
    assert body["figures"]["visits"] == {"total": 4, "entities": 4, "teams": 2}
    assert body["figures"]["register"] == {"verified": 3, "new": 1, "corrected": 1, "closed": 1}
    assert body["figures"]["coverage"]["town"]["covered_rate"] == 40.0
    assert len(body["figures"]["trend"]) == 8
    assert body["paragraphs"][0].startswith("11月16日至11月22日，全镇2支“三人行”队伍走访主体4家次")
    assert body["final"] is True


def test_generate_writes_and_regenerating_replaces(summary_week, users, api_as):
    api = api_as(users["town_admin"])
    first = api.post("/campaign-summaries/generate", {"kind": "weekly", "date": "2026-11-22"})
    assert first.status_code == 200
    assert (first.json()["start"], first.json()["figures"]["tasks"]) == ("2026-11-16", {"open": 3, "overdue": 1})
    again = api.post("/campaign-summaries/generate", {"kind": "weekly", "date": "2026-11-16"})
    assert again.json()["id"] == first.json()["id"]
    assert Summary.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"kind": "monthly", "date": "2026-11-20"}, {"kind": ["“monthly”不是有效的选项，可选：daily、weekly。"]}),
        ({"kind": "daily", "date": "2026-02-30"}, {"date": ["请输入有效的日期（格式：YYYY-MM-DD）。"]}),
        ({"kind": "daily"}, {"date": ["日期未填写"]}),
        ({"kind": "daily", "date": "2999-01-01"}, {"date": ["不能生成尚未开始的日期或周的汇总"]}),
    ],
)
def test_generate_bad_input_is_422_and_writes_nothing(db, users, api_as, body, errors):
    response = api_as(users["town_admin"]).post("/campaign-summaries/generate", body)
    assert response.status_code == 422
    assert response.json()["errors"] == errors
    assert Summary.objects.count() == 0


def test_list_filter_must_be_a_kind(db, users, api_as):
    response = api_as(users["town_admin"]).get("/campaign-summaries", {"kind": "yearly"})
    assert response.status_code == 422


def test_missing_summary_is_404(db, users, api_as):
    assert api_as(users["town_admin"]).get("/campaign-summaries/999").status_code == 404


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_are_refused_and_nothing_is_written(weekly, users, api_as, role):
    api = api_as(users[role])
    assert api.get("/campaign-summaries").status_code == 403
    assert api.get(f"/campaign-summaries/{weekly.pk}").status_code == 404
    response = api.post("/campaign-summaries/generate", {"kind": "daily", "date": "2026-11-20"})
    assert response.status_code == 403
    assert response.json() == {"detail": "只有镇党委管理员可以查看和生成汇总分析。"}
    assert list(Summary.objects.values_list("pk", flat=True)) == [weekly.pk]


def test_anonymous_gets_401(weekly, api_as):
    api = api_as(None)
    assert api.get("/campaign-summaries").status_code == 401
    assert api.get(f"/campaign-summaries/{weekly.pk}").status_code == 401
    assert api.post("/campaign-summaries/generate", {"kind": "daily", "date": "2026-11-20"}).status_code == 401
    assert Summary.objects.count() == 1
