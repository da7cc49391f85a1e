"""The town admin's home leads with what reached the town and waits: public reports, hall
opinions, visits to review, imports that failed, problems overdue, each linked to its handling."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from qiangji.campaign.models import Visit, VisitTask, VisitTeam
from qiangji.core.models import ImportBatch
from qiangji.council.models import Bulletin, Opinion, Project
from qiangji.home.tests.records import TODAY, links, todos
from qiangji.ledger.models import Problem, PublicReport
from qiangji.ledger.services import problem_register
from qiangji.orgs.models import Village

TOWN_KEYS = ("public_reports", "opinions_waiting", "visits_to_review", "imports_failed", "problems_overdue_all")


@pytest.fixture(autouse=True)
def _june(freeze_day):
    freeze_day(TODAY.isoformat())


@pytest.fixture
def waiting(town, users):
    east = Village.objects.get(name="东村")
    report = PublicReport.objects.create(reference="GZ20260601001", description="村口路灯坏了两个月没人修", village=east)
    PublicReport.objects.create(reference="GZ20260601002", description="已受理的反映", state=PublicReport.State.ACCEPTED)
    project_a = Project.objects.create(name="东村和美乡村", organization=town["village_a"], village=east, description="五好两宜")
    project_b = Project.objects.create(name="公司共建项目", organization=town["branch_b"], description="共建")
    now = timezone.now()
    bulletin_a = Bulletin.objects.create(project=project_a, title="第一期通报", body="进展顺利", published_at=now)
    bulletin_b = Bulletin.objects.create(project=project_b, title="公司通报", body="进展顺利", published_at=now)
    opinion = Opinion.objects.create(bulletin=bulletin_a, content="建议在村口增设停车位，方便赶集的村民")
    Opinion.objects.create(
        bulletin=bulletin_a, content="已答复的意见", state=Opinion.State.ANSWERED, moderation=Opinion.Moderation.SHOWN
    )
    company_opinion = Opinion.objects.create(bulletin=bulletin_b, content="公司食堂对外开放")
    team = VisitTeam.objects.create(name="第一网格三人行一队", grid=east.grid)
    task = VisitTask.objects.create(
        grid=east.grid, team=team, title="崇明某民宿", due_on=TODAY, status=VisitTask.Status.SUBMITTED
    )
    visit = Visit.objects.create(task=task, team=team, by=users["visitor"], visited_on=dt.date(2026, 6, 8))
    batch = ImportBatch.objects.create(
        kind="members",
        user=users["secretary_b"],
        file_name="党员名册.xlsx",
        file_sha256="0" * 64,
        status=ImportBatch.Status.FAILED,
    )
    ImportBatch.objects.create(
        kind="members", user=users["secretary_b"], file_name="已导入.xlsx", file_sha256="1" * 64, status="done"
    )
    problem = problem_register(
        by=users["town_admin"],
        data={
            "source": Problem.Source.VISIT_TALK,
            "organization": town["branch_b"],
            "description": "党员活动室长期闲置",
            "owner": users["secretary_b"],
            "deadline": dt.date(2026, 5, 31),
        },
        today=dt.date(2026, 5, 1),
    )
    return {
        "report": report,
        "opinion": opinion,
        "company_opinion": company_opinion,
        "project_a": project_a,
        "project_b": project_b,
        "visit": visit,
        "batch": batch,
        "problem": problem,
    }


def test_town_admin_sees_everything_waiting_with_links_to_handle_it(client_as, users, waiting):
    response = client_as(users["town_admin"]).get(reverse("home:index"))
    items = todos(response)
    assert {k: items[k] for k in TOWN_KEYS} == {
        "public_reports": (1, ["村口路灯坏了两个月没人修"]),
        "opinions_waiting": (2, ["建议在村口增设停车位，方便赶集的村民", "公司食堂对外开放"]),
        "visits_to_review": (1, ["崇明某民宿"]),
        "imports_failed": (1, ["党员名册.xlsx"]),
        "problems_overdue_all": (1, [waiting["problem"].headline]),
    }
    assert links(response, "public_reports")["村口路灯坏了两个月没人修"][0] == reverse(
        "ledger:public_report_handle", args=[waiting["report"].pk]
    )
    opinion_url = reverse("council:project_detail", args=[waiting["project_a"].pk]) + f"#opinion-{waiting['opinion'].pk}"
    assert links(response, "opinions_waiting")["建议在村口增设停车位，方便赶集的村民"][0] == opinion_url
    assert links(response, "visits_to_review")["崇明某民宿"] == (
        reverse("campaign:visit_detail", args=[waiting["visit"].pk]),
        "第一网格三人行一队，6月8日走访",
    )
    assert links(response, "imports_failed")["党员名册.xlsx"][0] == reverse("imports:detail", args=[waiting["batch"].pk])
    assert links(response, "problems_overdue_all")[waiting["problem"].headline] == (
        reverse("ledger:problem_detail", args=[waiting["problem"].pk]),
        f"{waiting['problem'].number}，竖新镇某某公司党支部，已超期10天",
    )
    # The town's items lead the list.
    assert [i.key for i in response.context["todos"]][:5] == list(TOWN_KEYS)


def test_others_never_see_the_towns_queues(client_as, users, waiting):
    for role in ("secretary_a", "liaison"):
        items = todos(client_as(users[role]).get(reverse("home:index")))
        assert not set(TOWN_KEYS) & set(items), role
    # secretary_b uploaded the failed sheet and owns the problem: those are theirs to act on.
    items = todos(client_as(users["secretary_b"]).get(reverse("home:index")))
    assert "public_reports" not in items and "opinions_waiting" not in items and "visits_to_review" not in items
    assert items["problems_overdue"] == (1, [waiting["problem"].headline])


def test_opinions_waiting_list_shows_only_the_projects_the_user_runs(client_as, users, waiting):
    url = reverse("council:opinions_waiting")
    admin = client_as(users["town_admin"]).get(url)
    assert [o.content for o in admin.context["page"].object_list] == ["建议在村口增设停车位，方便赶集的村民", "公司食堂对外开放"]
    secretary_a = client_as(users["secretary_a"]).get(url)
    assert [o.content for o in secretary_a.context["page"].object_list] == ["建议在村口增设停车位，方便赶集的村民"]
    assert "公司食堂对外开放" not in secretary_a.content.decode()
    assert list(client_as(users["liaison"]).get(url).context["page"].object_list) == []
    assert client_as(users["member"]).get(url).status_code == 404
    assert client_as(None).get(url).status_code == 302


def test_opinions_waiting_list_query_count(client_as, users, waiting, django_assert_num_queries):
    client = client_as(users["town_admin"])
    # session, user, scope (3), count, page, the inbox's unread count.
    with django_assert_num_queries(8):
        client.get(reverse("council:opinions_waiting"))
    for i in range(10):
        Opinion.objects.create(bulletin=waiting["opinion"].bulletin, content=f"意见{i}")
    with django_assert_num_queries(8):
        assert client.get(reverse("council:opinions_waiting")).context["page"].paginator.count == 12


def test_town_admin_home_query_count_does_not_grow(client_as, users, town, waiting, django_assert_num_queries):
    client = client_as(users["town_admin"])
    client.get(reverse("home:index"))
    # session, user, scope (3); public reports, opinions, visits to review: a count and a list
    # each; failed imports; overdue problems (2); the user's own overdue problems and those
    # awaiting their check; organizations graded without a plan; flagged organizations;
    # probation count; plans not filed; two aggregates; top organizations; the ledger's
    # figures (3); the inbox's unread count.
    with django_assert_num_queries(28):
        client.get(reverse("home:index"))
    for i in range(12):
        PublicReport.objects.create(reference=f"GZ2026060110{i}", description=f"反映{i}号问题需要处理")
        Opinion.objects.create(bulletin=waiting["opinion"].bulletin, content=f"意见{i}")
        ImportBatch.objects.create(
            kind="members", user=users["town_admin"], file_name=f"{i}.xlsx", file_sha256="2" * 64, status="failed"
        )
    with django_assert_num_queries(28):
        response = client.get(reverse("home:index"))
    assert todos(response)["public_reports"][0] == 13
    assert todos(response)["imports_failed"][0] == 13
