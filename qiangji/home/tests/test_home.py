"""Each role's home page shows what that role must do next, from live records."""

import datetime as dt

import pytest
from django.urls import reverse

from qiangji import factories as f
from qiangji.members.models import Member

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _fixed_today(freeze_day):
    # The whole clock, not timezone.localdate alone: now() and localdate(a_datetime) agree with it.
    freeze_day(TODAY.isoformat())


def full_members(org, count, prefix):
    for i in range(count):
        f.member(organization=org, name=f"{prefix}{i:02d}")


@pytest.fixture
def busy_town(town, users):
    """village_a's term ends within 6 months (fixture); branch_b ended; a2 gets a big branch."""
    town["branch_b"].term_end = dt.date(2026, 5, 1)
    town["branch_b"].save()
    town["branch_a1"].term_end = dt.date(2026, 6, 20)
    town["branch_a1"].save()
    full_members(town["branch_a2"], 8, "甲")
    f.member(organization=town["branch_a2"], name="书记甲", party_post="secretary")
    f.member(
        organization=town["branch_a1"],
        name="预备甲",
        status=Member.Status.PROBATIONARY,
        joined_on=dt.date(2025, 5, 1),
        full_member_on=None,
    )
    f.member(
        organization=town["branch_b"],
        name="预备乙",
        status=Member.Status.PROBATIONARY,
        joined_on=dt.date(2025, 12, 1),
        full_member_on=None,
    )
    return town


def todos(response):
    return {item.key: (item.count, [link.label for link in item.links]) for item in response.context["todos"]}


def test_town_admin_sees_every_issue_in_the_town(client_as, users, busy_town):
    response = client_as(users["town_admin"]).get(reverse("home:index"))
    assert todos(response) == {
        "term_expired": (1, ["竖新镇某某公司党支部"]),
        "term_1m": (1, ["东村第一党支部"]),
        "term_6m": (1, ["东村党总支"]),
        "no_secretary": (2, ["东村第一党支部", "竖新镇某某公司党支部"]),
        "too_few": (2, ["东村第一党支部", "竖新镇某某公司党支部"]),
        "needs_committee": (1, ["东村第二党支部"]),
        "probation_over": (1, ["预备甲"]),
        "plans_not_filed": (5, ["竖新镇党委", "东村党总支", "东村第一党支部", "东村第二党支部", "竖新镇某某公司党支部"]),
    }
    counts = response.context["counts"]
    assert (counts["organizations"], counts["branches"], counts["groups"], counts["members"], counts["probationary"]) == (
        5,
        3,
        1,
        12,
        2,
    )
    body = response.content.decode()
    # Every item links to the page that resolves it.
    assert reverse("orgs:edit", args=[busy_town["branch_b"].pk]) in body
    assert reverse("members:edit", args=[Member.objects.get(name="预备甲").pk]) in body
    assert "2026-05-01届满" in body and "正式党员9名" in body


def test_too_many_members_is_flagged(client_as, users, town):
    full_members(town["branch_b"], 51, "乙")
    items = todos(client_as(users["town_admin"]).get(reverse("home:index")))
    assert items["too_many"] == (1, ["竖新镇某某公司党支部"])
    assert items["needs_committee"] == (1, ["竖新镇某某公司党支部"])


def test_secretary_sees_only_their_subtree(client_as, users, busy_town):
    response = client_as(users["secretary_b"]).get(reverse("home:index"))
    mine = ["竖新镇某某公司党支部"]
    assert todos(response) == {
        "term_expired": (1, mine),
        "no_secretary": (1, mine),
        "too_few": (1, mine),
        "plans_not_filed": (1, mine),
        # On 1 June nothing of the quarter, the month or the year is held yet.
        "meetings_due_assembly_branch": (1, mine),
        "meetings_due_lecture_branch": (1, mine),
        "meetings_due_theme_day_branch": (1, mine),
        "meetings_due_review_meeting_branch": (1, mine),
    }
    assert [o.name for o in response.context["scope_orgs"]] == ["竖新镇某某公司党支部"]
    assert "工作范围：竖新镇某某公司党支部（含下级组织）" in response.content.decode()


def test_liaison_member_sees_their_group_and_its_issues_with_read_only_links(client_as, users, busy_town):
    response = client_as(users["liaison"]).get(reverse("home:index"))
    assert [g.name for g in response.context["liaison_groups"]] == ["第一指导联络组"]
    assert set(todos(response)) == {
        "term_1m",
        "term_6m",
        "no_secretary",
        "too_few",
        "needs_committee",
        "probation_over",
        "plans_not_filed",
    }
    body = response.content.decode()
    assert reverse("orgs:detail", args=[busy_town["village_a"].pk]) in body
    assert reverse("orgs:edit", args=[busy_town["village_a"].pk]) not in body
    assert reverse("members:detail", args=[Member.objects.get(name="预备甲").pk]) in body


def test_party_member_sees_their_own_masked_record(client_as, users, town):
    response = client_as(users["member"]).get(reverse("home:index"))
    assert response.context["my_member"].name == "李党员"
    assert "todos" not in response.context
    body = response.content.decode()
    assert "138****5678" in body and "13812345678" not in body and "东村第一党支部" in body


def test_visitor_sees_account_and_a_plain_line_about_visit_tasks(client_as, users, town):
    response = client_as(users["visitor"]).get(reverse("home:index"))
    body = response.content.decode()
    assert "走访任务分配给您所在的走访队后，将在这里显示。" in body and "visitor" in body
    assert "todos" not in response.context and "my_member" not in response.context


def test_a_user_without_roles_is_told_so(client_as, town):
    nobody = f.UserFactory(username="nobody")
    assert "您的账号尚未分配角色" in client_as(nobody).get(reverse("home:index")).content.decode()


def test_home_query_count_does_not_grow_with_issues(client_as, users, busy_town, django_assert_num_queries):
    client = client_as(users["town_admin"])
    # session, user, scope (3), the town's queues (public reports, opinions, visits to review,
    # failed imports, overdue problems: a count each while empty), the user's overdue problems,
    # problems awaiting their check, organizations graded without a plan, flagged organizations,
    # probation count and list, plans not filed, two aggregates, the user's top organizations,
    # the ledger's figures of the year (3), the inbox's unread count.
    with django_assert_num_queries(25):
        client.get(reverse("home:index"))
    for i in range(20):
        branch = f.organization(name=f"新支部{i}", parent=busy_town["town"], term_end=dt.date(2026, 1, 1))
        f.member(
            organization=branch,
            name=f"新预备{i}",
            status=Member.Status.PROBATIONARY,
            joined_on=dt.date(2024, 1, 1),
            full_member_on=None,
        )
    with django_assert_num_queries(25):
        response = client.get(reverse("home:index"))
    assert todos(response)["term_expired"][0] == 21
    assert todos(response)["probation_over"][0] == 21
