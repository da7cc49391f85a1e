"""The daily summary and weekly analysis counted from real records (the `summary_week` fixture,
built through the visit and register services): exact figures, week boundaries (Sunday vs
Monday), coverage rolled back to the end of a past period, and regenerating replaces."""

import datetime as dt

import pytest

from qiangji.campaign.models import Summary
from qiangji.campaign.services.summaries import period_of, summary_generate
from qiangji.campaign.summary_report import behind_rule, behind_sentence, headline, paragraphs
from qiangji.core.errors import DomainError

WEEK = dt.date(2026, 11, 19)  # a Thursday: the week is Monday 16 to Sunday 22 November
SUNDAY, MONDAY = dt.date(2026, 11, 22), dt.date(2026, 11, 23)


def town_rates(summary):
    t = summary.figures["coverage"]["town"]
    return (t["total"], t["org"], t["work"], t["covered"], t["covered_rate"])


@pytest.mark.parametrize(
    ("kind", "day", "period"),
    [
        ("weekly", dt.date(2026, 11, 16), (dt.date(2026, 11, 16), SUNDAY)),
        ("weekly", SUNDAY, (dt.date(2026, 11, 16), SUNDAY)),
        ("weekly", MONDAY, (MONDAY, dt.date(2026, 11, 29))),
        ("weekly", dt.date(2027, 1, 1), (dt.date(2026, 12, 28), dt.date(2027, 1, 3))),
        ("daily", SUNDAY, (SUNDAY, SUNDAY)),
    ],
)
def test_periods_are_days_and_monday_to_sunday_weeks(kind, day, period):
    assert period_of(kind, day) == period


def test_weekly_figures(summary_week, teams):
    s = summary_generate(kind="weekly", day=WEEK)
    f = s.figures
    assert (s.kind, s.start, s.end) == ("weekly", dt.date(2026, 11, 16), SUNDAY)
    # v1 (18th), v2 (19th), v6 (20th, awaiting review), v3 (Sunday); v5 rejected, v4 on Monday.
    assert f["visits"] == {"total": 4, "entities": 4, "teams": 2}
    assert f["register"] == {"verified": 3, "new": 1, "corrected": 1, "closed": 1}
    assert f["findings"] == {"party_members": 3, "wants_party_org": 1, "care_packages": 1, "service_cards": 2}
    assert f["tasks"] == {"open": 3, "overdue": 1}
    assert [(t["name"], t["visits"], t["verified"], t["open"], t["overdue"]) for t in f["teams"]] == [
        ("第一网格三人行一队", 3, 3, 1, 1),
        ("第二网格三人行一队", 1, 0, 2, 0),
    ]
    assert [(g["name"], g["visits"], g["open"], g["overdue"]) for g in f["grids"]] == [
        ("第一网格", 3, 1, 1),
        ("第二网格", 1, 2, 0),
    ]
    assert [(p["entity"], p["team"], p["text"], p["problem"]) for p in f["problems"]["items"]] == [
        ("崇明新发现民宿", "第一网格三人行一队", "负责人反映招工难，希望协调用工", None),
        ("崇明测试4号农业有限公司", "第二网格三人行一队", "希望提供党建政策辅导", None),
    ]
    assert f["problems"]["count"] == 2


def test_coverage_at_the_end_of_a_past_week_is_rolled_back(summary_week):
    """At Sunday's end: e1 org-covered, e4 work-covered since the 19th, e3 closed, N1 in; N2
    (Monday) and e2's instructor (the 24th) came later and do not count."""
    f = summary_generate(kind="weekly", day=WEEK).figures
    assert f["coverage"]["town"] == {
        "kind": "town", "id": 0, "name": "全镇", "total": 5, "org": 1, "work": 1, "covered": 2,
        "org_rate": 20.0, "work_rate": 20.0, "covered_rate": 40.0,
    }  # fmt: skip
    carriers = f["coverage"]["carriers"]
    assert [(r["name"], r["total"], r["covered"], r["covered_rate"]) for r in carriers["grid"]] == [
        ("第一网格", 4, 1, 25.0),
        ("第二网格", 1, 1, 100.0),
    ]
    assert [(r["name"], r["total"], r["covered_rate"]) for r in carriers["chain"]] == [("蔬菜链", 0, None), ("民宿链", 1, 0.0)]
    assert [(r["name"], r["total"], r["covered_rate"]) for r in carriers["street"]] == [("竖河商业街区", 1, 100.0)]
    assert f["coverage"]["previous"] is None and f["coverage"]["change"] is None


def test_weekly_series_trend_and_falling_behind(summary_week):
    f = summary_generate(kind="weekly", day=WEEK).figures
    assert [(d["date"][-2:], d["visits"], d["verified"]) for d in f["daily"]] == [
        ("16", 0, 0), ("17", 0, 0), ("18", 1, 1), ("19", 1, 0), ("20", 1, 1), ("21", 0, 0), ("22", 1, 1),
    ]  # fmt: skip
    assert [(w["start"], w["visits"], w["verified"], w["covered_rate"]) for w in f["trend"]] == [
        ("2026-09-28", 0, 0, None),
        ("2026-10-05", 0, 0, None),
        ("2026-10-12", 0, 0, None),
        ("2026-10-19", 0, 0, None),
        ("2026-10-26", 0, 0, 20.0),  # e1..e5 registered on 1 November, e1 org-covered
        ("2026-11-02", 0, 0, 20.0),
        ("2026-11-09", 0, 0, 20.0),
        ("2026-11-16", 4, 3, 40.0),
    ]
    # Team visits 3 and 1: the median is 2, 80% of it 1.6; the town covers 40.0%, 80% of it 32.0%.
    assert f["behind"] == {
        "teams": [
            {
                "id": summary_week["v4"].team_id,
                "name": "第二网格三人行一队",
                "grid": "第二网格",
                "visits": 1,
                "overdue": 0,
                "reasons": ["走访1家次", "待办任务2个"],
            }
        ],
        "grids": [
            {
                "id": summary_week["e1"].village.grid_id,
                "name": "第一网格",
                "rate": 25.0,
                "reasons": ["覆盖率25.0%", "超期未走访任务1个"],
            }
        ],
        "team_median": 2.0,
        "team_threshold": 1.6,
        "town_rate": 40.0,
        "grid_threshold": 32.0,
    }
    summary = Summary.objects.get(kind="weekly")
    assert behind_sentence(summary) == (
        "进度滞后的队伍（走访量低于各队中位数2家次的80%，即不足1.6家次）：第二网格三人行一队（走访1家次，待办任务2个）。"
        "需要关注的网格（覆盖率低于全镇40.0%的80%，即不足32.0%）：第一网格（覆盖率25.0%，超期未走访任务1个）。"
    )
    assert behind_rule(summary) == "滞后标准：队伍走访量低于各队中位数2家次的80%；网格覆盖率低于全镇40.0%的80%。"


def test_sunday_and_monday_fall_in_different_days_and_weeks(summary_week):
    sunday = summary_generate(kind="daily", day=SUNDAY)
    monday = summary_generate(kind="daily", day=MONDAY)
    assert sunday.figures["visits"]["total"] == 1 and sunday.figures["register"] == {
        "verified": 1, "new": 0, "corrected": 0, "closed": 1,
    }  # fmt: skip
    assert monday.figures["visits"]["total"] == 1 and monday.figures["register"] == {
        "verified": 1, "new": 1, "corrected": 0, "closed": 0,
    }  # fmt: skip
    assert monday.figures["findings"] == {"party_members": 0, "wants_party_org": 0, "care_packages": 1, "service_cards": 1}
    # Monday's coverage: N2 registered that day (6 active, 2 covered); compared with Sunday's stored rates.
    assert town_rates(sunday) == (5, 1, 1, 2, 40.0)
    assert town_rates(monday) == (6, 1, 1, 2, 33.3)
    assert monday.figures["coverage"]["previous"] == {"id": sunday.pk, "start": "2026-11-22"}
    assert monday.figures["coverage"]["change"] == {"org_rate": -3.3, "work_rate": -3.3, "covered_rate": -6.7}
    second_grid = f"grid:{summary_week['e4'].village.grid_id}"
    assert monday.figures["coverage"]["carrier_change"][second_grid]["covered_rate"] == -50.0
    next_week = summary_generate(kind="weekly", day=MONDAY)
    assert (next_week.start, next_week.figures["visits"]["total"]) == (MONDAY, 1)


def test_headline_reads_like_the_towns_report(summary_week):
    weekly = summary_generate(kind="weekly", day=WEEK)
    assert headline(weekly) == (
        "11月16日至11月22日，全镇2支“三人行”队伍走访主体4家次，校核3家，新发现主体1家，更正信息1家，"
        "核实注销歇业1家，发现党员3名，1家主体有建立党组织意愿，发放暖心加油包1份、新连心服务卡2张。"
    )
    assert paragraphs(weekly)[1:3] == [
        "截至11月22日，全镇在册主体5家，组织覆盖1家、工作覆盖1家，综合覆盖率40.0%；尚未覆盖3家。",
        "走访中发现问题2个，尚未登记到问题清单；截至11月22日，待办走访任务3个，其中超期1个。",
    ]
    quiet = summary_generate(kind="daily", day=dt.date(2026, 11, 16))
    assert headline(quiet) == "11月16日，全镇“三人行”队伍当日未开展走访，校核0家，新发现主体0家，更正信息0家，发现党员0名。"


def test_regenerating_replaces_the_figures_and_keeps_other_periods(summary_week):
    first = summary_generate(kind="daily", day=SUNDAY)
    summary_generate(kind="daily", day=MONDAY)
    Summary.objects.filter(pk=first.pk).update(figures={"stale": True})
    again = summary_generate(kind="daily", day=SUNDAY)
    assert again.pk == first.pk
    assert again.figures["visits"]["total"] == 1
    assert list(Summary.objects.order_by("start").values_list("kind", "start")) == [
        ("daily", SUNDAY),
        ("daily", MONDAY),
    ]


def test_empty_town_gives_zeroes_not_errors(db):
    s = summary_generate(kind="weekly", day=dt.date(2026, 11, 2))
    assert s.figures["visits"] == {"total": 0, "entities": 0, "teams": 0}
    assert s.figures["coverage"]["town"]["covered_rate"] is None
    assert (s.figures["behind"]["teams"], s.figures["behind"]["grids"]) == ([], [])
    assert paragraphs(s)[1] == "截至11月8日，底数中暂无在册主体。"
    assert behind_sentence(s) == "本周各队伍走访量均不低于各队中位数的80%，各网格覆盖率均不低于全镇的80%，没有明显滞后。"


@pytest.mark.parametrize(
    ("kind", "day", "message"),
    [
        ("monthly", "2026-11-20", "汇总类别应为“一日一汇总”（daily）或“一周一分析”（weekly）"),
        ("daily", "2026-13-01", "日期格式应为 YYYY-MM-DD"),
        ("daily", "1999-12-31", "请选择 2000 年以后的日期"),
        ("daily", "2999-01-01", "不能生成尚未开始的日期或周的汇总"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(db, kind, day, message):
    with pytest.raises(DomainError) as exc:
        summary_generate(kind=kind, day=day)
    assert exc.value.message == message
    assert Summary.objects.count() == 0


def test_the_text_names_the_five_most_overdue_teams_and_counts_the_rest():
    teams = [
        {"id": n, "name": f"第{n}队", "grid": "第一网格", "overdue": n, "reasons": [f"超期未走访任务{n}个"]}
        for n in range(7, 0, -1)
    ]
    summary = Summary(kind="weekly", start=dt.date(2026, 11, 16), end=SUNDAY, figures={"behind": {"teams": teams, "grids": []}})
    assert behind_sentence(summary) == (
        "进度滞后的队伍：第7队（超期未走访任务7个）；第6队（超期未走访任务6个）；第5队（超期未走访任务5个）；"
        "第4队（超期未走访任务4个）；第3队（超期未走访任务3个）等7支。"
    )
