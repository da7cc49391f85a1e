"""Planned home study (送学上门安排): a secretary assigns the absent to a visitor with a due day;
the visit shows on the visitor's home page, is reported done with what was studied (becoming the
home-study record), and planned / done / overdue are counted."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from qiangji.core.errors import DomainError
from qiangji.core.models import ChangeRecord
from qiangji.orglife.homestudy import home_study_plan, home_study_plan_counts
from qiangji.orglife.models import HomeStudyPlan, HomeStudyVisit, Meeting
from qiangji.orglife.services import meeting_complete
from qiangji.orglife.tests.conftest import TODAY, hold

K = Meeting.Kind
DUE = TODAY + dt.timedelta(days=3)


def state():
    return (
        list(HomeStudyPlan.objects.order_by("id").values_list("member_id", "visitor_id", "due", "status", "visit_id")),
        HomeStudyVisit.objects.count(),
        ChangeRecord.objects.count(),
    )


@pytest.fixture
def absent(town, users, people):
    """This month's theme day: 李 present, 赵 sick, 钱 away on other business."""
    meeting = hold(town["branch_a1"], K.THEME_DAY, TODAY - dt.timedelta(days=5), status=Meeting.Status.SCHEDULED)
    meeting_complete(
        meeting=meeting,
        by=users["secretary_a"],
        present=[people["li"].pk],
        absent={people["zhao"].pk: ("sick", ""), people["qian"].pk: ("other", "外出探亲")},
    )
    return meeting


def plan_url(town):
    return reverse("orglife:home_study_plan", args=[town["branch_a1"].pk])


def post_plan(client, town, people, users, **extra):
    data = {
        "members": [people["zhao"].pk, people["qian"].pk],
        "visitor": users["member"].pk,
        "due": DUE.isoformat(),
        "note": "带学主题党日精神",
        **extra,
    }
    return client.post(plan_url(town) + f"?month={TODAY:%Y-%m}", data)


def test_secretary_plans_the_absent_for_a_member_to_visit(client_as, users, town, people, absent):
    response = post_plan(client_as(users["secretary_a"]), town, people, users)
    assert response.status_code == 302
    assert response["Location"] == reverse("orglife:home_study_gaps", args=[town["branch_a1"].pk]) + f"?month={TODAY:%Y-%m}"
    plans = list(
        HomeStudyPlan.objects.order_by("member__name_initials").values_list(
            "member__name", "visitor", "due", "meeting", "note", "status"
        )
    )
    assert plans == [
        ("钱二", users["member"].pk, DUE, absent.pk, "带学主题党日精神", "planned"),
        ("赵一", users["member"].pk, DUE, absent.pk, "带学主题党日精神", "planned"),
    ]
    assert ChangeRecord.objects.filter(content_type__model="homestudyplan").count() == 2
    # On the visitor's home page, soonest first; the planning secretary's home has none.
    home = client_as(users["member"]).get(reverse("home:index"))
    assert sorted(p.member.name for p in home.context["home_study_due"]) == ["赵一", "钱二"]
    assert "我的送学上门" in home.content.decode()
    assert client_as(users["secretary_a"]).get(reverse("home:index")).context["home_study_due"] == []
    # Planned members leave the plan page's list, so nobody is planned twice.
    page = client_as(users["secretary_a"]).get(plan_url(town), {"month": f"{TODAY:%Y-%m}"})
    assert page.context["rows"] == []


@pytest.mark.parametrize(
    ("role", "status"),
    [("town_admin", 200), ("secretary_a", 200), ("secretary_b", 404), ("liaison", 404), ("member", 404), ("anonymous", 302)],
)
def test_plan_page_per_role(client_as, users, town, people, absent, role, status):
    client = client_as(users[role])
    assert client.get(plan_url(town)).status_code == status
    if status != 200:
        before = state()
        assert post_plan(client, town, people, users).status_code == status
        assert state() == before


@pytest.mark.parametrize(
    ("extra", "errors"),
    [
        ({"due": (TODAY - dt.timedelta(days=1)).isoformat()}, {"due": ["完成期限不能早于今天"]}),
        ({"visitor": "secretary_b"}, {"visitor": ["送学人员应是本组织的党员或书记、党务工作者。"]}),
        ({"members": []}, {"members": ["请选择要送学上门的党员。"]}),
        ({"members": ["li"]}, {"members": ["所选党员不在本期“一个不掉队”名单中。"]}),
        ({"due": ""}, {"due": ["请填写完成期限。"]}),
    ],
)
def test_bad_plans_change_nothing(client_as, users, town, people, absent, extra, errors):
    if extra.get("visitor") == "secretary_b":
        extra["visitor"] = users["secretary_b"].pk
    if "members" in extra:
        extra["members"] = [people[n].pk for n in extra["members"]]
    before = state()
    response = post_plan(client_as(users["secretary_a"]), town, people, users, **extra)
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert state() == before


def test_the_service_checks_its_caller_and_open_plans(users, town, people, absent):
    args = {"organization": town["branch_a1"], "members": [people["zhao"]], "visitor": users["member"], "due": DUE}
    before = state()
    for role in ("liaison", "secretary_b", "member"):
        with pytest.raises(PermissionDenied):
            home_study_plan(by=users[role], **args)
    assert state() == before
    home_study_plan(by=users["secretary_a"], **args)
    before = state()
    with pytest.raises(DomainError) as error:
        home_study_plan(by=users["town_admin"], **args)
    assert error.value.message == "赵一已有待完成的送学上门安排"
    assert state() == before


def test_visitor_completes_the_plan_and_it_becomes_the_visit(client_as, users, town, people, absent):
    [plan, _] = home_study_plan(
        by=users["secretary_a"],
        organization=town["branch_a1"],
        members=[people["zhao"], people["qian"]],
        visitor=users["member"],
        due=DUE,
        meetings={people["zhao"].pk: absent, people["qian"].pk: absent},
    )
    url = reverse("orglife:home_study_plan_complete", args=[plan.pk])
    for role in ("secretary_b", "liaison", "visitor", "anonymous"):
        before = state()
        assert client_as(users[role]).post(url, {"date": TODAY.isoformat(), "topic": "学习党章"}).status_code in (302, 404)
        assert state() == before
    before = state()
    response = client_as(users["member"]).post(url, {"date": TODAY.isoformat(), "topic": " "})
    assert response.context["form"].errors == {"topic": ["请填写学习内容。"]}
    assert state() == before
    response = client_as(users["member"]).post(url, {"date": TODAY.isoformat(), "topic": "学习主题党日精神", "notes": "在家中"})
    assert response.status_code == 302 and response["Location"] == reverse("home:index")
    plan.refresh_from_db()
    visit = plan.visit
    assert (plan.status, visit.member, visit.meeting, visit.date, visit.topic, visit.notes) == (
        "done",
        people["zhao"],
        absent,
        TODAY,
        "学习主题党日精神",
        "在家中",
    )
    assert list(visit.visitor_users.all()) == [users["member"]]
    # Done is done: a second report changes nothing.
    before = state()
    response = client_as(users["member"]).post(url, {"date": TODAY.isoformat(), "topic": "再学一次"})
    assert response.context["form"].non_field_errors() == [] and response.context["form"].errors == {
        "date": ["该送学上门安排已完成"]
    }
    assert state() == before
    # 赵 made up the theme day at home and leaves the list; 钱 is still planned.
    gaps = client_as(users["secretary_a"]).get(reverse("orglife:home_study_gaps", args=[town["branch_a1"].pk]))
    assert [r.member.name for r in gaps.context["missing"]] == ["钱二"]
    assert [p.member.name for p in gaps.context["plans"]] == ["钱二"]


def test_planned_done_and_overdue_are_counted(client_as, users, town, people, absent, freeze_day):
    plans = home_study_plan(
        by=users["secretary_a"],
        organization=town["branch_a1"],
        members=[people["zhao"], people["qian"]],
        visitor=users["member"],
        due=DUE,
    )
    start, end = TODAY.replace(month=1, day=1), TODAY
    assert home_study_plan_counts(users["town_admin"], start, end, today=TODAY) == {"planned": 2, "done": 0, "overdue": 0}
    client_as(users["member"]).post(
        reverse("orglife:home_study_plan_complete", args=[plans[0].pk]), {"date": TODAY.isoformat(), "topic": "学党章"}
    )
    freeze_day((DUE + dt.timedelta(days=1)).isoformat())
    later = DUE + dt.timedelta(days=1)
    assert home_study_plan_counts(users["town_admin"], start, later, today=later) == {"planned": 0, "done": 1, "overdue": 1}
    assert home_study_plan_counts(users["secretary_b"], start, later, today=later) == {"planned": 0, "done": 0, "overdue": 0}
    page = client_as(users["liaison"]).get(reverse("orglife:home_study"), {"from": f"{start}", "to": f"{later}"})
    assert "待送学<strong>0</strong>人次，已完成<strong>1</strong>人次，已逾期<strong>1</strong>人次" in page.content.decode()
    home = client_as(users["member"]).get(reverse("home:index")).content.decode()
    assert "已逾期" in home


@pytest.fixture
def api(api_as, users):
    def make(role, method, path, body=None, params=None):
        return api_as(users[role]).request(method, f"/home-study{path}", body, params=params)

    return make


def test_api_plan_list_complete_and_count(api, users, town, people, absent):
    body = {
        "organization": town["branch_a1"].pk,
        "members": [people["zhao"].pk],
        "visitor": users["member"].pk,
        "due": DUE.isoformat(),
    }
    before = state()
    assert api("secretary_b", "post", "/plans", body).status_code == 404
    assert api("liaison", "post", "/plans", body).status_code == 404
    response = api("secretary_a", "post", "/plans", {**body, "due": "2020-01-01"})
    assert response.status_code == 409 and response.json()["detail"] == "完成期限不能早于今天"
    assert state() == before
    response = api("secretary_a", "post", "/plans", body)
    assert response.status_code == 201
    [created] = response.json()["items"]
    assert (created["member_name"], created["meeting"], created["visitor_name"], created["status"], created["status_label"]) == (
        "赵一",
        absent.pk,
        "李党员",
        "planned",
        "待送学",
    )
    assert [p["id"] for p in api("member", "get", "/plans").json()["items"]] == [created["id"]]
    assert api("secretary_a", "get", "/plans").json()["items"] == []
    assert [p["id"] for p in api("liaison", "get", "/plans", params={"organization": town["branch_a1"].pk}).json()["items"]] == [
        created["id"]
    ]
    assert (
        api("secretary_b", "post", f"/plans/{created['id']}/complete", {"date": TODAY.isoformat(), "topic": "学"}).status_code
        == 404
    )
    response = api("member", "post", f"/plans/{created['id']}/complete", {"date": TODAY.isoformat(), "topic": "学习党章"})
    assert response.status_code == 200 and response.json()["meeting"] == absent.pk
    counts = api("town_admin", "get", "/counts").json()
    assert (counts["plans_planned"], counts["plans_done"], counts["plans_overdue"]) == (0, 1, 0)
