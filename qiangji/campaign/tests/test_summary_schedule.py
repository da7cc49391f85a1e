"""The scheduled round: `manage.py campaign_daily` and its task catch up the missing summaries
(oldest first, so each compares with the one before), refresh today's, schedule the care visits,
and change nothing when run again."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from qiangji.campaign.models import Summary, VisitTask
from qiangji.campaign.services.summaries import summaries_catch_up
from qiangji.campaign.tasks import campaign_daily_catch_up, summary_generate_task

TODAY = dt.date(2026, 11, 24)  # a Tuesday


def rows():
    return list(Summary.objects.order_by("kind", "start").values_list("pk", "kind", "start", "end", "figures"))


def test_catch_up_writes_the_missing_days_and_complete_weeks(summary_week):
    done = summaries_catch_up(today=TODAY, days=3, weeks=2)
    assert done == {"daily": 4, "weekly": 2}
    assert list(Summary.objects.order_by("kind", "start").values_list("kind", "start")) == [
        ("daily", dt.date(2026, 11, 21)),
        ("daily", dt.date(2026, 11, 22)),
        ("daily", dt.date(2026, 11, 23)),
        ("daily", TODAY),
        ("weekly", dt.date(2026, 11, 9)),
        ("weekly", dt.date(2026, 11, 16)),
    ]
    monday = Summary.objects.get(kind="daily", start=dt.date(2026, 11, 23))
    sunday = Summary.objects.get(kind="daily", start=dt.date(2026, 11, 22))
    assert monday.figures["coverage"]["previous"] == {"id": sunday.pk, "start": "2026-11-22"}


def test_catch_up_twice_gives_the_same_rows(summary_week):
    summaries_catch_up(today=TODAY, days=3, weeks=2)
    before = rows()
    # Every period was written after it ended (the 24th is over in real time too): none again.
    assert summaries_catch_up(today=TODAY, days=3, weeks=2) == {"daily": 0, "weekly": 0}
    assert rows() == before


def test_todays_summary_is_refreshed_while_the_day_lasts(db):
    today = timezone.localdate()
    assert summaries_catch_up(today=today, days=0, weeks=0) == {"daily": 1, "weekly": 0}
    assert summaries_catch_up(today=today, days=0, weeks=0) == {"daily": 1, "weekly": 0}
    assert list(Summary.objects.values_list("kind", "start")) == [("daily", today)]


def test_a_summary_written_before_its_day_ended_is_written_again(summary_week):
    early = Summary.objects.create(kind="daily", start=dt.date(2026, 11, 22), end=dt.date(2026, 11, 22), figures={})
    Summary.objects.filter(pk=early.pk).update(generated_at=dt.datetime(2026, 11, 22, 4, 0, tzinfo=dt.UTC))
    summaries_catch_up(today=TODAY, days=2, weeks=0)
    early.refresh_from_db()
    assert early.figures["register"]["closed"] == 1


def test_command_runs_the_round_and_is_idempotent(summary_week, capsys):
    open_care = VisitTask.objects.filter(kind=VisitTask.Kind.CARE).count()
    call_command("campaign_daily", "--date", TODAY.isoformat(), "--days", "2", "--weeks", "1")
    out = capsys.readouterr().out
    # e1's care visit was rejected (no approved visit in 90 days, no open task) → a new care task;
    # e2 (its verify visit approved on the 20th) and the rest are recent or busy.
    assert out.strip() == "2026-11-24 新连心：生成一日一汇总3份、一周一分析1份，派发三送三问回访任务1个。"
    assert VisitTask.objects.filter(kind=VisitTask.Kind.CARE).count() == open_care + 1
    before = rows()
    call_command("campaign_daily", "--date", TODAY.isoformat(), "--days", "2", "--weeks", "1")
    assert capsys.readouterr().out.strip() == "2026-11-24 新连心：生成一日一汇总0份、一周一分析0份，派发三送三问回访任务0个。"
    assert rows() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2026-13-01"], "日期格式应为 YYYY-MM-DD"),
        (["--days", "-1"], "天数应在 0 至 366 之间，周数应在 0 至 53 之间"),
        (["--date", "2999-01-01"], "不能生成尚未开始的日期或周的汇总"),
    ],
)
def test_command_bad_input_writes_nothing(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("campaign_daily", *args)
    assert Summary.objects.count() == 0


def test_the_task_runs_the_same_round(summary_week):
    result = campaign_daily_catch_up.enqueue(today=TODAY.isoformat(), days=1, weeks=1)
    assert result.return_value == {"daily": 2, "weekly": 1, "care_tasks": 1}
    pk = summary_generate_task.enqueue("weekly", "2026-11-18").return_value
    assert Summary.objects.get(pk=pk).start == dt.date(2026, 11, 16)
    assert Summary.objects.count() == 3
