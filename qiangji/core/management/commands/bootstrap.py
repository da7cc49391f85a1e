"""`manage.py bootstrap --town NAME --admin USERNAME [--password-file FILE]`: the first two rows of
a new installation, the town committee and its first town administrator.

Written through the same services as the pages, so the committee has its change history and the
account its audit events like anything created later. Safe to repeat: what already exists is
reported, not created again, and the password is only asked for when an account is to be made.
The account's password was chosen by the operator, not its owner, so it must be changed at the
first login, and (QIANGJI_ADMIN_2FA) the owner enrols an authenticator before reaching any page.
"""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from qiangji.accounts.models import RoleGrant, User
from qiangji.accounts.services import role_grant_create, user_create
from qiangji.core.access import TOWN_ADMIN
from qiangji.core.errors import DomainError
from qiangji.core.models import ChangeRecord
from qiangji.orgs.models import Organization
from qiangji.orgs.services import organization_create


def read_password_file(path: str) -> str:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"找不到密码文件：{path}")
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise CommandError(f"无法读取密码文件：{path}（应为 UTF-8 文本）")
    # One line; the newline an editor or `echo` adds is not part of the password.
    password = text.splitlines()[0] if text.splitlines() else ""
    if not password:
        raise CommandError(f"密码文件是空的：{path}")
    return password


def ask_password() -> str:
    try:
        first = getpass.getpass("请输入管理员初始密码：")
        second = getpass.getpass("请再输入一次：")
    except (EOFError, KeyboardInterrupt):
        raise CommandError("没有输入密码，已取消。")
    if not first:
        raise CommandError("密码不能为空。")
    if first != second:
        raise CommandError("两次输入的密码不一致，已取消。")
    return first


class Command(BaseCommand):
    help = "新系统初始化：创建镇党委（组织树的根）和第一个镇党委管理员账号"

    def add_arguments(self, parser):
        parser.add_argument("--town", required=True, help="镇党委名称，例如：中共竖新镇委员会")
        parser.add_argument("--admin", required=True, help="第一个镇党委管理员的账号名")
        parser.add_argument("--password-file", help="从文件第一行读取初始密码（不给则交互输入两次）")

    def handle(self, *args, town: str, admin: str, password_file: str | None, **options):
        town, admin = town.strip(), admin.strip()
        if not town:
            raise CommandError("镇党委名称不能为空。")
        if len(town) > Organization._meta.get_field("name").max_length:
            raise CommandError("镇党委名称最多100个字符。")
        if not admin:
            raise CommandError("管理员账号名不能为空。")

        roots = list(Organization.objects.filter(parent__isnull=True).order_by("pk"))
        other = next((r for r in roots if r.name != town), None)
        if other is not None:
            raise CommandError(f"系统中已有镇党委“{other.name}”，不能再建“{town}”。一套系统只管理一个镇，未做任何修改。")
        root = roots[0] if roots else None
        account = User.objects.filter(username__iexact=admin).first()
        if root is not None and account is not None:
            if RoleGrant.objects.filter(user=account, role=TOWN_ADMIN, organization=root).exists():
                self.stdout.write(f"镇党委“{root.name}”和管理员账号“{account.username}”已存在，无需再次初始化。")
                return
            raise CommandError(
                f"账号“{account.username}”已存在，但不是“{root.name}”的镇党委管理员。"
                "请由现有管理员在“账号管理”中授权，或换一个账号名。未做任何修改。"
            )
        if account is not None:
            raise CommandError(f"账号“{account.username}”已存在，请换一个账号名。未做任何修改。")

        password = read_password_file(password_file) if password_file else ask_password()
        created_root = root is None
        try:
            with transaction.atomic():
                if created_root:
                    root = organization_create(
                        by=None,
                        data={"name": town, "kind": Organization.Kind.COMMITTEE, "parent": None, "has_committee": True},
                        source=ChangeRecord.Source.COMMAND,
                    )
                account = user_create(by=None, username=admin, display_name="镇党委管理员", password=password)
                role_grant_create(user=account, role=TOWN_ADMIN, organization=root, by=None)
        except DomainError as exc:
            raise CommandError(f"{exc.message}。未做任何修改。")
        if created_root:
            self.stdout.write(f"已创建镇党委“{root.name}”。")
        self.stdout.write(
            f"已创建镇党委管理员账号“{account.username}”。首次登录时须修改密码，并用手机上的身份验证器绑定双因素认证。"
        )
