"""The management command behind `import_organizations`, `import_members` and later imports.

    python manage.py import_members FILE [--dry-run] [--json]

Runs as the system (no user; an organization without 上级组织 is a root). Exit status 0 when
the file was read, even with invalid rows; non-zero with a Chinese message when it cannot be.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qiangji.core.errors import DomainError
from qiangji.core.spreadsheets.engine import RunResult
from qiangji.core.spreadsheets.importer import CHANGED, INVALID, NEW, UNCHANGED
from qiangji.core.spreadsheets.safety import SpreadsheetError
from qiangji.core.spreadsheets.services import import_file


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="表格文件（.xlsx、.xls、.ods、.csv）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告结果，不写入任何数据")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"找不到文件：{path}") from None
        except IsADirectoryError:
            raise CommandError(f"不是文件：{path}") from None
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror}") from None
        try:
            result = import_file(
                kind=self.kind,
                file_name=path.name,
                data=data,
                commit=not options["dry_run"],
                options=self.importer_options(options),
            )
        except SpreadsheetError as exc:
            raise CommandError(f"无法读取文件 {path.name}：{exc.message}") from None
        except DomainError as exc:  # refused before anything was written
            raise CommandError(exc.message) from None
        if options["json"]:
            self.stdout.write(json.dumps(self.json_report(result), ensure_ascii=False))
            return
        self.text_report(result, dry_run=options["dry_run"])

    def importer_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """What a command's own flags tell the importer (ImportContext.options)."""
        return {}

    def json_report(self, result: RunResult) -> dict[str, Any]:
        counts = result.counts
        return {
            "created": counts[NEW],
            "updated": counts[CHANGED],
            "unchanged": counts[UNCHANGED],
            "invalid": counts[INVALID],
            "errors": result.errors,
        }

    def text_report(self, result: RunResult, *, dry_run: bool) -> None:
        counts = result.counts
        prefix = "试运行（未写入任何数据）：" if dry_run else ""
        self.stdout.write(
            f"{prefix}共 {counts['total']} 行，新增 {counts[NEW]}，变更 {counts[CHANGED]}，"
            f"无变化 {counts[UNCHANGED]}，有误 {counts[INVALID]}"
        )
        for error in result.errors:
            self.stdout.write(f"第{error['row']}行：{'；'.join(error['messages'])}")
