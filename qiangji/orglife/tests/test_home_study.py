"""No member left behind: attended / visited / neither per member and period, the counts the
seed quotes, and who may see the list and record a home-study visit."""

import datetime as dt

import pytest
from django.urls import reverse

from qiangji.orglife.homestudy import ATTENDED, NEITHER, VISITED, coverage, home_study_counts, home_study_record, month_bounds
from qiangji.orglife.models import Meeting
from qiangji.orglife.tests.conftest import hold

K = Meeting.Kind
MARCH = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))


def visit(member, day, *, meeting=None, by=None):
    return home_study_record(by=by, member=member, date=day, topic="学习党章", visitors="王书记", meeting=meeting)


@pytest.fixture
def march(town, people):
    """李 present at the March theme day; 赵 (frail) visited; 钱 (mobile) present only in February."""
    people["zhao"].is_frail = True
    people["zhao"].save()
    people["qian"].is_mobile = True
    people["qian"].save()
    theme_day = hold(town["branch_a1"], K.THEME_DAY, dt.date(2025, 3, 10), attendees=[people["li"]])
    hold(town["branch_a1"], K.THEME_DAY, dt.date(2025, 2, 28), attendees=[people["qian"]])
    hold(town["branch_a1"], K.LECTURE, dt.date(2025, 3, 12), status=Meeting.Status.SCHEDULED, attendees=[people["qian"]])
    visit(people["zhao"], dt.date(2025, 3, 31), meeting=theme_day)
    return theme_day


def statuses(rows):
    return [(r.member.name, r.status) for r in rows]


def test_month_bounds():
    assert month_bounds(dt.date(2024, 2, 15)) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert month_bounds(dt.date(2025, 12, 1)) == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))


def test_coverage_attended_visited_neither_frail_and_mobile_first(town, people, march, django_assert_num_queries):
    with django_assert_num_queries(4):
        rows = coverage(town["branch_a1"], start=MARCH[0], end=MARCH[1])
    assert statuses(rows) == [("钱二", NEITHER), ("赵一", VISITED), ("李党员", ATTENDED)]


def test_coverage_of_one_kind(town, people, march):
    theme = coverage(town["branch_a1"], start=MARCH[0], end=MARCH[1], kind=K.THEME_DAY)
    lecture = coverage(town["branch_a1"], start=MARCH[0], end=MARCH[1], kind=K.LECTURE)
    assert statuses(theme) == [("钱二", NEITHER), ("赵一", VISITED), ("李党员", ATTENDED)]
    # The visit made up for the theme day, and the lecture was only scheduled.
    assert statuses(lecture) == [("钱二", NEITHER), ("赵一", NEITHER), ("李党员", NEITHER)]


def test_coverage_of_february_and_a_party_group(town, people, march):
    february = coverage(town["branch_a1"], start=dt.date(2025, 2, 1), end=dt.date(2025, 2, 28))
    assert statuses(february) == [("钱二", ATTENDED), ("赵一", NEITHER), ("李党员", NEITHER)]
    group = coverage(town["group_a1"], start=MARCH[0], end=MARCH[1])
    assert statuses(group) == [("钱二", NEITHER), ("赵一", VISITED), ("李党员", ATTENDED)]


def test_counts_as_the_seed_quotes_them_per_scope(town, users, people):
    hold(town["branch_a1"], K.DISCUSSION, dt.date(2025, 4, 1))
    hold(town["branch_a2"], K.DISCUSSION, dt.date(2025, 4, 30))
    hold(town["branch_b"], K.DISCUSSION, dt.date(2025, 4, 15))
    hold(town["branch_b"], K.DISCUSSION, dt.date(2025, 4, 16), status=Meeting.Status.SCHEDULED)
    hold(town["branch_a1"], K.DISCUSSION, dt.date(2025, 5, 1))
    hold(town["branch_a1"], K.THEME_DAY, dt.date(2025, 4, 2))
    visit(people["zhao"], dt.date(2025, 4, 3))
    visit(people["sun"], dt.date(2025, 4, 4))
    visit(people["sun"], dt.date(2025, 3, 31))
    start, end = dt.date(2025, 4, 1), dt.date(2025, 4, 30)
    assert home_study_counts(users["town_admin"], start, end) == {"discussions": 3, "home_study_visits": 2}
    assert home_study_counts(users["secretary_a"], start, end) == {"discussions": 2, "home_study_visits": 1}
    assert home_study_counts(users["secretary_b"], start, end) == {"discussions": 1, "home_study_visits": 1}
    assert home_study_counts(users["visitor"], start, end) == {"discussions": 0, "home_study_visits": 0}


def test_summary_page_shows_the_sentence(client_as, users, town, people):
    hold(town["branch_a1"], K.DISCUSSION, dt.date(2025, 4, 1))
    visit(people["zhao"], dt.date(2025, 4, 3))
    response = client_as(users["liaison"]).get(reverse("orglife:home_study"), {"from": "2025-01-01", "to": "2025-12-31"})
    assert response.context["counts"] == {"discussions": 1, "home_study_visits": 1}
    assert "交流研讨<strong>1</strong>次，送学上门<strong>1</strong>次" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("town_admin", 200),
        ("liaison", 200),
        ("secretary_a", 200),
        ("secretary_b", 200),
        ("member", 404),
        ("visitor", 404),
        ("anonymous", 302),
    ],
)
def test_summary_page_per_role(client_as, users, role, status):
    assert client_as(users[role]).get(reverse("orglife:home_study")).status_code == status


@pytest.mark.parametrize(
    ("role", "status", "can_record"),
    [
        ("town_admin", 200, True),
        ("liaison", 200, False),
        ("secretary_a", 200, True),
        ("secretary_b", 404, None),
        ("member", 404, None),
        ("visitor", 404, None),
    ],
)
def test_gaps_page_per_role(client_as, users, town, people, march, role, status, can_record):
    response = client_as(users[role]).get(reverse("orglife:home_study_gaps", args=[town["branch_a1"].pk]), {"month": "2025-03"})
    assert response.status_code == status
    if status == 200:
        assert [r.member.name for r in response.context["missing"]] == ["钱二"]
        assert response.context["counts"] == {ATTENDED: 1, VISITED: 1, NEITHER: 1, "left_behind": 1}
        record_url = reverse("orglife:home_study_record", args=[people["qian"].pk])
        assert (record_url in response.content.decode()) is can_record


def test_gaps_page_bad_month_and_non_branch_are_404(client_as, users, town):
    client = client_as(users["town_admin"])
    assert client.get(reverse("orglife:home_study_gaps", args=[town["branch_a1"].pk]), {"month": "2025-13"}).status_code == 404
    assert client.get(reverse("orglife:home_study_gaps", args=[town["village_a"].pk])).status_code == 404


def test_gaps_page_query_count_does_not_grow_with_members(client_as, users, town, people, march, django_assert_num_queries):
    from qiangji import factories as f

    client = client_as(users["secretary_a"])
    url = reverse("orglife:home_study_gaps", args=[town["branch_a1"].pk])
    with django_assert_num_queries(13) as ctx:
        client.get(url, {"month": "2025-03"})
    for n in range(6):
        member = f.member(organization=town["branch_a1"], name=f"新党员{n}", birth=dt.date(1980, 1, n + 1), is_frail=n % 2 == 0)
        if n == 0:
            visit(member, dt.date(2025, 3, 2))
    with django_assert_num_queries(len(ctx.captured_queries)):
        response = client.get(url, {"month": "2025-03"})
    assert len(response.context["missing"]) == 6


def test_summary_page_query_count_does_not_grow_with_records(client_as, users, town, people, django_assert_num_queries):
    client = client_as(users["town_admin"])
    with django_assert_num_queries(10) as ctx:
        client.get(reverse("orglife:home_study"))
    for day in range(1, 6):
        hold(town["branch_b"], K.DISCUSSION, dt.date(2025, 1, day))
        visit(people["sun"], dt.date(2025, 1, day))
    with django_assert_num_queries(len(ctx.captured_queries)):
        client.get(reverse("orglife:home_study"))
