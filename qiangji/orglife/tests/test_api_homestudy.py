"""Home study (送学上门) over the API: the visit list, recording a visit through the page's form
and service, a month's coverage per member, and the counts of discussions and visits."""

import datetime as dt

import pytest

from qiangji.core.models import ChangeRecord
from qiangji.orglife.homestudy import home_study_record
from qiangji.orglife.models import HomeStudyVisit, Meeting
from qiangji.orglife.tests.conftest import hold

K = Meeting.Kind
ROLES = ("town_admin", "liaison", "secretary_a", "secretary_b", "member", "visitor")
UNAUTHENTICATED = {"detail": "请先登录，或在请求头中提供有效的接口令牌（Authorization: Bearer 令牌）。"}
NOT_FOUND = {"detail": "对象不存在，或您无权访问。"}
STAFF_ONLY = {"detail": "只有镇党委、指导联络组和党组织书记可以查看送学上门情况。"}
INVALID = "提交的数据有误，请按提示修改。"


@pytest.fixture
def call(users, api_as):
    """call(role, method, path, body=None, params=None): the API with the role's bearer token."""

    def make(role, method, path, body=None, params=None):
        return api_as(users.get(role)).request(method, "/home-study" + path, body, params=params)

    return make


def state():
    return (
        list(HomeStudyVisit.objects.order_by("id").values_list("member_id", "date", "topic", "visitors", "meeting_id", "notes")),
        ChangeRecord.objects.count(),
    )


@pytest.fixture
def visits(users, people):
    """赵一 (branch_a1) visited on 3 March, 孙三 (branch_b) on 4 April 2026."""
    zhao = home_study_record(
        by=users["secretary_a"],
        member=people["zhao"],
        date=dt.date(2026, 3, 3),
        topic="学习党章",
        visitors="网格员小王、老支书",
        visitor_users=[users["secretary_a"]],
    )
    sun = home_study_record(
        by=users["secretary_b"], member=people["sun"], date=dt.date(2026, 4, 4), topic="学习条例", visitors="公司书记"
    )
    return {"zhao": zhao, "sun": sun}


@pytest.mark.parametrize(
    ("role", "status", "names"),
    [
        ("town_admin", 200, ["孙三", "赵一"]),
        ("liaison", 200, ["赵一"]),
        ("secretary_a", 200, ["赵一"]),
        ("secretary_b", 200, ["孙三"]),
        ("member", 403, None),
        ("visitor", 403, None),
        ("anonymous", 401, None),
    ],
)
def test_list_per_role(call, visits, role, status, names):
    response = call(role, "get", "/visits")
    assert response.status_code == status
    if names is None:
        assert response.json() == (UNAUTHENTICATED if status == 401 else STAFF_ONLY)
    else:
        assert [v["member_name"] for v in response.json()["items"]] == names


def test_list_gives_who_went_and_what_was_studied(call, visits, town, people):
    body = call("secretary_a", "get", "/visits").json()
    assert body == {
        "count": 1,
        "page": 1,
        "page_size": 20,
        "items": [
            {
                "id": visits["zhao"].pk,
                "member": people["zhao"].pk,
                "member_name": "赵一",
                "organization": town["branch_a1"].pk,
                "organization_name": "东村第一党支部",
                "date": "2026-03-03",
                "topic": "学习党章",
                "visitors": ["东村书记", "网格员小王", "老支书"],
                "meeting": None,
                "meeting_label": "",
                "notes": "",
            }
        ],
    }


def test_list_filters(call, visits, town, people):
    def members(**params):
        return [v["member_name"] for v in call("town_admin", "get", "/visits", params=params).json()["items"]]

    assert members(organization=town["village_a"].pk) == ["赵一"]
    assert members(member=people["sun"].pk) == ["孙三"]
    assert members(date_from="2026-04-01") == ["孙三"]
    assert members(date_to="2026-03-31") == ["赵一"]
    assert members(date_from="2026-03-04", date_to="2026-04-03") == []
    # An organization the caller cannot see filters to nothing rather than revealing it exists.
    assert call("secretary_b", "get", "/visits", params={"organization": town["branch_a1"].pk}).json()["count"] == 0
    response = call("town_admin", "get", "/visits", params={"date_from": "2026-13-01"})
    assert response.status_code == 422
    assert response.json() == {"detail": INVALID, "errors": {"date_from": ["请输入有效的日期（格式：YYYY-MM-DD）。"]}}


def test_secretary_records_a_visit_through_the_service(call, users, town, people):
    theme_day = hold(town["branch_a1"], K.THEME_DAY, dt.date(2026, 3, 10), topic="主题党日")
    body = {
        "member": people["zhao"].pk,
        "date": "2026-03-12",
        "topic": "  学习主题党日内容 ",
        "meeting": theme_day.pk,
        "visitors": "网格员小王",
        "notes": "行动不便，在家学习",
    }
    response = call("secretary_a", "post", "/visits", body)
    assert response.status_code == 201
    visit = HomeStudyVisit.objects.get()
    assert response.json() == {
        "id": visit.pk,
        "member": people["zhao"].pk,
        "member_name": "赵一",
        "organization": town["branch_a1"].pk,
        "organization_name": "东村第一党支部",
        "date": "2026-03-12",
        "topic": "学习主题党日内容",
        "visitors": ["东村书记", "网格员小王"],
        "meeting": theme_day.pk,
        "meeting_label": "2026-03-10 主题党日：主题党日",
        "notes": "行动不便，在家学习",
    }
    assert [u.username for u in visit.visitor_users.all()] == ["sec_a"]
    record = ChangeRecord.objects.get()
    assert (record.source, record.action, record.user) == ("api", "create", users["secretary_a"])


def test_without_include_me_only_the_named_visitors_went(call, people):
    body = {"member": people["zhao"].pk, "date": "2026-03-12", "topic": "学习党章", "include_me": False, "visitors": "老支书"}
    response = call("town_admin", "post", "/visits", body)
    assert response.status_code == 201 and response.json()["visitors"] == ["老支书"]
    assert HomeStudyVisit.objects.get().visitor_users.count() == 0


@pytest.mark.parametrize(
    ("role", "status", "detail"),
    [
        ("liaison", 403, "您没有登记送学上门的权限。"),
        ("member", 403, "您没有登记送学上门的权限。"),
        ("visitor", 403, "您没有登记送学上门的权限。"),
        ("secretary_b", 404, NOT_FOUND["detail"]),
        ("anonymous", 401, UNAUTHENTICATED["detail"]),
    ],
)
def test_others_may_not_record_and_nothing_changes(call, people, role, status, detail):
    before = state()
    body = {"member": people["zhao"].pk, "date": "2026-03-12", "topic": "学习党章"}
    response = call(role, "post", "/visits", body)
    assert (response.status_code, response.json()) == (status, {"detail": detail})
    assert state() == before


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        (
            {"date": "2026-03-12", "topic": " "},
            422,
            {"detail": INVALID, "errors": {"topic": ["学习内容未填写"]}},
        ),
        (
            {"date": "2026-03-12", "topic": "学习党章", "include_me": False},
            422,
            {"detail": INVALID, "errors": {"visitors": ["请填写送学人员，或勾选“我本人参加了送学”。"]}},
        ),
        (
            {"date": "2026-03-12", "topic": "学习党章", "place": "家中"},
            422,
            {"detail": INVALID, "errors": {"place": ["不支持该字段。"]}},
        ),
        (
            {"date": "2099-01-01", "topic": "学习党章"},
            409,
            {"detail": "送学日期在今天之后，请在送学后登记"},
        ),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_changes(call, people, body, status, expected):
    before = state()
    response = call("secretary_a", "post", "/visits", {"member": people["zhao"].pk, **body})
    assert (response.status_code, response.json()) == (status, expected)
    assert state() == before


def test_a_meeting_of_another_organization_is_not_a_choice(call, town, people):
    other = hold(town["branch_b"], K.THEME_DAY, dt.date(2026, 3, 10))
    before = state()
    body = {"member": people["zhao"].pk, "date": "2026-03-12", "topic": "学习党章", "meeting": other.pk}
    response = call("secretary_a", "post", "/visits", body)
    assert response.status_code == 422
    assert response.json()["errors"] == {"meeting": ["选择一个有效的选项： 该选择不在可用的选项中。"]}
    assert state() == before


@pytest.fixture
def march(users, town, people):
    """In March 2026 赵一 attended a theme day, 钱二 was visited, 李党员 neither."""
    hold(town["branch_a1"], K.THEME_DAY, dt.date(2026, 3, 10), attendees=[people["zhao"]])
    home_study_record(
        by=users["secretary_a"], member=people["qian"], date=dt.date(2026, 3, 20), topic="学习党章", visitors="老支书"
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("town_admin", 200),
        ("liaison", 200),
        ("secretary_a", 200),
        ("secretary_b", 404),
        ("member", 403),
        ("visitor", 403),
        ("anonymous", 401),
    ],
)
def test_coverage_per_role(call, town, march, role, status):
    response = call(role, "get", "/coverage", params={"organization": town["branch_a1"].pk, "month": "2026-03"})
    assert response.status_code == status


def test_coverage_gives_each_member_attended_visited_or_neither(call, town, people, march):
    response = call("secretary_a", "get", "/coverage", params={"organization": town["branch_a1"].pk, "month": "2026-03"})

    def row(name, status, label):
        return {
            "member": people[name].pk,
            "member_name": people[name].name,
            "is_frail": False,
            "is_mobile": False,
            "status": status,
            "status_label": label,
            "left_behind": status == "neither",
            "absences": [],
        }

    assert response.json() == {
        "organization": town["branch_a1"].pk,
        "organization_name": "东村第一党支部",
        "month": "2026-03",
        "start": "2026-03-01",
        "end": "2026-03-31",
        "kind": "",
        "attended": 1,
        "visited": 1,
        "neither": 1,
        "left_behind": 1,
        "members": [
            row("li", "neither", "未参加也未送学"),
            row("qian", "visited", "已送学上门"),
            row("zhao", "attended", "参加组织生活"),
        ],
    }
    # A theme day does not count for the month's lecture; the visit (linked to no meeting) does.
    lecture = call(
        "secretary_a", "get", "/coverage", params={"organization": town["branch_a1"].pk, "month": "2026-03", "kind": "lecture"}
    ).json()
    assert (lecture["attended"], lecture["visited"], lecture["neither"]) == (0, 1, 2)


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"month": "2026-3"}, {"month": ["请输入有效的月份（格式：YYYY-MM）。"]}),
        ({"month": "2026-13"}, {"month": ["请输入有效的月份（格式：YYYY-MM）。"]}),
        ({"kind": "party"}, {"kind": ["“party”不是有效的选项，可选：" + "、".join(K.values) + "。"]}),
    ],
)
def test_coverage_bad_input_is_422(call, town, params, errors):
    response = call("town_admin", "get", "/coverage", params={"organization": town["branch_a1"].pk, **params})
    assert (response.status_code, response.json()) == (422, {"detail": INVALID, "errors": errors})


def test_coverage_is_for_branches_and_party_groups(call, town):
    response = call("town_admin", "get", "/coverage", params={"organization": town["village_a"].pk, "month": "2026-03"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"organization": ["组织生活由党支部或党小组开展，请选择党支部或党小组。"]}


def test_counts_of_discussions_and_visits_over_the_callers_scope(call, town, people, visits):
    hold(town["branch_a1"], K.DISCUSSION, dt.date(2026, 3, 5))
    hold(town["branch_b"], K.DISCUSSION, dt.date(2026, 4, 5))
    hold(town["branch_b"], K.DISCUSSION, dt.date(2026, 4, 6), status=Meeting.Status.SCHEDULED)
    params = {"date_from": "2026-01-01", "date_to": "2026-06-30"}
    assert call("town_admin", "get", "/counts", params=params).json() == {
        "date_from": "2026-01-01",
        "date_to": "2026-06-30",
        "discussions": 2,
        "home_study_visits": 2,
        "plans_planned": 0,
        "plans_done": 0,
        "plans_overdue": 0,
    }
    assert call("secretary_b", "get", "/counts", params=params).json()["discussions"] == 1
    march_only = call("liaison", "get", "/counts", params={"date_from": "2026-03-01", "date_to": "2026-03-31"}).json()
    assert (march_only["discussions"], march_only["home_study_visits"]) == (1, 1)
    reversed_range = call("town_admin", "get", "/counts", params={"date_from": "2026-06-30", "date_to": "2026-01-01"})
    assert reversed_range.status_code == 422
    assert reversed_range.json()["errors"] == {"date_to": ["结束日期不能早于开始日期。"]}


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("visitor", 403), ("anonymous", 401)])
def test_counts_denied(call, role, status):
    assert call(role, "get", "/counts").status_code == status


def test_the_visit_list_costs_the_same_queries_however_many_visits(call, users, people, visits, django_assert_num_queries):
    call("town_admin", "get", "/visits")  # the token's last-used stamp is written once a while
    # token, scope (3), count, page, visitor accounts
    with django_assert_num_queries(7):
        assert call("town_admin", "get", "/visits").json()["count"] == 2
    for n in range(3):
        home_study_record(
            by=users["secretary_a"],
            member=people["li"],
            date=dt.date(2026, 5, 1 + n),
            topic=f"学习{n}",
            visitor_users=[users["secretary_a"]],
        )
    with django_assert_num_queries(7):
        assert call("town_admin", "get", "/visits").json()["count"] == 5
