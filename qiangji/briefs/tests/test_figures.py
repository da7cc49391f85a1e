"""The brief's figures: exact values on the hand-built half year, for the town and a village."""

import datetime as dt

import pytest

from qiangji.briefs.selectors import FIGURES, brief_figures, brief_part, figure_records, figures_for_part
from qiangji.briefs.tests.conftest import END, EXPECTED, START
from qiangji.orglife.models import Meeting

REQUIRED = [
    "meetings_held",
    "discussions",
    "home_study_visits",
    "trainings",
    "training_attendances",
    "positions",
    "chain_stations",
    "red_sites",
    "red_activities",
    "liaison_groups",
    "liaison_units",
    "liaison_organizations",
    "assemblies_held",
    "assemblies_attended",
    "plans_filed",
    "grades_weak",
    "rectification_plans",
    "reserve_candidates",
    "mentoring_agreements",
    "projects",
    "opinions",
    "mediation_cases",
    "problems",
    "problems_immediate",
    "problems_closed",
    "mechanisms",
    "campaign_teams",
    "campaign_visits",
    "entities_verified",
    "entities_new",
    "service_cards",
    "org_coverage_rate",
    "work_coverage_rate",
]


def test_every_key_the_issue_names_is_a_figure():
    assert set(REQUIRED) <= {f.key for f in FIGURES}
    assert set(EXPECTED) == {f.key for f in FIGURES}


def test_the_town_figures_are_exact(world, users, town):
    figures = brief_figures(start=START, end=END, organization=town["town"], user=users["town_admin"])
    assert {key: value for key, (_, value) in figures.items()} == {key: pair[0] for key, pair in EXPECTED.items()}
    assert list(figures)[:3] == ["trainings", "training_attendances", "meetings_held"]
    assert figures["home_study_visits"] == ("送学上门", 3)


def test_a_village_subtree_counts_only_its_own(world, users, town):
    figures = brief_figures(start=START, end=END, organization=town["village_a"], user=users["town_admin"])
    assert {key: value for key, (_, value) in figures.items()} == {key: pair[1] for key, pair in EXPECTED.items()}


def test_the_secretary_of_the_village_gets_the_town_figures_for_it_but_the_groups(world, users, town):
    own = brief_figures(start=START, end=END, organization=town["village_a"], user=users["secretary_a"])
    # Liaison groups are the town's and the groups' own to list (orgs.liaison_groups_visible).
    assert {key: value for key, (_, value) in own.items()} == {
        **{key: pair[1] for key, pair in EXPECTED.items()},
        "liaison_groups": 0,
    }


def test_a_secretary_without_a_part_gets_their_own_subtree(world, users):
    own = brief_figures(start=START, end=END, user=users["secretary_b"])
    assert own["problems"] == ("自查自纠问题", 1) and own["meetings_held"][1] == 1 and own["positions"][1] == 0


def test_a_liaison_groups_organizations_are_a_part(world, users):
    figures = brief_figures(start=START, end=END, group=world["group"], user=users["liaison"])
    # The group covers 东村党总支 only: its figures are the village's.
    assert {key: value for key, (_, value) in figures.items()} == {key: pair[1] for key, pair in EXPECTED.items()}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_the_drill_down_lists_exactly_the_rows_counted(world, users, town, key):
    user = users["town_admin"]
    part = brief_part(user=user, organization=town["village_a"])
    rows = list(figure_records(key=key, start=START, end=END, part=part, user=user))
    figure = next(f for f in FIGURES if f.key == key)
    if figure.is_rate:
        assert len(rows) == figure.records(user, START, END, part).count()
    else:
        assert len(rows) == EXPECTED[key][1]
        assert len({r.pk for r in rows}) == len(rows)


def test_the_number_of_queries_does_not_grow_with_rows(world, users, town, django_assert_num_queries):
    user = users["town_admin"]
    part = brief_part(user=user, organization=town["town"])
    figures_for_part(start=START, end=END, part=part, user=user)  # warm the scope and content types
    # One COUNT per figure, two per rate, and one for each set of liaison paths read.
    with django_assert_num_queries(40):
        figures_for_part(start=START, end=END, part=part, user=user)
    for day in range(1, 20):
        Meeting.objects.create(
            organization=town["branch_a1"], kind="lecture", date=dt.date(2026, 5, day), status="held", topic="加课"
        )
    with django_assert_num_queries(40):
        figures = figures_for_part(start=START, end=END, part=part, user=user)
    assert figures["meetings_held"][1] == EXPECTED["meetings_held"][0] + 19
