"""Two people changing one problem: an edit based on an old read is refused with what the problem
holds now (page and API), and the change made in between stays."""

import datetime as dt

import pytest

from qiangji.ledger.models import Problem, ProblemEvent

STALE = "保存失败：这条记录在您打开后已被 东村书记 于 2026-05-20 10:00 修改，以下是现在的内容，请核对后再保存。"
UPDATE = {"source": "petition", "village": "", "category": "阵地建设", "description": "活动室闲置", "external_ref": ""}


@pytest.fixture
def problem(freeze_day, register):
    freeze_day("2026-05-20")
    return register(today=dt.date(2026, 5, 20), description="党员活动室长期闲置")


def post(client, problem, action, **data):
    return client.post(f"/ledger/problems/{problem.pk}/act/{action}/", {f"{action}-{k}": v for k, v in data.items()})


def test_the_detail_page_carries_the_version_in_its_edit_forms(client_as, users, problem):
    body = client_as(users["town_admin"]).get(f"/ledger/problems/{problem.pk}/").content.decode()
    assert 'name="update-version" value="1"' in body and 'name="analyse-version" value="1"' in body


def test_a_stale_page_edit_is_refused_and_the_first_stays(client_as, users, problem):
    a, b = client_as(users["town_admin"]), client_as(users["secretary_a"])
    assert post(b, problem, "update", **{**UPDATE, "external_ref": "XF-7"}, version=1).status_code == 302

    response = post(a, problem, "update", **{**UPDATE, "description": "活动室无人管理"}, version=1)

    assert response.status_code == 400
    form = next(a["form"] for a in response.context["actions"] if a["name"] == "update")
    assert form.non_field_errors() == [STALE]
    shown = dict(form.stale.shown)
    assert (shown["状态"], shown["外部编号"], shown["问题描述"], shown["问题来源"]) == ("已挂号", "XF-7", "活动室闲置", "信访")
    assert form["version"].value() == "2" and form["description"].value() == "活动室无人管理"
    assert STALE in response.content.decode()
    problem.refresh_from_db()
    assert (problem.description, problem.external_ref, problem.source, problem.version) == ("活动室闲置", "XF-7", "petition", 2)
    assert list(ProblemEvent.objects.filter(problem=problem).values_list("action", flat=True)) == ["register", "update"]


def test_an_edit_opened_before_a_state_move_is_refused(client_as, users, owner, problem):
    assert post(client_as(owner), problem, "start").status_code == 302
    response = post(client_as(users["town_admin"]), problem, "update", **UPDATE, version=1)
    assert response.status_code == 400 and "整改中" in response.content.decode()
    problem.refresh_from_db()
    assert (problem.state, problem.description, problem.version) == ("in_progress", "党员活动室长期闲置", 2)


def test_a_stale_api_analysis_answers_409_with_the_current_values(api_as, users, owner, town, problem):
    a, b = api_as(owner), api_as(users["secretary_a"])
    read = a.get(f"/problems/{problem.pk}").json()
    assert read["version"] == 1
    body = {"root_cause": "无专人管理", "fix_kind": "long_term", "version": 1}
    assert b.post(f"/problems/{problem.pk}/analysis", body).status_code == 200

    response = a.post(f"/problems/{problem.pk}/analysis", {"root_cause": "制度缺失", "fix_kind": "immediate", "version": 1})

    assert response.status_code == 409
    assert response.json() == {
        "detail": STALE,
        "current": {
            "state": "registered",
            "source": "visit_talk",
            "organization": town["branch_a1"].pk,
            "village": None,
            "category": "",
            "description": "党员活动室长期闲置",
            "external_ref": "",
            "owner": owner.pk,
            "deadline": "2026-06-19",
            "root_cause": "无专人管理",
            "fix_kind": "long_term",
            "version": 2,
        },
    }
    problem = Problem.objects.get(pk=problem.pk)
    assert (problem.root_cause, problem.fix_kind, problem.version) == ("无专人管理", "long_term", 2)


def test_an_api_analysis_without_a_version_answers_422(api_as, owner, problem):
    response = api_as(owner).post(f"/problems/{problem.pk}/analysis", {"root_cause": "无专人管理", "fix_kind": "long_term"})
    assert (response.status_code, response.json()["errors"]) == (422, {"version": ["版本号未填写"]})
    assert Problem.objects.get(pk=problem.pk).root_cause == ""
