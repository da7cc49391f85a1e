"""The grading page (晋位升级) and the town's list of grades: who sees, who grades, counts, plan status."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from qiangji import factories as f
from qiangji.core.models import ChangeRecord
from qiangji.ledger.models import Grade, GradeLevel
from qiangji.ledger.services import grade_set, measure_add, plan_save
from qiangji.ledger.services.grades import grade_level_save

YEAR = 2026
GRADES = reverse("ledger:grades")
ALL_GRADED = ["东村党总支", "东村第一党支部", "东村第二党支部", "竖新镇某某公司党支部"]


def level(name):
    return GradeLevel.objects.get(name=name)


def names(response):
    return [row.organization.name for row in response.context["rows"]]


def save_url(org):
    return reverse("ledger:grade_save", args=[org.pk])


@pytest.mark.parametrize(
    "role, expected, can_grade",
    [
        ("town_admin", ALL_GRADED, True),
        ("liaison", ALL_GRADED[:3], False),
        ("secretary_a", ALL_GRADED[:3], False),
        ("secretary_b", ALL_GRADED[3:], False),
    ],
)
def test_each_role_sees_the_general_branches_and_branches_of_its_scope(client_as, users, role, expected, can_grade):
    response = client_as(users[role]).get(GRADES, {"year": YEAR})
    assert response.status_code == 200
    # Sorted: rows follow the tree's path, whose text order depends on the ids PostgreSQL hands out.
    assert sorted(names(response)) == sorted(expected)  # the committee and the Party group are not graded
    assert response.context["can_grade"] is can_grade
    assert ("grade-level-" in response.content.decode()) is can_grade


@pytest.mark.parametrize("role", ["member", "visitor"])
def test_members_and_visitors_have_no_grading_pages(client_as, users, town, role):
    client = client_as(users[role])
    assert client.get(GRADES).status_code == 404
    assert client.get(reverse("ledger:grade_levels")).status_code == 404
    assert client.post(save_url(town["branch_a1"]), {"year": YEAR, "level": level("好").pk}).status_code == 404
    assert Grade.objects.count() == 0


def test_anonymous_is_sent_to_login(client_as, town):
    client = client_as(None)
    for response in (
        client.get(GRADES),
        client.get(reverse("ledger:grade_levels")),
        client.post(save_url(town["branch_a1"]), {"year": YEAR, "level": 1}),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    assert Grade.objects.count() == 0


def test_the_town_grades_a_row_with_htmx_and_the_counts_follow(client_as, users, town):
    client = client_as(users["town_admin"])
    response = client.post(
        save_url(town["branch_a1"]), {"year": YEAR, "level": level("较好").pk, "note": "阵地作用发挥不够"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    grade = Grade.objects.get()
    assert (grade.organization, grade.year, grade.level.name, grade.note, grade.graded_by) == (
        town["branch_a1"],
        YEAR,
        "较好",
        "阵地作用发挥不够",
        users["town_admin"],
    )
    body = response.content.decode()
    assert f'id="grade-row-{town["branch_a1"].pk}"' in body
    assert 'id="grade-summary" class="card card-body mb-3" hx-swap-oob="true"' in body
    assert "未制定方案" in body
    summary = response.context["summary"]
    assert [(lv.name, n) for lv, n in summary["levels"]] == [("好", 0), ("较好", 1), ("一般", 0), ("差", 0)]
    assert (summary["ungraded"], summary["needing_plan"], summary["without_plan"], summary["behind"]) == (3, 1, 1, 0)
    assert ChangeRecord.objects.filter(object_repr=str(grade), action=ChangeRecord.Action.CREATE).count() == 1


def test_without_scripts_the_row_posts_back_to_the_page(client_as, users, town):
    client = client_as(users["town_admin"])
    grade_set(by=users["town_admin"], organization=town["branch_b"], year=YEAR, level=level("一般"))
    response = client.post(save_url(town["branch_b"]), {"year": YEAR, "level": level("好").pk, "note": ""})
    assert response.status_code == 302
    assert response.url == f"{GRADES}?year={YEAR}"
    assert Grade.objects.get(organization=town["branch_b"]).level.name == "好"


@pytest.mark.parametrize("role", ["liaison", "secretary_a"])
def test_liaison_and_secretaries_cannot_grade(client_as, users, town, role):
    grade_set(by=users["town_admin"], organization=town["branch_a1"], year=YEAR, level=level("好"))
    response = client_as(users[role]).post(save_url(town["branch_a1"]), {"year": YEAR, "level": level("差").pk})
    assert response.status_code == 404
    assert Grade.objects.get().level.name == "好"


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "请选择等次"),
        ({"level": "999"}, "请选择启用中的等次"),
    ],
)
def test_a_bad_grade_is_refused_in_chinese_and_nothing_is_saved(client_as, users, town, data, message):
    response = client_as(users["town_admin"]).post(save_url(town["branch_a1"]), {"year": YEAR, **data}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.context["row_error"] == message
    assert message in response.content.decode()
    assert Grade.objects.count() == 0


def test_a_switched_off_level_cannot_be_given(client_as, users, town):
    old = level("差")
    old.active = False
    old.save()
    response = client_as(users["town_admin"]).post(save_url(town["branch_a1"]), {"year": YEAR, "level": old.pk})
    assert response.status_code == 302
    assert Grade.objects.count() == 0


def test_a_party_group_or_the_committee_is_not_graded(client_as, users, town):
    client = client_as(users["town_admin"])
    for org in (town["group_a1"], town["town"]):
        assert client.post(save_url(org), {"year": YEAR, "level": level("好").pk}).status_code == 404
    assert Grade.objects.count() == 0


def test_plan_status_of_those_needing_a_plan(client_as, users, town, owner):
    admin = users["town_admin"]
    grade_set(by=admin, organization=town["branch_a1"], year=YEAR, level=level("较好"))
    grade_set(by=admin, organization=town["branch_a2"], year=YEAR, level=level("一般"))
    grade_set(by=admin, organization=town["village_a"], year=YEAR, level=level("差"))
    grade_set(by=admin, organization=town["branch_b"], year=YEAR, level=level("好"))
    today = timezone.localdate()
    behind = plan_save(by=admin, organization=town["branch_a2"], year=YEAR, data={"analysis": "组织生活不规范"})
    measure_add(
        by=admin,
        plan=behind,
        data={"description": "每月按时开展主题党日", "owner": owner, "deadline": today - dt.timedelta(days=3)},
        today=today - dt.timedelta(days=10),
    )
    on_track = plan_save(by=admin, organization=town["village_a"], year=YEAR, data={"analysis": "班子结构老化"})
    measure_add(
        by=admin,
        plan=on_track,
        data={"description": "培养后备干部两名", "owner": owner, "deadline": today + dt.timedelta(days=30)},
    )
    response = client_as(admin).get(GRADES, {"year": YEAR})
    status = {row.organization.name: row.plan_status for row in response.context["rows"]}
    assert status == {"东村党总支": "filed", "东村第一党支部": "none", "东村第二党支部": "behind", "竖新镇某某公司党支部": ""}
    summary = response.context["summary"]
    assert [(lv.name, n) for lv, n in summary["levels"]] == [("好", 1), ("较好", 1), ("一般", 1), ("差", 1)]
    assert (summary["ungraded"], summary["needing_plan"], summary["without_plan"], summary["behind"]) == (0, 3, 1, 1)
    # Another year is graded apart.
    other = client_as(admin).get(GRADES, {"year": YEAR - 1})
    assert [row.grade for row in other.context["rows"]] == [None, None, None, None]


def test_grading_page_query_count_does_not_grow_with_organizations(client_as, users, town, django_assert_num_queries):
    client = client_as(users["town_admin"])
    # session, user, scope (3), organizations, grades, plans, levels, the bell's unread count.
    with django_assert_num_queries(10):
        client.get(GRADES, {"year": YEAR})
    for i in range(8):
        org = f.organization(name=f"新支部{i}", parent=town["village_a"])
        grade_set(by=users["town_admin"], organization=org, year=YEAR, level=level("一般"))
        plan_save(by=users["town_admin"], organization=org, year=YEAR, data={"analysis": "待补强"})
    with django_assert_num_queries(10):
        response = client.get(GRADES, {"year": YEAR})
    assert len(response.context["rows"]) == 12


# The town's list of grades ------------------------------------------------------------------------


def test_the_town_adds_a_grade_level(client_as, users):
    client = client_as(users["town_admin"])
    page = client.get(reverse("ledger:grade_levels"))
    assert [lv.name for lv in page.context["levels"]] == ["好", "较好", "一般", "差"]
    response = client.post(reverse("ledger:grade_levels"), {"name": "示范", "rank": "5", "needs_plan": "", "active": "on"})
    assert response.status_code == 302
    added = GradeLevel.objects.get(name="示范")
    assert (added.rank, added.needs_plan, added.active) == (5, False, True)
    record = ChangeRecord.objects.get(object_repr="示范")
    assert record.changes == {"name": [None, "示范"], "rank": [None, 5], "needs_plan": [None, False], "active": [None, True]}


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"name": "好", "rank": "9"}, "name", "已有名为“好”的等次"),
        ({"name": "示范", "rank": "2"}, "rank", "排序2已被其他等次使用"),
        ({"name": "", "rank": "5"}, "name", "等次名称未填写"),
        ({"name": "示范", "rank": "0"}, "rank", "确保该值大于或等于1。"),
    ],
)
def test_a_bad_grade_level_is_refused_and_nothing_is_added(client_as, users, data, field, message):
    response = client_as(users["town_admin"]).post(reverse("ledger:grade_levels"), data)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert list(GradeLevel.objects.values_list("name", flat=True)) == ["好", "较好", "一般", "差"]


def test_the_town_switches_a_level_off_and_it_leaves_the_choices(client_as, users, town):
    client = client_as(users["town_admin"])
    bad = level("差")
    response = client.post(
        reverse("ledger:grade_level_edit", args=[bad.pk]),
        {"name": "差", "rank": "4", "needs_plan": "on", "active": "", "version": bad.version},
    )
    assert response.status_code == 302
    bad.refresh_from_db()
    assert (bad.active, bad.needs_plan) == (False, True)
    page = client.get(GRADES)
    assert [lv.name for lv in page.context["active_levels"]] == ["好", "较好", "一般"]


@pytest.mark.parametrize("role", ["liaison", "secretary_a", "secretary_b"])
def test_only_the_town_edits_levels(client_as, users, role):
    client = client_as(users[role])
    good = level("好")
    assert client.get(reverse("ledger:grade_levels")).status_code == 404
    assert client.post(reverse("ledger:grade_levels"), {"name": "示范", "rank": "5"}).status_code == 404
    assert client.post(reverse("ledger:grade_level_edit", args=[good.pk]), {"name": "优", "rank": "1"}).status_code == 404
    assert list(GradeLevel.objects.values_list("name", flat=True)) == ["好", "较好", "一般", "差"]
    with pytest.raises(PermissionDenied):
        grade_level_save(by=users[role], level=good, data={"name": "优", "rank": 1, "active": True})
    good.refresh_from_db()
    assert good.name == "好"


def test_the_grading_pages_mark_their_own_navigation_entry(client_as, users):
    client = client_as(users["town_admin"])
    for url in (GRADES, reverse("ledger:grade_levels"), reverse("ledger:plans")):
        body = client.get(url).content.decode()
        assert body.count('aria-current="page"><i class="bi bi-award" aria-hidden="true"></i> 晋位升级') == 1
        assert body.count(' active" href=') == 1


def test_a_stale_level_edit_is_refused_and_the_first_stays(client_as, users, freeze_day, form_post):
    freeze_day("2026-11-25")
    bad = level("差")
    url = reverse("ledger:grade_level_edit", args=[bad.pk])
    a, b = client_as(users["town_admin"]), client_as(users["town_admin"])
    a_form = a.get(url).context["form"]
    assert b.post(url, form_post(b.get(url).context["form"], active=None)).status_code == 302

    response = a.post(url, form_post(a_form, name="较差"))

    assert response.status_code == 400
    form = response.context["form"]
    assert form.non_field_errors() == [
        "保存失败：这条记录在您打开后已被 镇管理员 于 2026-11-25 10:00 修改，以下是现在的内容，请核对后再保存。"
    ]
    assert dict(form.stale.shown) == {"等次": "差", "排序（1为最好）": "4", "需制定整改方案": "是", "启用": "否"}
    bad.refresh_from_db()
    assert (bad.name, bad.active, bad.version) == ("差", False, 2)


def test_a_fresh_level_edit_is_saved(client_as, users, form_post):
    bad = level("差")
    url = reverse("ledger:grade_level_edit", args=[bad.pk])
    client = client_as(users["town_admin"])
    assert client.post(url, form_post(client.get(url).context["form"], name="较差")).status_code == 302
    bad.refresh_from_db()
    assert (bad.name, bad.version) == ("较差", 2)
