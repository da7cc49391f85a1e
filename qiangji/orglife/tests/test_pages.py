"""Meeting pages: who may open and write what, recording and completing a meeting, bad input."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from qiangji import factories as f
from qiangji.core.models import ChangeRecord
from qiangji.orglife.models import Attachment, Attendance, Meeting, Requirement
from qiangji.orglife.tests.conftest import TODAY, hold

K = Meeting.Kind
LAST_WEEK = TODAY - dt.timedelta(days=7)


def state():
    return (
        list(Meeting.objects.order_by("id").values_list("id", "status", "date", "topic")),
        list(Attendance.objects.order_by("id").values_list("member_id", "present", "absence_reason")),
        ChangeRecord.objects.count(),
    )


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
@pytest.mark.parametrize("name", ["orglife:list", "orglife:overview", "orglife:requirements", "orglife:export"])
def test_staff_pages_per_role(client_as, users, name, role, status):
    assert client_as(users[role]).get(reverse(name)).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("town_admin", 200), ("liaison", 200), ("secretary_a", 200), ("secretary_b", 404), ("member", 404), ("visitor", 404)],
)
def test_meeting_detail_and_grid_per_role(client_as, users, town, role, status):
    meeting = hold(town["branch_a1"], K.THEME_DAY, LAST_WEEK)
    client = client_as(users[role])
    assert client.get(reverse("orglife:detail", args=[meeting.pk])).status_code == status
    assert client.get(reverse("orglife:grid", args=[town["branch_a1"].pk])).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("town_admin", 200), ("secretary_a", 200), ("liaison", 404), ("secretary_b", 404), ("member", 404)],
)
def test_edit_and_complete_per_role(client_as, users, town, role, status):
    meeting = hold(town["branch_a1"], K.THEME_DAY, LAST_WEEK, status=Meeting.Status.SCHEDULED)
    client = client_as(users[role])
    assert client.get(reverse("orglife:edit", args=[meeting.pk])).status_code == status
    assert client.get(reverse("orglife:complete", args=[meeting.pk])).status_code == status


def test_secretary_schedules_then_completes_a_meeting(client_as, users, town, people):
    client = client_as(users["secretary_a"])
    data = {
        "organization": town["branch_a1"].pk,
        "kind": K.THEME_DAY,
        "status": Meeting.Status.SCHEDULED,
        "date": LAST_WEEK.isoformat(),
        "place": "东村党群服务站",
        "topic": "主题党日：清洁家园",
        "presenter": people["zhao"].pk,
    }
    response = client.post(reverse("orglife:create"), data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("orglife:detail", args=[meeting.pk])
    assert (meeting.status, meeting.presenter, meeting.created_by) == ("scheduled", people["zhao"], users["secretary_a"])
    response = client.post(
        reverse("orglife:complete", args=[meeting.pk]),
        {"present": [people["li"].pk, people["zhao"].pk], f"reason_{people['qian'].pk}": "sick"},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "held"
    rows = sorted(Attendance.objects.values_list("member__name", "present", "absence_reason"))
    assert rows == [("李党员", True, ""), ("赵一", True, ""), ("钱二", False, "sick")]
    page = client.get(reverse("orglife:detail", args=[meeting.pk])).content.decode()
    assert "出席2人，缺席1人" in page and "钱二（病假）" in page


def test_recording_a_held_meeting_goes_on_to_attendance(client_as, users, town):
    data = {
        "organization": town["branch_b"].pk,
        "kind": K.LECTURE,
        "status": "held",
        "date": LAST_WEEK.isoformat(),
        "topic": "党课",
    }
    response = client_as(users["secretary_b"]).post(reverse("orglife:create"), data)
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("orglife:complete", args=[meeting.pk])


def test_future_meeting_cannot_be_recorded_as_held(client_as, users, town):
    before = state()
    tomorrow = TODAY + dt.timedelta(days=1)
    data = {
        "organization": town["branch_a1"].pk,
        "kind": K.LECTURE,
        "status": "held",
        "date": tomorrow.isoformat(),
        "topic": "党课",
    }
    response = client_as(users["secretary_a"]).post(reverse("orglife:create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"date": ["会议日期在今天之后，不能登记为已召开"]}
    assert state() == before


def test_future_scheduled_meeting_cannot_be_completed(client_as, users, town, people):
    meeting = hold(town["branch_a1"], K.LECTURE, TODAY + dt.timedelta(days=3), status=Meeting.Status.SCHEDULED)
    before = state()
    response = client_as(users["secretary_a"]).post(
        reverse("orglife:complete", args=[meeting.pk]),
        {"present": [people["li"].pk, people["zhao"].pk, people["qian"].pk]},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["会议日期在今天之后，不能登记为已召开"]
    assert state() == before


def test_attendee_from_another_organization_is_refused(client_as, users, town, people):
    meeting = hold(town["branch_a1"], K.THEME_DAY, LAST_WEEK, status=Meeting.Status.SCHEDULED)
    before = state()
    response = client_as(users["town_admin"]).post(
        reverse("orglife:complete", args=[meeting.pk]), {"present": [people["li"].pk, people["sun"].pk]}
    )
    assert response.status_code == 200
    assert "present" in response.context["form"].errors
    assert state() == before


def test_secretary_cannot_record_for_another_branch(client_as, users, town):
    before = state()
    data = {
        "organization": town["branch_b"].pk,
        "kind": K.LECTURE,
        "status": "scheduled",
        "date": LAST_WEEK.isoformat(),
        "topic": "党课",
    }
    response = client_as(users["secretary_a"]).post(reverse("orglife:create"), data)
    assert response.status_code == 200 and "organization" in response.context["form"].errors
    assert state() == before
    assert client_as(users["liaison"]).post(reverse("orglife:create"), data).status_code == 404
    assert state() == before


def test_edit_keeps_history(client_as, users, town):
    meeting = hold(town["branch_a1"], K.THEME_DAY, LAST_WEEK, status=Meeting.Status.SCHEDULED, topic="旧主题")
    data = {"kind": K.THEME_DAY, "status": "scheduled", "date": LAST_WEEK.isoformat(), "topic": "新主题", "place": "村委会"}
    data["version"] = meeting.version
    assert client_as(users["secretary_a"]).post(reverse("orglife:edit", args=[meeting.pk]), data).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.topic, meeting.place, meeting.organization) == ("新主题", "村委会", town["branch_a1"])
    record = ChangeRecord.objects.get(object_id=meeting.pk, content_type__model="meeting")
    assert record.changes == {"topic": ["旧主题", "新主题"], "place": ["", "村委会"]}


def test_attachment_upload_checks_the_extension(client_as, users, town, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = hold(town["branch_a1"], K.THEME_DAY, LAST_WEEK)
    client = client_as(users["secretary_a"])
    url = reverse("orglife:attach", args=[meeting.pk])
    client.post(url, {"file": SimpleUploadedFile("run.exe", b"MZ")})
    assert Attachment.objects.count() == 0
    client.post(url, {"file": SimpleUploadedFile("合影.jpg", b"\xff\xd8\xff")})
    assert list(Attachment.objects.values_list("name", "size")) == [("合影.jpg", 3)]
    assert client_as(users["liaison"]).post(url, {"file": SimpleUploadedFile("b.jpg", b"x")}).status_code == 404
    assert Attachment.objects.count() == 1
    download = reverse("orglife:attachment", args=[meeting.pk, Attachment.objects.get().pk])
    assert b"".join(client_as(users["liaison"]).get(download).streaming_content) == b"\xff\xd8\xff"
    assert client_as(users["secretary_b"]).get(download).status_code == 404


def test_list_filters_and_export(client_as, users, town):
    hold(town["branch_a1"], K.THEME_DAY, dt.date(2025, 5, 5), topic="五月主题党日")
    hold(town["branch_a1"], K.LECTURE, dt.date(2025, 6, 5), topic="=危险公式")
    hold(town["branch_b"], K.THEME_DAY, dt.date(2025, 5, 6), topic="公司主题党日")
    client = client_as(users["secretary_a"])
    page = client.get(reverse("orglife:list")).context["page"]
    assert [m.topic for m in page] == ["=危险公式", "五月主题党日"]
    params = {"kind": "theme_day", "from": "2025-05-01", "to": "2025-05-31"}
    assert [m.topic for m in client_as(users["town_admin"]).get(reverse("orglife:list"), params).context["page"]] == [
        "公司主题党日",
        "五月主题党日",
    ]
    sheet = load_workbook(io.BytesIO(client.get(reverse("orglife:export")).content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["党组织", "会议类型", "状态"]
    assert [r[5] for r in rows[1:]] == ["'=危险公式", "五月主题党日"]


def test_list_query_count_does_not_grow_with_rows(client_as, users, town, django_assert_num_queries):
    client = client_as(users["town_admin"])
    for day in range(1, 4):
        hold(town["branch_b"], K.THEME_DAY, dt.date(2025, 1, day))
    with django_assert_num_queries(9) as ctx:
        assert len(client.get(reverse("orglife:list"), {"per_page": 50}).context["page"]) == 3
    for day in range(1, 28):
        hold(town["branch_a1"], K.THEME_DAY, dt.date(2025, 2, day))
    with django_assert_num_queries(len(ctx.captured_queries)):
        assert len(client.get(reverse("orglife:list"), {"per_page": 50}).context["page"]) == 30


def test_overview_heatmap_and_missed_list(client_as, users, town):
    hold(town["branch_a1"], K.REVIEW_MEETING, dt.date(2025, 12, 1))
    response = client_as(users["liaison"]).get(reverse("orglife:overview"), {"year": 2025})
    heat = response.context["heatmap"]
    assert heat["organizations"] == ["东村第一党支部", "东村第一党支部第一党小组", "东村第二党支部"]
    review = heat["kinds"].index("组织生活会")
    assert [p[2] for p in heat["points"] if p[0] == review] == [100, 0]
    assert b'id="orglife-heatmap-data"' in response.content
    assert {m["organization"].name for m in response.context["missed"]} <= set(heat["organizations"])


def test_grid_page_shows_chinese_labels(client_as, users, town):
    hold(town["branch_a1"], K.ASSEMBLY, dt.date(2025, 2, 1))
    page = (
        client_as(users["secretary_a"]).get(reverse("orglife:grid", args=[town["branch_a1"].pk]), {"year": 2025}).content.decode()
    )
    assert "已开展 1" in page and "未开展" in page and "不适用" in page


@pytest.mark.parametrize(("role", "status"), [("town_admin", 302), ("secretary_a", 404), ("liaison", 404)])
def test_only_the_town_admin_edits_requirements(client_as, users, role, status):
    lecture = Requirement.objects.get(kind=K.LECTURE)
    data = {"applies_to": "branch", "period": "year", "minimum_count": 2, "active": "on", "version": lecture.version}
    response = client_as(users[role]).post(reverse("orglife:requirement_edit", args=[lecture.pk]), data)
    assert response.status_code == status
    lecture.refresh_from_db()
    expected = ("year", 2) if status == 302 else ("quarter", 1)
    assert (lecture.period, lecture.minimum_count) == expected


def test_overview_query_count_does_not_grow_with_organizations(client_as, users, town, django_assert_num_queries):
    client = client_as(users["town_admin"])
    for org in (town["branch_a1"], town["branch_a2"], town["branch_b"]):
        hold(org, K.THEME_DAY, dt.date(2025, 3, 3))
    # The "missed last period" list reads from the grids what lies in their year, and counts
    # (meetings and committee periods, one query each) only the periods outside it.
    with django_assert_num_queries(12) as ctx:
        client.get(reverse("orglife:overview"), {"year": 2025})
    for i in range(27):
        hold(f.organization(name=f"新支部{i}", parent=town["town"]), K.ASSEMBLY, dt.date(2025, 5, 5))
    with django_assert_num_queries(len(ctx.captured_queries)):
        assert len(client.get(reverse("orglife:overview"), {"year": 2025}).context["heatmap"]["organizations"]) == 31
