"""Organization pages: the tree, one organization, create and edit, the Excel export."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qiangji import factories as f
from qiangji.core.models import AuditEvent, ChangeRecord
from qiangji.members.models import Member
from qiangji.orgs.models import Organization

NOT_A_CHOICE = "选择一个有效的选项： 该选择不在可用的选项中。"


@pytest.fixture(autouse=True)
def _fixed_today(freeze_day):
    """Term reminders are computed against 2026-06-01 in these tests."""
    freeze_day("2026-06-01")


def names(nodes):
    """The rendered tree as nested (name, [children]) tuples."""
    return [(o.name, names(o.nodes)) for o in nodes]


def test_tree_shows_the_visible_subtree_nested_with_member_totals(client_as, users, town):
    f.member(organization=town["branch_a2"], name="王五")
    f.member(organization=town["branch_b"], name="赵六")
    response = client_as(users["town_admin"]).get(reverse("orgs:tree"))
    assert response.status_code == 200
    assert names(response.context["roots"]) == [
        (
            "竖新镇党委",
            [
                (
                    "东村党总支",
                    [("东村第一党支部", [("东村第一党支部第一党小组", [])]), ("东村第二党支部", [])],
                ),
                ("竖新镇某某公司党支部", []),
            ],
        )
    ]
    root = response.context["roots"][0]
    village = root.nodes[0]
    assert (root.subtree_members, village.subtree_members, village.nodes[0].subtree_members) == (3, 2, 1)
    # The branch with its party group starts folded; the general branch does not.
    assert (village.folded, village.nodes[0].folded) == (False, True)


def test_tree_of_a_secretary_starts_at_their_own_organization(client_as, users, town):
    response = client_as(users["secretary_a"]).get(reverse("orgs:tree"))
    assert names(response.context["roots"]) == [
        ("东村党总支", [("东村第一党支部", [("东村第一党支部第一党小组", [])]), ("东村第二党支部", [])])
    ]
    assert response.context["can_create"] is True
    assert client_as(users["liaison"]).get(reverse("orgs:tree")).context["can_create"] is False


def test_tree_search_keeps_ancestors_dimmed(client_as, users, town):
    response = client_as(users["town_admin"]).get(reverse("orgs:tree"), {"q": "第二"})
    assert names(response.context["roots"]) == [("竖新镇党委", [("东村党总支", [("东村第二党支部", [])])])]
    assert [o.name for o in response.context["matched"]] == ["东村第二党支部"]
    root = response.context["roots"][0]
    assert (root.matched, root.nodes[0].matched, root.nodes[0].nodes[0].matched) == (False, False, True)
    assert "符合条件的党组织 1 个" in response.content.decode()


def test_tree_filters_by_kind_and_by_issue(client_as, users, town):
    client = client_as(users["town_admin"])
    groups = client.get(reverse("orgs:tree"), {"kind": "group"}).context["matched"]
    assert [o.name for o in groups] == ["东村第一党支部第一党小组"]
    # village_a's term ends 2026-11-01: within 6 months of 2026-06-01, not within one.
    ending = client.get(reverse("orgs:tree"), {"issue": "term_6m"}).context["matched"]
    assert [o.name for o in ending] == ["东村党总支"]
    assert client.get(reverse("orgs:tree"), {"issue": "term_1m"}).context["matched"] == []
    no_secretary = client.get(reverse("orgs:tree"), {"issue": "no_secretary"}).context["matched"]
    assert [o.name for o in no_secretary] == ["东村第一党支部", "东村第二党支部", "竖新镇某某公司党支部"]
    # An unknown filter value is ignored rather than failing the page.
    assert len(client.get(reverse("orgs:tree"), {"kind": "nonsense", "issue": "x"}).context["matched"]) == 6


def test_tree_hides_dissolved_organizations_unless_asked(client_as, users, town):
    f.organization(name="已撤销党支部", parent=town["town"], dissolved_on=dt.date(2024, 1, 1))
    client = client_as(users["town_admin"])
    assert "已撤销党支部" not in [o.name for o in client.get(reverse("orgs:tree")).context["matched"]]
    assert "已撤销党支部" in [o.name for o in client.get(reverse("orgs:tree"), {"dissolved": "1"}).context["matched"]]


def _build_branches(parent, count):
    for i in range(count):
        branch = f.organization(name=f"{parent.name}分支{i}", parent=parent)
        f.member(organization=branch, name=f"党员{i}")


def test_tree_query_count_does_not_grow_with_organizations(client_as, users, town, django_assert_num_queries):
    client = client_as(users["town_admin"])
    _build_branches(town["branch_b"].parent, 3)
    # session, user, the scope (grants, liaison groups, own member record), the tree, the inbox's
    # unread count.
    with django_assert_num_queries(7):
        assert client.get(reverse("orgs:tree")).status_code == 200
    _build_branches(town["village_a"], 30)
    with django_assert_num_queries(7):
        response = client.get(reverse("orgs:tree"))
    assert len(response.context["matched"]) == 6 + 33


def test_detail_shows_unit_leaders_children_and_masked_members(client_as, users, town):
    village = town["village_a"]
    village.unit = f.UnitFactory(name="东村村民委员会", kind="village")
    village.save()
    f.member(organization=village, name="张书记", party_post="secretary", phone="13900001111")
    f.member(organization=village, name="钱副书记", party_post="deputy_secretary")
    f.member(organization=village, name="孙委员", party_post="committee_member")
    response = client_as(users["secretary_a"]).get(reverse("orgs:detail", args=[village.pk]))
    body = response.content.decode()
    assert [(r["name"], r["post_label"]) for r in response.context["leaders"]] == [
        ("张书记", "书记"),
        ("钱副书记", "副书记"),
        ("孙委员", "委员"),
    ]
    assert [c.name for c in response.context["children"]] == ["东村第一党支部", "东村第二党支部"]
    assert [m.name for m in response.context["page"]] == ["钱副书记", "孙委员", "张书记"]
    assert "东村村民委员会" in body and "6个月内届满" in body and "每届5年" in body
    assert "139****1111" in body and "13900001111" not in body
    assert response.context["can_manage"] is True


def test_detail_for_a_member_shows_their_branch_without_the_member_table(client_as, users, town):
    response = client_as(users["member"]).get(reverse("orgs:detail", args=[town["branch_a1"].pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "本组织党员" not in body and "变更记录" not in body and "编辑" not in body
    assert response.context["can_manage"] is False


def test_create_branch_under_a_parent_keeps_history(client_as, users, town):
    client = client_as(users["secretary_a"])
    page = client.get(reverse("orgs:create"), {"parent": town["village_a"].pk})
    assert page.context["form"].initial == {"parent": town["village_a"].pk, "kind": "branch"}
    response = client.post(
        reverse("orgs:create"),
        {
            "name": " 东村第三党支部 ",
            "kind": "branch",
            "parent": town["village_a"].pk,
            "term_start": "2024-01-01",
            "term_end": "2029-01-01",
        },
    )
    created = Organization.objects.get(name="东村第三党支部")
    assert response.status_code == 302 and response["Location"] == reverse("orgs:detail", args=[created.pk])
    assert created.path == f"{town['village_a'].path}{created.pk}/"
    record = ChangeRecord.objects.get(object_id=created.pk, content_type__model="organization")
    assert (record.action, record.user, record.changes["name"]) == ("create", users["secretary_a"], [None, "东村第三党支部"])


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "kind": "branch"}, "name", "组织名称未填写"),
        ({"name": "新党小组", "kind": "group"}, "parent", "党小组不能设在党委之下"),
        ({"name": "东村第一党支部", "kind": "branch"}, "name", "已有同名党组织"),
        (
            {"name": "新支部", "kind": "branch", "term_start": "2025-01-01", "term_end": "2024-01-01"},
            "term_end",
            "届满日期应晚于本届任期开始日期",
        ),
        ({"name": "新支部", "kind": "branch", "term_end": "2025-13-40"}, "term_end", "输入一个有效的日期。"),
    ],
)
def test_create_with_bad_input_shows_chinese_errors_and_writes_nothing(client_as, users, town, data, field, message):
    before = (Organization.objects.count(), ChangeRecord.objects.count())
    response = client_as(users["town_admin"]).post(reverse("orgs:create"), {"parent": town["town"].pk, **data})
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert (Organization.objects.count(), ChangeRecord.objects.count()) == before


def test_only_a_town_admin_may_create_a_root(client_as, users, town):
    response = client_as(users["secretary_b"]).post(reverse("orgs:create"), {"name": "新镇党委", "kind": "committee"})
    assert response.context["form"].errors["parent"] == ["请选择上级组织"]
    assert not Organization.objects.filter(name="新镇党委").exists()
    response = client_as(users["town_admin"]).post(reverse("orgs:create"), {"name": "新镇党委", "kind": "committee"})
    root = Organization.objects.get(name="新镇党委")
    assert (response.status_code, response["Location"], root.parent, root.path) == (
        302,
        reverse("orgs:tree"),
        None,
        f"/{root.pk}/",
    )


def test_secretary_edits_own_organization_keeping_parent_above_their_grant(client_as, users, town):
    village = town["village_a"]
    client = client_as(users["secretary_a"])
    form = client.get(reverse("orgs:edit", args=[village.pk])).context["form"]
    assert [o.name for o in form.fields["parent"].queryset] == ["竖新镇党委"]
    response = client.post(
        reverse("orgs:edit", args=[village.pk]),
        {
            "name": "东村党总支",
            "kind": "general_branch",
            "parent": town["town"].pk,
            "village": village.village_id,
            "term_start": "2021-11-01",
            "term_end": "2026-12-01",
            "version": village.version,
        },
    )
    assert response.status_code == 302
    village.refresh_from_db()
    assert village.term_end == dt.date(2026, 12, 1)
    record = ChangeRecord.objects.get(object_id=village.pk, content_type__model="organization")
    assert (record.action, record.changes) == ("update", {"term_end": ["2026-11-01", "2026-12-01"]})
    history = client.get(reverse("orgs:detail", args=[village.pk])).content.decode()
    assert "2026-11-01" in history and "2026-12-01" in history and "东村书记" in history


def test_edit_cannot_move_an_organization_outside_the_users_grant(client_as, users, town):
    a1 = town["branch_a1"]
    response = client_as(users["secretary_a"]).post(
        reverse("orgs:edit", args=[a1.pk]), {"name": a1.name, "kind": "branch", "parent": town["town"].pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent"] == [NOT_A_CHOICE]
    a1.refresh_from_db()
    assert (a1.parent, ChangeRecord.objects.count()) == (town["village_a"], 0)


def test_export_lists_the_filtered_organizations_formula_safe(client_as, users, town):
    f.organization(name="=HYPERLINK(1)", parent=town["town"], term_end=dt.date(2026, 6, 20))
    f.member(organization=town["branch_b"], name="赵六")
    response = client_as(users["town_admin"]).get(reverse("orgs:export"), {"kind": "branch"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["组织名称", "组织类别", "上级组织"]
    assert [r[0] for r in rows[1:]] == ["东村第一党支部", "东村第二党支部", "竖新镇某某公司党支部", "'=HYPERLINK(1)"]
    assert rows[3][8:14] == ["未填届期", "否", 1, 1, 0, "未配备书记、正式党员不足3名"]
    assert rows[4][8] == "1个月内届满"
    # No personal data in it: nothing to audit.
    assert AuditEvent.objects.count() == 0


def test_members_of_an_organization_are_paged(client_as, users, town):
    for i in range(25):
        f.member(organization=town["branch_b"], name=f"党员{i:02d}")
    client = client_as(users["secretary_b"])
    first = client.get(reverse("orgs:detail", args=[town["branch_b"].pk]))
    second = client.get(reverse("orgs:detail", args=[town["branch_b"].pk]), {"page": 2})
    assert (first.context["page"].paginator.count, len(first.context["page"]), len(second.context["page"])) == (25, 20, 5)
    assert Member.objects.filter(organization=town["branch_b"]).count() == 25
