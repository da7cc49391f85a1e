"""Two people filing the same organization's plan for a year: the later filing, made on a page
opened (or a version read) before the earlier one, is refused with the plan as filed now; it
does not silently replace it. A return and a filing lock the row."""

import pytest
from django.urls import reverse

from qiangji.plans.models import WorkPlan
from qiangji.plans.services import workplan_file, workplan_return

YEAR = 2026
STALE = "保存失败：这条记录在您打开后已被 {who} 于 2026-11-25 10:00 修改，以下是现在的内容，请核对后再保存。"


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path, freeze_day):
    settings.MEDIA_ROOT = tmp_path
    freeze_day("2026-11-25")


def test_a_page_opened_before_a_first_filing_does_not_replace_it(client_as, users, town, form_post):
    url = reverse("plans:create") + f"?org={town['branch_a1'].pk}&year={YEAR}"
    a, b = client_as(users["secretary_a"]), client_as(users["town_admin"])
    a_form = a.get(url).context["form"]
    assert a_form["version"].value() == 0
    assert b.post(url, form_post(b.get(url).context["form"], text="镇党委代填：三会一课")).status_code == 302

    response = a.post(url, form_post(a_form, text="一、学习"))

    form = response.context["form"]
    assert form.non_field_errors() == [STALE.format(who="镇管理员")]
    shown = dict(form.stale.shown)
    assert (shown["计划内容"], shown["状态"], shown["备案人"]) == ("镇党委代填：三会一课", "已备案", "镇管理员")
    plan = WorkPlan.objects.get()
    assert (plan.text, plan.filed_by, plan.version) == ("镇党委代填：三会一课", users["town_admin"], 1)


def test_a_page_opened_before_a_return_does_not_file_over_it_unseen(client_as, users, town, form_post):
    plan = workplan_file(organization=town["branch_a1"], year=YEAR, by=users["secretary_a"], title="计划", text="一、学习")
    url = reverse("plans:create") + f"?org={town['branch_a1'].pk}&year={YEAR}"
    a = client_as(users["secretary_a"])
    a_form = a.get(url).context["form"]
    workplan_return(plan=plan, by=users["town_admin"], comment="请补充主题党日")

    response = a.post(url, form_post(a_form, text="一、学习；二、读书"))

    shown = dict(response.context["form"].stale.shown)
    assert (shown["状态"], shown["退回意见"]) == ("已退回", "请补充主题党日")
    plan.refresh_from_db()
    assert (plan.status, plan.text, plan.version) == ("returned", "一、学习", 2)
    # Having seen the return, the secretary files again: it goes through.
    assert a.post(url, form_post(response.context["form"], text="一、学习；二、读书")).status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.text, plan.version) == ("filed", "一、学习；二、读书", 3)


def test_a_stale_api_filing_answers_409_with_the_plan_as_it_is(api_as, users, town):
    body = {"organization": town["branch_a1"].pk, "year": YEAR, "title": "计划", "text": "一、学习", "version": 0}
    a, b = api_as(users["secretary_a"]), api_as(users["town_admin"])
    first = a.post("/plans", body).json()
    assert first["version"] == 1
    assert b.post("/plans", {**body, "text": "镇党委改：一、学习；二、实践", "version": 1}).status_code == 200

    response = a.post("/plans", {**body, "text": "一、学习；二、读书", "version": first["version"]})

    assert response.status_code == 409
    plan = WorkPlan.objects.get()
    assert response.json() == {
        "detail": STALE.format(who="镇管理员"),
        "current": {
            "title": "计划",
            "text": "镇党委改：一、学习；二、实践",
            "file": "",
            "status": "filed",
            "comment": "",
            "filed_by": users["town_admin"].pk,
            "filed_at": plan.filed_at.isoformat(),
            "version": 2,
        },
    }
    assert (plan.text, plan.version) == ("镇党委改：一、学习；二、实践", 2)


def test_an_api_filing_without_a_version_answers_422(api_as, users, town):
    body = {"organization": town["branch_a1"].pk, "year": YEAR, "title": "计划", "text": "一、学习"}
    response = api_as(users["secretary_a"]).post("/plans", body)
    assert (response.status_code, response.json()["errors"]) == (422, {"version": ["版本号未填写"]})
    assert not WorkPlan.objects.exists()
