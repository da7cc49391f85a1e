"""Dates are the town's local dates (Asia/Shanghai): 2026-12-07 17:29 UTC is 01:29 on 8 December,
shown and counted as 8 December; and a week analysed before it ends covers up to that day."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from qiangji.campaign.models import EntityBatch, EntityChange, Summary, Visit
from qiangji.campaign.services.summaries import summary_generate
from qiangji.campaign.summary_report import paragraphs

UTC_MOMENT = dt.datetime(2026, 12, 7, 17, 29, tzinfo=dt.UTC)  # 2026-12-08 01:29 in Shanghai


@pytest.fixture
def batch(users):
    b = EntityBatch.objects.create(file_name="区级底数.xlsx", file_sha256="1" * 64, by=users["town_admin"])
    EntityBatch.objects.filter(pk=b.pk).update(created_at=UTC_MOMENT)
    b.refresh_from_db()
    return b


def test_a_batch_imported_at_0129_shows_the_local_date(batch, users, client_as):
    assert str(batch) == "区级底数.xlsx（2026-12-08）"
    page = client_as(users["town_admin"]).get(reverse("campaign:batch_list")).content.decode()
    assert "2026-12-08 01:29" in page and "2026-12-07" not in page
    detail = client_as(users["town_admin"]).get(reverse("campaign:batch_detail", args=[batch.pk])).content.decode()
    assert "2026-12-08 01:29" in detail


def test_a_review_at_0129_counts_on_the_local_day(summary_week):
    v2 = summary_week["v2"]  # an approved verify visit with a corrected field
    Visit.objects.filter(pk=v2.pk).update(reviewed_at=UTC_MOMENT)
    EntityChange.objects.filter(visit=v2).update(at=UTC_MOMENT)
    with time_machine.travel(dt.datetime(2026, 12, 8, 10, tzinfo=dt.UTC), tick=False):
        seventh = summary_generate(kind="daily", day=dt.date(2026, 12, 7))
        eighth = summary_generate(kind="daily", day=dt.date(2026, 12, 8))
        week = summary_generate(kind="weekly", day=dt.date(2026, 12, 8))
    assert (seventh.figures["register"]["verified"], seventh.figures["register"]["corrected"]) == (0, 0)
    assert (eighth.figures["register"]["verified"], eighth.figures["register"]["corrected"]) == (1, 1)
    assert [(d["date"], d["verified"]) for d in week.figures["daily"][:3]] == [
        ("2026-12-07", 0),
        ("2026-12-08", 1),
        ("2026-12-09", 0),
    ]


def test_a_week_analysed_on_its_tuesday_covers_up_to_that_day(summary_week):
    """Generated on Wednesday 18 November: Monday to Wednesday counted; e5's task, due the 20th,
    is not yet overdue, and the text says "截至11月18日", not the Sunday still to come."""
    with time_machine.travel(dt.datetime(2026, 11, 18, 20, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        week = summary_generate(kind="weekly", day=dt.date(2026, 11, 18))
    f = week.figures
    assert (week.start, week.end, f["as_of"]) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22), "2026-11-18")
    assert f["visits"] == {"total": 1, "entities": 1, "teams": 1}
    assert f["tasks"]["overdue"] == 0
    # The fixture's later records already exist; what matters here is which day the text names.
    assert paragraphs(week) == [
        "11月16日至11月18日，全镇1支“三人行”队伍走访主体1家次，校核1家，新发现主体1家，更正信息0家，发现党员2名，"
        "1家主体有建立党组织意愿，发放暖心加油包1份、新连心服务卡1张。",
        "截至11月18日，全镇在册主体6家，组织覆盖1家、工作覆盖2家，综合覆盖率50.0%；尚未覆盖3家。",
        "走访中发现问题1个，尚未登记到问题清单；截至11月18日，待办走访任务5个，其中超期0个。",
        "进度滞后的队伍（走访量低于各队中位数0.5家次的80%，即不足0.4家次）：第二网格三人行一队（走访0家次，待办任务2个）。",
    ]
    assert Summary.objects.count() == 1
