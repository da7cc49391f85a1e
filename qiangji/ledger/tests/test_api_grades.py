"""Grades (晋位升级) and rectification plans (一支部一方案) over the API: per role, exact answers,
bad input and refused writes with nothing changed."""

import datetime as dt

import pytest
from django.utils import timezone

from qiangji.core.models import ChangeRecord
from qiangji.ledger.models import Grade, GradeLevel, Measure, RectificationPlan
from qiangji.ledger.services import grade_set, measure_add, plan_save

ROLES = ["town_admin", "liaison", "secretary_a", "secretary_b", "member", "visitor"]


@pytest.fixture
def year():
    return timezone.localdate().year


@pytest.fixture
def levels():
    return {level.name: level for level in GradeLevel.objects.all()}


@pytest.fixture
def graded(town, users, levels, year):
    """A1 较好 (needs a plan), A2 好, the company branch 一般 (needs a plan)."""
    admin = users["town_admin"]
    grade_set(by=admin, organization=town["branch_a1"], year=year, level=levels["较好"], note="阵地建设有短板")
    grade_set(by=admin, organization=town["branch_a2"], year=year, level=levels["好"])
    grade_set(by=admin, organization=town["branch_b"], year=year, level=levels["一般"])


def grades_state():
    return (
        list(Grade.objects.order_by("id").values_list("organization__name", "year", "level__name", "note")),
        list(RectificationPlan.objects.order_by("id").values_list("organization__name", "year", "title", "analysis", "goals")),
        Measure.objects.count(),
        ChangeRecord.objects.count(),
    )


# Levels and grades ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_levels_for_every_signed_in_user(role, api_as, users):
    response = api_as(users[role]).get("/grades/levels")
    assert response.status_code == 200
    assert response.json() == [
        {"name": "好", "rank": 1, "needs_plan": False, "active": True},
        {"name": "较好", "rank": 2, "needs_plan": True, "active": True},
        {"name": "一般", "rank": 3, "needs_plan": True, "active": True},
        {"name": "差", "rank": 4, "needs_plan": True, "active": True},
    ]
    assert api_as(None).get("/grades/levels").status_code == 401


@pytest.mark.parametrize(
    "role,status,names",
    [
        ("town_admin", 200, ["东村第一党支部", "东村第二党支部", "竖新镇某某公司党支部"]),
        ("liaison", 200, ["东村第一党支部", "东村第二党支部"]),
        ("secretary_a", 200, ["东村第一党支部", "东村第二党支部"]),
        ("secretary_b", 200, ["竖新镇某某公司党支部"]),
        ("member", 403, None),
        ("visitor", 403, None),
        ("anonymous", 401, None),
    ],
)
def test_grades_per_role(role, status, names, api_as, users, graded, year):
    response = api_as(users[role]).get("/grades", {"year": year})
    assert response.status_code == status
    if names is not None:
        assert [g["organization_name"] for g in response.json()] == names


def test_grades_exact_and_other_year_empty(api_as, users, town, graded, year):
    client = api_as(users["town_admin"])
    first = client.get("/grades", {"year": year}).json()[0]
    assert first == {
        "organization": town["branch_a1"].pk,
        "organization_name": "东村第一党支部",
        "year": year,
        "level": "较好",
        "needs_plan": True,
        "note": "阵地建设有短板",
    }
    assert client.get("/grades", {"year": year - 1}).json() == []
    response = client.get("/grades", {"year": 1999})
    assert (response.status_code, response.json()["errors"]) == (422, {"year": [f"年份应在 2000 至 {year + 1} 之间。"]})


def test_town_admin_sets_and_corrects_a_grade(api_as, users, town, year):
    client = api_as(users["town_admin"])
    response = client.put(f"/grades/{town['branch_a1'].pk}/{year}", {"level": "较好", "note": "阵地建设有短板"})
    assert response.status_code == 200
    assert response.json() == {
        "organization": town["branch_a1"].pk,
        "organization_name": "东村第一党支部",
        "year": year,
        "level": "较好",
        "needs_plan": True,
        "note": "阵地建设有短板",
    }
    response = client.put(f"/grades/{town['branch_a1'].pk}/{year}", {"level": "好"})
    assert response.json()["level"] == "好"
    grade = Grade.objects.get()
    assert (grade.level.name, grade.note, grade.graded_by) == ("好", "", users["town_admin"])
    assert list(ChangeRecord.objects.filter(object_id=grade.pk).values_list("action", "source").order_by("id")) == [
        ("create", "api"),
        ("update", "api"),
    ]


@pytest.mark.parametrize(
    "role,status,detail",
    [
        ("liaison", 403, "只有镇党委可以评定等次"),
        ("secretary_a", 403, "只有镇党委可以评定等次"),
        ("secretary_b", 404, "对象不存在，或您无权访问。"),
        ("member", 403, "只有镇党委可以评定等次"),  # a member sees their own branch, no more
        ("visitor", 404, "对象不存在，或您无权访问。"),
        ("anonymous", 401, "请先登录，或在请求头中提供有效的接口令牌（Authorization: Bearer 令牌）。"),
    ],
)
def test_only_the_town_grades(role, status, detail, api_as, users, town, year, graded):
    before = grades_state()
    response = api_as(users[role]).put(f"/grades/{town['branch_a1'].pk}/{year}", {"level": "差"})
    assert (response.status_code, response.json()["detail"]) == (status, detail)
    assert grades_state() == before


@pytest.mark.parametrize(
    "target,body,status,errors_or_detail",
    [
        ("branch_a1", {"level": "优秀"}, 422, {"level": ["没有名为“优秀”的等次，可选：好、较好、一般、差。"]}),
        ("branch_a1", {"level": "好", "extra": 1}, 422, {"extra": ["不支持该字段。"]}),
        ("town", {"level": "好"}, 409, "晋位升级评定的对象是党总支和党支部"),
    ],
)
def test_bad_grades_change_nothing(target, body, status, errors_or_detail, api_as, users, town, year):
    response = api_as(users["town_admin"]).put(f"/grades/{town[target].pk}/{year}", body)
    assert response.status_code == status
    if status == 422:
        assert response.json()["errors"] == errors_or_detail
    else:
        assert response.json() == {"detail": errors_or_detail}
    assert grades_state() == ([], [], 0, 0)


def test_an_inactive_level_is_refused(api_as, users, town, year, levels):
    GradeLevel.objects.filter(name="差").update(active=False)
    response = api_as(users["town_admin"]).put(f"/grades/{town['branch_a1'].pk}/{year}", {"level": "差"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["level"]
    assert grades_state() == ([], [], 0, 0)


# Plans ---------------------------------------------------------------------------------------


def plan_body(town, year, **overrides):
    return {"organization": town["branch_a1"].pk, "year": year, "analysis": "阵地使用率低，党员参与不足", **overrides}


@pytest.mark.parametrize("role", ["town_admin", "liaison", "secretary_a"])
def test_plan_written_by_the_organization_and_those_above(role, api_as, users, town, year, graded):
    client = api_as(users[role])
    response = client.post("/rectification-plans", plan_body(town, year))
    assert response.status_code == 201
    plan = RectificationPlan.objects.get()
    assert response.json() == {
        "id": plan.pk,
        "organization": town["branch_a1"].pk,
        "organization_name": "东村第一党支部",
        "year": year,
        "title": f"东村第一党支部{year}年整改提升方案",
        "analysis": "阵地使用率低，党员参与不足",
        "goals": "",
        "item_count": 0,
        "checked_count": 0,
        "behind_count": 0,
        "version": 1,
        "items": [],
    }
    # Saving again for the same organization and year, with the version read, edits the one plan.
    response = client.post("/rectification-plans", plan_body(town, year, goals="年底前晋位为“好”", version=1))
    assert (response.status_code, response.json()["id"], response.json()["goals"]) == (200, plan.pk, "年底前晋位为“好”")
    assert RectificationPlan.objects.count() == 1


@pytest.mark.parametrize(
    "role,status",
    [("secretary_b", 404), ("member", 403), ("visitor", 404), ("anonymous", 401)],
)
def test_plan_denied(role, status, api_as, users, town, year, graded):
    before = grades_state()
    response = api_as(users[role]).post("/rectification-plans", plan_body(town, year))
    assert response.status_code == status
    if status == 403:
        assert response.json() == {"detail": "您无权编写该党组织的整改方案"}
    assert grades_state() == before


def test_plan_bad_input_changes_nothing(api_as, users, town, year, graded):
    before = grades_state()
    client = api_as(users["town_admin"])
    response = client.post("/rectification-plans", plan_body(town, year, analysis=""))
    assert (response.status_code, list(response.json()["errors"])) == (422, ["analysis"])
    response = client.post("/rectification-plans", plan_body(town, 1990))
    assert (response.status_code, list(response.json()["errors"])) == (422, ["year"])
    response = client.post("/rectification-plans", plan_body(town, year, title="方" * 101))
    assert (response.status_code, list(response.json()["errors"])) == (422, ["title"])
    assert grades_state() == before


@pytest.fixture
def plan(town, users, year, graded):
    return plan_save(by=users["secretary_a"], organization=town["branch_a1"], year=year, data={"analysis": "阵地使用率低"})


def test_plan_put(api_as, users, plan):
    response = api_as(users["secretary_a"]).put(
        f"/rectification-plans/{plan.pk}", {"title": "一支部整改方案", "analysis": "阵地使用率低", "goals": "晋位", "version": 1}
    )
    assert response.status_code == 200
    plan.refresh_from_db()
    assert (plan.title, plan.goals) == ("一支部整改方案", "晋位")
    before = grades_state()
    assert (
        api_as(users["secretary_b"]).put(f"/rectification-plans/{plan.pk}", {"analysis": "改", "version": 2}).status_code == 404
    )
    assert api_as(users["member"]).put(f"/rectification-plans/{plan.pk}", {"analysis": "改", "version": 2}).status_code == 404
    assert grades_state() == before


@pytest.mark.parametrize(
    "role,status",
    [("town_admin", 201), ("liaison", 201), ("secretary_a", 201), ("secretary_b", 404), ("member", 404), ("anonymous", 401)],
)
def test_plan_items_per_role(role, status, api_as, users, plan, owner):
    deadline = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    body = {"description": "每月开放活动室不少于8次", "owner": owner.pk, "deadline": deadline}
    response = api_as(users[role]).post(f"/rectification-plans/{plan.pk}/items", body)
    assert response.status_code == status
    if status == 201:
        item = Measure.objects.get()
        assert (item.plan, item.problem, item.owner, item.description) == (plan, None, owner, "每月开放活动室不少于8次")
        assert (response.json()["plan"], response.json()["state"]) == (plan.pk, "open")
    else:
        assert Measure.objects.count() == 0


def test_plan_item_bad_input_is_422(api_as, users, plan, owner, town):
    client = api_as(users["secretary_a"])
    deadline = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = client.post(
        f"/rectification-plans/{plan.pk}/items", {"description": "专人管理", "owner": owner.pk, "deadline": "明年"}
    )
    assert (response.status_code, response.json()["errors"]) == (422, {"deadline": ["请输入有效的日期（格式：YYYY-MM-DD）。"]})
    response = client.post(f"/rectification-plans/{plan.pk}/items", {"description": "", "owner": 999999, "deadline": deadline})
    assert (response.status_code, sorted(response.json()["errors"])) == (422, ["description", "owner"])
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post(
        f"/rectification-plans/{plan.pk}/items", {"description": "专人管理", "owner": owner.pk, "deadline": yesterday}
    )
    assert (response.status_code, response.json()) == (409, {"detail": "完成时限不能早于今天"})
    assert Measure.objects.count() == 0


def test_plan_items_are_progressed_and_checked_by_the_liaison_group(api_as, users, plan, owner):
    today = timezone.localdate()
    item = measure_add(by=users["secretary_a"], plan=plan, data={"description": "专人管理", "owner": owner, "deadline": today})
    response = api_as(owner).post(f"/measures/{item.pk}/progress", {"progress": 100, "progress_note": "已落实"})
    assert response.json()["state"] == "done"
    response = api_as(users["liaison"]).post(f"/measures/{item.pk}/check", {"passed": True, "check_note": "属实"})
    assert (response.status_code, response.json()["state"], response.json()["checked_by"]) == (200, "checked", "联络员")


@pytest.mark.parametrize(
    "role,status,plans",
    [
        ("town_admin", 200, ["东村第一党支部"]),
        ("liaison", 200, ["东村第一党支部"]),
        ("secretary_a", 200, ["东村第一党支部"]),
        ("secretary_b", 200, []),
        ("member", 403, None),
        ("visitor", 403, None),
        ("anonymous", 401, None),
    ],
)
def test_plan_list_per_role(role, status, plans, api_as, users, plan, year):
    response = api_as(users[role]).get("/rectification-plans", {"year": year})
    assert response.status_code == status
    if plans is not None:
        assert [p["organization_name"] for p in response.json()] == plans


def test_plan_list_counts_items_and_behind(api_as, users, plan, owner, year):
    today = timezone.localdate()
    items = [
        measure_add(by=users["town_admin"], plan=plan, data={"description": f"事项{i}", "owner": owner, "deadline": today})
        for i in range(3)
    ]
    # Two of them fell behind (deadline passed, still open); one is checked.
    Measure.objects.filter(pk__in=[items[0].pk, items[1].pk]).update(deadline=today - dt.timedelta(days=1))
    Measure.objects.filter(pk=items[2].pk).update(state=Measure.State.CHECKED)
    row = api_as(users["town_admin"]).get("/rectification-plans", {"year": year}).json()[0]
    assert (row["item_count"], row["checked_count"], row["behind_count"]) == (3, 1, 2)
    detail = api_as(users["town_admin"]).get(f"/rectification-plans/{plan.pk}").json()
    assert (detail["item_count"], detail["checked_count"], detail["behind_count"]) == (3, 1, 2)
    assert [i["behind"] for i in detail["items"]] == [True, True, False]


@pytest.mark.parametrize(
    "role,status,missing",
    [
        ("town_admin", 200, [("竖新镇某某公司党支部", "一般")]),
        ("liaison", 200, []),
        ("secretary_a", 403, None),
        ("secretary_b", 403, None),
        ("member", 403, None),
        ("visitor", 403, None),
        ("anonymous", 401, None),
    ],
)
def test_missing_plans_per_role(role, status, missing, api_as, users, plan, year):
    response = api_as(users[role]).get("/rectification-plans/missing", {"year": year})
    assert response.status_code == status
    if missing is not None:
        assert response.json()["year"] == year
        assert [(o["name"], o["level"]) for o in response.json()["organizations"]] == missing


def test_missing_plans_before_any_plan(api_as, users, graded, year, town):
    response = api_as(users["town_admin"]).get("/rectification-plans/missing", {"year": year})
    assert response.json() == {
        "year": year,
        "organizations": [
            {"id": town["branch_a1"].pk, "name": "东村第一党支部", "level": "较好"},
            {"id": town["branch_b"].pk, "name": "竖新镇某某公司党支部", "level": "一般"},
        ],
    }


def test_a_stale_plan_put_answers_409_with_the_current_values(api_as, users, plan, town, year):
    a, b = api_as(users["secretary_a"]), api_as(users["liaison"])
    read = a.get(f"/rectification-plans/{plan.pk}").json()
    assert (
        b.put(f"/rectification-plans/{plan.pk}", {"analysis": "阵地使用率低", "goals": "晋位", "version": 1}).status_code == 200
    )

    response = a.put(f"/rectification-plans/{plan.pk}", {"analysis": "组织生活不规范", "version": read["version"]})

    assert response.status_code == 409
    body = response.json()
    assert body["detail"].startswith("保存失败：这条记录在您打开后已被 联络员 于 ")
    assert body["current"] == {
        "title": f"东村第一党支部{year}年整改提升方案",
        "analysis": "阵地使用率低",
        "goals": "晋位",
        "version": 2,
    }
    plan.refresh_from_db()
    assert (plan.analysis, plan.goals) == ("阵地使用率低", "晋位")


def test_a_plan_put_without_a_version_answers_422(api_as, users, plan):
    response = api_as(users["secretary_a"]).put(f"/rectification-plans/{plan.pk}", {"analysis": "改"})
    assert (response.status_code, response.json()["errors"]) == (422, {"version": ["版本号未填写"]})
    plan.refresh_from_db()
    assert (plan.analysis, plan.version) == ("阵地使用率低", 1)


def test_a_plan_post_without_a_version_does_not_replace_the_existing_plan(api_as, users, plan, town, year):
    response = api_as(users["liaison"]).post("/rectification-plans", plan_body(town, year, analysis="另写一份"))
    assert response.status_code == 409
    assert response.json()["current"]["analysis"] == "阵地使用率低"
    plan.refresh_from_db()
    assert (plan.analysis, plan.version) == ("阵地使用率低", 1)
