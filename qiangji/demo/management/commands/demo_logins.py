from django.core.management.base import BaseCommand, CommandParser

from qiangji.accounts.models import User
from qiangji.demo.logins import DEMO_LOGINS, DEMO_PASSWORD, ONE_PER_ROLE


class Command(BaseCommand):
    help = "打印演示镇的访问地址和每个角色的一个演示账号。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="平台访问地址")
        parser.add_argument("--all", action="store_true", help="列出全部演示账号")

    def handle(self, *args, url: str, all: bool, **options) -> None:
        wanted = [login for login in DEMO_LOGINS if all or login.username in ONE_PER_ROLE]
        users = {u.username: u for u in User.objects.filter(username__in=[login.username for login in wanted])}
        if not users:
            self.stdout.write("尚未生成演示镇：请先运行 python manage.py seed_demo")
            return
        lines = [f"强基平台：{url}", "演示账号（账号 / 密码 —— 角色：姓名，说明）："]
        for login in wanted:
            user = users.get(login.username)
            if user is None:
                continue
            who = f"{user.display_name}，" if user.display_name else ""
            warning = "（密码已过期，登录后需修改）" if user.password_expired else ""
            lines.append(f"  {login.username} / {DEMO_PASSWORD} —— {login.role}：{who}{login.note}{warning}")
        if not all:
            lines.append("全部演示账号：python manage.py demo_logins --all（另见 docs/demo.md）")
        self.stdout.write("\n".join(lines))
