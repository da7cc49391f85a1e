"""Compliance rules (RULES.md) at their boundaries, with `today` given explicitly."""

import datetime as dt

import pytest

from qiangji.orglife.compliance import (
    HELD,
    MISSED,
    NOT_REQUIRED,
    PENDING,
    compliance_grid,
    compliance_grids,
    compliance_missed_last_period,
    period_containing,
)
from qiangji.orglife.models import Meeting, Requirement
from qiangji.orglife.tests.conftest import hold
from qiangji.orgs.services import organization_update

K = Meeting.Kind


def statuses(rows, kind):
    row = next(r for r in rows if r.requirement.kind == kind)
    return [c.status for c in row.cells]


def test_requirements_are_seeded_with_rules_defaults(db):
    table = {(r.kind, r.applies_to): (r.period, r.minimum_count, r.active) for r in Requirement.objects.all()}
    assert table == {
        ("assembly", "branch"): ("quarter", 1, True),
        ("committee_meeting", "committee_branch"): ("month", 1, True),
        ("group_meeting", "group"): ("month", 1, True),
        ("lecture", "branch"): ("quarter", 1, True),
        ("theme_day", "branch"): ("month", 1, True),
        ("review_meeting", "branch"): ("year", 1, True),
        # 总支委员会: off until a town asks it of its general branches (docs/decisions.md).
        ("committee_meeting", "general_branch"): ("month", 1, False),
    }


def test_quarter_boundaries_and_pending_current_quarter(town):
    branch = town["branch_a1"]
    hold(branch, K.ASSEMBLY, dt.date(2025, 3, 31))  # last day of Q1
    hold(branch, K.ASSEMBLY, dt.date(2025, 7, 1))  # first day of Q3
    rows = compliance_grid(branch, year=2025, today=dt.date(2025, 11, 15))
    assert statuses(rows, K.ASSEMBLY) == [HELD, MISSED, HELD, PENDING]


def test_a_meeting_held_late_does_not_fill_the_earlier_period(town):
    branch = town["branch_a1"]
    hold(branch, K.THEME_DAY, dt.date(2025, 2, 1))  # January's theme day, held in February
    hold(branch, K.THEME_DAY, dt.date(2025, 2, 20))
    rows = compliance_grid(branch, year=2025, today=dt.date(2025, 3, 10))
    assert statuses(rows, K.THEME_DAY)[:4] == [MISSED, HELD, PENDING, PENDING]
    assert [c.count for c in rows[4].cells][:3] == [0, 2, 0]


def test_period_over_on_its_last_day_is_still_pending(town):
    rows = compliance_grid(town["branch_a1"], year=2025, today=dt.date(2025, 3, 31))
    assert statuses(rows, K.ASSEMBLY) == [PENDING, PENDING, PENDING, PENDING]
    rows = compliance_grid(town["branch_a1"], year=2025, today=dt.date(2025, 4, 1))
    assert statuses(rows, K.ASSEMBLY) == [MISSED, PENDING, PENDING, PENDING]


def test_scheduled_meetings_do_not_count(town):
    hold(town["branch_a1"], K.REVIEW_MEETING, dt.date(2025, 12, 20), status=Meeting.Status.SCHEDULED)
    rows = compliance_grid(town["branch_a1"], year=2025, today=dt.date(2026, 1, 5))
    assert statuses(rows, K.REVIEW_MEETING) == [MISSED]


def test_committee_meetings_only_for_branches_with_a_committee(town):
    plain, with_committee = town["branch_a1"], town["branch_a2"]
    organization_update(
        organization=with_committee, by=None, data={"has_committee": True, "committee_changed_on": dt.date(2024, 12, 1)}
    )
    today = dt.date(2025, 2, 10)
    grids = compliance_grids([plain, with_committee], year=2025, today=today)
    assert statuses(grids[plain.pk], K.COMMITTEE_MEETING) == [NOT_REQUIRED] * 12
    assert statuses(grids[with_committee.pk], K.COMMITTEE_MEETING) == [MISSED] + [PENDING] * 11


def test_party_groups_owe_only_group_meetings(town):
    rows = compliance_grid(town["group_a1"], year=2025, today=dt.date(2025, 2, 10))
    assert {r.requirement.kind: r.required for r in rows} == {
        "assembly": False,
        "committee_meeting": False,
        "group_meeting": True,
        "lecture": False,
        "theme_day": False,
        "review_meeting": False,
    }
    assert statuses(rows, K.GROUP_MEETING)[:2] == [MISSED, PENDING]


def test_minimum_count_is_data(town, users):
    lecture = Requirement.objects.get(kind=K.LECTURE)
    lecture.minimum_count = 2
    lecture.save()
    hold(town["branch_a1"], K.LECTURE, dt.date(2025, 1, 5))
    rows = compliance_grid(town["branch_a1"], year=2025, today=dt.date(2025, 12, 31))
    assert statuses(rows, K.LECTURE)[0] == MISSED


def test_grids_for_many_organizations_take_two_queries(town, django_assert_num_queries):
    orgs = [town["branch_a1"], town["branch_a2"], town["branch_b"], town["group_a1"]]
    for org in orgs:
        hold(org, K.THEME_DAY, dt.date(2025, 5, 5))
    with django_assert_num_queries(3):  # requirements, held counts, committee periods
        grids = compliance_grids(orgs, year=2025, today=dt.date(2025, 12, 31))
    assert [statuses(grids[o.pk], K.THEME_DAY)[4] for o in orgs] == [HELD, HELD, HELD, NOT_REQUIRED]


def test_missed_last_period_lists_previous_month_quarter_and_year(town):
    a1, b = town["branch_a1"], town["branch_b"]
    hold(a1, K.THEME_DAY, dt.date(2026, 3, 28))
    hold(a1, K.ASSEMBLY, dt.date(2025, 12, 1))
    hold(a1, K.LECTURE, dt.date(2025, 10, 1))
    hold(a1, K.REVIEW_MEETING, dt.date(2025, 1, 20))
    missed = compliance_missed_last_period([a1, b], today=dt.date(2026, 4, 2))
    got = sorted((m["organization"].name, m["requirement"].kind, m["period"].key) for m in missed)
    assert got == [
        ("东村第一党支部", "assembly", "2026-Q1"),
        ("东村第一党支部", "lecture", "2026-Q1"),
        ("竖新镇某某公司党支部", "assembly", "2026-Q1"),
        ("竖新镇某某公司党支部", "lecture", "2026-Q1"),
        ("竖新镇某某公司党支部", "review_meeting", "2025"),
        ("竖新镇某某公司党支部", "theme_day", "2026-03"),
    ]


def test_period_containing():
    assert period_containing("quarter", dt.date(2025, 6, 30)).key == "2025-Q2"
    assert period_containing("month", dt.date(2025, 6, 30)).end == dt.date(2025, 6, 30)
    assert period_containing("year", dt.date(2025, 6, 30)).end == dt.date(2025, 12, 31)
    assert period_containing("quarter", dt.date(2025, 12, 1)).end == dt.date(2025, 12, 31)


def test_periods_before_founding_or_after_dissolution_are_not_required(town):
    branch = town["branch_a1"]
    branch.founded_on, branch.dissolved_on = dt.date(2025, 4, 15), dt.date(2025, 8, 10)
    rows = compliance_grid(branch, year=2025, today=dt.date(2025, 12, 31))
    assert statuses(rows, K.ASSEMBLY) == [NOT_REQUIRED, MISSED, MISSED, NOT_REQUIRED]
    assert statuses(rows, K.THEME_DAY) == [NOT_REQUIRED] * 3 + [MISSED] * 5 + [NOT_REQUIRED] * 4


@pytest.mark.parametrize("today", [dt.date(2026, 1, 15), dt.date(2026, 4, 2), dt.date(2026, 7, 1), dt.date(2026, 12, 31)])
def test_missed_last_period_read_from_the_grids_equals_counting_again(town, today):
    a1, b = town["branch_a1"], town["branch_b"]
    hold(a1, K.THEME_DAY, dt.date(2026, 3, 28))
    hold(a1, K.ASSEMBLY, dt.date(2025, 12, 1))
    hold(b, K.THEME_DAY, dt.date(2026, 6, 3))
    hold(b, K.REVIEW_MEETING, dt.date(2025, 1, 20))
    orgs = [a1, b, town["group_a1"]]

    def key(rows):
        return [(m["organization"].pk, m["requirement"].kind, m["period"].key, m["count"]) for m in rows]

    counted = compliance_missed_last_period(orgs, today=today)
    grids = compliance_grids(orgs, year=today.year, today=today)
    read = compliance_missed_last_period(orgs, today=today, grids=grids, year=today.year)
    assert key(read) == key(counted)
    assert counted  # the fixture misses something in every case
