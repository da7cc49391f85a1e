"""Organization import: any row order, units created, villages and parents checked, atomic."""

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.core.management import call_command

from qiangji.core.models import ChangeRecord, ImportBatch
from qiangji.core.spreadsheets import services
from qiangji.orgs import services as org_services
from qiangji.orgs.models import Organization, Unit

HEADERS = ["组织名称", "组织类别", "上级组织", "所在村居", "所在单位", "成立日期", "届满日期"]


def xlsx(rows, merges=()) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "组织"
    for row in rows:
        ws.append(list(row))
    for area in merges:
        ws.merge_cells(area)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def run(data: bytes, *, commit: bool, user=None):
    return services.import_file(kind="organizations", file_name="组织.xlsx", data=data, commit=commit, user=user)


def outcomes(result):
    return {r.number: (r.outcome, r.messages) for r in result.rows}


def snapshot():
    return (
        sorted(Organization.objects.values_list("name", "path")),
        Unit.objects.count(),
        ChangeRecord.objects.count(),
        ImportBatch.objects.count(),
    )


def new_town_file() -> bytes:
    """A title row, then children listed before their parents, full-width text and serials."""
    return xlsx(
        [
            ["新河镇党组织一览表（2024年）"],
            HEADERS,
            ["西村第一党支部", "党支部", "西村党总支", "东村", "西村村民委员会", "2001年7月1日", 46327.0],  # row 3
            ["西村第一党支部第一党小组", "党小组", "西村第一党支部", None, None, None, None],  # row 4
            ["西村党总支", "党总支", "新河镇党委", "东村", "西村村民委员会", dt.date(1998, 6, 30), "2026.11.1"],  # row 5
            ["新河镇党委", "基层党委", None, None, None, None, None],  # row 6
            ["ＡＢＣ 公司 党支部", "支部", "新河镇党委", None, " ABC公司 ", None, None],  # row 7
            ["北村党支部", "党支部", "新河镇党委", "北村", None, None, None],  # row 8: unknown village
            ["南村党支部", "党支部", "南村党总支", None, None, None, None],  # row 9: unknown parent
            ["西村党总支", "党总支", "新河镇党委", None, None, None, None],  # row 10: duplicate name
        ],
        merges=("A1:G1",),
    )


EXPECTED_NEW_TOWN = {
    3: ("new", []),
    4: ("new", []),
    5: ("new", []),
    6: ("new", []),
    7: ("new", []),
    8: ("invalid", ["所在村居“北村”不存在"]),
    9: ("invalid", ["上级组织“南村党总支”不存在"]),
    10: ("invalid", ["与第5行组织名称重复"]),
}


def test_preview_resolves_parents_in_any_order_and_writes_nothing(town):
    before = snapshot()

    result = run(new_town_file(), commit=False)

    assert outcomes(result) == EXPECTED_NEW_TOWN
    assert result.rows[0].summary == {
        "组织名称": "西村第一党支部",
        "组织类别": "党支部",
        "上级组织": "西村党总支",
        "所在村居": "东村",
        "所在单位": "西村村民委员会",
    }
    assert snapshot() == before


def test_commit_builds_the_tree_with_paths_units_and_history(town):
    result = run(new_town_file(), commit=True)

    assert outcomes(result) == EXPECTED_NEW_TOWN
    root = Organization.objects.get(name="新河镇党委")
    general = Organization.objects.get(name="西村党总支")
    branch = Organization.objects.get(name="西村第一党支部")
    group = Organization.objects.get(name="西村第一党支部第一党小组")
    company = Organization.objects.get(name="ABC公司党支部")
    assert (root.kind, root.parent, root.path, root.depth) == ("committee", None, f"/{root.pk}/", 0)
    assert (general.parent, general.path, general.founded_on, general.term_end) == (
        root,
        f"/{root.pk}/{general.pk}/",
        dt.date(1998, 6, 30),
        dt.date(2026, 11, 1),
    )
    assert (branch.parent, branch.path, branch.founded_on, branch.term_end) == (
        general,
        f"/{root.pk}/{general.pk}/{branch.pk}/",
        dt.date(2001, 7, 1),
        dt.date(2026, 11, 1),
    )
    assert (group.kind, group.parent, group.depth) == ("group", branch, 3)
    assert (branch.unit.name, branch.unit.kind, branch.unit.village.name, general.unit) == (
        "西村村民委员会",
        "village",
        "东村",
        branch.unit,
    )
    assert (company.kind, company.unit.name, company.unit.kind) == ("branch", "ABC公司", "enterprise")
    assert not Unit.objects.filter(name="北村").exists()
    batch = ImportBatch.objects.get()
    created = ["新河镇党委", "西村党总支", "西村第一党支部", "西村第一党支部第一党小组", "ABC公司党支部"]
    records = ChangeRecord.objects.filter(batch=batch).values_list("object_repr", "action", "source")
    assert sorted(records) == sorted((name, "create", "command") for name in created)


def test_importing_the_same_file_twice_changes_nothing(town):
    run(new_town_file(), commit=True)
    before = snapshot()

    result = run(new_town_file(), commit=True)

    assert result.counts == {"new": 0, "changed": 0, "unchanged": 5, "invalid": 3, "total": 8}
    assert snapshot()[:3] == before[:3]
    assert ImportBatch.objects.count() == before[3] + 1


def test_a_changed_row_moves_the_subtree(town):
    data = xlsx([HEADERS, ["东村第二党支部", "党支部", "竖新镇党委", "东村", None, None, "2027-01-01"]])

    result = run(data, commit=True)

    assert [(r.outcome, r.changed) for r in result.rows] == [("changed", ["上级组织", "届满日期"])]
    branch = Organization.objects.get(name="东村第二党支部")
    assert (branch.parent, branch.path, branch.term_end) == (
        town["town"],
        f"{town['town'].path}{branch.pk}/",
        dt.date(2027, 1, 1),
    )
    record = ChangeRecord.objects.get(object_id=branch.pk, action="update")
    assert record.changes == {"parent": ["东村党总支", "竖新镇党委"], "term_end": [None, "2027-01-01"]}


def test_a_cycle_and_wrong_kinds_are_invalid_rows(town):
    data = xlsx(
        [
            HEADERS,
            ["甲支部", "党支部", "乙总支", None, None, None, None],
            ["乙总支", "党总支", "甲支部", None, None, None, None],
            ["丙小组", "党小组", "东村第一党支部第一党小组", None, None, None, None],
            ["丁支部", "党小队", "竖新镇党委", None, None, None, None],
            ["戊支部", "党支部", "戊支部", None, None, None, None],
            ["己总支", "党总支", "东村第一党支部", None, None, "2020-01-01", "2019-12-31"],
        ]
    )
    before = snapshot()

    result = run(data, commit=True)

    assert outcomes(result) == {
        2: ("invalid", ["上级组织形成循环（第2行、第3行）"]),
        3: ("invalid", ["上级组织形成循环（第2行、第3行）"]),
        4: ("invalid", ["上级组织“东村第一党支部第一党小组”是党小组，党小组下不能再设党组织"]),
        5: ("invalid", ["组织类别“党小队”不在可选范围内（党委、党总支、党支部、党小组）"]),
        6: ("invalid", ["上级组织不能是本组织"]),
        7: ("invalid", ["上级组织：党总支不能设在党支部之下"]),
    }
    assert snapshot()[:3] == before[:3]


def test_town_admin_on_the_web_cannot_create_a_root(town, users):
    data = xlsx([HEADERS, ["新河镇党委", "党委", None, None, None, None, None]])

    result = run(data, commit=True, user=users["town_admin"])

    assert outcomes(result) == {2: ("invalid", ["上级组织：请选择上级组织"])}
    assert not Organization.objects.filter(name="新河镇党委").exists()


def test_a_failure_mid_commit_leaves_nothing(town, monkeypatch):
    real = org_services.organization_create
    calls = []

    def create_then_fail(**kwargs):
        calls.append(kwargs["data"]["name"])
        if len(calls) == 3:
            raise RuntimeError("connection lost")
        return real(**kwargs)

    monkeypatch.setattr("qiangji.orgs.importers.organization_create", create_then_fail)
    before = snapshot()

    with pytest.raises(RuntimeError):
        run(new_town_file(), commit=True)

    assert calls == ["新河镇党委", "西村党总支", "西村第一党支部"]
    assert snapshot() == before


def test_command_json_and_dry_run(town, tmp_path, capsys):
    path = tmp_path / "组织.xlsx"
    path.write_bytes(new_town_file())
    before = snapshot()

    call_command("import_organizations", str(path), "--dry-run", "--json")

    expected_errors = [
        {"row": 8, "messages": ["所在村居“北村”不存在"]},
        {"row": 9, "messages": ["上级组织“南村党总支”不存在"]},
        {"row": 10, "messages": ["与第5行组织名称重复"]},
    ]
    assert json.loads(capsys.readouterr().out) == {
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "invalid": 3,
        "errors": expected_errors,
    }
    assert snapshot() == before

    call_command("import_organizations", str(path), "--json")
    assert json.loads(capsys.readouterr().out)["created"] == 5
    call_command("import_organizations", str(path), "--json")
    assert json.loads(capsys.readouterr().out) == {
        "created": 0,
        "updated": 0,
        "unchanged": 5,
        "invalid": 3,
        "errors": expected_errors,
    }
