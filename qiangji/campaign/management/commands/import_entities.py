"""`manage.py import_entities FILE [--dry-run] [--json] [--partial]`: the district's base data on
emerging-sector entities, analysed against the register (see campaign/importers.py).

--json prints {"new", "unchanged", "changed", "duplicate", "invalid", "gone", "total", "errors":
[{"row": N, "messages": [...]}]}. Importing the same file again writes nothing and prints the
analysis of its first import.
"""

import hashlib
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from qiangji.campaign.models import EntityBatch
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
        "不直接写入底数：import_entities FILE [--dry-run] [--json] [--partial]"
    )
    kind = "entities"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--partial", action="store_true", help="部分名单：不据此判断“疑似注销”")

    def handle(self, *args: Any, **options: Any) -> None:
        self.earlier = None
        path = Path(options["file"])
        if path.is_file():
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
            self.earlier = EntityBatch.objects.filter(file_sha256=sha).order_by("pk").first()
        super().handle(*args, **options)

    def importer_options(self, options: dict[str, Any]) -> dict[str, Any]:
        return {"is_full": not options["partial"]}

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
