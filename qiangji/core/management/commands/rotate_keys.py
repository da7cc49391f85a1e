"""`manage.py rotate_keys [--check] [--batch-size N]`: move every encrypted value and keyed hash
to the current keys (qiangji/core/keyrotation.py; docs/operations.md, "密钥轮换")."""

from django.core.management.base import BaseCommand, CommandError

from qiangji.core import keyrotation as kr
from qiangji.core.crypto import FIELD, HASH, configured_key_ids, current_key_ids


class Command(BaseCommand):
    help = "密钥轮换：把所有加密字段重新用当前密钥加密，并用当前查询密钥重建身份证号等的查询哈希（可中断，重跑即续）"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="只统计仍在旧密钥下的数据，不做修改")
        parser.add_argument("--batch-size", type=int, default=500, help="每批处理的行数（每批单独提交，默认 500）")

    def handle(self, *args, check: bool, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size 必须是正整数。未做任何修改。")
        current, configured = current_key_ids(), configured_key_ids()
        self.stdout.write(f"当前加密密钥编号 {current[FIELD]}，当前查询密钥编号 {current[HASH]}。")
        if configured[FIELD][1:] or configured[HASH][1:]:
            self.stdout.write(
                f"仍可读取的旧加密密钥编号：{'、'.join(configured[FIELD][1:]) or '无'}；"
                f"旧查询密钥编号：{'、'.join(configured[HASH][1:]) or '无'}。"
            )
        else:
            self.stdout.write("未配置旧密钥。")
        if check:
            self._check()
        else:
            self._rotate(batch_size)

    def _check(self) -> None:
        remaining = unreadable = 0
        for column in kr.encrypted_columns() + kr.hash_columns():
            progress = kr.check_column(column)
            left = sum(progress.remaining_by_key.values())
            remaining += left
            unreadable += progress.unreadable
            if left:
                if column.kind == HASH:
                    detail = f"{left} 个查询哈希不是用当前查询密钥生成的"
                else:
                    detail = "、".join(
                        f"{n} 个{'旧格式（无密钥编号）' if key == kr.LEGACY else f'在密钥 {key} 下'}"
                        for key, n in sorted(progress.remaining_by_key.items(), key=lambda kv: (kv[0] == kr.LEGACY, kv[0]))
                    )
                self.stdout.write(f"{column.label}：{detail}")
            if progress.unreadable:
                self.stdout.write(f"{column.label}：{progress.unreadable} 个值无法用已配置的密钥解密")
        files = kr.rotate_files(dry_run=True)
        remaining += files.remaining
        unreadable += files.unreadable
        if files.remaining:
            self.stdout.write(f"待导入的上传文件：{files.remaining} 个在旧密钥下")
        if remaining or unreadable:
            raise CommandError(
                f"仍有 {remaining} 个值在旧密钥下"
                + (f"，{unreadable} 个值无法解密" if unreadable else "")
                + "。请运行 manage.py rotate_keys。"
            )
        self.stdout.write(
            "核对通过：所有加密数据和查询哈希都在当前密钥下，可以删除旧密钥（QIANGJI_FIELD_KEYS_OLD、QIANGJI_HASH_KEYS_OLD）。"
        )

    def _report(self, progress: kr.Progress) -> None:
        self.stdout.write(
            f"  {progress.column.label}：已检查 {progress.checked}/{progress.total} 行，已重写 {progress.rewritten} 个值"
        )

    def _rotate(self, batch_size: int) -> None:
        rewritten = unreadable = 0
        for column in kr.encrypted_columns():
            progress = kr.rotate_column(column, batch_size=batch_size, report=self._report)
            rewritten += progress.rewritten
            unreadable += progress.unreadable
            if progress.unreadable:
                self.stderr.write(f"{column.label}：{progress.unreadable} 个值无法用已配置的密钥解密，保持原样")
        for column in kr.hash_columns():
            progress = kr.rebuild_hashes(column, batch_size=batch_size, report=self._report)
            rewritten += progress.rewritten
            unreadable += progress.unreadable
            if progress.unreadable:
                self.stderr.write(f"{column.label}：{progress.unreadable} 个值无法解密，其查询哈希未重建")
        files = kr.rotate_files()
        rewritten += files.rewritten
        unreadable += files.unreadable
        self.stdout.write(f"  待导入的上传文件：共 {files.total} 个，已重新加密 {files.rewritten} 个")
        if unreadable:
            raise CommandError(
                f"有 {unreadable} 个值无法用已配置的密钥解密，未能轮换："
                "请检查 QIANGJI_FIELD_KEYS_OLD 是否包含全部旧密钥，然后重新运行。"
                "在此之前不要删除旧密钥。"
            )
        self.stdout.write(
            f"轮换完成：共重写 {rewritten} 个值，所有数据都已在当前密钥下。"
            "可以运行 manage.py rotate_keys --check 核对，"
            "然后删除旧密钥（QIANGJI_FIELD_KEYS_OLD、QIANGJI_HASH_KEYS_OLD）并重启服务。"
        )
