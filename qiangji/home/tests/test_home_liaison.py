"""A liaison member's home leads with the assemblies and theme days to attend in the next two
weeks, problems escalated to the group, and organizations graded 较好 or below without a plan."""

import datetime as dt

import pytest
from django.urls import reverse

from qiangji.home.tests.records import TODAY, hold, links, todos
from qiangji.ledger.models import Grade, GradeLevel, Problem
from qiangji.ledger.services import problem_register
from qiangji.liaison.models import LiaisonAttendance
from qiangji.orglife.models import Meeting
from qiangji.orgs.models import LiaisonGroup

Kind, SCHEDULED = Meeting.Kind, Meeting.Status.SCHEDULED


@pytest.fixture(autouse=True)
def _june(freeze_day):
    freeze_day(TODAY.isoformat())


@pytest.fixture
def group_work(town, users):
    """The group covers 东村党总支: an assembly of 东村第一党支部 on 15 June, a theme day of
    东村第二党支部 today, one beyond two weeks (30 June), a lecture (not for the group), an
    assembly on 5 June not yet recorded, one on 3 June recorded; branch_b (not the group's) has
    an assembly on 12 June. Problems of branch_a1 overdue 5 days (escalated) and 1 day (not yet);
    one of branch_b overdue 20 days. 东村第二党支部 graded 一般 without a plan; branch_b graded 差."""
    a1, a2, b = town["branch_a1"], town["branch_a2"], town["branch_b"]
    group = LiaisonGroup.objects.get(name="第一指导联络组")
    m = {
        "assembly": hold(a1, Kind.ASSEMBLY, dt.date(2026, 6, 15), status=SCHEDULED),
        "theme": hold(a2, Kind.THEME_DAY, TODAY, status=SCHEDULED),
        "late": hold(a1, Kind.ASSEMBLY, dt.date(2026, 6, 30), status=SCHEDULED),
        "lecture": hold(a1, Kind.LECTURE, dt.date(2026, 6, 12), status=SCHEDULED),
        "past": hold(a2, Kind.ASSEMBLY, dt.date(2026, 6, 5)),
        "recorded": hold(a1, Kind.THEME_DAY, dt.date(2026, 6, 3)),
        "other": hold(b, Kind.ASSEMBLY, dt.date(2026, 6, 12), status=SCHEDULED),
    }
    LiaisonAttendance.objects.create(meeting=m["recorded"], group=group, attended=True, recorded_at=m["recorded"].created_at)

    def problem(org, owner, deadline, text):
        data = {
            "source": Problem.Source.VISIT_TALK,
            "organization": org,
            "description": text,
            "owner": owner,
            "deadline": deadline,
        }
        return problem_register(by=users["town_admin"], data=data, today=dt.date(2026, 5, 1))

    escalated = problem(a1, users["secretary_a"], dt.date(2026, 6, 5), "党员活动室长期闲置")
    problem(a1, users["secretary_a"], dt.date(2026, 6, 9), "宣传栏内容陈旧")
    problem(b, users["secretary_b"], dt.date(2026, 5, 21), "公司支部台账不全")
    levels = {level.name: level for level in GradeLevel.objects.all()}
    Grade.objects.create(organization=a2, year=2026, level=levels["一般"])
    Grade.objects.create(organization=a1, year=2026, level=levels["好"])
    Grade.objects.create(organization=b, year=2026, level=levels["差"])
    return {**m, "group": group, "escalated": escalated}


def test_liaison_member_sees_meetings_to_attend_and_to_record(client_as, users, town, group_work):
    response = client_as(users["liaison"]).get(reverse("home:index"))
    items = todos(response)
    assert items["liaison_meetings_ahead"] == (2, ["东村第二党支部", "东村第一党支部"])
    assert items["liaison_meetings_unrecorded"] == (1, ["东村第二党支部"])
    mine = reverse("liaison_meetings:mine")
    g = group_work["group"].pk
    assert links(response, "liaison_meetings_ahead") == {
        "东村第二党支部": (f"{mine}#m-{g}-{group_work['theme'].pk}", "今天主题党日"),
        "东村第一党支部": (f"{mine}#m-{g}-{group_work['assembly'].pk}", "6月15日支部党员大会"),
    }
    # The link lands on the page that holds the one-tap record for that meeting.
    page = client_as(users["liaison"]).get(mine).content.decode()
    assert f'id="m-{g}-{group_work["theme"].pk}"' in page


def test_liaison_member_sees_escalated_problems_and_grades_without_a_plan(client_as, users, town, group_work):
    response = client_as(users["liaison"]).get(reverse("home:index"))
    items = todos(response)
    assert items["problems_escalated"] == (1, [group_work["escalated"].headline])
    assert links(response, "problems_escalated")[group_work["escalated"].headline][0] == reverse(
        "ledger:problem_detail", args=[group_work["escalated"].pk]
    )
    assert items["rectification_plans_missing"] == (1, ["东村第二党支部"])
    assert links(response, "rectification_plans_missing")["东村第二党支部"][0] == (
        reverse("ledger:plan_create") + f"?org={town['branch_a2'].pk}&year=2026"
    )
    # The link opens the plan form.
    assert client_as(users["liaison"]).get(links(response, "rectification_plans_missing")["东村第二党支部"][0]).status_code == 200
    assert items["plans_not_filed"] == (3, ["东村党总支", "东村第一党支部", "东村第二党支部"])


def test_another_groups_meetings_and_problems_are_never_shown(client_as, users, group_work):
    body = client_as(users["liaison"]).get(reverse("home:index")).content.decode()
    assert "竖新镇某某公司党支部" not in body and "公司支部台账不全" not in body
    # Others have no liaison items.
    for role in ("town_admin", "secretary_a", "secretary_b"):
        items = todos(client_as(users[role]).get(reverse("home:index")))
        assert not {"liaison_meetings_ahead", "liaison_meetings_unrecorded", "problems_escalated"} & set(items), role
    assert todos(client_as(users["secretary_b"]).get(reverse("home:index")))["rectification_plans_missing"] == (
        1,
        ["竖新镇某某公司党支部"],
    )


def test_liaison_home_query_count_does_not_grow(client_as, users, town, group_work, django_assert_num_queries):
    client = client_as(users["liaison"])
    client.get(reverse("home:index"))
    # session, user, scope (3); the groups and their organizations (2), their meetings, the
    # records and their attendees (2); escalated problems (2); the user's overdue problems and
    # those awaiting their check; graded without a plan; flagged organizations; probation
    # count; plans not filed; two aggregates; top organizations; the groups on the page (2);
    # the inbox's unread count.
    with django_assert_num_queries(25):
        client.get(reverse("home:index"))
    for day in range(11, 25):
        hold(town["branch_a1"], Kind.THEME_DAY, dt.date(2026, 6, day), status=SCHEDULED)
    with django_assert_num_queries(25):
        response = client.get(reverse("home:index"))
    assert todos(response)["liaison_meetings_ahead"][0] == 16
