"""The level-3 password policy: strength rules in Chinese, and periodic change enforced."""

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from qiangji import factories as f

PASSWORD = "Qiangji-Test-2026"
COMPLEXITY = "密码须包含大写字母、小写字母、数字、符号中的至少三类"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def account(db):
    return f.UserFactory(username="zhangsan2024", display_name="张三")


def messages_for(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return exc.messages
    return []


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("abc", ["密码太短，至少需要 10 个字符。", "这个密码太常见了。", COMPLEXITY]),
        ("1234567890123", ["这个密码太常见了。", "密码只包含数字。", COMPLEXITY]),
        ("Password1234", ["这个密码太常见了。"]),
        ("abcdefghijkl", [COMPLEXITY]),
        ("abcdefgh1234", [COMPLEXITY]),
        ("Abc-12", ["密码太短，至少需要 10 个字符。"]),
        ("Qiangji-Strong-2026", []),
        ("dangjian#2026", []),  # lower-case, digits and a symbol: three classes
    ],
)
def test_weak_passwords_are_rejected_in_chinese(db, password, expected):
    assert messages_for(password) == expected


def test_a_password_like_the_username_is_rejected(account):
    assert messages_for("Zhangsan2024", account) == ["密码跟 用户名 太相似了。"]


def test_password_help_is_in_chinese(account):
    client = Client()
    client.force_login(account)
    html = client.get("/accounts/password/").content.decode()
    assert "密码至少需要 10 个字符。" in html
    assert "密码须包含大写字母、小写字母、数字、符号中的至少三类。" in html


def change(client, new, confirm=None):
    return client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": confirm or new})


def test_change_page_refuses_a_weak_password_and_keeps_the_old_one(account):
    client = Client()
    client.force_login(account)
    response = change(client, "abcdefghijkl")
    assert response.status_code == 200
    assert response.context["form"].errors == {"new_password2": [COMPLEXITY]}
    account.refresh_from_db()
    assert account.check_password(PASSWORD)
    assert account.password_changed_at is None


def test_change_page_accepts_a_strong_password(account):
    client = Client()
    client.force_login(account)
    response = change(client, "Qiangji-Strong-2026")
    assert (response.status_code, response["Location"]) == (302, "/")
    account.refresh_from_db()
    assert account.check_password("Qiangji-Strong-2026")
    assert timezone.now() - account.password_changed_at < dt.timedelta(minutes=1)


def expire(user, days):
    user.password_changed_at = timezone.now() - dt.timedelta(days=days)
    user.save(update_fields=["password_changed_at"])


def test_expired_password_sends_every_page_to_the_change_page(account):
    expire(account, 90)
    client = Client()
    client.force_login(account)
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/password/?expired=1")
    assert client.get("/orgs/")["Location"] == "/accounts/password/?expired=1"
    page = client.get("/accounts/password/?expired=1")
    assert page.status_code == 200
    assert "您的密码已超过有效期，请先修改密码。" in page.content.decode()


def test_a_password_younger_than_90_days_is_not_expired(account):
    expire(account, 89)
    client = Client()
    client.force_login(account)
    assert client.get("/").status_code == 200


def test_changing_the_expired_password_lets_the_user_in_again(account):
    expire(account, 120)
    client = Client()
    client.force_login(account)
    assert change(client, "Qiangji-Strong-2026").status_code == 302
    assert client.get("/").status_code == 200


def test_expiry_does_not_block_logout_health_or_the_api(account):
    expire(account, 90)
    client = Client()
    client.force_login(account)
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/organizations").status_code == 200
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"


def test_the_expiry_age_is_a_setting(account, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 30
    expire(account, 30)
    client = Client()
    client.force_login(account)
    assert client.get("/").status_code == 302


def test_a_user_without_a_recorded_change_is_not_forced(account):
    """Accounts made before the policy (no change date) are not locked out of the pages."""
    assert account.password_changed_at is None
    client = Client()
    client.force_login(account)
    assert client.get("/").status_code == 200
