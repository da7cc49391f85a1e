"""Term reminders: 6 months and 1 month before a term ends and once it has ended, each sent
exactly once per term by a catch-up job that may run late, twice or after a gap.

In the fixture 东村党总支's term ends on 2026-11-01.
"""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from qiangji import factories as f
from qiangji.notifications.models import Notification
from qiangji.orgs.models import add_months
from qiangji.plans.models import TermReminder
from qiangji.plans.services import term_reminder_recipients, term_reminders_send
from qiangji.plans.tasks import term_reminders_catch_up

D = dt.date


def sent_on(day):
    return [(r.organization.name, r.stage) for r in term_reminders_send(today=day)]


def test_each_threshold_is_sent_once_on_the_first_run_on_or_after_it(users, town):
    assert sent_on(D(2026, 4, 30)) == []
    assert sent_on(D(2026, 5, 1)) == [("东村党总支", "6m")]
    assert sent_on(D(2026, 5, 1)) == []  # the same day again
    assert sent_on(D(2026, 9, 30)) == []
    assert sent_on(D(2026, 10, 1)) == [("东村党总支", "1m")]
    assert sent_on(D(2026, 11, 1)) == []  # the last day of the term: still "within 1 month"
    assert sent_on(D(2026, 11, 2)) == [("东村党总支", "expired")]
    assert sent_on(D(2027, 3, 1)) == []
    titles = list(Notification.objects.filter(recipient=users["secretary_a"]).order_by("pk").values_list("title", flat=True))
    assert titles == ["东村党总支将于6个月内届满", "东村党总支将于1个月内届满", "东村党总支已届满"]
    assert Notification.objects.count() == 9  # three stages × (town admin, secretary, liaison member)


def test_a_late_first_run_sends_the_current_stage_only(users, town):
    assert sent_on(D(2026, 10, 15)) == [("东村党总支", "1m")]
    assert list(TermReminder.objects.values_list("stage", "term_end", "sent_on", "recipient_count")) == [
        ("1m", D(2026, 11, 1), D(2026, 10, 15), 3)
    ]
    note = Notification.objects.get(recipient=users["liaison"])
    assert note.body == "东村党总支本届任期将于2026年11月1日届满，请提前做好换届准备。"
    assert note.link == reverse("orgs:detail", args=[town["village_a"].pk])


def test_a_new_term_is_reminded_afresh_and_dissolved_organizations_never(users, town):
    sent_on(D(2026, 11, 2))
    village = town["village_a"]
    village.term_end = D(2031, 11, 1)
    village.save()
    f.organization(name="已撤销支部", parent=town["town"], term_end=D(2031, 11, 1), dissolved_on=D(2030, 1, 1))
    assert sent_on(D(2031, 5, 1)) == [("东村党总支", "6m")]


def test_recipients_are_the_nearest_secretaries_the_town_admins_and_the_liaison_group(users, town):
    branch = town["branch_a1"]
    names = sorted(u.username for u in term_reminder_recipients(branch))
    assert names == ["admin", "liaison", "sec_a"]
    own = f.UserFactory(username="sec_a1")
    f.grant(own, "secretary", branch)
    assert sorted(u.username for u in term_reminder_recipients(branch)) == ["admin", "liaison", "sec_a1"]
    assert sorted(u.username for u in term_reminder_recipients(town["branch_b"])) == ["admin", "sec_b"]


def test_the_task_and_the_command_run_the_same_catch_up(users, town, capsys):
    result = term_reminders_catch_up.enqueue("2026-05-01")
    assert result.return_value == 1
    call_command("send_reminders", "--date", "2026-10-01")
    assert capsys.readouterr().out == "东村党总支：1个月内届满（2026-11-01），通知3人\n共发送届期提醒1条。\n"
    call_command("send_reminders", "--date", "2026-10-01")
    assert capsys.readouterr().out == "共发送届期提醒0条。\n"
    with pytest.raises(CommandError):
        call_command("send_reminders", "--date", "2026/10/01")
    assert TermReminder.objects.count() == 2


@pytest.mark.parametrize(
    "role, expected",
    [
        ("town_admin", ["甲支部", "乙支部", "东村党总支"]),
        ("secretary_a", ["甲支部", "乙支部", "东村党总支"]),
        ("liaison", ["甲支部", "乙支部", "东村党总支"]),
        ("secretary_b", []),
    ],
)
def test_the_terms_page_reads_the_dates_in_scope(client_as, users, town, role, expected):
    today = timezone.localdate()
    village = town["village_a"]
    village.term_end = add_months(today, 5)
    village.save()
    f.organization(name="甲支部", parent=village, term_end=today - dt.timedelta(days=1))
    f.organization(name="乙支部", parent=village, term_end=today)
    f.organization(name="丙支部", parent=village, term_end=add_months(today, 7))
    response = client_as(users[role]).get(reverse("plans:terms"))
    assert response.status_code == 200
    assert [(o.name) for o in response.context["orgs"]] == expected
    if expected:
        assert [o.term_label for o in response.context["orgs"]] == ["已届满", "1个月内届满", "6个月内届满"]


def test_the_terms_page_query_count_does_not_grow(client_as, users, town, django_assert_num_queries):
    client = client_as(users["town_admin"])
    today = timezone.localdate()
    # session, user, scope (3), the organizations, the bell's unread count.
    with django_assert_num_queries(7):
        client.get(reverse("plans:terms"))
    for i in range(10):
        f.organization(name=f"届满支部{i}", parent=town["town"], term_end=today)
    with django_assert_num_queries(7):
        assert len(client.get(reverse("plans:terms")).context["orgs"]) == 10 + (
            town["village_a"].term_end <= add_months(today, 6)
        )
