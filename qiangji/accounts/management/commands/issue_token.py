"""`manage.py issue_token USERNAME [--name NAME]`: a new API token for a user, printed once.

Only the token goes to stdout, so a script can capture it (`TOKEN=$(manage.py issue_token …)`);
the notice goes to stderr. Only the token's hash is stored: it cannot be shown again.
"""

from django.core.management.base import BaseCommand, CommandError

from qiangji.accounts.models import User
from qiangji.accounts.services import api_token_issue


class Command(BaseCommand):
    help = "为用户生成一个接口令牌并打印（只显示这一次）"

    def add_arguments(self, parser):
        parser.add_argument("username", help="账号")
        parser.add_argument("--name", default="命令行生成", help="令牌用途，例如：数据同步脚本")

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"账号“{username}”不存在。")
        if not user.is_active:
            raise CommandError(f"账号“{username}”已停用，不能生成令牌。")
        name = name.strip()
        if not name:
            raise CommandError("令牌用途不能为空。")
        if len(name) > 60:
            raise CommandError("令牌用途最多60个字符。")
        token, key = api_token_issue(user=user, name=name)
        self.stdout.write(key)
        notice = f"已为“{user}”生成令牌（用途：{token.name}，前缀 {token.prefix}）。令牌只显示这一次，请妥善保存。"
        # A notice, not an error: stderr only keeps it out of a script's captured stdout.
        self.stderr.write(notice, style_func=self.style.SUCCESS)
