"""Project pages per role: who sees, who runs, what a refusal leaves unchanged."""

import datetime as dt

import pytest
from django.utils import timezone

from qiangji import factories as f
from qiangji.council.models import Bulletin, Deliberation, Milestone, Opinion, OpinionEvent, Project, ProjectRole
from qiangji.council.services import milestone_add
from qiangji.council.tests.conftest import PHONE
from qiangji.ledger.models import Problem

pytestmark = pytest.mark.django_db

VIEWERS = ["town_admin", "secretary_a", "liaison"]
HIDDEN = ["secretary_b"]
NO_PAGES = ["member", "visitor"]


def _url(project, rest=""):
    return f"/council/projects/{project.pk}/{rest}"


@pytest.mark.parametrize("who", VIEWERS + HIDDEN + NO_PAGES + ["anonymous"])
def test_project_list_per_role(hall_project, users, client_as, who):
    response = client_as(users[who]).get("/council/projects/")
    if who == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    elif who in NO_PAGES:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert ("东村和美乡村建设" in response.content.decode()) is (who in VIEWERS)


def test_project_list_query_count(hall_project, published, opinions, town, users, client_as, django_assert_num_queries):
    for i in range(3):
        Project.objects.create(name=f"试点{i}", organization=town["branch_a1"], description="项目内容项目内容项目内容")
    client = client_as(users["secretary_a"])
    client.get("/council/projects/")
    # session, user, scope (grants, liaison, member), projects, inbox bell
    with django_assert_num_queries(7):
        response = client.get("/council/projects/")
    html = response.content.decode()
    assert html.count("/council/projects/") >= 4
    assert 'id="project-table"' in html


@pytest.mark.parametrize("who", VIEWERS + HIDDEN + NO_PAGES)
def test_project_detail_per_role(hall_project, opinions, users, client_as, who):
    response = client_as(users[who]).get(_url(hall_project))
    if who not in VIEWERS:
        assert response.status_code == 404
        return
    html = response.content.decode()
    assert response.status_code == 200
    assert "河道整治" in html and "建议村道两侧加装路灯" in html
    # Staff see the phone masked, never in full.
    assert "138****8000" in html and PHONE not in html
    assert ("标记完成" in html) is (who != "liaison")


def test_project_detail_query_count(hall_project, published, opinions, users, client_as, django_assert_num_queries):
    client = client_as(users["secretary_a"])
    client.get(_url(hall_project))
    with django_assert_num_queries(14):
        client.get(_url(hall_project))


def _project_form(town, **extra):
    return {
        "name": "北村和美乡村建设",
        "category": "和美乡村（五好两宜）",
        "organization": town["village_a"].pk,
        "village": "",
        "description": "五好两宜：环境好、产业好、治理好",
        "state": "planning",
        "started_on": "2026-03-01",
        "target_on": "2026-12-31",
        **extra,
    }


@pytest.mark.parametrize("who", ["town_admin", "secretary_a"])
def test_create_a_project(town, users, client_as, who):
    response = client_as(users[who]).post("/council/projects/new/", _project_form(town))
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == _url(project)
    assert (project.name, project.organization, project.target_on) == (
        "北村和美乡村建设",
        town["village_a"],
        dt.date(2026, 12, 31),
    )


@pytest.mark.parametrize(("who", "status"), [("liaison", 403), ("member", 404), ("visitor", 404)])
def test_create_refused(town, users, client_as, who, status):
    assert client_as(users[who]).post("/council/projects/new/", _project_form(town)).status_code == status
    assert Project.objects.count() == 0


def test_secretary_b_cannot_lead_with_village_a(town, users, client_as):
    response = client_as(users["secretary_b"]).post("/council/projects/new/", _project_form(town))
    assert response.status_code == 400
    assert Project.objects.count() == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"description": "太短"}, "至少10个字"),
        ({"target_on": "2026-01-01"}, "不能早于开始日期"),
        ({"name": ""}, "项目名称未填写"),
    ],
)
def test_bad_project_changes_nothing(town, users, client_as, extra, message):
    response = client_as(users["secretary_a"]).post("/council/projects/new/", _project_form(town, **extra))
    assert response.status_code == 400 and message in response.content.decode()
    assert Project.objects.count() == 0


def test_edit_a_project(hall_project, town, users, client_as):
    data = _project_form(town, name="东村和美乡村（二期）", version=hall_project.version)
    response = client_as(users["secretary_a"]).post(_url(hall_project, "edit/"), data)
    assert response.status_code == 302
    hall_project.refresh_from_db()
    assert hall_project.name == "东村和美乡村(二期)" and hall_project.progress == 50


@pytest.mark.parametrize(("who", "status"), [("liaison", 403), ("secretary_b", 404), ("member", 404)])
def test_edit_refused(hall_project, town, users, client_as, who, status):
    assert client_as(users[who]).post(_url(hall_project, "edit/"), _project_form(town, name="改名")).status_code == status
    assert Project.objects.get().name == "东村和美乡村建设"


def test_milestones_add_and_done_drive_progress(hall_project, users, client_as):
    client = client_as(users["secretary_a"])
    assert client.post(_url(hall_project, "milestones/"), {"title": "公共空间改造", "due_on": "2026-11-30"}).status_code == 302
    hall_project.refresh_from_db()
    assert hall_project.progress == 33
    pending = Milestone.objects.filter(project=hall_project, done_on=None).order_by("order")
    today = timezone.localdate()
    for stone in pending:
        assert client.post(_url(hall_project, f"milestones/{stone.pk}/done/"), {"done_on": today.isoformat()}).status_code == 302
    hall_project.refresh_from_db()
    assert (hall_project.progress, hall_project.state) == (100, "completed")


def test_milestone_refusals_change_nothing(hall_project, users, client_as):
    stone = Milestone.objects.get(project=hall_project, done_on=None)
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    sec = client_as(users["secretary_a"])
    response = sec.post(_url(hall_project, f"milestones/{stone.pk}/done/"), {"done_on": future})
    assert response.status_code == 400 and "不能晚于今天" in response.content.decode()
    assert sec.post(_url(hall_project, "milestones/"), {"title": "", "due_on": "2026-11-30"}).status_code == 400
    liaison = client_as(users["liaison"])
    assert liaison.post(_url(hall_project, f"milestones/{stone.pk}/done/"), {"done_on": "2026-05-01"}).status_code == 403
    assert liaison.post(_url(hall_project, "milestones/"), {"title": "新节点", "due_on": "2026-11-30"}).status_code == 403
    assert (
        client_as(users["member"])
        .post(_url(hall_project, "milestones/"), {"title": "新节点", "due_on": "2026-11-30"})
        .status_code
        == 404
    )
    stone.refresh_from_db()
    hall_project.refresh_from_db()
    assert stone.done_on is None and hall_project.progress == 50
    assert Milestone.objects.count() == 2


def test_roles_from_the_subtree_only(hall_project, town, users, client_as):
    inside = users["member"].member
    outside = f.member(organization=town["branch_b"], name="外单位党员")
    client = client_as(users["secretary_a"])
    assert client.post(_url(hall_project, "roles/"), {"member": inside.pk, "role": "publicist"}).status_code == 302
    assert client.post(_url(hall_project, "roles/"), {"member": inside.pk, "role": "publicist"}).status_code == 400
    assert client.post(_url(hall_project, "roles/"), {"member": outside.pk, "role": "mediator"}).status_code == 400
    assert (
        client_as(users["liaison"]).post(_url(hall_project, "roles/"), {"member": inside.pk, "role": "supervisor"}).status_code
        == 403
    )
    assert list(ProjectRole.objects.values_list("member__name", "role")) == [("李党员", "publicist")]
    role = ProjectRole.objects.get()
    assert client_as(users["liaison"]).post(_url(hall_project, f"roles/{role.pk}/remove/")).status_code == 403
    assert ProjectRole.objects.count() == 1
    assert client.post(_url(hall_project, f"roles/{role.pk}/remove/")).status_code == 302
    assert ProjectRole.objects.count() == 0


def test_publish_a_bulletin(hall_project, users, client_as):
    body = {"title": "第二期进度通报", "body": "村道硬化完成过半，预计九月底完工。"}
    assert client_as(users["liaison"]).post(_url(hall_project, "bulletins/"), body).status_code == 403
    assert client_as(users["secretary_a"]).post(_url(hall_project, "bulletins/"), {**body, "body": "太短"}).status_code == 400
    assert Bulletin.objects.count() == 0
    assert client_as(users["secretary_a"]).post(_url(hall_project, "bulletins/"), body).status_code == 302
    bulletin = Bulletin.objects.get()
    assert (bulletin.title, bulletin.progress, bulletin.published_by) == ("第二期进度通报", 50, users["secretary_a"])
    assert bulletin.published_at is not None


def test_moderate_and_answer_an_opinion(hall_project, opinions, users, client_as):
    opinion = opinions["pending"]
    client = client_as(users["secretary_a"])
    assert client.post(_url(hall_project, f"opinions/{opinion.pk}/moderate/"), {"show": "1"}).status_code == 302
    assert client.post(_url(hall_project, f"opinions/{opinion.pk}/move/"), {"action": "evaluate"}).status_code == 302
    assert (
        client.post(_url(hall_project, f"opinions/{opinion.pk}/move/"), {"action": "answer", "note": "路灯已安装"}).status_code
        == 302
    )
    opinion.refresh_from_db()
    assert (opinion.moderation, opinion.state, opinion.answer, opinion.answered_by) == (
        "shown",
        "answered",
        "路灯已安装",
        users["secretary_a"],
    )
    assert list(opinion.events.values_list("action", flat=True)) == ["submit", "show", "evaluate", "answer"]


@pytest.mark.parametrize(
    ("who", "data", "status"),
    [
        ("secretary_a", {"action": "accept"}, 400),  # not under evaluation
        ("secretary_a", {"action": "answer", "note": ""}, 400),  # answer needs text
        ("secretary_a", {"action": "fly"}, 400),
        ("liaison", {"action": "evaluate"}, 403),
        ("secretary_b", {"action": "evaluate"}, 404),
        ("member", {"action": "evaluate"}, 404),
    ],
)
def test_opinion_refusals_change_nothing(hall_project, opinions, users, client_as, who, data, status):
    opinion = opinions["pending"]
    events = OpinionEvent.objects.count()
    client = client_as(users[who])
    assert client.post(_url(hall_project, f"opinions/{opinion.pk}/move/"), data).status_code == status
    assert client.post(_url(hall_project, f"opinions/{opinion.pk}/moderate/"), {"show": "1"}).status_code in (
        status,
        302 if who == "secretary_a" else status,
    )
    opinion.refresh_from_db()
    assert opinion.state == "received"
    if who != "secretary_a":
        assert opinion.moderation == "pending" and OpinionEvent.objects.count() == events


def test_an_opinion_of_another_project_is_not_found(hall_project, opinions, town, users, client_as):
    other = Project.objects.create(name="其他项目", organization=town["village_a"], description="其他项目内容其他项目内容")
    response = client_as(users["secretary_a"]).post(
        _url(other, f"opinions/{opinions['pending'].pk}/move/"), {"action": "evaluate"}
    )
    assert response.status_code == 404
    assert Opinion.objects.get(pk=opinions["pending"].pk).state == "received"


def _session(**extra):
    return {
        "topic": "村道拓宽占用农户自留地",
        "held_on": "2026-06-02",
        "place": "村委会议室",
        "attendees": "村两委、党员代表、农户代表",
        "outcome": "按标准补偿",
        **extra,
    }


def test_deliberation_and_its_problem(hall_project, town, users, client_as):
    client = client_as(users["secretary_a"])
    assert client_as(users["liaison"]).post(_url(hall_project, "deliberations/"), _session()).status_code == 403
    assert client.post(_url(hall_project, "deliberations/"), _session(attendees="")).status_code == 400
    assert Deliberation.objects.count() == 0
    assert client.post(_url(hall_project, "deliberations/"), _session()).status_code == 302
    session = Deliberation.objects.get()
    url = _url(hall_project, f"deliberations/{session.pk}/problem/")
    body = {"owner": users["secretary_a"].pk, "deadline": "2026-12-31"}
    assert client_as(users["liaison"]).post(url, body).status_code == 403
    assert client.post(url, {"owner": "", "deadline": "2026-12-31"}).status_code == 400
    assert Problem.objects.count() == 0
    response = client.post(url, body)
    problem = Problem.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ledger/problems/{problem.pk}/"
    assert (problem.organization, problem.owner, problem.deadline) == (
        town["village_a"],
        users["secretary_a"],
        dt.date(2026, 12, 31),
    )
    assert client.post(url, body).status_code == 400
    assert Problem.objects.count() == 1


def test_the_modules_address_leads_to_the_project_list(users, client_as):
    response = client_as(users["town_admin"]).get("/council/")
    assert (response.status_code, response["Location"]) == (302, "/council/projects/")


def test_a_stale_project_edit_is_refused_and_the_first_stays(hall_project, users, client_as, form_post):
    url = _url(hall_project, "edit/")
    a, b = client_as(users["secretary_a"]), client_as(users["town_admin"])
    a_form = a.get(url).context["form"]
    assert b.post(url, form_post(b.get(url).context["form"], category="美丽乡村")).status_code == 302

    response = a.post(url, form_post(a_form, name="东村和美乡村（二期）"))

    assert response.status_code == 400
    form = response.context["form"]
    assert form.non_field_errors() == ["保存失败：这条记录在您打开后已被他人修改，以下是现在的内容，请核对后再保存。"]
    shown = dict(form.stale.shown)
    assert (shown["项目名称"], shown["项目类别"], shown["状态"]) == ("东村和美乡村建设", "美丽乡村", "推进中")
    project = Project.objects.get()
    assert (project.name, project.category, project.version) == ("东村和美乡村建设", "美丽乡村", 3)


def test_an_edit_opened_before_a_milestone_moved_the_project_is_refused(hall_project, users, client_as, form_post):
    url = _url(hall_project, "edit/")
    a = client_as(users["secretary_a"])
    a_form = a.get(url).context["form"]
    milestone_add(project=Project.objects.get(), by=users["town_admin"], title="公共空间改造", due_on=dt.date(2026, 12, 1))

    response = a.post(url, form_post(a_form, state="completed"))

    assert response.context["form"].stale is not None
    assert Project.objects.get().state == "in_progress"


def test_a_fresh_project_edit_is_saved(hall_project, users, client_as, form_post):
    url = _url(hall_project, "edit/")
    client = client_as(users["secretary_a"])
    assert client.post(url, form_post(client.get(url).context["form"], category="美丽乡村")).status_code == 302
    project = Project.objects.get()
    assert (project.category, project.version) == ("美丽乡村", 3)
