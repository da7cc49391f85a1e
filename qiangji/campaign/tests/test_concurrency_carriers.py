"""Two people editing one carrier committee or one visiting team: the later save based on an old
read is refused with the record as it is now, and the change made in between stays. Neither has
an edit endpoint in the API."""

import pytest
from django.urls import reverse

from qiangji.campaign.models import CarrierCommittee, VisitTeam

STALE = "保存失败：这条记录在您打开后已被他人修改，以下是现在的内容，请核对后再保存。"


def test_a_stale_committee_edit_is_refused_and_the_first_stays(client_as, users, committee, form_post):
    url = reverse("campaign:committee_edit", args=[committee.pk])
    a, b = client_as(users["town_admin"]), client_as(users["town_admin"])
    a_form = a.get(url).context["form"]
    assert b.post(url, form_post(b.get(url).context["form"], duties="每月一次例会")).status_code == 302

    response = a.post(url, form_post(a_form, name="蔬菜产业链链委会"))

    assert response.status_code == 400
    form = response.context["form"]
    assert form.non_field_errors() == [STALE]
    shown = {"委员会名称": "蔬菜链链委会", "成立日期": "—", "依托党组织": "—", "运行机制": "每月一次例会"}
    assert dict(form.stale.shown) == shown
    assert form["name"].value() == "蔬菜产业链链委会"  # what A typed stays on the page
    assert 'name="version" value="2"' in response.content.decode()
    committee.refresh_from_db()
    assert (committee.name, committee.duties, committee.version) == ("蔬菜链链委会", "每月一次例会", 2)


def test_a_fresh_committee_edit_is_saved_and_counts_a_version(client_as, users, committee, form_post):
    url = reverse("campaign:committee_edit", args=[committee.pk])
    client = client_as(users["town_admin"])
    assert client.post(url, form_post(client.get(url).context["form"], duties="每季度一次")).status_code == 302
    committee.refresh_from_db()
    assert (committee.duties, committee.version) == ("每季度一次", 2)


def test_a_committee_edit_without_a_version_changes_nothing(client_as, users, committee):
    url = reverse("campaign:committee_edit", args=[committee.pk])
    response = client_as(users["town_admin"]).post(url, {"name": "蔬菜产业链链委会"})
    assert response.context["form"].non_field_errors() == ["页面已过期，请刷新后重新编辑。"]
    assert CarrierCommittee.objects.get(pk=committee.pk).name == "蔬菜链链委会"


@pytest.fixture
def team_url(teams):
    return f"/campaign/teams/{teams['team1'].pk}/edit/"


def test_a_stale_team_edit_is_refused_and_the_first_stays(client_as, users, teams, team_url, form_post):
    team = teams["team1"]
    a, b = client_as(users["town_admin"]), client_as(users["town_admin"])
    a_form = a.get(team_url).context["form"]
    assert b.post(team_url, form_post(b.get(team_url).context["form"], name="第一网格三人行")).status_code == 302

    response = a.post(team_url, form_post(a_form, active=None))

    assert response.status_code == 400
    form = response.context["form"]
    assert form.non_field_errors() == [STALE]
    shown = dict(form.stale.shown)
    assert (shown["队伍名称"], shown["在岗"]) == ("第一网格三人行", "是")
    team.refresh_from_db()
    assert (team.name, team.active, team.version) == ("第一网格三人行", True, 2)


def test_a_fresh_team_edit_is_saved(client_as, users, teams, team_url, form_post):
    client = client_as(users["town_admin"])
    assert client.post(team_url, form_post(client.get(team_url).context["form"], active=None)).status_code == 302
    team = VisitTeam.objects.get(pk=teams["team1"].pk)
    assert (team.active, team.version) == (False, 2)
