"""API tokens: the page where users manage their own, and `manage.py issue_token`."""

import hashlib
import io
import re
from unittest import mock

import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError
from django.test import Client

from qiangji import factories as f
from qiangji.accounts.models import ApiToken
from qiangji.accounts.services import api_token_issue
from qiangji.core.models import AuditEvent


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def owner(db):
    return f.UserFactory(username="sec_x", display_name="某书记")


@pytest.fixture
def other(db):
    return f.UserFactory(username="sec_y", display_name="另一书记")


def api_status(key):
    return Client().get("/api/v1/organizations", headers={"Authorization": f"Bearer {key}"}).status_code


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


# --- the page ------------------------------------------------------------------------------


def test_page_needs_login(db):
    response = Client().get("/accounts/tokens/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/accounts/tokens/")


def test_page_creates_a_token_shown_once_and_stored_as_a_hash(owner):
    client = logged_in(owner)
    posted = client.post("/accounts/tokens/", {"name": " 数据同步脚本 "})
    # Post/redirect/get: a refresh of the result page cannot issue a second token.
    assert (posted.status_code, posted["Location"]) == (302, "/accounts/tokens/")
    response = client.get("/accounts/tokens/")
    key = response.context["new_key"]
    assert key.startswith("qj_") and len(key) == 46
    assert key in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=owner)
    assert (token.name, token.prefix, token.key_hash) == ("数据同步脚本", key[:10], hashlib.sha256(key.encode()).hexdigest())
    assert key not in str(list(ApiToken.objects.values_list()))
    event = AuditEvent.objects.get(action=AuditEvent.Action.TOKEN)
    assert (event.user, event.object_id, event.detail) == (owner, str(token.pk), {"op": "issue"})
    assert api_status(key) == 200
    # Shown once: the next visit lists the token by its prefix only.
    again = client.get("/accounts/tokens/")
    assert again.context["new_key"] is None
    assert key not in again.content.decode()
    assert f"{key[:10]}…" in again.content.decode()


def test_page_refuses_a_token_without_a_name(owner):
    response = logged_in(owner).post("/accounts/tokens/", {"name": "   "})
    assert response.context["form"].errors == {"name": ["用途未填写"]}
    assert response.context["new_key"] is None
    assert ApiToken.objects.count() == 0


def test_page_lists_only_the_users_own_tokens(owner, other):
    api_token_issue(user=owner, name="我的脚本")
    api_token_issue(user=other, name="别人的脚本")
    response = logged_in(owner).get("/accounts/tokens/")
    assert [t.name for t in response.context["tokens"]] == ["我的脚本"]
    assert "别人的脚本" not in response.content.decode()


def test_revoking_stops_the_token_at_once(owner):
    token, key = api_token_issue(user=owner, name="同步脚本")
    assert api_status(key) == 200
    response = logged_in(owner).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/tokens/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_status(key) == 401
    event = AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN).latest("id")
    assert (event.user, event.detail) == (owner, {"op": "revoke"})


def test_revoking_leaves_the_other_tokens_working(owner):
    first, first_key = api_token_issue(user=owner, name="甲")
    _, second_key = api_token_issue(user=owner, name="乙")
    logged_in(owner).post(f"/accounts/tokens/{first.pk}/revoke/")
    assert (api_status(first_key), api_status(second_key)) == (401, 200)


def test_someone_elses_token_cannot_be_revoked(owner, other):
    token, key = api_token_issue(user=other, name="别人的脚本")
    response = logged_in(owner).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert api_status(key) == 200


def test_revoke_needs_post(owner):
    token, _ = api_token_issue(user=owner, name="同步脚本")
    assert logged_in(owner).get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_twice_changes_nothing_more(owner):
    token, _ = api_token_issue(user=owner, name="同步脚本")
    client = logged_in(owner)
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    first_revoked_at = token.revoked_at
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at == first_revoked_at
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN, detail={"op": "revoke"}).count() == 1


# --- the command ---------------------------------------------------------------------------


def issue(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_prints_only_the_token_and_stores_its_hash(owner):
    out, err = issue("sec_x", "--name", "数据同步")
    key = out.strip()
    assert out == key + "\n"
    token = ApiToken.objects.get(user=owner)
    assert (token.name, token.key_hash) == ("数据同步", hashlib.sha256(key.encode()).hexdigest())
    assert err == f"已为“某书记”生成令牌（用途：数据同步，前缀 {key[:10]}）。令牌只显示这一次，请妥善保存。\n"
    assert api_status(key) == 200


def test_command_gives_a_new_token_each_time(owner):
    first, _ = issue("sec_x")
    second, _ = issue("sec_x")
    assert first != second
    assert list(ApiToken.objects.order_by("id").values_list("name", flat=True)) == ["命令行生成", "命令行生成"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody"], "账号“nobody”不存在。"),
        (["sec_x", "--name", "  "], "令牌用途不能为空。"),
        (["sec_x", "--name", "长" * 61], "令牌用途最多60个字符。"),
    ],
)
def test_command_errors_are_in_chinese_and_issue_nothing(owner, args, message):
    with pytest.raises(CommandError, match=f"^{re.escape(message)}$"):
        issue(*args)
    assert ApiToken.objects.count() == 0


def test_command_refuses_a_deactivated_account(owner):
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match=re.escape("账号“sec_x”已停用，不能生成令牌。")):
        issue("sec_x")
    assert ApiToken.objects.count() == 0


def test_command_exits_non_zero_for_an_unknown_user(db, capsys):
    command = load_command_class(get_commands()["issue_token"], "issue_token")
    # run_from_argv closes every connection when it ends; the test's transaction must survive it.
    with mock.patch("django.core.management.base.connections.close_all"), pytest.raises(SystemExit) as exit_info:
        command.run_from_argv(["manage.py", "issue_token", "nobody", "--skip-checks"])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == "CommandError: 账号“nobody”不存在。\n"
    assert ApiToken.objects.count() == 0
