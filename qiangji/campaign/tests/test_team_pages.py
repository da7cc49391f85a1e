"""Teams (三人行) and the five-musts checklist: the list per role, create and edit through the
services (three members wanted, none refused), and the checklist editor keeping what recorded
visits were asked."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from qiangji import factories as f
from qiangji.campaign.models import ChecklistItem, VisitTeam
from qiangji.campaign.services.teams import (
    checklist_item_add,
    checklist_item_move,
    checklist_item_rename,
    checklist_item_set_active,
    team_create,
    team_update,
)
from qiangji.campaign.tests.conftest import MUSTS
from qiangji.core.errors import DomainError

TEAMS = "/campaign/teams/"
CHECKLIST = "/campaign/checklist/"


def labels():
    return list(ChecklistItem.objects.order_by("order", "id").values_list("label", flat=True))


@pytest.mark.parametrize(
    ("role", "status"), [("town_admin", 200), ("visitor", 200), ("secretary_a", 404), ("liaison", 404), ("member", 404)]
)
def test_team_list_per_role(role, status, teams, users, client_as):
    assert client_as(users[role]).get(TEAMS).status_code == status


def test_team_list_shows_members_counts_and_a_warning(verify_tasks, teams, users, client_as, visit_on):
    visit_on(verify_tasks["new1"], visited_on=timezone.localdate().isoformat())
    response = client_as(users["town_admin"]).get(TEAMS)
    rows = {t.name: (t.open_tasks, t.visits_month, t.size_warning) for t in response.context["teams"]}
    assert rows == {
        "第一网格三人行一队": (2, 1, ""),
        "第二网格三人行一队": (1, 0, "走访队伍按“三人行”配置，当前为2人，请尽快调整为3人"),
    }
    html = response.content.decode()
    assert "走访队员（队长）" in html and "新建队伍" in html


def test_team_member_reads_without_edit_links(teams, users, client_as):
    html = client_as(users["visitor"]).get(TEAMS).content.decode()
    assert "新建队伍" not in html and "/edit/" not in html


def test_create_a_team_of_three(places, users, client_as):
    people = [f.UserFactory(display_name=n) for n in ("甲", "乙", "丙")]
    data = {
        "name": "第二网格三人行二队",
        "grid": places["grid2"].pk,
        "members": [p.pk for p in people],
        "leader": people[1].pk,
        "active": "on",
    }
    response = client_as(users["town_admin"]).post(TEAMS + "new/", data)
    assert response.status_code == 302
    team = VisitTeam.objects.get(name="第二网格三人行二队")
    assert (team.grid, team.leader, team.active) == (places["grid2"], people[1], True)
    assert set(team.members.all()) == set(people)


def test_two_members_saved_with_a_warning(places, users, client_as):
    people = [f.UserFactory() for _ in range(2)]
    data = {"name": "两人队", "grid": places["grid1"].pk, "members": [p.pk for p in people], "active": "on"}
    response = client_as(users["town_admin"]).post(TEAMS + "new/", data, follow=True)
    assert "当前为2人" in response.content.decode()
    assert VisitTeam.objects.get(name="两人队").leader == people[0]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"members": []}, "members", "至少要有1名队员"),
        ({"name": "第一网格三人行一队"}, "name", "已被使用"),
        ({"grid": ""}, "grid", ""),
    ],
)
def test_bad_team_changes_nothing(change, field, message, places, teams, users, client_as):
    people = [f.UserFactory() for _ in range(3)]
    data = {"name": "新队", "grid": places["grid1"].pk, "members": [p.pk for p in people], "active": "on", **change}
    response = client_as(users["town_admin"]).post(TEAMS + "new/", data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert VisitTeam.objects.count() == 2


def test_leader_must_be_a_member(places, users):
    people = [f.UserFactory() for _ in range(3)]
    outsider = f.UserFactory()
    with pytest.raises(DomainError, match="队长须是本队队员"):
        team_create(by=users["town_admin"], data={"name": "队", "grid": places["grid1"], "members": people, "leader": outsider})
    assert VisitTeam.objects.count() == 0


def test_edit_a_team(teams, places, users, client_as):
    team = teams["team1"]
    page = client_as(users["town_admin"]).get(f"{TEAMS}{team.pk}/edit/")
    assert page.status_code == 200 and page.context["form"].initial["name"] == team.name
    mates = list(team.members.exclude(pk=users["visitor"].pk))
    data = {
        "name": "第一网格三人行（调整）",
        "grid": places["grid1"].pk,
        "members": [m.pk for m in mates],
        "leader": mates[0].pk,
        "version": team.version,
    }
    response = client_as(users["town_admin"]).post(f"{TEAMS}{team.pk}/edit/", data)
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.leader, team.active) == ("第一网格三人行(调整)", mates[0], False)  # names normalised
    # The visitor left the team: its grid's tasks are no longer theirs.
    users["visitor"].__dict__.pop("_campaign_grids", None)
    assert client_as(users["visitor"]).get("/campaign/tasks/").status_code == 404


@pytest.mark.parametrize(("role", "status"), [("visitor", 403), ("secretary_a", 404), ("member", 404)])
def test_team_edits_refused(role, status, teams, places, users, client_as):
    team = teams["team1"]
    client = client_as(users[role])
    data = {"name": "改名", "grid": places["grid1"].pk, "members": [users["visitor"].pk]}
    assert client.get(TEAMS + "new/").status_code == status
    assert client.post(TEAMS + "new/", data).status_code == status
    assert client.post(f"{TEAMS}{team.pk}/edit/", data).status_code == status
    team.refresh_from_db()
    assert team.name == "第一网格三人行一队" and VisitTeam.objects.count() == 2


def test_team_services_are_the_towns(teams, places, users):
    with pytest.raises(PermissionDenied):
        team_update(
            team=teams["team1"], by=users["visitor"], data={"name": "x", "grid": places["grid1"], "members": [users["visitor"]]}
        )


# The checklist -------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("town_admin", 200), ("visitor", 403), ("secretary_a", 404), ("member", 404)])
def test_checklist_page_per_role(role, status, teams, users, client_as):
    assert client_as(users[role]).get(CHECKLIST).status_code == status


def test_checklist_add_rename_move_disable(users, client_as):
    client = client_as(users["town_admin"])
    assert client.post(CHECKLIST, {"label": "  了解用工需求 "}).status_code == 302
    assert labels() == [*MUSTS, "了解用工需求"]
    item = ChecklistItem.objects.get(label="了解用工需求")
    assert client.post(f"{CHECKLIST}{item.pk}/up/").status_code == 302
    assert labels()[-2:] == ["了解用工需求", "留下服务卡和联系方式"]
    client.post(f"{CHECKLIST}{item.pk}/rename/", {"label": "了解用工和融资需求"})
    client.post(f"{CHECKLIST}{item.pk}/disable/")
    item.refresh_from_db()
    assert (item.label, item.active) == ("了解用工和融资需求", False)
    client.post(f"{CHECKLIST}{item.pk}/enable/")
    assert ChecklistItem.objects.get(pk=item.pk).active


@pytest.mark.parametrize(("data", "message"), [({"label": ""}, "事项内容未填写"), ({"label": "核实基本信息"}, "已在清单中")])
def test_checklist_bad_input_changes_nothing(data, message, users, client_as):
    response = client_as(users["town_admin"]).post(CHECKLIST, data)
    assert response.status_code == 400 and message in response.content.decode()
    assert labels() == MUSTS


def test_the_last_active_item_stays(users):
    items = list(ChecklistItem.objects.all())
    for item in items[1:]:
        checklist_item_set_active(item=item, by=users["town_admin"], active=False)
    with pytest.raises(DomainError, match="至少要保留一项"):
        checklist_item_set_active(item=items[0], by=users["town_admin"], active=False)
    assert ChecklistItem.objects.filter(active=True).count() == 1


@pytest.mark.parametrize(("role", "status"), [("visitor", 403), ("secretary_a", 404)])
def test_checklist_edits_refused(role, status, teams, users, client_as):
    item = ChecklistItem.objects.first()
    client = client_as(users[role])
    assert client.post(CHECKLIST, {"label": "新事项"}).status_code == status
    assert client.post(f"{CHECKLIST}{item.pk}/disable/").status_code == status
    assert client.post(f"{CHECKLIST}{item.pk}/rename/", {"label": "改"}).status_code == status
    assert labels() == MUSTS and ChecklistItem.objects.filter(active=True).count() == 5


def test_visits_keep_what_they_were_asked(verify_tasks, users, visit_on):
    visit = visit_on(verify_tasks["new1"])
    first = ChecklistItem.objects.get(label="见到主体负责人")
    checklist_item_rename(item=first, by=users["town_admin"], label="见到主体负责人或实际经营者")
    checklist_item_add(by=users["town_admin"], label="拍照留存")
    checklist_item_move(item=first, by=users["town_admin"], step=1)
    visit.refresh_from_db()
    assert [i["label"] for i in visit.checklist] == MUSTS
    later = visit_on(verify_tasks["new2"], users["town_admin"], checklist=[], notes="负责人外出")
    assert [i["label"] for i in later.checklist][:2] == ["核实基本信息", "见到主体负责人或实际经营者"]
