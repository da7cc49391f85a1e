"""`manage.py backup [--output FILE]`: the database, the uploaded files and a manifest in one
tar.gz (qiangji/core/backup.py; docs/operations.md says what to do with it)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qiangji.core import backup


class Command(BaseCommand):
    help = "备份：把数据库、上传的文件和清单写入一个 .tar.gz 文件"

    def add_arguments(self, parser):
        parser.add_argument("--output", help="备份文件路径或目录（默认：当前目录下的 qiangji-backup-日期-时间.tar.gz）")

    def handle(self, *args, output: str | None, **options):
        target = Path(output) if output else backup.default_output()
        if target.is_dir():
            target = target / backup.default_output().name
        try:
            manifest = backup.backup(target)
        except backup.BackupError as exc:
            raise CommandError(str(exc))
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"已备份到 {target}：{len(manifest['tables'])} 张表共 {rows} 行，上传文件 {manifest['media']['files']} 个。"
            "文件含个人信息，请存放在安全的位置。"
        )
