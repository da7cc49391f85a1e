"""Recording a home-study visit: who may, exact values stored, bad input changes nothing."""

import datetime as dt

import pytest
from django.urls import reverse

from qiangji.core.models import ChangeRecord
from qiangji.orglife.models import HomeStudyVisit, Meeting
from qiangji.orglife.tests.conftest import TODAY, hold

K = Meeting.Kind


def state():
    return (
        list(HomeStudyVisit.objects.order_by("id").values_list("member_id", "date", "topic", "visitors", "meeting_id")),
        ChangeRecord.objects.count(),
    )


def url(member):
    return reverse("orglife:home_study_record", args=[member.pk])


@pytest.mark.parametrize(
    ("role", "status"),
    [("town_admin", 200), ("secretary_a", 200), ("liaison", 404), ("secretary_b", 404), ("member", 404), ("visitor", 404)],
)
def test_record_page_per_role(client_as, users, people, role, status):
    assert client_as(users[role]).get(url(people["zhao"])).status_code == status


def test_forbidden_post_changes_nothing(client_as, users, people):
    before = state()
    data = {"date": "2025-03-02", "topic": "学习党章", "visitors": "王书记"}
    assert client_as(users["secretary_b"]).post(url(people["zhao"]), data).status_code == 404
    assert client_as(users["liaison"]).post(url(people["zhao"]), data).status_code == 404
    assert state() == before


def test_secretary_records_a_visit_making_up_for_a_meeting(client_as, users, town, people):
    theme_day = hold(town["branch_a1"], K.THEME_DAY, dt.date(2025, 3, 10))
    client = client_as(users["secretary_a"])
    response = client.post(
        url(people["zhao"]) + "?next=/orglife/home-study/",
        {
            "date": "2025-03-12",
            "topic": "  学习主题党日内容 ",
            "meeting": theme_day.pk,
            "include_me": "on",
            "visitors": "网格员小王",
            "notes": "行动不便，在家学习",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/orglife/home-study/"
    visit = HomeStudyVisit.objects.get()
    assert (visit.member, visit.organization, visit.date, visit.topic, visit.visitors, visit.meeting, visit.notes) == (
        people["zhao"],
        town["branch_a1"],
        dt.date(2025, 3, 12),
        "学习主题党日内容",
        "网格员小王",
        theme_day,
        "行动不便，在家学习",
    )
    assert list(visit.visitor_users.all()) == [users["secretary_a"]]
    assert visit.created_by == users["secretary_a"]
    assert ChangeRecord.objects.filter(action=ChangeRecord.Action.CREATE, object_id=visit.pk).count() == 1


def test_redirects_back_to_the_organization_by_default_and_never_off_site(client_as, users, town, people):
    client = client_as(users["town_admin"])
    data = {"date": "2025-03-02", "topic": "学习党章", "visitors": "王书记"}
    response = client.post(url(people["zhao"]) + "?next=//evil.example/", data)
    assert response["Location"] == reverse("orglife:home_study_gaps", args=[town["branch_a1"].pk])
    assert list(HomeStudyVisit.objects.get().visitor_users.all()) == []


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"date": (TODAY + dt.timedelta(days=1)).isoformat(), "topic": "学习党章", "visitors": "王书记"},
            "date",
            "送学日期在今天之后，请在送学后登记",
        ),
        ({"date": "2025-03-02", "topic": "", "visitors": "王书记"}, "topic", "学习内容未填写"),
        ({"date": "2025-03-02", "topic": "学习党章", "visitors": ""}, "visitors", "请填写送学人员，或勾选“我本人参加了送学”。"),
        ({"date": "不是日期", "topic": "学习党章", "visitors": "王书记"}, "date", "输入一个有效的日期。"),
    ],
)
def test_bad_input_changes_nothing(client_as, users, people, data, field, message):
    before = state()
    response = client_as(users["secretary_a"]).post(url(people["zhao"]), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert state() == before


def test_meeting_of_another_branch_or_not_held_is_refused(client_as, users, town, people):
    other = hold(town["branch_a2"], K.THEME_DAY, dt.date(2025, 3, 10))
    scheduled = hold(town["branch_a1"], K.LECTURE, dt.date(2025, 3, 10), status=Meeting.Status.SCHEDULED)
    before = state()
    client = client_as(users["town_admin"])
    for meeting in (other, scheduled):
        response = client.post(
            url(people["zhao"]), {"date": "2025-03-12", "topic": "补学", "visitors": "王书记", "meeting": meeting.pk}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["meeting"]
    assert state() == before
