"""The import_members command: one JSON object, a dry run that writes nothing, and a non-zero
exit with a Chinese message when the file cannot be read."""

import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from qiangji.core.models import ImportBatch
from qiangji.members.models import Member
from qiangji.members.tests.test_import_members import counts, messy_roster, xlsx


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_json_output_and_exit_status(town, tmp_path, capsys):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(messy_roster())

    call_command("import_members", str(path), "--json")

    report = json.loads(capsys.readouterr().out)
    assert report == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "invalid": 3,
        "errors": [
            {"row": 7, "messages": ["与第5行身份证号重复"]},
            {"row": 8, "messages": ["所在党组织“西村党支部”不存在"]},
            {"row": 9, "messages": ["公民身份号码：身份证号校验位不正确"]},
        ],
    }
    assert Member.objects.filter(name__in=["张伟", "李娜", "王强"]).count() == 3


def test_dry_run_writes_nothing(town, tmp_path, capsys):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(messy_roster())
    before = counts()

    call_command("import_members", str(path), "--dry-run")

    out = capsys.readouterr().out.splitlines()
    assert out == [
        "试运行（未写入任何数据）：共 6 行，新增 3，变更 0，无变化 0，有误 3",
        "第7行：与第5行身份证号重复",
        "第8行：所在党组织“西村党支部”不存在",
        "第9行：公民身份号码：身份证号校验位不正确",
    ]
    assert counts() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("缺.xlsx", None, "找不到文件："),
        ("名册.docx", b"PK\x03\x04", "无法读取文件 名册.docx：仅支持 .xlsx、.xls、.ods、.csv 格式的表格文件"),
        ("名册.xlsx", b"not a workbook", "无法读取文件 名册.xlsx：文件内容与扩展名 .xlsx 不符，可能已损坏"),
        (
            "名册.xlsx",
            xlsx([["序号", "备注"], [1, "无"]]),
            "无法读取文件 名册.xlsx：缺少必需的列：姓名、公民身份号码、所在党组织（第1行表头为：序号、备注）",
        ),
    ],
)
def test_an_unreadable_file_fails_with_a_chinese_message(town, tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    before = (Member.objects.count(), ImportBatch.objects.count())

    with pytest.raises(CommandError) as excinfo:
        call_command("import_members", str(path), "--json")

    assert str(excinfo.value).startswith(message)
    assert (Member.objects.count(), ImportBatch.objects.count()) == before


def test_the_command_exits_non_zero_with_the_message_on_stderr(tmp_path, settings):
    path = tmp_path / "坏.xlsx"
    path.write_bytes(b"not a workbook")

    done = subprocess.run(
        [sys.executable, "manage.py", "import_members", str(path), "--json"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert (done.returncode, done.stdout) == (1, "")
    assert "无法读取文件 坏.xlsx：文件内容与扩展名 .xlsx 不符，可能已损坏" in done.stderr
