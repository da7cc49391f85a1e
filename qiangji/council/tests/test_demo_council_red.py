"""The demo module for projects and red culture on a small demo town (places, organizations,
members and accounts only): deterministic, every opinion state present, public pages clean."""

import datetime as dt

import pytest
from django.test import Client

from qiangji.accounts.models import User
from qiangji.council.models import Bulletin, Deliberation, Milestone, Opinion, Project, ProjectRole
from qiangji.demo import seed as demo_seed
from qiangji.demo.council_red import OPINION_ANSWERS, seed_council_red
from qiangji.demo.logins import DEMO_LOGINS
from qiangji.demo.town import town_plan
from qiangji.ledger.models import Problem
from qiangji.redculture.models import CheckIn, RedActivity, RedSite, Route

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


def _small_town(seed: int = 7):
    plan = town_plan(seed=seed, members=400, today=TODAY)
    villages, units, _chains = demo_seed._places(plan)
    orgs = demo_seed._organizations(plan, villages, units)
    by_org = demo_seed._members(plan, orgs)
    demo_seed._accounts(orgs, by_org)
    users = {u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_LOGINS])}
    return orgs, users, by_org


def _fingerprint():
    return (
        list(Project.objects.order_by("name").values_list("name", "state", "progress")),
        list(Opinion.objects.order_by("id").values_list("content", "state", "moderation", "author_name")),
        list(CheckIn.objects.order_by("id").values_list("member__name", "site__name", "on", "note")),
    )


def test_seed_council_red():
    orgs, users, by_org = _small_town()
    result = seed_council_red(seed=7, orgs=orgs, users=users, members=by_org, today=TODAY)
    assert (result.projects, result.milestones, result.sites, result.routes) == (4, 20, 6, 2)
    assert Project.objects.count() == 4 and Milestone.objects.count() == 20
    assert sorted(Project.objects.values_list("progress", flat=True)) == [0, 40, 60, 100]
    assert Project.objects.filter(state="completed").count() == 1
    assert Bulletin.objects.count() == result.bulletins == 7
    assert set(Opinion.objects.values_list("state", flat=True)) == {s for s, _ in Opinion.State.choices}
    assert set(Opinion.objects.values_list("moderation", flat=True)) == {"pending", "shown", "hidden"}
    assert Opinion.objects.count() == result.opinions
    # Every answer is the one written for its own opinion.
    answered = list(Opinion.objects.exclude(answer="").values_list("content", "answer"))
    assert answered and all(answer == OPINION_ANSWERS[content] for content, answer in answered)
    assert ProjectRole.objects.count() == result.roles > 0
    for role in ProjectRole.objects.select_related("project__organization", "member__organization"):
        assert role.member.organization.path.startswith(role.project.organization.path)
    assert Deliberation.objects.count() == result.deliberations and Problem.objects.count() == result.problems == 3
    assert RedSite.objects.count() == 6 and Route.objects.get(name="竖新红色足迹半日游").stops.count() == 4
    assert RedActivity.objects.count() == result.activities > 0
    assert CheckIn.objects.count() == result.checkins > 0
    assert not CheckIn.objects.filter(on__gt=TODAY).exists()
    assert not Bulletin.objects.filter(published_at__date__gt=TODAY).exists()

    # The public hall shows the three projects with bulletins and nothing personal.
    client = Client()
    hall = client.get("/council/hall/").content.decode()
    assert hall.count("查看通报、提意见") == 3
    for bulletin in Bulletin.objects.all():
        html = client.get(f"/council/hall/bulletins/{bulletin.pk}/").content.decode()
        for opinion in bulletin.opinions.all():
            if opinion.moderation == "shown":
                assert opinion.content in html
            if opinion.author_name:
                assert opinion.author_name not in html
            if opinion.phone:
                assert opinion.phone not in html and opinion.phone[-4:] not in html

    # Deterministic: the same seed writes the same rows.
    first = _fingerprint()
    for model in (CheckIn, RedActivity, Opinion, Bulletin, Deliberation, Project):
        model.objects.all().delete()
    Problem.objects.all().delete()
    Route.objects.all().delete()
    RedSite.objects.all().delete()
    seed_council_red(seed=7, orgs=orgs, users=users, members=by_org, today=TODAY)
    assert _fingerprint()[0] == first[0] and _fingerprint()[1] == first[1]
    assert [row[1:] for row in _fingerprint()[2]] == [row[1:] for row in first[2]]
