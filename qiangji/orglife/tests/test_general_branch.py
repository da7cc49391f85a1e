"""General branches (党总支) owe nothing by default; a town may ask it of them in the requirement table."""

import datetime as dt

import pytest
from django.urls import reverse

from qiangji.core.errors import DomainError
from qiangji.core.models import ChangeRecord
from qiangji.orglife.compliance import HELD, MISSED, NOT_REQUIRED, PENDING, compliance_grid, compliance_grids
from qiangji.orglife.models import Meeting, Requirement
from qiangji.orglife.services import requirement_update
from qiangji.orglife.tests.conftest import hold

K = Meeting.Kind
END_OF_2025 = dt.date(2025, 12, 31)


def general_committee():
    return Requirement.objects.get(kind=K.COMMITTEE_MEETING, applies_to="general_branch")


def by_label(rows):
    return {r.requirement.get_kind_display(): [c.status for c in r.cells] for r in rows if r.required}


def test_by_default_a_general_branch_owes_nothing(town):
    rows = compliance_grid(town["village_a"], year=2025, today=END_OF_2025)
    assert by_label(rows) == {}
    assert [r.requirement.get_kind_display() for r in rows] == [
        "支部党员大会",
        "支委会",
        "党小组会",
        "党课",
        "主题党日",
        "组织生活会",
    ]


def test_switched_on_the_general_branch_committee_is_owed_monthly_by_general_branches_only(town):
    requirement_update(requirement=general_committee(), by=None, data={"active": True})
    hold(town["village_a"], K.COMMITTEE_MEETING, dt.date(2025, 1, 9))
    hold(town["village_a"], K.COMMITTEE_MEETING, dt.date(2025, 3, 9))
    grids = compliance_grids([town["village_a"], town["branch_a1"], town["group_a1"]], year=2025, today=dt.date(2025, 3, 20))
    assert by_label(grids[town["village_a"].pk]) == {"总支委员会": [HELD, MISSED, HELD] + [PENDING] * 9}
    # Branches and groups keep exactly what they owed before.
    assert set(by_label(grids[town["branch_a1"].pk])) == {"支部党员大会", "党课", "主题党日", "组织生活会"}
    assert set(by_label(grids[town["group_a1"].pk])) == {"党小组会"}
    general_row = next(r for r in grids[town["branch_a1"].pk] if r.requirement.applies_to == "general_branch")
    assert [c.status for c in general_row.cells] == [NOT_REQUIRED] * 12


def test_general_branch_labels():
    assert Requirement(kind="committee_meeting", applies_to="general_branch").get_kind_display() == "总支委员会"
    assert Requirement(kind="assembly", applies_to="general_branch").get_kind_display() == "党总支党员大会"
    assert Requirement(kind="lecture", applies_to="general_branch").get_kind_display() == "党课（党总支）"
    assert Requirement(kind="committee_meeting", applies_to="committee_branch").get_kind_display() == "支委会"
    assert str(Requirement(kind="committee_meeting", applies_to="general_branch", period="month", minimum_count=1)) == (
        "总支委员会：每个党总支每月至少1次"
    )


def test_one_kind_is_asked_only_once_of_each_kind_of_organization(db):
    row = general_committee()
    with pytest.raises(DomainError) as caught:
        requirement_update(requirement=row, by=None, data={"applies_to": "committee_branch"})
    assert caught.value.message == "已有适用于“设支委会的党支部”的支委会要求，请直接修改那一条"
    assert (Requirement.objects.get(pk=row.pk).applies_to, ChangeRecord.objects.count()) == ("general_branch", 0)


def test_requirement_page_turns_it_on_and_refuses_a_duplicate(client_as, users):
    client = client_as(users["town_admin"])
    row = general_committee()
    page = client.get(reverse("orglife:requirements")).content.decode()
    assert "每个党总支" in page and "总支委员会" in page
    url = reverse("orglife:requirement_edit", args=[row.pk])
    response = client.post(
        url, {"applies_to": "committee_branch", "period": "month", "minimum_count": 1, "active": "on", "version": row.version}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["applies_to"] == ["已有适用于“设支委会的党支部”的支委会要求，请直接修改那一条"]
    row.refresh_from_db()
    assert (row.applies_to, row.active, ChangeRecord.objects.count()) == ("general_branch", False, 0)
    response = client.post(
        url, {"applies_to": "general_branch", "period": "month", "minimum_count": 1, "active": "on", "version": row.version}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.active is True
    record = ChangeRecord.objects.get(content_type__model="requirement")
    assert record.changes == {"active": [False, True]}


@pytest.mark.parametrize("role", ["secretary_a", "liaison", "member"])
def test_only_the_town_admin_switches_it_on(client_as, users, role):
    row = general_committee()
    data = {"applies_to": "general_branch", "period": "month", "minimum_count": 1, "active": "on", "version": row.version}
    assert client_as(users[role]).post(reverse("orglife:requirement_edit", args=[row.pk]), data).status_code == 404
    row.refresh_from_db()
    assert (row.active, ChangeRecord.objects.count()) == (False, 0)


def test_a_general_branch_records_its_own_committee_meeting(town, users):
    from qiangji.orglife.services import meeting_schedule

    meeting = meeting_schedule(
        by=users["secretary_a"],
        data={
            "organization": town["village_a"],
            "kind": K.COMMITTEE_MEETING,
            "status": Meeting.Status.HELD,
            "date": dt.date(2025, 4, 8),
            "topic": "研究部署二季度党建工作",
        },
        today=END_OF_2025,
    )
    assert (meeting.organization, meeting.kind) == (town["village_a"], K.COMMITTEE_MEETING)
    with pytest.raises(DomainError, match="组织生活由党总支、党支部或党小组开展"):
        meeting_schedule(
            by=users["town_admin"],
            data={"organization": town["town"], "kind": K.ASSEMBLY, "date": dt.date(2025, 4, 8), "topic": "x"},
            today=END_OF_2025,
        )
    assert Meeting.objects.count() == 1


def test_general_branches_join_the_heat_map_only_while_something_is_asked_of_them(town, users):
    from qiangji.orglife.selectors import organizations_for_compliance

    def names():
        return [o.name for o in organizations_for_compliance(user=users["town_admin"])]

    assert "东村党总支" not in names()
    requirement_update(requirement=general_committee(), by=None, data={"active": True})
    assert names() == ["东村党总支", "东村第一党支部", "东村第一党支部第一党小组", "东村第二党支部", "竖新镇某某公司党支部"]
    requirement_update(requirement=general_committee(), by=None, data={"active": False})
    assert "东村党总支" not in names()
