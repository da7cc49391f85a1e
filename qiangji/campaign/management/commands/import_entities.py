"""`manage.py import_entities FILE (--full | --partial) [--confirm-gone N] [--dry-run] [--json]`:
the district's base data on emerging-sector entities, analysed against the register (see
campaign/importers.py). Full list or partial list is a choice with no default; a full list that
would mark more than IMPORT_GONE_CONFIRM_SHARE of the active register gone is written only with
`--confirm-gone` and that number (a dry run tells it).

--json prints {"new", "unchanged", "changed", "duplicate", "invalid", "gone", "total", "errors":
[{"row": N, "messages": [...]}]}. Importing the same file again writes nothing and prints the
analysis of its first import.
"""

import hashlib
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from qiangji.campaign.importers import FULL, LIST_CHOICE, PARTIAL
from qiangji.campaign.models import EntityBatch
from qiangji.core.spreadsheets import CONFIRMED
from qiangji.core.spreadsheets.command import ImportCommand
from qiangji.core.spreadsheets.engine import RunResult

CLASSES = ("new", "unchanged", "changed", "duplicate", "invalid", "gone")
LABELS = {
    "new": "新发现",
    "unchanged": "与底数一致",
    "changed": "信息变更",
    "duplicate": "疑似重复",
    "invalid": "有误",
    "gone": "疑似注销",
}


class Command(ImportCommand):
    help = (
        "导入区级新兴领域主体底数并与在册底数比对分析（新发现、一致、变更、疑似重复、有误、疑似注销），"
        "不直接写入底数：import_entities FILE (--full | --partial) [--confirm-gone N] [--dry-run] [--json]"
    )
    kind = "entities"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        scope = parser.add_mutually_exclusive_group()  # required, with a Chinese refusal (below)
        scope.add_argument("--full", action="store_true", help="全量名单：登记册中未出现在名单中的在册主体标记为疑似注销")
        scope.add_argument("--partial", action="store_true", help="部分名单：不据此判断“疑似注销”")
        parser.add_argument("--confirm-gone", type=int, metavar="N", help="确认将 N 个主体标记为疑似注销（超过设定比例时必须）")

    def handle(self, *args: Any, **options: Any) -> None:
        self.earlier = None
        path = Path(options["file"])
        if path.is_file():
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
            self.earlier = EntityBatch.objects.filter(file_sha256=sha).order_by("pk").first()
        super().handle(*args, **options)

    def importer_options(self, options: dict[str, Any]) -> dict[str, Any]:
        if not options["full"] and not options["partial"]:
            raise CommandError(f"{LIST_CHOICE.required}（--full 或 --partial）")
        chosen = {LIST_CHOICE.key: PARTIAL if options["partial"] else FULL}
        if options["confirm_gone"] is not None:
            chosen[CONFIRMED] = options["confirm_gone"]
        return chosen

    def json_report(self, result: RunResult) -> dict[str, Any]:
        counts = result.counts
        return {**{name: counts[name] for name in CLASSES}, "total": counts["total"], "errors": result.errors}

    def text_report(self, result: RunResult, *, dry_run: bool) -> None:
        counts = result.counts
        if self.earlier is not None:
            self.stdout.write(
                f"此文件已于{timezone.localtime(self.earlier.created_at):%Y-%m-%d %H:%M}导入（底数批次第{self.earlier.pk}号），"
                "以下为当时的分析结果，本次未写入任何数据。"
            )
        prefix = "试运行（未写入任何数据）：" if dry_run else ""
        figures = "，".join(f"{LABELS[name]} {counts[name]}" for name in CLASSES)
        self.stdout.write(f"{prefix}共 {counts['total']} 行：{figures}")
        for error in result.errors:
            self.stdout.write(f"第{error['row']}行：{'；'.join(error['messages'])}")
