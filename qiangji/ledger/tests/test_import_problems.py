"""import_problems: 12345 and petition exports as they really come (a title row, work-order
numbers stored as floats, dates as text), keyed by source and number so a re-import updates
instead of duplicating; bad rows are reported in Chinese and nothing of them is written."""

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from qiangji.core.spreadsheets import get_importer
from qiangji.ledger.models import Problem, ProblemEvent

HOTLINE_HEADERS = ["工单编号", "来源", "受理时间", "诉求内容", "所属村居", "责任单位", "责任人", "办理时限", "问题类别"]
PETITION_HEADERS = ["信访件编号", "渠道", "登记日期", "反映内容", "村居", "党组织", "责任人", "整改期限"]


@pytest.fixture
def today():
    return timezone.localdate()


def xlsx(headers, rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["竖新镇12345市民服务热线工单导出（党建类）"])
    ws.append(headers)
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def hotline_rows(today):
    return [
        # The number came out of the hotline system as a float (2.0260520001e10).
        [
            20260520001.0,
            "12345热线",
            dt.date(2026, 11, 20),
            "村党群服务站周末无人值守",
            "东村",
            "东村第一党支部",
            "sec_a1",
            None,
            "阵地建设",
        ],
        [
            "20260520002",
            "",
            None,
            "企业支部三会一课记录不全",
            "",
            "竖新镇某某公司党支部",
            "公司书记",
            today + dt.timedelta(days=10),
            "",
        ],
        ["", "热线", None, "没有工单编号的诉求", "", "东村第一党支部", "sec_a1", None, ""],
        ["20260520004", "热线", None, "西村的诉求", "西村", "东村第一党支部", "sec_a1", None, ""],
        ["20260520005", "热线", None, "不存在的党组织", "", "西村党支部", "sec_a1", None, ""],
        ["20260520006", "热线", None, "不存在的责任人", "", "东村第一党支部", "张三", None, ""],
        ["20260520007", "热线", "明天", "日期写错的诉求", "", "东村第一党支部", "sec_a1", "下周", ""],
        ["20260520008", "热线", None, "期限已过的诉求", "", "东村第一党支部", "sec_a1", today - dt.timedelta(days=1), ""],
        [20260520001, "12345", None, "与第3行同一工单", "", "东村第一党支部", "sec_a1", None, ""],
    ]


def run(tmp_path, data, *args):
    path = tmp_path / "hotline.xlsx"
    path.write_bytes(data)
    out = io.StringIO()
    call_command("import_problems", str(path), *args, stdout=out)
    return out.getvalue()


def ledger_state():
    return (
        list(
            Problem.objects.order_by("id").values_list(
                "source", "external_ref", "organization__name", "village__name", "owner__username", "deadline", "description"
            )
        ),
        ProblemEvent.objects.count(),
    )


@pytest.fixture
def sheet(town, users, owner, today):
    return xlsx(HOTLINE_HEADERS, hotline_rows(today))


def test_first_import_registers_valid_rows_and_reports_the_rest(tmp_path, sheet, owner, users, today):
    report = json.loads(run(tmp_path, sheet, "--json"))
    assert report == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "invalid": 7,
        "errors": [
            {"row": 5, "messages": ["工单编号未填写"]},
            {"row": 6, "messages": ["村居“西村”不存在"]},
            {"row": 7, "messages": ["责任单位“西村党支部”不存在"]},
            {"row": 8, "messages": ["责任人“张三”不是本平台的用户"]},
            {"row": 9, "messages": ["受理时间“明天”不是有效日期", "办理时限“下周”不是有效日期"]},
            {"row": 10, "messages": [f"办理时限{today - dt.timedelta(days=1):%Y-%m-%d}早于今天，不能挂号"]},
            {"row": 11, "messages": ["与第3行来源和工单编号重复"]},
        ],
    }
    first, second = Problem.objects.order_by("id")
    assert (
        first.source,
        first.external_ref,
        first.organization.name,
        first.village.name,
        first.owner,
        first.category,
        first.description,
        first.registered_on,
        first.deadline,
        first.state,
        first.registered_by,
    ) == (
        "hotline",
        "20260520001",
        "东村第一党支部",
        "东村",
        owner,
        "阵地建设",
        "村党群服务站周末无人值守\n（受理时间：2026-11-20）",
        today,
        today + dt.timedelta(days=30),
        "registered",
        None,
    )
    assert (second.source, second.external_ref, second.owner, second.deadline, second.village) == (
        "hotline",
        "20260520002",
        users["secretary_b"],
        today + dt.timedelta(days=10),
        None,
    )
    assert list(ProblemEvent.objects.order_by("id").values_list("problem__external_ref", "action", "by")) == [
        ("20260520001", "register", None),
        ("20260520002", "register", None),
    ]


def test_importing_the_same_file_again_changes_nothing(tmp_path, sheet):
    run(tmp_path, sheet)
    before = ledger_state()
    report = json.loads(run(tmp_path, sheet, "--json"))
    assert (report["created"], report["updated"], report["unchanged"], report["invalid"]) == (0, 0, 2, 7)
    assert ledger_state() == before


def test_a_changed_row_updates_the_problem_never_duplicates_it(tmp_path, town, users, owner, today):
    run(tmp_path, xlsx(HOTLINE_HEADERS, hotline_rows(today)[:2]))
    rows = hotline_rows(today)[:2]
    rows[0][3] = "村党群服务站周末和节假日无人值守"
    rows[0][7] = today + dt.timedelta(days=45)
    rows[0][8] = "阵地管理"
    report = json.loads(run(tmp_path, xlsx(HOTLINE_HEADERS, rows), "--json"))
    assert (report["created"], report["updated"], report["unchanged"], report["invalid"]) == (0, 1, 1, 0)
    assert Problem.objects.count() == 2
    problem = Problem.objects.get(external_ref="20260520001")
    assert (problem.description, problem.category, problem.deadline) == (
        "村党群服务站周末和节假日无人值守\n（受理时间：2026-11-20）",
        "阵地管理",
        today + dt.timedelta(days=45),
    )
    events = list(problem.events.order_by("id").values_list("action", "reason"))
    assert events == [("register", ""), ("update", "按导入表格更新"), ("postpone", "导入表格中的办理时限已调整")]


def test_a_blank_deadline_keeps_the_stored_one(tmp_path, town, users, owner, today):
    run(tmp_path, xlsx(HOTLINE_HEADERS, hotline_rows(today)[:1]))
    Problem.objects.update(deadline=today + dt.timedelta(days=90))
    before = ledger_state()
    report = json.loads(run(tmp_path, xlsx(HOTLINE_HEADERS, hotline_rows(today)[:1]), "--json"))
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 1)
    assert ledger_state() == before


def test_a_closed_problem_is_not_changed_by_an_import(tmp_path, town, users, owner, today):
    from qiangji.ledger.services import problem_close_immediate

    run(tmp_path, xlsx(HOTLINE_HEADERS, hotline_rows(today)[:1]))
    problem_close_immediate(problem=Problem.objects.get(), by=users["town_admin"], evidence="已安排值班", today=today)
    before = ledger_state()
    rows = hotline_rows(today)[:1]
    rows[0][3] = "改过的诉求"
    report = json.loads(run(tmp_path, xlsx(HOTLINE_HEADERS, rows), "--json"))
    number = Problem.objects.get().number
    assert report["errors"] == [{"row": 3, "messages": [f"问题{number}已销号，不能通过导入修改"]}]
    assert ledger_state() == before


def test_petition_export_with_its_own_headers(tmp_path, town, users, owner, today):
    rows = [
        [
            "XF-2026-015",
            "信访",
            "2026年11月18日",
            "反映村务公开栏长期未更新",
            "东村",
            "东村党总支",
            "东村书记",
            today + dt.timedelta(days=20),
        ]
    ]
    report = json.loads(run(tmp_path, xlsx(PETITION_HEADERS, rows), "--json"))
    assert (report["created"], report["invalid"]) == (1, 0)
    problem = Problem.objects.get()
    assert (problem.source, problem.external_ref, problem.organization, problem.owner, problem.description) == (
        "petition",
        "XF-2026-015",
        town["village_a"],
        users["secretary_a"],
        "反映村务公开栏长期未更新\n（受理时间：2026-11-18）",
    )


def test_the_same_number_from_two_sources_is_two_problems(tmp_path, town, users, owner, today):
    rows = [
        ["A-1", "热线", None, "热线诉求", "", "东村第一党支部", "sec_a1", None, ""],
        ["A-1", "信访", None, "信访诉求", "", "东村第一党支部", "sec_a1", None, ""],
    ]
    report = json.loads(run(tmp_path, xlsx(HOTLINE_HEADERS, rows), "--json"))
    assert (report["created"], report["invalid"]) == (2, 0)
    assert sorted(Problem.objects.values_list("source", "external_ref")) == [("hotline", "A-1"), ("petition", "A-1")]


def test_an_owner_outside_the_organization_line_is_invalid(tmp_path, town, users, owner, today):
    rows = [["B-1", "热线", None, "企业诉求", "", "竖新镇某某公司党支部", "sec_a1", None, ""]]
    report = json.loads(run(tmp_path, xlsx(HOTLINE_HEADERS, rows), "--json"))
    assert report["errors"] == [
        {"row": 3, "messages": ["责任人：一支部书记不是竖新镇某某公司党支部或其上级党组织的书记、联络组成员或镇管理员。"]}
    ]
    assert ledger_state() == ([], 0)


def test_a_dissolved_organization_is_invalid(tmp_path, town, users, owner, today):
    town["branch_a2"].dissolved_on = today - dt.timedelta(days=5)
    town["branch_a2"].save()
    rows = [["C-1", "热线", None, "已撤销支部的诉求", "", "东村第二党支部", "sec_a", None, ""]]
    report = json.loads(run(tmp_path, xlsx(HOTLINE_HEADERS, rows), "--json"))
    assert report["errors"] == [{"row": 3, "messages": ["责任单位“东村第二党支部”已撤销，不能登记问题"]}]
    assert ledger_state() == ([], 0)


def test_dry_run_writes_nothing_and_says_so(tmp_path, sheet):
    out = run(tmp_path, sheet, "--dry-run")
    assert out.splitlines()[0] == "试运行（未写入任何数据）：共 9 行，新增 2，变更 0，无变化 0，有误 7"
    assert "第5行：工单编号未填写" in out.splitlines()
    assert ledger_state() == ([], 0)


def test_missing_file_is_an_error(tmp_path, town):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_problems", str(tmp_path / "none.xlsx"))
    assert ledger_state() == ([], 0)


def test_registered_for_the_import_pages_for_the_town_only(town, users, client_as):
    importer = get_importer("problems")
    assert (importer.label, importer.may_import(users["town_admin"]), importer.may_import(users["secretary_a"])) == (
        "问题清单（12345热线、信访）",
        True,
        False,
    )
    assert client_as(users["town_admin"]).get(reverse("imports:template", args=["problems"])).status_code == 200
    assert client_as(users["secretary_a"]).get(reverse("imports:template", args=["problems"])).status_code == 404


def test_the_web_import_by_the_town_admin_registers_in_their_name(town, users, owner, today, settings, tmp_path):
    from qiangji.core.spreadsheets import services

    settings.MEDIA_ROOT = tmp_path
    result = services.import_file(
        kind="problems",
        file_name="hotline.xlsx",
        data=xlsx(HOTLINE_HEADERS, hotline_rows(today)[:2]),
        commit=True,
        user=users["town_admin"],
    )
    assert result.counts["new"] == 2
    assert list(Problem.objects.values_list("registered_by__username", flat=True)) == ["admin", "admin"]
