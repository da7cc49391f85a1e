"""Committee meetings are owed for the months a branch had its committee, not by today's flag.

Rule (compliance module docstring, docs/decisions.md): a month is required when the committee
existed on every day of it; a quarter or year when it holds at least one such month.
"""

import datetime as dt
import importlib
import json

import pytest
from django.apps import apps
from django.test import Client

from qiangji import factories as f
from qiangji.orglife.compliance import (
    HELD,
    MISSED,
    NOT_REQUIRED,
    PENDING,
    compliance_grid,
    compliance_grids,
    compliance_missed_last_period,
)
from qiangji.orglife.models import Meeting, Requirement
from qiangji.orglife.tests.conftest import hold
from qiangji.orgs.models import CommitteePeriod, Organization
from qiangji.orgs.services import organization_create, organization_update

K = Meeting.Kind
END_OF_2025 = dt.date(2025, 12, 31)


def committee_statuses(rows):
    row = next(r for r in rows if r.requirement.kind == K.COMMITTEE_MEETING)
    return [c.status for c in row.cells]


def set_committee(org, value, on):
    organization_update(organization=org, by=None, data={"has_committee": value, "committee_changed_on": on})


def test_committee_established_mid_july_owes_meetings_from_august(town):
    branch = town["branch_a1"]
    set_committee(branch, True, dt.date(2025, 7, 15))
    hold(branch, K.COMMITTEE_MEETING, dt.date(2025, 7, 20))  # its first meeting: counted, not owed
    hold(branch, K.COMMITTEE_MEETING, dt.date(2025, 9, 3))
    rows = compliance_grid(branch, year=2025, today=END_OF_2025)
    assert committee_statuses(rows) == [NOT_REQUIRED] * 7 + [MISSED, HELD, MISSED, MISSED, PENDING]
    row = next(r for r in rows if r.requirement.kind == K.COMMITTEE_MEETING)
    assert [c.count for c in row.cells][5:9] == [0, 1, 0, 1]


def test_committee_established_on_the_first_owes_that_month(town):
    branch = town["branch_a1"]
    set_committee(branch, True, dt.date(2025, 7, 1))
    rows = compliance_grid(branch, year=2025, today=dt.date(2025, 9, 10))
    assert committee_statuses(rows) == [NOT_REQUIRED] * 6 + [MISSED, MISSED] + [PENDING] * 4


def test_committee_dissolved_mid_september_owes_nothing_from_september(town):
    branch = town["branch_a1"]
    set_committee(branch, True, dt.date(2024, 3, 1))
    set_committee(branch, False, dt.date(2025, 9, 15))
    rows = compliance_grid(branch, year=2025, today=END_OF_2025)
    assert committee_statuses(rows) == [MISSED] * 8 + [NOT_REQUIRED] * 4
    branch.refresh_from_db()
    assert branch.has_committee is False


def test_committee_dissolved_on_the_first_of_october_still_owed_september(town):
    branch = town["branch_a1"]
    set_committee(branch, True, dt.date(2024, 3, 1))
    set_committee(branch, False, dt.date(2025, 10, 1))
    rows = compliance_grid(branch, year=2025, today=END_OF_2025)
    assert committee_statuses(rows) == [MISSED] * 9 + [NOT_REQUIRED] * 3


def test_committee_re_established_the_day_it_was_dissolved_has_no_gap(town):
    branch = town["branch_a1"]
    set_committee(branch, True, dt.date(2024, 3, 1))
    set_committee(branch, False, dt.date(2025, 7, 15))
    set_committee(branch, True, dt.date(2025, 7, 15))
    assert list(CommitteePeriod.objects.filter(organization=branch).values_list("established_on", "dissolved_on")) == [
        (dt.date(2024, 3, 1), dt.date(2025, 7, 15)),
        (dt.date(2025, 7, 15), None),
    ]
    rows = compliance_grid(branch, year=2025, today=END_OF_2025)
    assert committee_statuses(rows) == [MISSED] * 11 + [PENDING]


def test_committee_gone_for_a_while_and_back(town):
    branch = town["branch_a1"]
    set_committee(branch, True, dt.date(2024, 3, 1))
    set_committee(branch, False, dt.date(2025, 3, 10))
    set_committee(branch, True, dt.date(2025, 6, 1))
    rows = compliance_grid(branch, year=2025, today=END_OF_2025)
    assert committee_statuses(rows) == [MISSED, MISSED] + [NOT_REQUIRED] * 3 + [MISSED] * 6 + [PENDING]


def test_branch_without_committee_all_year_owes_none(town):
    rows = compliance_grid(town["branch_a1"], year=2025, today=END_OF_2025)
    assert committee_statuses(rows) == [NOT_REQUIRED] * 12


def test_committee_set_up_after_the_year_is_not_read_back_into_it(town):
    branch = town["branch_a1"]
    set_committee(branch, True, dt.date(2026, 2, 1))
    assert committee_statuses(compliance_grid(branch, year=2025, today=END_OF_2025)) == [NOT_REQUIRED] * 12


def test_a_quarterly_rule_is_owed_when_the_quarter_holds_one_whole_month(town):
    Requirement.objects.filter(kind=K.COMMITTEE_MEETING, applies_to="committee_branch").update(period="quarter")
    branch = town["branch_a1"]
    set_committee(branch, True, dt.date(2025, 7, 15))
    assert committee_statuses(compliance_grid(branch, year=2025, today=END_OF_2025)) == [
        NOT_REQUIRED,
        NOT_REQUIRED,
        MISSED,
        PENDING,
    ]
    set_committee(branch, False, dt.date(2025, 12, 1))  # October and November were whole months
    assert committee_statuses(compliance_grid(branch, year=2025, today=dt.date(2026, 1, 10))) == [
        NOT_REQUIRED,
        NOT_REQUIRED,
        MISSED,
        MISSED,
    ]


def test_only_branches_owe_committee_meetings_under_the_branch_rule(town):
    general = town["village_a"]
    set_committee(general, True, dt.date(2024, 1, 1))
    assert committee_statuses(compliance_grid(general, year=2025, today=END_OF_2025)) == [NOT_REQUIRED] * 12


def test_town_grid_reads_every_committee_in_one_query(town, django_assert_num_queries):
    a1, a2, b = town["branch_a1"], town["branch_a2"], town["branch_b"]
    set_committee(a1, True, dt.date(2025, 7, 15))
    set_committee(a2, True, dt.date(2024, 1, 1))
    set_committee(a2, False, dt.date(2025, 4, 20))
    extra = [f.organization(name=f"新支部{i}", parent=town["town"]) for i in range(5)]
    for org in extra:
        set_committee(org, True, dt.date(2025, 1, 1))
    organizations = [a1, a2, b, *extra]
    with django_assert_num_queries(3):  # requirements, held counts, committee periods
        grids = compliance_grids(organizations, year=2025, today=END_OF_2025)
    assert committee_statuses(grids[a1.pk]) == [NOT_REQUIRED] * 7 + [MISSED] * 4 + [PENDING]
    assert committee_statuses(grids[a2.pk]) == [MISSED] * 3 + [NOT_REQUIRED] * 9
    assert committee_statuses(grids[b.pk]) == [NOT_REQUIRED] * 12
    assert {tuple(committee_statuses(grids[o.pk])) for o in extra} == {tuple([MISSED] * 11 + [PENDING])}
    for org in organizations:
        assert grids[org.pk] == compliance_grid(org, year=2025, today=END_OF_2025)


def test_api_and_town_grid_give_the_same_answer(town, users):
    a1 = town["branch_a1"]
    set_committee(a1, True, dt.date(2025, 7, 15))
    set_committee(a1, False, dt.date(2025, 10, 16))
    client = Client()
    client.force_login(users["town_admin"])
    body = json.loads(client.get("/api/v1/compliance", {"organization": a1.pk, "year": 2025}).content)
    committee = next(k for k in body["kinds"] if k["kind"] == "committee_meeting")
    from_api = [p["status"] for p in committee["periods"]]
    assert from_api == [NOT_REQUIRED] * 7 + [MISSED, MISSED] + [NOT_REQUIRED] * 3
    grids = compliance_grids([a1, town["branch_b"]], year=2025, today=dt.date(2026, 1, 31))
    assert committee_statuses(grids[a1.pk]) == from_api
    assert (committee["missed"], committee["not_required"]) == (2, 10)


def test_the_missed_list_reads_the_committee_of_the_last_month(town):
    a1, a2 = town["branch_a1"], town["branch_a2"]
    set_committee(a1, True, dt.date(2025, 7, 15))  # not a whole July: nothing owed for July
    set_committee(a2, True, dt.date(2025, 7, 1))
    missed = compliance_missed_last_period([a1, a2], today=dt.date(2025, 8, 5))
    got = sorted((m["organization"].name, m["period"].key) for m in missed if m["requirement"].kind == K.COMMITTEE_MEETING)
    assert got == [("东村第二党支部", "2025-07")]


@pytest.mark.parametrize(
    ("founded", "term_start", "expected"),
    [
        (dt.date(2019, 5, 4), dt.date(2021, 11, 1), dt.date(2019, 5, 4)),
        (None, dt.date(2021, 11, 1), dt.date(2021, 11, 1)),
        (None, None, None),
    ],
)
def test_existing_organizations_with_a_committee_get_a_period(town, founded, term_start, expected):
    migration = importlib.import_module("qiangji.orgs.migrations.0003_committee_period")
    branch = town["branch_a1"]
    Organization.objects.filter(pk=branch.pk).update(has_committee=True, founded_on=founded, term_start=term_start)
    migration.open_existing(apps, None)
    assert list(CommitteePeriod.objects.values_list("organization", "established_on", "dissolved_on")) == [
        (branch.pk, expected, None)
    ]
    branch.refresh_from_db()
    assert committee_statuses(compliance_grid(branch, year=2018, today=END_OF_2025)) == (
        [MISSED] * 12 if expected is None else [NOT_REQUIRED] * 12
    )


def test_seeded_organization_has_its_committee_since_founding(town):
    branch = organization_create(
        by=None,
        data={
            "name": "新建党支部",
            "kind": "branch",
            "parent": town["town"],
            "founded_on": dt.date(2025, 3, 10),
            "has_committee": True,
        },
    )
    assert list(branch.committee_periods.values_list("established_on", "dissolved_on")) == [(dt.date(2025, 3, 10), None)]
    assert committee_statuses(compliance_grid(branch, year=2025, today=END_OF_2025)) == [NOT_REQUIRED] * 3 + [MISSED] * 8 + [
        PENDING
    ]
