"""Liaison attendance (列席) over the API: a liaison member's meetings, recording attendance
through the page's service, the town's not-attended list, and every role's access.

In the fixture the liaison user's group (第一指导联络组) covers 东村党总支 and its subtree.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qiangji import factories as f
from qiangji.liaison.models import LiaisonAttendance
from qiangji.orglife.models import Meeting
from qiangji.orgs.models import LiaisonGroup

K, S = Meeting.Kind, Meeting.Status
ROLES = ("town_admin", "liaison", "secretary_a", "secretary_b", "member", "visitor")
UNAUTHENTICATED = {"detail": "请先登录，或在请求头中提供有效的接口令牌（Authorization: Bearer 令牌）。"}
NOT_FOUND = {"detail": "对象不存在，或您无权访问。"}
INVALID = "提交的数据有误，请按提示修改。"


@pytest.fixture
def call(users, api_as):
    """call(role, method, path, body=None, params=None): the API with the role's bearer token."""

    def make(role, method, path, body=None, params=None):
        return api_as(users.get(role)).request(method, "/liaison" + path, body, params=params)

    return make


def state():
    return [
        (r.meeting_id, r.group_id, r.attended, r.note, sorted(u.pk for u in r.attendees.all()))
        for r in LiaisonAttendance.objects.order_by("id")
    ]


@pytest.fixture
def group(users):
    return LiaisonGroup.objects.get(name="第一指导联络组")


@pytest.fixture
def meetings(town):
    """Relative to today: what the group must attend, and what it need not."""
    today = timezone.localdate()

    def meeting(org, kind, days, status, topic):
        day = today + dt.timedelta(days=days)
        return Meeting.objects.create(organization=town[org], kind=kind, date=day, status=status, topic=topic, place="村委会")

    return {
        "upcoming": meeting("branch_a1", K.ASSEMBLY, 5, S.SCHEDULED, "年度党员大会"),
        "past": meeting("group_a1", K.THEME_DAY, -3, S.HELD, "主题党日"),
        "old": meeting("branch_a2", K.ASSEMBLY, -10, S.HELD, "党员大会"),
        "lecture": meeting("branch_a1", K.LECTURE, -2, S.HELD, "党课"),  # not a kind the group attends
        "other": meeting("branch_b", K.ASSEMBLY, -3, S.HELD, "公司党员大会"),  # not the group's
    }


def out(town, m, org, record="not_recorded", label="未登记", attendees=(), note=""):
    return {
        "meeting": m.pk,
        "organization": town[org].pk,
        "organization_name": town[org].name,
        "kind": m.kind,
        "kind_label": m.get_kind_display(),
        "status": m.status,
        "status_label": m.get_status_display(),
        "date": m.date.isoformat(),
        "place": "村委会",
        "topic": m.topic,
        "record": record,
        "record_label": label,
        "attendees": list(attendees),
        "note": note,
    }


def test_a_liaison_member_sees_the_groups_upcoming_and_recent_meetings(call, town, group, meetings):
    response = call("liaison", "get", "/meetings")
    assert response.status_code == 200
    assert response.json() == [
        {
            "group": group.pk,
            "group_name": "第一指导联络组",
            "upcoming": [out(town, meetings["upcoming"], "branch_a1")],
            "recent": [out(town, meetings["past"], "group_a1"), out(town, meetings["old"], "branch_a2")],
        }
    ]


@pytest.mark.parametrize(
    ("role", "status"),
    [("town_admin", 403), ("secretary_a", 403), ("secretary_b", 403), ("member", 403), ("visitor", 403), ("anonymous", 401)],
)
def test_only_liaison_members_have_meetings_to_attend(call, meetings, role, status):
    response = call(role, "get", "/meetings")
    assert response.status_code == status
    assert response.json() == ({"detail": "您不是指导联络组成员。"} if status == 403 else UNAUTHENTICATED)


def test_recording_attendance_goes_through_the_service(call, town, users, group, meetings):
    path = f"/groups/{group.pk}/meetings/{meetings['past'].pk}/attendance"
    response = call("liaison", "post", path, {"attended": True, "note": " 会上作点评 "})
    assert response.status_code == 200
    assert response.json() == out(town, meetings["past"], "group_a1", "attended", "已列席", ["联络员"], "会上作点评")
    assert state() == [(meetings["past"].pk, group.pk, True, "会上作点评", [users["liaison"].pk])]
    # The same call again corrects the record.
    again = call("liaison", "post", path, {"attended": False})
    assert again.status_code == 200 and again.json()["record"] == "not_attended"
    assert state() == [(meetings["past"].pk, group.pk, False, "", [])]
    listed = call("liaison", "get", "/meetings").json()[0]["recent"][0]
    assert (listed["record"], listed["record_label"]) == ("not_attended", "未列席")


def test_a_colleague_of_the_group_may_be_named_as_attendee(call, users, group, meetings):
    colleague = f.UserFactory(username="colleague", display_name="联络组同事")
    group.members.add(colleague)
    path = f"/groups/{group.pk}/meetings/{meetings['old'].pk}/attendance"
    response = call("liaison", "post", path, {"attended": True, "attendees": [colleague.pk, users["liaison"].pk]})
    assert response.status_code == 200 and sorted(response.json()["attendees"]) == ["联络员", "联络组同事"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("town_admin", 404), ("secretary_a", 404), ("secretary_b", 404), ("member", 404), ("visitor", 404), ("anonymous", 401)],
)
def test_only_the_groups_people_record_and_nothing_changes(call, group, meetings, role, status):
    response = call(role, "post", f"/groups/{group.pk}/meetings/{meetings['past'].pk}/attendance", {"attended": True})
    assert (response.status_code, response.json()) == (status, NOT_FOUND if status == 404 else UNAUTHENTICATED)
    assert state() == []


@pytest.mark.parametrize("which", ["other", "lecture"])
def test_a_meeting_outside_the_group_or_of_another_kind_is_404(call, group, meetings, which):
    response = call("liaison", "post", f"/groups/{group.pk}/meetings/{meetings[which].pk}/attendance", {"attended": True})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert state() == []


@pytest.mark.parametrize(
    ("which", "body", "status", "expected"),
    [
        ("upcoming", {"attended": True}, 409, {"detail": "会议尚未召开，召开当天或之后再登记列席情况"}),
        ("past", {"attended": False, "attendees": ["me"]}, 422, {"detail": INVALID, "errors": {"attendees.0": ["请输入整数。"]}}),
        ("past", {"attended": "也许"}, 422, {"detail": INVALID, "errors": {"attended": ["请输入 true 或 false。"]}}),
        ("past", {"attended": True, "who": 1}, 422, {"detail": INVALID, "errors": {"who": ["不支持该字段。"]}}),
        ("past", {"attended": True, "attendees": []}, 409, {"detail": "请选择列席人员"}),
        ("past", {"attended": True, "attendees": [999999]}, 409, {"detail": "列席人员须为本联络组成员"}),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_changes(call, group, meetings, which, body, status, expected):
    response = call("liaison", "post", f"/groups/{group.pk}/meetings/{meetings[which].pk}/attendance", body)
    assert (response.status_code, response.json()) == (status, expected)
    assert state() == []


def test_attendees_must_sit_in_the_group(call, users, group, meetings):
    path = f"/groups/{group.pk}/meetings/{meetings['past'].pk}/attendance"
    response = call("liaison", "post", path, {"attended": True, "attendees": [users["secretary_a"].pk]})
    assert (response.status_code, response.json()) == (409, {"detail": "列席人员须为本联络组成员"})
    response = call("liaison", "post", path, {"attended": False, "attendees": [users["liaison"].pk]})
    assert (response.status_code, response.json()) == (409, {"detail": "未列席时不能填写列席人员"})
    assert state() == []


@pytest.fixture
def second_group(town):
    other = f.UserFactory(username="liaison2", display_name="二组联络员")
    return f.liaison_group(name="第二指导联络组", users=[other], organizations=[town["branch_b"]])


def test_the_town_sees_every_groups_meetings_not_attended(call, town, users, group, second_group, meetings):
    LiaisonAttendance.objects.create(meeting=meetings["old"], group=group, attended=True, recorded_at=timezone.now())
    year = timezone.localdate().year
    # Early in January the meetings of the last days belong to the year before.
    this_year = {k for k, m in meetings.items() if m.date.year == year}
    body = call("town_admin", "get", "/unattended").json()
    assert body == {
        "year": year,
        "groups": [
            {
                "group": group.pk,
                "group_name": "第一指导联络组",
                "due": len(this_year & {"past", "old"}),
                "attended": len(this_year & {"old"}),
                "missed": [out(town, meetings["past"], "group_a1")] if "past" in this_year else [],
            },
            {
                "group": second_group.pk,
                "group_name": "第二指导联络组",
                "due": len(this_year & {"other"}),
                "attended": 0,
                "missed": [out(town, meetings["other"], "branch_b")] if "other" in this_year else [],
            },
        ],
    }


@pytest.mark.parametrize(
    ("role", "status", "groups"),
    [
        ("liaison", 200, ["第一指导联络组"]),
        ("secretary_a", 403, None),
        ("secretary_b", 403, None),
        ("member", 403, None),
        ("visitor", 403, None),
        ("anonymous", 401, None),
    ],
)
def test_unattended_per_role(call, second_group, meetings, role, status, groups):
    response = call(role, "get", "/unattended")
    assert response.status_code == status
    if groups is not None:
        assert [g["group_name"] for g in response.json()["groups"]] == groups
    elif status == 403:
        assert response.json() == {"detail": "只有镇党委和指导联络组可以查看列席情况。"}


def test_unattended_year_out_of_range_is_422(call):
    year = timezone.localdate().year
    response = call("town_admin", "get", "/unattended", params={"year": year + 1})
    assert (response.status_code, response.json()) == (
        422,
        {"detail": INVALID, "errors": {"year": [f"年份应在 2000 至 {year} 之间。"]}},
    )


def test_the_meeting_list_costs_the_same_queries_however_many_meetings(call, town, users, group, meetings):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert call("liaison", "get", "/meetings").status_code == 200
        return len(captured.captured_queries)

    def attended(m):
        record = LiaisonAttendance.objects.create(meeting=m, group=group, attended=True, recorded_at=timezone.now())
        record.attendees.set([users["liaison"]])

    attended(meetings["old"])
    queries()  # the token's last-used stamp is written once a while
    few = queries()
    today = timezone.localdate()
    for n in range(3):
        day = today - dt.timedelta(days=4 + n)
        attended(
            Meeting.objects.create(organization=town["branch_a2"], kind=K.THEME_DAY, date=day, status=S.HELD, topic="主题党日")
        )
    assert queries() == few
    assert len(call("liaison", "get", "/meetings").json()[0]["recent"]) == 5
