"""Each figure equals what its module answers for the same range and subtree: its list or count
endpoint where it has one (filtered as a caller would), else its own selector."""

import datetime as dt

import pytest

from qiangji.briefs.selectors import FIGURES, brief_part, figures_for_part
from qiangji.briefs.tests.conftest import END, START
from qiangji.campaign import selectors as campaign
from qiangji.council import selectors as council
from qiangji.liaison import selectors as liaison
from qiangji.orgs import selectors as orgs
from qiangji.redculture import selectors as redculture
from qiangji.reserve import selectors as reserve
from qiangji.trainings import selectors as trainings

RANGE = {"date_from": START.isoformat(), "date_to": END.isoformat()}
REGULAR = ("assembly", "committee_meeting", "group_meeting", "lecture", "theme_day")


def _in_range(day: str | None) -> bool:
    return day is not None and START <= dt.date.fromisoformat(day) <= END


def module_counts(api, user, org, *, town_wide: bool = False) -> dict:
    """KEY → what the module says, for the user's scope (org None) or an organization's subtree;
    `town_wide` adds the modules whose lists are the whole town's."""
    by_org = {"organization": org.pk} if org is not None else {}
    client = api(user)

    def count(path, **params):
        body = client.get(path, {**params, **by_org, "page_size": 100}).json()
        return body["count"]

    counts = client.get("/problems/counts", {"start": START, "end": END, **by_org}).json()
    out = {
        "meetings_held": sum(count("/meetings", kind=k, status="held", **RANGE) for k in REGULAR),
        "discussions": count("/meetings", kind="discussion", status="held", **RANGE),
        "warning_education": count("/meetings", kind="warning_education", status="held", **RANGE),
        "home_study_visits": count("/home-study/visits", **RANGE),
        "plans_filed": count("/plans", year=2026, status="filed"),
        "problems": counts["total"],
        "problems_immediate": counts["immediate"],
        "problems_closed": counts["closed"],
        "mechanisms": counts["mechanisms"],
    }
    if town_wide:
        positions = client.get("/positions").json()
        cases = client.get("/mediation-cases").json()
        candidates = client.get("/reserve-candidates").json()
        projects = client.get("/projects", {"page_size": 100}).json()["items"]
        coverage = client.get("/coverage").json()["town"]
        out |= {
            "positions": len(positions),
            "chain_stations": sum(p["kind"] == "chain_station" for p in positions),
            "red_sites": len(client.get("/red-sites").json()),
            "mediation_cases": sum(_in_range(c["opened_on"]) for c in cases),
            "reserve_candidates": sum(
                dt.date.fromisoformat(c["entered_on"]) <= END
                and (c["left_on"] is None or dt.date.fromisoformat(c["left_on"]) >= START)
                for c in candidates
            ),
            "projects": sum(p["started_on"] is None or dt.date.fromisoformat(p["started_on"]) <= END for p in projects),
            "grades_weak": sum(g["needs_plan"] for g in client.get("/grades", {"year": 2026}).json()),
            "rectification_plans": len(client.get("/rectification-plans", {"year": 2026}).json()),
            "org_coverage_rate": coverage["org_rate"],
            "work_coverage_rate": coverage["work_rate"],
            # Modules without a range endpoint: their own selectors.
            "trainings": trainings.trainings_held(user=user, start=START, end=END).count(),
            "training_attendances": trainings.attendances_present(user=user, start=START, end=END).count(),
            "red_activities": redculture.activities_held(start=START, end=END).count(),
            "liaison_groups": orgs.liaison_groups_visible(user=user).count(),
            "liaison_organizations": orgs.organizations_liaised(user=user).count(),
            "liaison_units": orgs.organizations_liaised(user=user).exclude(unit=None).values("unit").distinct().count(),
            "assemblies_held": liaison.liaison_meetings_held(user=user, start=START, end=END).count(),
            "assemblies_attended": liaison.liaison_meetings_attended(user=user, start=START, end=END).count(),
            "opinions": council.opinions_received(user=user, start=START, end=END).count(),
            "mentoring_agreements": reserve.mentorships_signed(user=user, start=START, end=END).count(),
            "campaign_teams": campaign.teams_active(user).count(),
            "campaign_visits": campaign.visits_made(user=user, start=START, end=END).count(),
            "entities_verified": campaign.tasks_verified(user=user, start=START, end=END).count(),
            "entities_new": campaign.tasks_verified_new(user=user, start=START, end=END).count(),
            "service_cards": campaign.cards_issued(user=user, start=START, end=END).count(),
        }
    return out


@pytest.mark.parametrize("role", ["town_admin", "secretary_a", "liaison"])
def test_every_figure_equals_its_module_for_the_whole_scope(world, users, api_as, role):
    user = users[role]
    part = brief_part(user=user)
    figures = figures_for_part(start=START, end=END, part=part, user=user)
    # A secretary's or liaison member's brief covers their own organizations; the modules whose
    # lists are town-wide (positions, sites, teams, coverage) are compared for the town.
    expected = module_counts(api_as, user, None, town_wide=role == "town_admin")
    compared = {key: figures[key][1] for key in expected}
    assert compared == expected
    if role == "town_admin":
        assert set(expected) == {f.key for f in FIGURES}


def test_every_figure_of_a_subtree_equals_its_modules_count_for_that_organization(world, users, api_as, town):
    user = users["town_admin"]
    part = brief_part(user=user, organization=town["village_a"])
    figures = figures_for_part(start=START, end=END, part=part, user=user)
    expected = module_counts(api_as, user, town["village_a"])
    assert {key: figures[key][1] for key in expected} == expected
    assert (expected["meetings_held"], expected["problems"], expected["home_study_visits"]) == (3, 2, 2)
