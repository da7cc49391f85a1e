"""Overdue escalation (send_problem_reminders): owner after 1 day, liaison group after 3, town after 7,
counted from the deadline, so a missed run catches up and a second run sends nothing."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from qiangji.ledger.services import problem_close_immediate, problem_postpone
from qiangji.ledger.tasks import problems_escalate_catch_up
from qiangji.ledger.tests.conftest import TODAY
from qiangji.notifications.models import Notification

DEADLINE = TODAY + dt.timedelta(days=30)


def sent():
    """(recipient username, title) of every overdue reminder, in order."""
    return list(Notification.objects.filter(kind="problem_overdue").order_by("id").values_list("recipient__username", "title"))


def run(day: dt.date) -> str:
    out = StringIO()
    call_command("send_problem_reminders", "--date", day.isoformat(), stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def problem(register):
    return register()


def test_the_deadline_itself_is_not_overdue(problem):
    assert run(DEADLINE) == "2026-06-19 问题超期提醒：整改责任人0条，指导联络组0条，镇党委0条，共0条。"
    assert sent() == []


def test_one_day_late_tells_the_owner_only(problem):
    assert run(DEADLINE + dt.timedelta(days=1)) == "2026-06-20 问题超期提醒：整改责任人1条，指导联络组0条，镇党委0条，共1条。"
    assert sent() == [("sec_a1", f"问题{problem.number}已超期1天（期限2026-06-19）")]


def test_two_days_late_sends_nothing_more(problem):
    run(DEADLINE + dt.timedelta(days=1))
    assert run(DEADLINE + dt.timedelta(days=2)).endswith("共0条。")
    assert len(sent()) == 1


def test_three_days_late_adds_the_liaison_group(problem):
    run(DEADLINE + dt.timedelta(days=1))
    assert run(DEADLINE + dt.timedelta(days=3)) == "2026-06-22 问题超期提醒：整改责任人0条，指导联络组1条，镇党委0条，共1条。"
    assert sent() == [
        ("sec_a1", f"问题{problem.number}已超期1天（期限2026-06-19）"),
        ("liaison", f"问题{problem.number}已超期3天（期限2026-06-19）"),
    ]


def test_seven_days_late_adds_the_town(problem):
    run(DEADLINE + dt.timedelta(days=1))
    run(DEADLINE + dt.timedelta(days=3))
    assert run(DEADLINE + dt.timedelta(days=7)) == "2026-06-26 问题超期提醒：整改责任人0条，指导联络组0条，镇党委1条，共1条。"
    assert [r for r, _ in sent()] == ["sec_a1", "liaison", "admin"]


def test_running_twice_sends_nothing_new(problem):
    day = DEADLINE + dt.timedelta(days=7)
    assert run(day) == "2026-06-26 问题超期提醒：整改责任人1条，指导联络组1条，镇党委1条，共3条。"
    assert run(day) == "2026-06-26 问题超期提醒：整改责任人0条，指导联络组0条，镇党委0条，共0条。"
    assert len(sent()) == 3


def test_a_job_that_missed_ten_days_sends_every_stage_at_once(problem):
    assert run(DEADLINE + dt.timedelta(days=10)).endswith("整改责任人1条，指导联络组1条，镇党委1条，共3条。")
    title = f"问题{problem.number}已超期10天（期限2026-06-19）"
    assert sent() == [("sec_a1", title), ("liaison", title), ("admin", title)]


def test_a_postponed_deadline_starts_the_stages_again(problem, users):
    run(DEADLINE + dt.timedelta(days=3))
    assert len(sent()) == 2
    later = DEADLINE + dt.timedelta(days=20)
    problem_postpone(
        problem=problem, by=users["town_admin"], deadline=later, reason="需协调资金", today=DEADLINE + dt.timedelta(days=4)
    )
    assert run(later).endswith("共0条。")
    assert run(later + dt.timedelta(days=1)).endswith("整改责任人1条，指导联络组0条，镇党委0条，共1条。")
    assert sent()[-1] == ("sec_a1", f"问题{problem.number}已超期1天（期限2026-07-09）")
    assert len(sent()) == 3


def test_a_closed_problem_is_never_notified(problem, users):
    problem_close_immediate(problem=problem, by=users["town_admin"], evidence="当场整改到位", today=TODAY)
    assert run(DEADLINE + dt.timedelta(days=10)).endswith("共0条。")
    assert sent() == []


def test_the_task_sends_the_same_and_catches_up(problem):
    result = problems_escalate_catch_up.enqueue(today=(DEADLINE + dt.timedelta(days=8)).isoformat())
    assert result.return_value == {"owner": 1, "liaison": 1, "town": 1}
    assert len(sent()) == 3


def test_a_bad_date_is_refused(problem):
    with pytest.raises(CommandError, match="日期格式应为 YYYY-MM-DD"):
        call_command("send_problem_reminders", "--date", "2026/06/20")
    assert sent() == []
