"""seed_demo writes the campaign docs/campaign.md and docs/demo.md describe: 33 teams, a register
verified visit by visit, a messy district list analysed by the importer, coverage in every grid,
carriers' bodies, voice and the reports — the same counts for every build."""

import datetime as dt
from collections import Counter

import pytest
from django.db.models import Count

from qiangji.accounts.models import RoleGrant, User
from qiangji.campaign.models import (
    CarrierCommittee,
    CommitteeMember,
    Entity,
    EntityBatch,
    EntityChange,
    GridRole,
    ServiceCard,
    Summary,
    Visit,
    VisitEvent,
    VisitTask,
    VisitTeam,
    VoiceMessage,
)
from qiangji.campaign.selectors import coverage_by_carrier, coverage_town
from qiangji.core.access import VISITOR
from qiangji.core.validators import normalize_credit_code
from qiangji.demo import names
from qiangji.demo.tests.town.seeding import TODAY
from qiangji.ledger.models import Problem


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def grouped(qs, *fields) -> dict:
    rows = qs.values_list(*fields).annotate(n=Count("id")).order_by()
    return {row[:-1] if len(fields) > 1 else row[0]: row[-1] for row in rows}


def figures() -> dict:
    return {
        "teams": VisitTeam.objects.count(),
        "active": Entity.objects.active().count(),
        "closed": Entity.objects.filter(status=Entity.Status.CLOSED).count(),
        "batches": [b.counts for b in EntityBatch.objects.order_by("created_at")],
        "visits": grouped(Visit.objects, "state"),
        "tasks": grouped(VisitTask.objects, "kind", "status"),
        "events": grouped(VisitEvent.objects, "action"),
        "cards": ServiceCard.objects.count(),
        "committees": CarrierCommittee.objects.count(),
        "seats": CommitteeMember.objects.count(),
        "grid_roles": GridRole.objects.count(),
        "voice": grouped(VoiceMessage.objects, "state"),
        "summaries": grouped(Summary.objects, "kind"),
        "changes": EntityChange.objects.count(),
        "problems": Problem.objects.count(),
    }


DOCUMENTED = {
    "teams": 33,
    "active": 471,
    "closed": 4,
    "batches": [
        {"new": 460, "unchanged": 0, "changed": 0, "duplicate": 0, "invalid": 0, "gone": 0, "total": 460},
        {"new": 30, "unchanged": 435, "changed": 14, "duplicate": 1, "invalid": 2, "gone": 6, "total": 482},
    ],
    "visits": {"approved": 679, "submitted": 18, "has_issues": 3, "rejected": 2},
    "tasks": {
        ("verify", "done"): 497,
        ("verify", "submitted"): 8,
        ("verify", "open"): 6,
        ("care", "done"): 184,
        ("care", "submitted"): 10,
        ("care", "open"): 106,
    },
    "events": {"submit": 702, "send_back": 12, "resubmit": 9, "approve": 679, "reject": 2},
    "cards": 475,
    "committees": 14,
    "grid_roles": 77,
    "voice": {"answered": 7, "new": 4, "problem": 1},
    "summaries": {"daily": 14, "weekly": 6},
}


def test_the_campaign_has_the_documented_counts(demo):
    got = figures()
    assert {k: got[k] for k in DOCUMENTED} == DOCUMENTED
    assert "新连心攻坚：走访队 33 支（队员 99 名），在册主体 471 个（已注销/歇业 4），底数批次 2 个" in demo
    assert "走访 702 次（待审核 18），服务卡 475 张" in demo


def test_33_teams_of_three_over_the_seven_grids(demo):
    per_grid = grouped(VisitTeam.objects, "grid__name")
    assert per_grid == dict(zip(names.GRIDS, (5, 5, 5, 5, 5, 4, 4), strict=True))
    members = VisitTeam.members.through.objects
    assert set(members.values_list("visitteam_id").annotate(n=Count("id")).values_list("n", flat=True)) == {3}
    people = User.objects.filter(visit_teams__isnull=False)
    assert people.count() == 99 and people.distinct().count() == 99
    visitors = RoleGrant.objects.filter(role=VISITOR, user__in=people)
    assert visitors.values("user").distinct().count() == 99
    first = VisitTeam.objects.get(name="第一网格三人行一队")
    assert first.leader.username == "zoufang1"
    assert sorted(first.members.values_list("username", flat=True)) == ["zoufang1", "zoufang2", "zoufang3"]
    assert VisitTeam.objects.get(members__username="zoufang4").name == "第二网格三人行一队"


def test_every_team_member_sees_tasks_only_in_the_grids_of_their_teams(demo):
    for user in User.objects.filter(username__startswith="zoufang"):
        grids = set(VisitTeam.objects.filter(members=user).values_list("grid_id", flat=True))
        assert len(grids) == 1
        seen = set(VisitTask.objects.for_user(user).values_list("grid_id", flat=True))
        assert seen == grids, user.username
        assert set(Entity.objects.for_user(user).values_list("village__grid_id", flat=True)) == grids
    zoufang1 = User.objects.get(username="zoufang1")
    assert VisitTask.objects.for_user(zoufang1).open().filter(kind="verify").exists()
    assert VisitTask.objects.for_user(User.objects.get(username="dangyuan")).count() == 0


def test_the_register_is_written_only_by_approved_visits_with_its_history(demo):
    entities = list(Entity.objects.select_related("village").prefetch_related("chains"))
    for e in entities:
        assert normalize_credit_code(e.credit_code) == e.credit_code
        assert e.credit_code[2:8] == "310151"
    assert len({e.credit_code for e in entities}) == len(entities)
    # Every entity's first values came from a batch through an approved visit.
    first = EntityChange.objects.filter(field="name").exclude(visit=None)
    assert first.values("entity").distinct().count() == len(entities)
    assert not first.filter(batch=None).exists()
    assert set(first.values_list("visit__state", flat=True)) == {"approved"}
    # Corrections found on visits are in the history with their visit.
    assert EntityChange.objects.filter(field="person_in_charge", visit__isnull=False).exclude(old="").exists()
    closed = Entity.objects.filter(status=Entity.Status.CLOSED)
    assert all(e.changes.filter(field="status", visit__state="approved").exists() for e in closed)


def test_kinds_chains_and_streets_agree(demo):
    street_villages = {v for vs in names.STREETS.values() for v in vs}
    for e in Entity.objects.select_related("village", "street").prefetch_related("chains"):
        chains = {c.name for c in e.chains.all()}
        if e.kind == "homestay":
            assert chains == {"民宿链"}
        elif e.kind in ("self_employed", "social_org"):
            assert chains == set()
        else:
            assert chains and "民宿链" not in chains
        if e.street_id:
            assert e.kind == "self_employed" and e.village.name in names.STREETS[e.street.name]
            assert e.village.name in street_villages


def test_the_district_list_was_analysed_by_the_importer(demo):
    later = EntityBatch.objects.order_by("created_at").last()
    assert later.import_batch is not None and later.import_batch.kind == "entities"
    assert [e["messages"] for e in later.errors] == [["统一社会信用代码校验位不正确"], ["所在村居“竖新镇东风村”不是本镇的村居"]]
    assert later.created_at.date() == TODAY - dt.timedelta(days=10)
    duplicate = later.records.get(klass="duplicate")
    assert duplicate.duplicate_of is not None and duplicate.state == "registered"
    assert duplicate.duplicate_of.credit_code == duplicate.data["credit_code"]  # the visit confirmed the new code
    assert grouped(later.records.filter(klass="gone"), "state") == {"registered": 5, "pending": 1}


def test_cards_trace_back_to_their_entity_and_first_visit(demo):
    cards = list(ServiceCard.objects.select_related("visit__task"))
    assert min(c.number for c in cards) == "XLX-2026-0001"
    for card in cards:
        assert card.visit.task.entity_id == card.entity_id
        assert card.visit.care_package and card.visit.card_number == card.number
        assert card.issued_on == card.visit.visited_on
    assert Counter(c.entity_id for c in cards).most_common(1)[0][1] == 1


def test_visits_lie_in_the_past_and_reviews_follow_them(demo):
    for visit in Visit.objects.exclude(reviewed_at=None):
        assert visit.visited_on <= dt.date.fromisoformat(str(visit.reviewed_at.date())) + dt.timedelta(days=1)
    assert Visit.objects.filter(visited_on__gt=TODAY).count() == 0
    recent = Visit.objects.filter(visited_on__gte=TODAY - dt.timedelta(weeks=6))
    assert recent.filter(task__kind="care").count() > 100
    assert recent.filter(task__kind="verify").count() == 48


def test_coverage_in_every_grid_is_between_sensible_bounds(demo):
    town = coverage_town()
    assert 50 <= town.org_rate <= 60 and 68 <= town.work_rate <= 80
    for row in coverage_by_carrier("grid"):
        assert 45 <= row.org_rate <= 62, row.name
        assert 62 <= row.work_rate <= 82, row.name
        assert row.uncovered >= 3, row.name
    assert len(coverage_by_carrier("chain")) == 5 and len(coverage_by_carrier("street")) == 2
    # Own organizations where there were 3+ Party members when it was set up (visits only add).
    own = Entity.objects.filter(org_coverage="own")
    assert own.exists() and not own.filter(party_members__lt=3).exists()
    assert own.filter(has_party_org=True).count() == own.count()
    instructors = GridRole.objects.filter(role="instructor").exclude(user=None)
    allowed = set(instructors.values_list("grid_id", "user_id"))
    served = Entity.objects.exclude(instructor=None).values_list("village__grid_id", "instructor_id")
    assert set(served) <= allowed


def test_committees_roles_voice_and_problems(demo):
    for committee in CarrierCommittee.objects.all():
        duties = Counter(committee.seats.values_list("duty", flat=True))
        assert 5 <= sum(duties.values()) <= 7 and duties["主任"] == 1
    assert (
        sorted(CarrierCommittee.objects.values_list("carrier_kind", flat=True)) == ["chain"] * 5 + ["grid"] * 7 + ["street"] * 2
    )
    for grid in names.GRIDS:
        roles = Counter(GridRole.objects.filter(grid__name=grid).values_list("role", flat=True))
        assert len(roles) == 10 and roles["instructor"] == 2
    assert grouped(VoiceMessage.objects, "carrier_kind") == {"chain": 5, "street": 2, "grid": 5}
    assert Visit.objects.exclude(problem=None).filter(problem__source="visit_talk").count() == 3
    assert VoiceMessage.objects.get(state="problem").problem.source == "public"


def test_summaries_cover_the_last_14_days_and_6_weeks(demo):
    daily = list(Summary.objects.filter(kind="daily").order_by("start").values_list("start", flat=True))
    assert daily == [TODAY - dt.timedelta(days=n) for n in range(13, -1, -1)]
    weekly = list(Summary.objects.filter(kind="weekly").order_by("start").values_list("start", flat=True))
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    assert weekly == [monday - dt.timedelta(weeks=n) for n in range(6, 0, -1)]
    assert all(s.figures["visits"]["total"] > 0 for s in Summary.objects.filter(kind="weekly"))
