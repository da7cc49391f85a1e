"""`manage.py restore FILE`: put a backup back into an EMPTY database, then compare every table's
row count with the archive's manifest (qiangji/core/backup.py; docs/operations.md)."""

from django.core.management.base import BaseCommand, CommandError

from qiangji.core import backup


class Command(BaseCommand):
    help = "恢复：把 manage.py backup 生成的备份文件恢复到一个空数据库"

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件（.tar.gz）")

    def handle(self, *args, file: str, **options):
        try:
            report = backup.restore(file)
        except backup.BackupError as exc:
            raise CommandError(str(exc))
        manifest = report["manifest"]
        made = manifest["created_at"][:19].replace("T", " ")
        self.stdout.write(f"已恢复 {made} 的备份（版本 {manifest['app_version']}），上传文件 {report['media_files']} 个。")
        if report["mismatches"]:
            lines = [
                f"  {table}：备份 {want} 行，恢复后 {got if got is not None else '无此表'}"
                for table, (want, got) in report["mismatches"].items()
            ]
            raise CommandError("以下表的行数与备份清单不一致，请勿使用该数据库，并联系技术支持：\n" + "\n".join(lines))
        self.stdout.write(f"核对通过：{len(report['counts'])} 张表的行数与备份清单一致。")
        if backup.under_old_keys(manifest):
            self.stdout.write("备份中的数据用旧密钥加密：请运行 manage.py rotate_keys 把它们移到当前密钥下。")
        if report["pending_migrations"]:
            self.stdout.write("备份来自较早的版本：请运行 manage.py migrate 升级数据库结构。")
