"""import_meetings: the natural key makes a second import change nothing; bad rows are invalid
and nothing of them is written; a dry run writes nothing; who may import on /imports/; the
headcounts (应到/实到人数) of a ledger without attendee lists are validated and kept."""

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from qiangji import factories as f
from qiangji.core.models import ChangeRecord, ImportBatch
from qiangji.core.spreadsheets import services
from qiangji.orglife.models import Attendance, Meeting
from qiangji.orglife.tests.conftest import hold

HEADERS = ["党组织", "会议类型", "日期", "地点", "主题", "主讲人/主持人"]


def xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["竖新镇2026年组织生活台账"])
    ws.append(HEADERS)
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def ledger() -> bytes:
    return xlsx(
        [
            ["东村第一党支部", "主题党日", dt.date(2026, 3, 5), "东村党群服务站", "学雷锋志愿服务", "赵一"],
            ["东村第一党支部", "党课", "2026-03-20", "", "书记讲党课：担当作为", "王书记"],
            ["竖新镇某某公司党支部", "交流研讨", dt.date(2026, 4, 2), "会议室", "安全生产交流研讨", ""],
            ["西村党支部", "支委会", dt.date(2026, 4, 3), "", "研究发展党员", ""],  # unknown organization
            ["东村第一党支部", "座谈会", dt.date(2026, 4, 3), "", "座谈", ""],  # unknown kind
            ["竖新镇党委", "支部党员大会", dt.date(2026, 4, 3), "", "党委大会", ""],  # holds no organizational life
            ["东村第二党支部", "支部党员大会", dt.date(2099, 1, 1), "", "未来会议", ""],  # future
            ["东村第一党支部", "主题党日", dt.date(2026, 3, 5), "", "学雷锋志愿服务", ""],  # duplicate of row 3
        ]
    )


def state():
    return (
        list(Meeting.objects.order_by("id").values_list("organization__name", "kind", "status", "date", "topic", "place")),
        ChangeRecord.objects.count(),
        ImportBatch.objects.count(),
    )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def run(data: bytes, *, commit: bool, user=None):
    return services.import_file(kind="meetings", file_name="台账.xlsx", data=data, commit=commit, user=user)


def test_import_creates_held_meetings_and_reports_bad_rows(town, tmp_path, capsys):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(ledger())

    call_command("import_meetings", str(path), "--json")

    report = json.loads(capsys.readouterr().out)
    assert report["created"] == 3
    assert report["updated"] == 0
    assert report["invalid"] == 5
    errors = {e["row"]: e["messages"] for e in report["errors"]}
    assert errors[6] == ["党组织“西村党支部”不存在"]
    assert errors[7] == [
        "会议类型“座谈会”不在可选范围内（支部党员大会、支委会、党小组会、党课、主题党日、组织生活会、交流研讨、警示教育）"
    ]
    assert errors[8] == ["“竖新镇党委”不是党总支、党支部或党小组，组织生活由党总支、党支部或党小组开展"]
    assert errors[9] == ["会议日期在今天之后，不能导入为已召开的会议"]
    assert errors[10] == ["与第3行党组织、会议类型、日期和主题重复"]
    assert list(
        Meeting.objects.order_by("date").values_list(
            "organization__name", "kind", "status", "date", "place", "topic", "presenter_name"
        )
    ) == [
        ("东村第一党支部", "theme_day", "held", dt.date(2026, 3, 5), "东村党群服务站", "学雷锋志愿服务", "赵一"),
        ("东村第一党支部", "lecture", "held", dt.date(2026, 3, 20), "", "书记讲党课：担当作为", "王书记"),
        ("竖新镇某某公司党支部", "discussion", "held", dt.date(2026, 4, 2), "会议室", "安全生产交流研讨", ""),
    ]
    assert ChangeRecord.objects.filter(source=ChangeRecord.Source.COMMAND).count() == 3


def test_importing_twice_changes_nothing(town):
    run(ledger(), commit=True)
    before = state()[0], ChangeRecord.objects.count()

    result = run(ledger(), commit=True)

    assert result.counts["new"] == 0 and result.counts["changed"] == 0
    assert result.counts["unchanged"] == 3
    assert (state()[0], ChangeRecord.objects.count()) == before


def test_import_completes_a_scheduled_meeting_with_the_same_key(town):
    scheduled = hold(
        town["branch_a1"], Meeting.Kind.THEME_DAY, dt.date(2026, 3, 5), status=Meeting.Status.SCHEDULED, topic="学雷锋志愿服务"
    )

    result = run(ledger(), commit=True)

    assert result.counts["changed"] == 1
    scheduled.refresh_from_db()
    assert (scheduled.status, scheduled.place, scheduled.presenter_name) == ("held", "东村党群服务站", "赵一")
    assert Meeting.objects.count() == 3


def test_dry_run_writes_nothing(town, tmp_path, capsys):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(ledger())
    before = state()

    call_command("import_meetings", str(path), "--dry-run")

    assert capsys.readouterr().out.splitlines()[0] == "试运行（未写入任何数据）：共 8 行，新增 3，变更 0，无变化 0，有误 5"
    assert state() == before


def test_unreadable_file_changes_nothing(town, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"not a spreadsheet at all")
    before = state()

    with pytest.raises(CommandError):
        call_command("import_meetings", str(path))

    assert state() == before


def test_secretary_imports_only_their_organizations(town, users):
    result = run(ledger(), commit=True, user=users["secretary_b"])

    assert Meeting.objects.count() == 1
    assert Meeting.objects.get().organization == town["branch_b"]
    messages = {r.number: r.messages for r in result.rows}
    assert messages[3] == ["党组织“东村第一党支部”不在您的管理范围内"]


@pytest.mark.parametrize(
    ("role", "listed"),
    [("town_admin", True), ("secretary_a", True), ("liaison", False), ("member", False), ("visitor", False)],
)
def test_meetings_import_offered_per_role(client_as, users, role, listed):
    response = client_as(users[role]).get(reverse("imports:template", args=["meetings"]))
    assert (response.status_code == 200) is listed


# Headcounts (应到/实到人数) of a ledger that lists no attendees --------------------------------

COUNTED = [*HEADERS, "应到人数", "实到人数"]


def counted(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["竖新镇2026年组织生活台账"])
    ws.append(COUNTED)
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def headcount_ledger() -> bytes:
    a1, b = "东村第一党支部", "竖新镇某某公司党支部"
    return counted(
        [
            [a1, "主题党日", dt.date(2026, 3, 5), "", "学雷锋志愿服务", "", 12, 10],
            [a1, "党课", dt.date(2026, 3, 20), "", "书记讲党课", "", "１５人", 15.0],  # full-width, 人, a float
            [b, "交流研讨", dt.date(2026, 4, 2), "", "安全生产交流研讨", "", None, None],  # not counted
            [a1, "支部党员大会", dt.date(2026, 4, 3), "", "大会一", "", 8, 9],
            [a1, "支部党员大会", dt.date(2026, 4, 4), "", "大会二", "", -1, 0],
            [a1, "支部党员大会", dt.date(2026, 4, 5), "", "大会三", "", 12, "十人"],
            [a1, "支部党员大会", dt.date(2026, 4, 6), "", "大会四", "", 12.5, 3],
        ]
    )


HEADCOUNT_ERRORS = [
    {"row": 6, "messages": ["实到人数（9）不能多于应到人数（8）"]},
    {"row": 7, "messages": ["应到人数应为不小于0的整数"]},
    {"row": 8, "messages": ["实到人数应为不小于0的整数"]},
    {"row": 9, "messages": ["应到人数应为不小于0的整数"]},
]


def headcounts():
    return list(Meeting.objects.order_by("date").values_list("topic", "expected_count", "actual_count"))


def command(tmp_path, capsys, data, *options):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(data)
    call_command("import_meetings", str(path), "--json", *options)
    return json.loads(capsys.readouterr().out)


def test_headcounts_dry_run_reports_bad_counts_and_writes_nothing(town, tmp_path, capsys):
    before = state()

    report = command(tmp_path, capsys, headcount_ledger(), "--dry-run")

    assert report == {"created": 3, "updated": 0, "unchanged": 0, "invalid": 4, "errors": HEADCOUNT_ERRORS}
    assert state() == before


def test_headcounts_are_kept_on_the_meeting(town, users, client_as, tmp_path, capsys):
    report = command(tmp_path, capsys, headcount_ledger())

    assert (report["created"], report["invalid"], report["errors"]) == (3, 4, HEADCOUNT_ERRORS)
    assert headcounts() == [("学雷锋志愿服务", 12, 10), ("书记讲党课", 15, 15), ("安全生产交流研讨", None, None)]
    theme_day = Meeting.objects.get(topic="学雷锋志愿服务")
    assert ChangeRecord.objects.filter(object_id=theme_day.pk).get().changes["expected_count"] == [None, 12]
    # The API gives them with the meeting, beside its (still empty) attendance.
    got = client_as(users["secretary_a"]).get(f"/api/v1/meetings/{theme_day.pk}").json()
    assert (got["expected_count"], got["actual_count"], got["present_count"], got["attendance"]) == (12, 10, 0, [])


def test_a_second_import_changes_only_the_counts_that_differ(town, tmp_path, capsys):
    command(tmp_path, capsys, headcount_ledger())
    changes = ChangeRecord.objects.count()
    fixed = counted([["东村第一党支部", "主题党日", dt.date(2026, 3, 5), "", "学雷锋志愿服务", "", 12, 11]])

    report = command(tmp_path, capsys, fixed)

    assert (report["created"], report["updated"], report["unchanged"]) == (0, 1, 0)
    assert headcounts()[0] == ("学雷锋志愿服务", 12, 11)
    assert ChangeRecord.objects.count() == changes + 1
    assert ChangeRecord.objects.order_by("id").last().changes == {"actual_count": [10, 11]}
    # The same sheet again changes nothing; a sheet without the columns fills in the place and
    # presenter and leaves the counts as they are.
    assert command(tmp_path, capsys, fixed)["unchanged"] == 1
    assert command(tmp_path, capsys, ledger())["updated"] == 2  # the theme day and the discussion
    theme_day = Meeting.objects.get(topic="学雷锋志愿服务")
    assert ChangeRecord.objects.filter(object_id=theme_day.pk).order_by("id").last().changes == {
        "place": ["", "东村党群服务站"],
        "presenter_name": ["", "赵一"],
    }
    assert headcounts()[0] == ("学雷锋志愿服务", 12, 11)


def test_the_meeting_page_shows_the_counts_until_attendance_is_entered(town, users, client_as, tmp_path, capsys):
    command(tmp_path, capsys, headcount_ledger())
    theme_day = Meeting.objects.get(topic="学雷锋志愿服务")
    uncounted = Meeting.objects.get(topic="安全生产交流研讨")
    client = client_as(users["town_admin"])

    page = client.get(reverse("orglife:detail", args=[theme_day.pk])).content.decode()
    assert "应到12人，实到10人" in page and "尚未登记出席情况" not in page
    page = client.get(reverse("orglife:detail", args=[uncounted.pk])).content.decode()
    assert "尚未登记出席情况" in page and "应到" not in page

    Attendance.objects.create(meeting=theme_day, member=f.member(organization=town["branch_a1"], name="赵一"), present=True)
    page = client.get(reverse("orglife:detail", args=[theme_day.pk])).content.decode()
    assert "出席1人，缺席0人" in page and "应到12人" not in page
