"""Attendance as a secretary records it: "全部出席", then the absent with a reason ("其他" with its
words); the absent not yet visited at home are on the no-member-left-behind list with their reason."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from qiangji.core.errors import DomainError
from qiangji.core.models import ChangeRecord
from qiangji.orglife.homestudy import coverage, home_study_record
from qiangji.orglife.models import Attendance, Meeting
from qiangji.orglife.services import meeting_complete
from qiangji.orglife.tests.conftest import TODAY, hold

K = Meeting.Kind
LAST_WEEK = TODAY - dt.timedelta(days=7)


def state():
    return (
        list(Meeting.objects.order_by("id").values_list("id", "status")),
        list(Attendance.objects.order_by("id").values_list("member_id", "present", "absence_reason", "note")),
        ChangeRecord.objects.count(),
    )


@pytest.fixture
def meeting(town):
    return hold(town["branch_a1"], K.THEME_DAY, LAST_WEEK, status=Meeting.Status.SCHEDULED, topic="主题党日：学党章")


def complete_url(meeting):
    return reverse("orglife:complete", args=[meeting.pk])


def rows():
    return sorted(Attendance.objects.values_list("member__name", "present", "absence_reason", "note"))


def test_all_present_checks_everyone_and_saves_nothing(client_as, users, people, meeting):
    before = state()
    response = client_as(users["secretary_a"]).post(complete_url(meeting), {"mark": "all"})
    assert response.status_code == 200
    assert [(r["member"].name, r["checked"]) for r in response.context["form"].rows()] == [
        ("李党员", True),
        ("钱二", True),
        ("赵一", True),
    ]
    assert not response.context["form"].errors
    assert state() == before


def test_all_present_then_two_absent_with_reasons(client_as, users, people, meeting):
    response = client_as(users["secretary_a"]).post(
        complete_url(meeting),
        {
            "present": [people["li"].pk],
            f"reason_{people['zhao'].pk}": "sick",
            f"note_{people['zhao'].pk}": "",
            f"reason_{people['qian'].pk}": "other",
            f"note_{people['qian'].pk}": " 外出探亲 ",
            # A reason left on a present member is not kept.
            f"reason_{people['li'].pk}": "away",
        },
    )
    assert response.status_code == 302
    assert rows() == [("李党员", True, "", ""), ("赵一", False, "sick", ""), ("钱二", False, "other", "外出探亲")]
    change = ChangeRecord.objects.latest("id")
    assert change.changes["出席情况"] == [None, "出席1人，缺席2人：赵一（病假）、钱二（其他：外出探亲）"]
    page = client_as(users["liaison"]).get(reverse("orglife:detail", args=[meeting.pk])).content.decode()
    assert "赵一（病假）、钱二（其他：外出探亲）" in page


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"present": ["li"]},
            {"reason_zhao": ["赵一：请选择缺席原因。"], "reason_qian": ["钱二：请选择缺席原因。"]},
        ),
        (
            {"present": ["li", "zhao"], "reason_qian": "other", "note_qian": "  "},
            {"note_qian": ["钱二：缺席原因为“其他”时，请写明具体原因。"]},
        ),
        (
            {"present": ["li", "zhao"], "reason_qian": "holiday"},
            {"reason_qian": ["钱二：缺席原因“holiday”不是有效的选项。"]},
        ),
        (
            {"present": ["li", "zhao"], "reason_qian": "other", "note_qian": "长" * 201},
            {"note_qian": ["钱二：缺席原因说明不能超过200字。"]},
        ),
        (
            {"reason_li": "sick", "reason_zhao": "sick", "reason_qian": "sick"},
            {"present": ["请至少选择一名出席党员。"]},
        ),
    ],
)
def test_an_absence_needs_a_reason_and_nothing_changes_until_it_has_one(client_as, users, people, meeting, data, errors):
    def resolve(text):
        for name, member in people.items():
            text = text.replace(f"_{name}", f"_{member.pk}")
        return text

    post = {}
    for key, value in data.items():
        post[resolve(key)] = [people[v].pk for v in value] if key == "present" else value
    before = state()
    response = client_as(users["secretary_a"]).post(complete_url(meeting), post)
    assert response.status_code == 200
    assert response.context["form"].errors == {resolve(k): v for k, v in errors.items()}
    assert state() == before
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.SCHEDULED


@pytest.mark.parametrize(("role", "status"), [("secretary_b", 404), ("liaison", 404), ("member", 404), ("anonymous", 302)])
def test_only_those_who_manage_the_branch_record_attendance(client_as, users, people, meeting, role, status):
    before = state()
    response = client_as(users[role]).post(complete_url(meeting), {"present": [people["li"].pk], "mark": "all"})
    assert response.status_code == status
    assert state() == before


def test_the_service_refuses_an_absence_without_reason(users, people, meeting):
    before = state()
    for absent, message in [
        ({people["zhao"].pk: ""}, "缺席党员须选择缺席原因（病假、事假、外出务工、年老体弱、因公或其他）"),
        ({people["zhao"].pk: ("other", " ")}, "缺席原因为“其他”时，请写明具体原因"),
    ]:
        with pytest.raises(DomainError) as error:
            meeting_complete(meeting=meeting, by=users["secretary_a"], present=[people["li"].pk], absent=absent)
        assert error.value.message == message
    assert state() == before


def test_the_database_refuses_an_absence_without_reason(people, meeting):
    for row in [
        Attendance(meeting=meeting, member=people["zhao"], present=False),
        Attendance(meeting=meeting, member=people["zhao"], present=False, absence_reason="other"),
        Attendance(meeting=meeting, member=people["zhao"], present=True, absence_reason="sick"),
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            row.save()
    assert Attendance.objects.count() == 0


@pytest.fixture
def api(api_as, users):
    def make(role, body, meeting):
        return api_as(users[role]).request("post", f"/meetings/{meeting.pk}/complete", body)

    return make


def test_api_all_present_but_the_absent(api, people, meeting):
    body = {"absent": {str(people["qian"].pk): {"reason": "away", "note": "上海务工"}}}
    response = api("secretary_a", body, meeting)
    assert response.status_code == 200
    got = response.json()
    assert (got["status"], got["present_count"], got["absent_count"]) == ("held", 2, 1)
    assert rows() == [("李党员", True, "", ""), ("赵一", True, "", ""), ("钱二", False, "away", "上海务工")]
    assert [a["absence_reason_label"] for a in got["attendance"] if not a["present"]] == ["外出务工"]


@pytest.mark.parametrize(
    ("body", "status", "answer"),
    [
        ({"absent": {"zhao": {"reason": "", "note": ""}}}, 422, {"reason_zhao": ["赵一：请选择缺席原因。"]}),
        ({"absent": {"zhao": "other"}}, 422, {"note_zhao": ["赵一：缺席原因为“其他”时，请写明具体原因。"]}),
        ({"present": ["li"], "absent": {"zhao": "sick"}}, 422, {"reason_qian": ["钱二：请选择缺席原因。"]}),
        (
            {"present": ["li", "zhao"], "absent": {"zhao": "sick", "qian": "sick"}},
            422,
            {"absent": ["同一名党员不能既出席又缺席。"]},
        ),
        ({"absent": {"sun": "sick"}}, 422, {"absent": ["所选党员不属于本组织。"]}),
        ({"absent": {"zhao": {"reason": "sick", "extra": 1}}}, 422, None),
    ],
)
def test_api_refusals_change_nothing(api, people, meeting, body, status, answer):
    def resolve(value):
        if isinstance(value, dict):
            return {resolve(k): resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, str):
            for name, member in people.items():
                if value == name:
                    return str(member.pk)
                value = value.replace(f"_{name}", f"_{member.pk}")
        return value

    body = resolve(body)
    if "present" in body:
        body["present"] = [int(v) for v in body["present"]]
    before = state()
    response = api("secretary_a", body, meeting)
    assert response.status_code == status
    if answer is not None:
        assert response.json()["errors"] == resolve(answer)
    assert state() == before


def test_api_other_branch_is_404(api, people, meeting):
    before = state()
    assert api("secretary_b", {"absent": {}}, meeting).status_code == 404
    assert state() == before


def test_the_absent_not_visited_are_on_the_left_behind_list_with_their_reason(client_as, users, town, people, meeting):
    other = hold(town["branch_a1"], K.ASSEMBLY, LAST_WEEK + dt.timedelta(days=1), attendees=[people["zhao"], people["qian"]])
    meeting_complete(
        meeting=meeting,
        by=users["secretary_a"],
        present=[people["li"].pk],
        absent={people["zhao"].pk: ("sick", ""), people["qian"].pk: ("other", "外出探亲")},
    )
    start, end = TODAY.replace(day=1), TODAY
    # 赵 and 钱 attended the assembly, yet the theme day they missed is still to be made up.
    listed = [
        (r.member.name, r.status, [a.reason_label for a in r.absences]) for r in coverage(town["branch_a1"], start=start, end=end)
    ]
    assert sorted(listed) == [
        ("李党员", "attended", []),
        ("赵一", "attended", ["病假"]),
        ("钱二", "attended", ["其他：外出探亲"]),
    ]
    url = reverse("orglife:home_study_gaps", args=[town["branch_a1"].pk])
    response = client_as(users["secretary_a"]).get(url, {"month": f"{TODAY:%Y-%m}"})
    page = response.content.decode()
    assert [r.member.name for r in response.context["missing"]] == ["钱二", "赵一"]
    assert f"{LAST_WEEK.month}月{LAST_WEEK.day}日主题党日缺席：病假" in page
    assert "主题党日缺席：其他：外出探亲" in page
    assert f"?meeting={meeting.pk}&amp;next=" in page
    # A visit for that meeting makes it up; one for no meeting made before it does not.
    home_study_record(
        by=users["secretary_a"], member=people["zhao"], date=LAST_WEEK, topic="学党章", visitors="王书记", meeting=meeting
    )
    home_study_record(
        by=users["secretary_a"], member=people["qian"], date=LAST_WEEK - dt.timedelta(days=1), topic="学党章", visitors="王书记"
    )
    response = client_as(users["secretary_a"]).get(url, {"month": f"{TODAY:%Y-%m}"})
    assert [r.member.name for r in response.context["missing"]] == ["钱二"]
    assert response.context["counts"]["left_behind"] == 1
    home_study_record(by=users["secretary_a"], member=people["qian"], date=TODAY, topic="学党章", visitors="王书记")
    response = client_as(users["secretary_a"]).get(url, {"month": f"{TODAY:%Y-%m}"})
    assert response.context["missing"] == []
    assert other.pk
