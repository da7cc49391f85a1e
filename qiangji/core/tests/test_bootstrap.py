"""`manage.py bootstrap`: the town committee and its first administrator, once."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from qiangji import factories as f
from qiangji.accounts.models import RoleGrant, TotpDevice, User
from qiangji.core.access import TOWN_ADMIN
from qiangji.core.models import AuditEvent, ChangeRecord
from qiangji.orgs.models import CommitteePeriod, Organization

pytestmark = pytest.mark.django_db

TOWN = "中共竖新镇委员会"
PASSWORD = "Qj-Start-2026!"
FIRST_LOGIN = "首次登录时须修改密码，并用手机上的身份验证器绑定双因素认证。"


def state():
    """Everything bootstrap may write, to assert that a refusal wrote nothing."""
    return [
        list(Organization.objects.values_list("pk", "name", "kind", "parent_id")),
        list(User.objects.values_list("pk", "username", "password")),
        list(RoleGrant.objects.values_list("pk", "user_id", "role", "organization_id")),
        CommitteePeriod.objects.count(),
        ChangeRecord.objects.count(),
        AuditEvent.objects.count(),
    ]


@pytest.fixture
def password_file(tmp_path):
    path = tmp_path / "pw.txt"
    path.write_text(PASSWORD + "\n", encoding="utf-8")
    return str(path)


def run(*args):
    out = StringIO()
    call_command("bootstrap", *args, stdout=out)
    return out.getvalue()


def test_creates_the_town_committee_and_its_first_admin(password_file):
    out = run("--town", f"  {TOWN} ", "--admin", "wangli", "--password-file", password_file)

    assert out == f"已创建镇党委“{TOWN}”。\n已创建镇党委管理员账号“wangli”。{FIRST_LOGIN}\n"
    root = Organization.objects.get()
    assert (root.name, root.kind, root.parent_id, root.has_committee, root.path, root.depth) == (
        TOWN,
        "committee",
        None,
        True,
        f"/{root.pk}/",
        0,
    )
    assert CommitteePeriod.objects.filter(organization=root, dissolved_on__isnull=True).count() == 1
    admin = User.objects.get()
    assert (admin.username, admin.display_name, admin.is_superuser, admin.must_change_password) == (
        "wangli",
        "镇党委管理员",
        False,
        True,
    )
    assert admin.check_password(PASSWORD)
    assert list(RoleGrant.objects.values_list("user_id", "role", "organization_id")) == [(admin.pk, TOWN_ADMIN, root.pk)]
    change = ChangeRecord.objects.get()
    assert (change.action, change.source, change.user_id, change.object_id) == ("create", "command", None, root.pk)
    events = AuditEvent.objects.order_by("pk")
    assert [(e.action, e.detail["op"], e.object_id, e.user_id) for e in events] == [
        ("account", "create", str(admin.pk), None),
        ("account", "grant", str(admin.pk), None),
    ]
    assert events[1].detail["role"] == TOWN_ADMIN


def test_first_login_enrols_the_second_factor_then_changes_the_password(password_file, settings):
    settings.QIANGJI_ADMIN_2FA = True
    run("--town", TOWN, "--admin", "wangli", "--password-file", password_file)
    client = Client()
    assert client.login(username="wangli", password=PASSWORD)

    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/2fa/?next=%2F")
    assert client.get("/accounts/2fa/")["Location"] == "/accounts/2fa/enrol/?next=%2F"
    assert client.get("/accounts/2fa/enrol/").status_code == 200
    assert TotpDevice.objects.filter(user__username="wangli", confirmed_at__isnull=True).count() == 1

    settings.QIANGJI_ADMIN_2FA = False
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/password/?temporary=1")


def test_repeating_it_creates_nothing(password_file):
    run("--town", TOWN, "--admin", "wangli", "--password-file", password_file)
    before = state()

    out = run("--town", TOWN, "--admin", "wangli")  # no password asked for: nothing to create

    assert out == f"镇党委“{TOWN}”和管理员账号“wangli”已存在，无需再次初始化。\n"
    assert state() == before


def test_another_admin_on_the_existing_committee(password_file):
    """A town that lost its only admin's phone gets a second one from the server's shell."""
    run("--town", TOWN, "--admin", "wangli", "--password-file", password_file)

    out = run("--town", TOWN, "--admin", "zhaomin", "--password-file", password_file)

    assert out == f"已创建镇党委管理员账号“zhaomin”。{FIRST_LOGIN}\n"
    root = Organization.objects.get()
    assert sorted(RoleGrant.objects.values_list("user__username", "role", "organization_id")) == [
        ("wangli", TOWN_ADMIN, root.pk),
        ("zhaomin", TOWN_ADMIN, root.pk),
    ]


def test_another_town_is_refused(password_file):
    run("--town", TOWN, "--admin", "wangli", "--password-file", password_file)
    before = state()

    with pytest.raises(CommandError) as error:
        run("--town", "中共另一镇委员会", "--admin", "zhaomin", "--password-file", password_file)

    assert str(error.value) == f"系统中已有镇党委“{TOWN}”，不能再建“中共另一镇委员会”。一套系统只管理一个镇，未做任何修改。"
    assert state() == before


def test_an_existing_account_is_not_made_admin(password_file, town, users):
    before = state()
    with pytest.raises(CommandError) as error:
        run("--town", "竖新镇党委", "--admin", "sec_a", "--password-file", password_file)
    assert str(error.value) == (
        "账号“sec_a”已存在，但不是“竖新镇党委”的镇党委管理员。请由现有管理员在“账号管理”中授权，或换一个账号名。未做任何修改。"
    )
    assert state() == before


@pytest.mark.parametrize(
    ("town", "admin", "content", "message"),
    [
        (TOWN, "wangli", None, "找不到密码文件：{file}"),
        (TOWN, "wangli", "\n", "密码文件是空的：{file}"),
        (TOWN, "wangli", "short1A!\n", "密码太短，至少需要 10 个字符。未做任何修改。"),
        (TOWN, "wangli", "alllowercaseletters\n", "密码须包含大写字母、小写字母、数字、符号中的至少三类。未做任何修改。"),
        ("   ", "wangli", PASSWORD, "镇党委名称不能为空。"),
        (TOWN, " ", PASSWORD, "管理员账号名不能为空。"),
    ],
)
def test_bad_input_changes_nothing(tmp_path, town, admin, content, message):
    file = tmp_path / "pw.txt"
    if content is not None:
        file.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as error:
        run("--town", town, "--admin", admin, "--password-file", str(file))
    assert str(error.value) == message.format(file=file)
    assert state() == [[], [], [], 0, 0, 0]


def test_password_asked_twice(monkeypatch):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    run("--town", TOWN, "--admin", "wangli")
    assert User.objects.get(username="wangli").check_password(PASSWORD)


def test_two_different_passwords_are_refused(monkeypatch):
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError) as error:
        run("--town", TOWN, "--admin", "wangli")
    assert str(error.value) == "两次输入的密码不一致，已取消。"
    assert state() == [[], [], [], 0, 0, 0]


def test_the_existing_factories_town_counts_as_a_root(password_file):
    f.organization(name="竖新镇党委", kind=Organization.Kind.COMMITTEE)
    with pytest.raises(CommandError, match="系统中已有镇党委“竖新镇党委”"):
        run("--town", TOWN, "--admin", "wangli", "--password-file", password_file)
    assert User.objects.count() == 0
