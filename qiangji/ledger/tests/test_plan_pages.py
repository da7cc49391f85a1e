"""Rectification plan pages (一支部一方案): the year's list and to-do list, one plan, its items
with progress by the owner and checks by the liaison group or those above (never the owner)."""

import datetime as dt

import pytest
from django.urls import reverse

from qiangji import factories as f
from qiangji.ledger.models import GradeLevel, Measure, RectificationPlan
from qiangji.ledger.services import grade_set, measure_add, measure_progress, plan_save

TODAY = dt.date(2026, 11, 25)
YEAR = TODAY.year
PLANS = reverse("ledger:plans")


@pytest.fixture(autouse=True)
def _today(freeze_day):
    """Deadlines, "behind schedule" and the day an item is done are read against TODAY."""
    freeze_day(TODAY.isoformat())


def grade(admin, org, name, year=YEAR):
    return grade_set(by=admin, organization=org, year=year, level=GradeLevel.objects.get(name=name))


@pytest.fixture
def graded(users, town):
    """branch_a1 较好, branch_a2 一般, branch_b 差 (all need a plan), village_a 好 (none)."""
    admin = users["town_admin"]
    grade(admin, town["branch_a1"], "较好")
    grade(admin, town["branch_a2"], "一般")
    grade(admin, town["branch_b"], "差")
    grade(admin, town["village_a"], "好")


@pytest.fixture
def plan(users, town, graded):
    return plan_save(
        by=users["secretary_a"], organization=town["branch_a1"], year=YEAR, data={"analysis": "阵地开放不规范，群众知晓率低"}
    )


@pytest.fixture
def item(users, plan, owner):
    return measure_add(
        by=users["secretary_a"],
        plan=plan,
        data={"description": "制定党员活动室开放制度并公示", "owner": owner, "deadline": TODAY + dt.timedelta(days=30)},
    )


def add_behind_item(plan, owner, by):
    return measure_add(
        by=by,
        plan=plan,
        data={"description": "补齐组织生活记录", "owner": owner, "deadline": TODAY - dt.timedelta(days=2)},
        today=TODAY - dt.timedelta(days=20),
    )


def blocks(response):
    return [(name, [o.name for o in orgs]) for name, orgs in response.context["blocks"]]


# The year's list -----------------------------------------------------------------------------------


def test_the_town_sees_plans_and_who_has_none_by_liaison_group(client_as, users, town, plan, item, owner):
    add_behind_item(plan, owner, users["secretary_a"])
    response = client_as(users["town_admin"]).get(PLANS, {"year": YEAR})
    assert response.status_code == 200
    assert blocks(response) == [
        ("第一指导联络组", ["东村第二党支部"]),
        ("未分配指导联络组", ["竖新镇某某公司党支部"]),
    ]
    [row] = response.context["plans"]
    assert (row.organization.name, row.item_count, row.checked_count, row.behind_count) == ("东村第一党支部", 2, 0, 1)
    assert response.context["behind_count"] == 1
    assert 'class="table-warning"' in response.content.decode()


@pytest.mark.parametrize(
    "role, expected_blocks, expected_plans",
    [
        ("liaison", [("第一指导联络组", ["东村第二党支部"])], ["东村第一党支部"]),
        ("secretary_a", [("第一指导联络组", ["东村第二党支部"])], ["东村第一党支部"]),
        ("secretary_b", [("未分配指导联络组", ["竖新镇某某公司党支部"])], []),
    ],
)
def test_liaison_and_secretaries_see_their_scope(client_as, users, plan, role, expected_blocks, expected_plans):
    response = client_as(users[role]).get(PLANS, {"year": YEAR})
    assert response.status_code == 200
    assert blocks(response) == expected_blocks
    assert [p.organization.name for p in response.context["plans"]] == expected_plans


@pytest.mark.parametrize("role", ["member", "visitor"])
def test_members_and_visitors_have_no_plan_pages(client_as, users, town, plan, item, role):
    client = client_as(users[role])
    assert client.get(PLANS).status_code == 404
    assert client.get(reverse("ledger:plan_detail", args=[plan.pk])).status_code == 404
    assert client.get(reverse("ledger:plan_create"), {"org": town["branch_a2"].pk}).status_code == 404
    response = client.post(reverse("ledger:plan_item_progress", args=[plan.pk, item.pk]), {"progress": 50, "progress_note": "x"})
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.progress == 0


def test_anonymous_is_sent_to_login(client_as, plan):
    client = client_as(None)
    for url in (PLANS, reverse("ledger:plan_detail", args=[plan.pk]), reverse("ledger:plan_edit", args=[plan.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_plan_list_query_count_does_not_grow(client_as, users, town, owner, graded, django_assert_num_queries):
    client = client_as(users["town_admin"])
    # session, user, scope (3), plans, organizations without a plan, liaison groups, the bell.
    with django_assert_num_queries(9):
        client.get(PLANS, {"year": YEAR})
    for i in range(6):
        org = f.organization(name=f"新支部{i}", parent=town["village_a"])
        grade(users["town_admin"], org, "一般")
        if i % 2:
            p = plan_save(by=users["town_admin"], organization=org, year=YEAR, data={"analysis": "待补强"})
            add_behind_item(p, owner, users["town_admin"])
    with django_assert_num_queries(9):
        response = client.get(PLANS, {"year": YEAR})
    assert len(response.context["plans"]) == 3
    assert response.context["behind_count"] == 3


# Writing a plan ------------------------------------------------------------------------------------


def test_the_secretary_writes_the_plan_of_their_branch(client_as, users, town, graded):
    client = client_as(users["secretary_a"])
    url = reverse("ledger:plan_create") + f"?org={town['branch_a2'].pk}&year={YEAR}"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial == {"title": f"东村第二党支部{YEAR}年整改提升方案"}
    response = client.post(url, {"title": "", "analysis": "支部班子战斗力不强", "goals": "年底前晋位为较好"})
    saved = RectificationPlan.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("ledger:plan_detail", args=[saved.pk])
    assert (saved.organization, saved.year, saved.title, saved.analysis, saved.goals, saved.created_by) == (
        town["branch_a2"],
        YEAR,
        f"东村第二党支部{YEAR}年整改提升方案",
        "支部班子战斗力不强",
        "年底前晋位为较好",
        users["secretary_a"],
    )
    # A second "create" for the same organization and year opens the existing plan.
    again = client.get(url)
    assert again.status_code == 302
    assert again.url == reverse("ledger:plan_edit", args=[saved.pk])


def test_a_plan_without_its_analysis_is_refused(client_as, users, town, graded):
    url = reverse("ledger:plan_create") + f"?org={town['branch_a2'].pk}&year={YEAR}"
    response = client_as(users["secretary_a"]).post(url, {"title": "方案", "analysis": "  "})
    assert response.status_code == 400
    assert response.context["form"].errors["analysis"] == ["问题分析未填写"]
    assert RectificationPlan.objects.count() == 0


def test_a_secretary_of_another_branch_cannot_write_or_see_the_plan(client_as, users, town, plan):
    client = client_as(users["secretary_b"])
    create = reverse("ledger:plan_create") + f"?org={town['branch_a2'].pk}&year={YEAR}"
    assert client.get(create).status_code == 404
    assert client.post(create, {"analysis": "越权"}).status_code == 404
    assert client.get(reverse("ledger:plan_detail", args=[plan.pk])).status_code == 404
    assert client.post(reverse("ledger:plan_edit", args=[plan.pk]), {"analysis": "越权修改"}).status_code == 404
    plan.refresh_from_db()
    assert plan.analysis == "阵地开放不规范，群众知晓率低"
    assert RectificationPlan.objects.count() == 1


def test_the_liaison_group_above_edits_the_plan(client_as, users, plan):
    response = client_as(users["liaison"]).post(
        reverse("ledger:plan_edit", args=[plan.pk]),
        {"title": "", "analysis": "阵地开放不规范", "goals": "每周开放五天", "version": plan.version},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.analysis, plan.goals) == ("阵地开放不规范", "每周开放五天")


# Items: add, progress, check -------------------------------------------------------------------------


def test_the_secretary_adds_an_item(client_as, users, plan, owner):
    deadline = TODAY + dt.timedelta(days=60)
    response = client_as(users["secretary_a"]).post(
        reverse("ledger:plan_item_add", args=[plan.pk]),
        {"description": "每月第一个周六开展主题党日", "owner": owner.pk, "deadline": deadline.isoformat()},
    )
    assert response.status_code == 302
    item = plan.items.get()
    assert (item.description, item.owner, item.deadline, item.state, item.problem) == (
        "每月第一个周六开展主题党日",
        owner,
        deadline,
        Measure.State.OPEN,
        None,
    )


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"description": "补课", "deadline": "yesterday"}, "deadline", "完成时限不能早于今天"),
        ({"description": "", "deadline": "tomorrow"}, "description", "措施内容未填写"),
    ],
)
def test_a_bad_item_is_refused_and_nothing_is_added(client_as, users, plan, owner, data, field, message):
    dates = {"yesterday": TODAY - dt.timedelta(days=1), "tomorrow": TODAY + dt.timedelta(days=1)}
    response = client_as(users["secretary_a"]).post(
        reverse("ledger:plan_item_add", args=[plan.pk]),
        {"description": data["description"], "owner": owner.pk, "deadline": dates[data["deadline"]].isoformat()},
    )
    assert response.status_code == 400
    assert response.context["item_form"].errors[field] == [message]
    assert plan.items.count() == 0


def test_the_owner_reports_progress_and_cannot_check_their_own_item(client_as, users, plan, item, owner):
    client = client_as(owner)
    page = client.get(reverse("ledger:plan_detail", args=[plan.pk]))
    [shown] = page.context["items"]
    assert (shown.may_work, shown.may_check) == (True, False)
    response = client.post(
        reverse("ledger:plan_item_progress", args=[plan.pk, item.pk]), {"progress": "100", "progress_note": "制度已上墙"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.state, item.progress, item.progress_note, item.done_on) == (Measure.State.DONE, 100, "制度已上墙", TODAY)
    refused = client.post(reverse("ledger:plan_item_check", args=[plan.pk, item.pk]), {"passed": "1", "check_note": ""})
    assert refused.status_code == 400
    assert refused.context["check_form"].non_field_errors() == ["验收人不能是措施责任人"]
    item.refresh_from_db()
    assert (item.state, item.checked_by) == (Measure.State.DONE, None)


def test_progress_needs_a_note_and_a_figure_up_to_100(client_as, owner, plan, item):
    url = reverse("ledger:plan_item_progress", args=[plan.pk, item.pk])
    for data, field, message in (
        ({"progress": "50", "progress_note": ""}, "progress_note", "进展情况未填写"),
        ({"progress": "120", "progress_note": "过半"}, "progress", "确保该值小于或等于100。"),
    ):
        response = client_as(owner).post(url, data)
        assert response.status_code == 400
        assert response.context["progress_form"].errors[field] == [message]
    item.refresh_from_db()
    assert (item.progress, item.progress_note, item.state) == (0, "", Measure.State.OPEN)


def test_the_liaison_group_checks_a_done_item(client_as, users, plan, item, owner):
    measure_progress(measure=item, by=owner, progress=100, note="制度已上墙")
    client = client_as(users["liaison"])
    [shown] = client.get(reverse("ledger:plan_detail", args=[plan.pk])).context["items"]
    assert (shown.may_work, shown.may_check) == (False, True)
    url = reverse("ledger:plan_item_check", args=[plan.pk, item.pk])
    refused = client.post(url, {"passed": "0", "check_note": ""})
    assert refused.status_code == 400
    assert refused.context["check_form"].errors["check_note"] == ["请说明验收未通过的原因"]
    item.refresh_from_db()
    assert item.state == Measure.State.DONE
    response = client.post(url, {"passed": "1", "check_note": "现场查看属实"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.state, item.checked_by, item.checked_on, item.check_note) == (
        Measure.State.CHECKED,
        users["liaison"],
        TODAY,
        "现场查看属实",
    )
    listing = client.get(PLANS, {"year": YEAR})
    assert [(p.item_count, p.checked_count) for p in listing.context["plans"]] == [(1, 1)]


def test_a_failed_check_sends_the_item_back(client_as, users, plan, item, owner):
    measure_progress(measure=item, by=owner, progress=100, note="制度已上墙")
    response = client_as(users["secretary_a"]).post(
        reverse("ledger:plan_item_check", args=[plan.pk, item.pk]), {"passed": "0", "check_note": "制度未公示"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.state, item.done_on, item.check_note) == (Measure.State.OPEN, None, "制度未公示")


def test_the_plan_page_marks_items_behind_schedule(client_as, users, plan, item, owner):
    late = add_behind_item(plan, owner, users["secretary_a"])
    response = client_as(users["town_admin"]).get(reverse("ledger:plan_detail", args=[plan.pk]))
    behind = {i.description: i.behind for i in response.context["items"]}
    assert behind == {"补齐组织生活记录": True, "制定党员活动室开放制度并公示": False}
    assert f'id="plan-item-{late.pk}"' in response.content.decode()
    assert response.content.decode().count("已超期") == 1


def test_an_item_of_another_plan_is_not_found_through_this_one(client_as, users, town, plan, owner, graded):
    other = plan_save(by=users["town_admin"], organization=town["branch_b"], year=YEAR, data={"analysis": "党员教育薄弱"})
    foreign = measure_add(
        by=users["town_admin"],
        plan=other,
        data={"description": "开展集中轮训", "owner": users["secretary_b"], "deadline": TODAY + dt.timedelta(days=9)},
    )
    response = client_as(users["secretary_a"]).post(
        reverse("ledger:plan_item_progress", args=[plan.pk, foreign.pk]), {"progress": "100", "progress_note": "完成"}
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.progress == 0


def test_a_stale_plan_edit_is_refused_and_the_first_stays(client_as, users, plan, form_post):
    url = reverse("ledger:plan_edit", args=[plan.pk])
    a, b = client_as(users["secretary_a"]), client_as(users["liaison"])
    a_form = a.get(url).context["form"]
    assert b.post(url, form_post(b.get(url).context["form"], goals="每周开放五天")).status_code == 302

    response = a.post(url, form_post(a_form, analysis="阵地开放不规范"))

    assert response.status_code == 400
    form = response.context["form"]
    assert form.non_field_errors()[0].startswith("保存失败：这条记录在您打开后已被 联络员 于 ")
    shown = dict(form.stale.shown)
    assert (shown["问题分析"], shown["整改目标"]) == ("阵地开放不规范，群众知晓率低", "每周开放五天")
    plan.refresh_from_db()
    assert (plan.analysis, plan.goals, plan.version) == ("阵地开放不规范，群众知晓率低", "每周开放五天", 2)


def test_a_new_plan_page_does_not_replace_one_written_meanwhile(client_as, users, town, graded):
    url = reverse("ledger:plan_create") + f"?org={town['branch_a2'].pk}&year={YEAR}"
    a = client_as(users["secretary_a"])
    assert a.get(url).status_code == 200
    first = plan_save(by=users["liaison"], organization=town["branch_a2"], year=YEAR, data={"analysis": "组织生活不规范"})

    response = a.post(url, {"title": "", "analysis": "班子战斗力不强"})

    # The new-plan address now leads to the plan written meanwhile, to be read before editing.
    assert (response.status_code, response.url) == (302, reverse("ledger:plan_edit", args=[first.pk]))
    first.refresh_from_db()
    assert (first.analysis, first.version) == ("组织生活不规范", 1)
