"""The committee's dated periods follow `has_committee` through the organization services."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from qiangji import factories as f
from qiangji.core.errors import DomainError
from qiangji.core.models import ChangeRecord
from qiangji.orgs.models import CommitteePeriod, Organization
from qiangji.orgs.services import organization_create, organization_update

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _fixed_today(freeze_day):
    # The whole clock, not timezone.localdate alone: now() and localdate(a_datetime) agree with it.
    freeze_day(TODAY.isoformat())


def periods(org):
    return list(CommitteePeriod.objects.filter(organization=org).values_list("established_on", "dissolved_on"))


def form_data(org, **changes):
    data = {
        "name": org.name,
        "kind": org.kind,
        "parent": org.parent_id,
        "village": org.village_id or "",
        "version": Organization.objects.get(pk=org.pk).version,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(("role", "status"), [("town_admin", 302), ("secretary_a", 302)])
def test_managers_set_up_a_committee_from_a_date(client_as, users, town, role, status):
    a1 = town["branch_a1"]
    response = client_as(users[role]).post(
        reverse("orgs:edit", args=[a1.pk]), form_data(a1, has_committee="on", committee_changed_on="2026-03-15")
    )
    assert response.status_code == status
    a1.refresh_from_db()
    assert (a1.has_committee, periods(a1)) == (True, [(dt.date(2026, 3, 15), None)])
    record = ChangeRecord.objects.get(object_id=a1.pk, content_type__model="organization")
    assert record.changes == {"has_committee": [False, True], "委员会设立/撤销日期": [None, "2026-03-15"]}


@pytest.mark.parametrize(("role", "status"), [("liaison", 404), ("secretary_b", 404), ("member", 404), ("visitor", 404)])
def test_others_cannot_set_up_a_committee(client_as, users, town, role, status):
    a1 = town["branch_a1"]
    response = client_as(users[role]).post(
        reverse("orgs:edit", args=[a1.pk]), form_data(a1, has_committee="on", committee_changed_on="2026-03-15")
    )
    assert response.status_code == status
    a1.refresh_from_db()
    assert (a1.has_committee, CommitteePeriod.objects.count(), ChangeRecord.objects.count()) == (False, 0, 0)


def test_anonymous_is_sent_to_login(client_as, users, town):
    a1 = town["branch_a1"]
    response = client_as(None).post(reverse("orgs:edit", args=[a1.pk]), form_data(a1, has_committee="on"))
    assert response.status_code == 302 and "/login" in response["Location"]
    assert CommitteePeriod.objects.count() == 0


def test_without_a_date_the_committee_starts_today_and_the_form_shows_the_field(client_as, users, town):
    a1 = town["branch_a1"]
    client = client_as(users["secretary_a"])
    page = client.get(reverse("orgs:edit", args=[a1.pk])).content.decode()
    assert 'name="committee_changed_on"' in page and "委员会设立/撤销日期" in page
    client.post(reverse("orgs:edit", args=[a1.pk]), form_data(a1, has_committee="on"))
    assert periods(a1) == [(TODAY, None)]


def test_clearing_the_flag_closes_the_period(client_as, users, town):
    a1 = town["branch_a1"]
    organization_update(organization=a1, by=None, data={"has_committee": True, "committee_changed_on": dt.date(2024, 1, 8)})
    response = client_as(users["secretary_a"]).post(
        reverse("orgs:edit", args=[a1.pk]), form_data(a1, committee_changed_on="2026-05-20")
    )
    assert response.status_code == 302
    a1.refresh_from_db()
    assert (a1.has_committee, periods(a1)) == (False, [(dt.date(2024, 1, 8), dt.date(2026, 5, 20))])


def test_a_date_is_ignored_when_the_flag_does_not_change(client_as, users, town):
    a1 = town["branch_a1"]
    client_as(users["secretary_a"]).post(reverse("orgs:edit", args=[a1.pk]), form_data(a1, committee_changed_on="2026-05-20"))
    assert (CommitteePeriod.objects.count(), ChangeRecord.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("setup", "change", "error"),
    [
        ([], (True, "2026-06-02"), "委员会设立日期不能晚于今天"),
        ([(True, dt.date(2024, 1, 8))], (False, "2024-01-08"), "委员会撤销日期应晚于设立日期（2024-01-08）"),
        ([(True, dt.date(2024, 1, 8))], (False, "2026-07-01"), "委员会撤销日期不能晚于今天"),
        (
            [(True, dt.date(2024, 1, 8)), (False, dt.date(2025, 5, 1))],
            (True, "2025-04-30"),
            "委员会设立日期不能早于上次撤销日期（2025-05-01）",
        ),
    ],
)
def test_impossible_dates_change_nothing(client_as, users, town, setup, change, error):
    a1 = town["branch_a1"]
    for value, on in setup:
        organization_update(organization=a1, by=None, data={"has_committee": value, "committee_changed_on": on})
    before = (periods(a1), ChangeRecord.objects.count())
    value, on = change
    response = client_as(users["secretary_a"]).post(
        reverse("orgs:edit", args=[a1.pk]), form_data(a1, has_committee="on" if value else None, committee_changed_on=on)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["committee_changed_on"] == [error]
    a1 = Organization.objects.get(pk=a1.pk)
    assert (a1.has_committee, periods(a1), ChangeRecord.objects.count()) == (not value, *before)


def test_a_committee_cannot_predate_the_organization(town):
    with pytest.raises(DomainError) as caught:
        organization_create(
            by=None,
            data={
                "name": "新党支部",
                "kind": "branch",
                "parent": town["town"],
                "founded_on": dt.date(2025, 3, 1),
                "has_committee": True,
                "committee_changed_on": dt.date(2025, 2, 1),
            },
        )
    assert caught.value.message == "委员会设立日期不能早于党组织成立日期"
    assert (Organization.objects.filter(name="新党支部").exists(), CommitteePeriod.objects.count()) == (False, 0)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"founded_on": dt.date(2019, 5, 4), "term_start": dt.date(2024, 1, 1)}, dt.date(2019, 5, 4)),
        ({"term_start": dt.date(2024, 1, 1)}, dt.date(2024, 1, 1)),
        ({}, TODAY),
        ({"founded_on": dt.date(2019, 5, 4), "committee_changed_on": dt.date(2020, 2, 2)}, dt.date(2020, 2, 2)),
    ],
)
def test_created_with_a_committee_it_has_had_it_since_founding(town, data, expected):
    org = organization_create(
        by=None, data={"name": "新党支部", "kind": "branch", "parent": town["town"], "has_committee": True, **data}
    )
    assert periods(org) == [(expected, None)]
    record = ChangeRecord.objects.get(object_id=org.pk, content_type__model="organization")
    assert (record.action, record.changes["委员会设立/撤销日期"]) == ("create", [None, expected.isoformat()])


def test_created_without_a_committee_has_no_period(town):
    org = organization_create(by=None, data={"name": "新党支部", "kind": "branch", "parent": town["town"]})
    assert periods(org) == []
    record = ChangeRecord.objects.get(object_id=org.pk, content_type__model="organization")
    assert "委员会设立/撤销日期" not in record.changes


def test_api_patch_starts_the_committee_today(town, users):
    client = Client()
    client.force_login(users["secretary_a"])
    a1 = town["branch_a1"]
    response = client.patch(
        f"/api/v1/organizations/{a1.pk}", data={"has_committee": True, "version": a1.version}, content_type="application/json"
    )
    assert response.status_code == 200
    assert periods(a1) == [(TODAY, None)]


def test_closing_a_committee_loaded_without_a_period_keeps_what_is_known(town):
    a1 = town["branch_a1"]
    Organization.objects.filter(pk=a1.pk).update(has_committee=True, founded_on=dt.date(2015, 1, 1))
    a1.refresh_from_db()
    organization_update(organization=a1, by=None, data={"has_committee": False, "committee_changed_on": dt.date(2026, 1, 1)})
    assert periods(a1) == [(dt.date(2015, 1, 1), dt.date(2026, 1, 1))]


# --- the organization page warns about the branch's structure --------------------------------


def warning(client, org):
    page = client.get(reverse("orgs:detail", args=[org.pk])).content.decode()
    return page.split("请注意：", 1)[1].split("。", 1)[0] if "请注意：" in page else None


def staff_members(org, full, secretary=True):
    for i in range(full):
        f.member(organization=org, name=f"党员{i}", party_post="secretary" if secretary and i == 0 else "")


def test_branch_of_seven_full_members_without_committee_is_flagged(client_as, users, town):
    a1 = town["branch_a1"]
    staff_members(a1, 6)  # with 李党员 (users fixture): 7 full members
    client = client_as(users["secretary_a"])
    assert warning(client, a1) == "应设未设支部委员会"
    organization_update(organization=a1, by=None, data={"has_committee": True})
    assert warning(client, a1) is None


def test_branch_of_fewer_than_three_full_members_is_flagged(client_as, users, town):
    a1 = town["branch_a1"]
    staff_members(a1, 1)  # with 李党员: 2
    assert warning(client_as(users["town_admin"]), a1) == "正式党员不足3名"
    staff_members(town["branch_a2"], 0)
    assert warning(client_as(users["town_admin"]), town["branch_a2"]) == "未配备书记；正式党员不足3名"


@pytest.mark.parametrize(("role", "shown"), [("town_admin", True), ("liaison", True), ("secretary_a", True), ("member", False)])
def test_the_warning_is_for_staff(client_as, users, town, role, shown):
    staff_members(town["branch_a1"], 1)
    assert (warning(client_as(users[role]), town["branch_a1"]) is not None) is shown


def test_general_branches_are_not_flagged(client_as, users, town):
    assert warning(client_as(users["town_admin"]), town["village_a"]) is None
