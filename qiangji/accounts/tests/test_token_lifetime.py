"""API tokens die QIANGJI_API_TOKEN_DAYS (90) days after issue, with a password change and with a
deactivated account (docs/security.md "Sessions, tokens, proxies")."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from qiangji import factories as f
from qiangji.accounts.models import ApiToken
from qiangji.accounts.services import api_token_issue, user_password_reset, user_update

ISSUED = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def owner(db):
    return f.UserFactory(username="sec_x", display_name="某书记")


def api_status(key):
    return Client().get("/api/v1/organizations", headers={"Authorization": f"Bearer {key}"}).status_code


def test_default_lifetime_is_90_days():
    assert settings.API_TOKEN_DAYS == 90


def test_token_expires_after_its_lifetime(owner):
    with time_machine.travel(ISSUED, tick=False) as traveller:
        token, key = api_token_issue(user=owner, name="同步脚本")
        assert token.expires_at == ISSUED + dt.timedelta(days=90)
        traveller.shift(dt.timedelta(days=90) - dt.timedelta(seconds=1))
        assert api_status(key) == 200
        traveller.shift(dt.timedelta(seconds=1))
        assert api_status(key) == 401
        assert list(ApiToken.objects.active()) == []


def test_lifetime_is_a_setting(owner, settings):
    settings.API_TOKEN_DAYS = 7
    with time_machine.travel(ISSUED, tick=False) as traveller:
        token, key = api_token_issue(user=owner, name="同步脚本")
        assert token.expires_at == ISSUED + dt.timedelta(days=7)
        traveller.shift(dt.timedelta(days=7, seconds=1))
        assert api_status(key) == 401


def test_own_password_change_kills_the_token(owner):
    _, key = api_token_issue(user=owner, name="同步脚本")
    assert api_status(key) == 200
    owner.set_password("Another-Pass-2026")
    owner.save()
    assert api_status(key) == 401
    # A token issued after the change works.
    _, fresh = api_token_issue(user=owner, name="新脚本")
    assert api_status(fresh) == 200


def test_password_change_page_kills_the_token(owner):
    owner.set_password("Old-Pass-2026x")
    owner.save()
    _, key = api_token_issue(user=owner, name="同步脚本")
    client = Client()
    client.force_login(owner)
    response = client.post(
        "/accounts/password/",
        {"old_password": "Old-Pass-2026x", "new_password1": "New-Pass-2027y!", "new_password2": "New-Pass-2027y!"},
    )
    assert response.status_code == 302
    assert api_status(key) == 401
    page = client.get("/accounts/tokens/").content.decode()
    assert "已失效（密码已修改）" in page


def test_password_reset_by_an_admin_kills_the_token(owner, users):
    _, key = api_token_issue(user=owner, name="同步脚本")
    user_password_reset(by=users["town_admin"], account=owner)
    assert api_status(key) == 401


def test_deactivated_account_kills_the_token(owner, users):
    _, key = api_token_issue(user=owner, name="同步脚本")
    user_update(by=users["town_admin"], account=owner, display_name=owner.display_name, is_active=False)
    assert api_status(key) == 401


def test_token_page_shows_expiry(owner):
    with time_machine.travel(ISSUED, tick=False):
        api_token_issue(user=owner, name="同步脚本")
        client = Client()
        client.force_login(owner)
        page = client.get("/accounts/tokens/").content.decode()
    assert "2026-05-30" in page  # 90 days after 1 March, Shanghai time
    assert "90 天后到期" in page
