"""A secretary's home page leads with this period's meetings still to hold and the members who
missed one and still need a home-study visit (送学上门), each linked to the form that does it."""

import datetime as dt

import pytest
from django.urls import reverse

from qiangji import factories as f
from qiangji.home.tests.records import TODAY, hold, links, todos
from qiangji.orglife.models import HomeStudyVisit, Meeting

Kind = Meeting.Kind


@pytest.fixture(autouse=True)
def _june(freeze_day):
    freeze_day(TODAY.isoformat())


@pytest.fixture
def branch_b_life(town, users):
    """branch_b held its Q2 assembly; a theme day is scheduled for 15 June; 孙三 missed the
    assembly (sick), 周四 missed it and was visited since; 吴五 missed a March meeting (too long ago).
    In branch_a1, 郑六 missed a meeting (not secretary_b's)."""
    b, a1 = town["branch_b"], town["branch_a1"]
    sun, zhou, wu = (f.member(organization=b, name=n) for n in ("孙三", "周四", "吴五"))
    zheng = f.member(organization=a1, name="郑六")
    assembly = hold(b, Kind.ASSEMBLY, dt.date(2026, 5, 20), present=[wu], absent=[(sun, "sick"), (zhou, "personal")])
    hold(b, Kind.LECTURE, dt.date(2026, 3, 1), absent=[(wu, "personal")])
    theme = hold(b, Kind.THEME_DAY, dt.date(2026, 6, 15), status=Meeting.Status.SCHEDULED)
    HomeStudyVisit.objects.create(member=zhou, organization=b, date=dt.date(2026, 5, 25), topic="补学", visitors="书记")
    a1_meeting = hold(a1, Kind.THEME_DAY, dt.date(2026, 6, 5), absent=[(zheng, "personal")])
    return {"sun": sun, "zheng": zheng, "assembly": assembly, "theme": theme, "a1_meeting": a1_meeting}


def test_secretary_sees_this_periods_meetings_not_held_with_deadlines(client_as, users, town, branch_b_life):
    response = client_as(users["secretary_b"]).get(reverse("home:index"))
    items = {i.key: i for i in response.context["todos"]}
    due = [k for k in items if k.startswith("meetings_due_")]
    # The quarter's assembly is held; the lecture and the theme day are due by 30 June, the
    # yearly review by 31 December.
    assert due == ["meetings_due_lecture_branch", "meetings_due_theme_day_branch", "meetings_due_review_meeting_branch"]
    assert (items["meetings_due_lecture_branch"].title, items["meetings_due_lecture_branch"].hint) == (
        "第二季度党课尚未召开",
        "截止6月30日（还有20天），召开后登记会议和出席情况",
    )
    assert items["meetings_due_review_meeting_branch"].title == "2026年组织生活会尚未召开"
    b = town["branch_b"].pk
    assert links(response, "meetings_due_lecture_branch") == {
        "竖新镇某某公司党支部": (reverse("orglife:create") + f"?org={b}&kind=lecture", "")
    }
    # The theme day already scheduled leads to its completion form (attendance), not to a new meeting.
    assert links(response, "meetings_due_theme_day_branch") == {
        "竖新镇某某公司党支部": (reverse("orglife:complete", args=[branch_b_life["theme"].pk]), "已安排6月15日，召开后登记出席")
    }


def test_secretary_sees_members_who_missed_and_were_not_visited(client_as, users, branch_b_life):
    response = client_as(users["secretary_b"]).get(reverse("home:index"))
    assert todos(response)["home_study_needed"] == (1, ["孙三"])
    url = reverse("orglife:home_study_record", args=[branch_b_life["sun"].pk])
    assert links(response, "home_study_needed") == {
        "孙三": (f"{url}?meeting={branch_b_life['assembly'].pk}&next=/", "缺席5月20日支部党员大会（病假）")
    }
    # The link opens the visit form with the missed meeting chosen.
    form = client_as(users["secretary_b"]).get(links(response, "home_study_needed")["孙三"][0]).context["form"]
    assert form.initial["meeting"] == branch_b_life["assembly"].pk


def test_another_organizations_meetings_and_members_are_never_shown(client_as, users, town, branch_b_life):
    body = client_as(users["secretary_b"]).get(reverse("home:index")).content.decode()
    assert "郑六" not in body and "东村" not in body
    a_items = todos(client_as(users["secretary_a"]).get(reverse("home:index")))
    assert a_items["home_study_needed"] == (1, ["郑六"])
    assert all("竖新镇某某公司党支部" not in labels for _, labels in a_items.values())
    # Liaison members supervise: they plan no meetings and record no visits.
    l_items = todos(client_as(users["liaison"]).get(reverse("home:index")))
    assert not [k for k in l_items if k.startswith("meetings_due_") or k == "home_study_needed"]


def test_secretary_of_a_general_branch_sees_each_branch_due(client_as, users, town, branch_b_life):
    response = client_as(users["secretary_a"]).get(reverse("home:index"))
    assert todos(response)["meetings_due_theme_day_branch"] == (1, ["东村第二党支部"])
    assert todos(response)["meetings_due_lecture_branch"] == (2, ["东村第一党支部", "东村第二党支部"])
    assert todos(response)["meetings_due_group_meeting_group"] == (1, ["东村第一党支部第一党小组"])


def test_secretary_home_query_count_does_not_grow(client_as, users, town, branch_b_life, django_assert_num_queries):
    client = client_as(users["secretary_a"])
    client.get(reverse("home:index"))
    # session, user, scope (3); meetings due: organizations, requirements, held counts, committee
    # periods, scheduled meetings; missed: count and list; the user's overdue problems, problems
    # awaiting their check; graded without a plan; flagged organizations; probation count and
    # list; plans not filed; two aggregates; the user's top organizations; the inbox's unread count.
    with django_assert_num_queries(23):
        client.get(reverse("home:index"))
    for i in range(15):
        branch = f.organization(name=f"东村新支部{i}", parent=town["village_a"])
        absent = f.member(organization=branch, name=f"新党员{i}")
        hold(branch, Kind.LECTURE, dt.date(2026, 6, 1), absent=[(absent, "personal")])
    with django_assert_num_queries(23):
        response = client.get(reverse("home:index"))
    assert todos(response)["home_study_needed"][0] == 16
    assert todos(response)["meetings_due_theme_day_branch"][0] == 16
