"""Login lockout (RULES.md): 5 failures in a row lock an account for 15 minutes."""

import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django.utils import timezone

from qiangji import factories as f
from qiangji.accounts.models import LoginAttempt
from qiangji.core.models import AuditEvent

PASSWORD = "Qiangji-Test-2026"
WRONG = "Wrong-Password-1"
INVALID_LOGIN = "账号或密码不正确。连续输错多次后账号将被临时锁定。"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def account(db):
    return f.UserFactory(username="wangwu", display_name="王五")


def login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def locked_message():
    until = LoginAttempt.objects.filter(succeeded=False).latest("at").at + dt.timedelta(minutes=15)
    return f"密码连续错误次数过多，账号已临时锁定，请于 {timezone.localtime(until):%H:%M} 后再试。"


def logged_in(client):
    return "_auth_user_id" in client.session


def test_five_failures_lock_even_the_right_password_out(account):
    client = Client()
    for _ in range(5):
        response = login(client, "wangwu", WRONG)
        assert response.status_code == 200
        assert response.context["form"].non_field_errors() == [INVALID_LOGIN]
    assert LoginAttempt.objects.filter(username="wangwu", succeeded=False).count() == 5

    response = login(client, "wangwu", PASSWORD)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [locked_message()]
    assert locked_message() in response.content.decode()
    assert not logged_in(client)
    # A refused attempt on a locked account does not extend the lock.
    assert LoginAttempt.objects.filter(username="wangwu").count() == 5


def test_the_locking_failure_is_audited_once(account):
    client = Client()
    for _ in range(4):
        login(client, "wangwu", WRONG)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOCKED).count() == 0
    login(client, "wangwu", WRONG)
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOCKED)
    assert (event.username, event.user, event.ip) == ("wangwu", None, "127.0.0.1")
    login(client, "wangwu", PASSWORD)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOCKED).count() == 1


def test_every_attempt_is_audited_with_who_and_where(account):
    client = Client()
    login(client, "wangwu", WRONG)
    login(client, "wangwu", PASSWORD)
    events = list(AuditEvent.objects.order_by("id").values_list("action", "username", "user", "ip"))
    assert events == [
        ("login_failed", "wangwu", None, "127.0.0.1"),
        ("login", "wangwu", account.pk, "127.0.0.1"),
    ]


def test_the_lock_ends_after_15_minutes(account):
    client = Client()
    for _ in range(5):
        login(client, "wangwu", WRONG)
    LoginAttempt.objects.update(at=timezone.now() - dt.timedelta(minutes=15, seconds=1))
    response = login(client, "wangwu", PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/")
    assert logged_in(client)


def test_still_locked_just_before_15_minutes(account):
    client = Client()
    for _ in range(5):
        login(client, "wangwu", WRONG)
    LoginAttempt.objects.update(at=timezone.now() - dt.timedelta(minutes=14, seconds=50))
    response = login(client, "wangwu", PASSWORD)
    assert response.context["form"].non_field_errors() == [locked_message()]
    assert not logged_in(client)


def test_a_success_resets_the_count(account):
    client = Client()
    for _ in range(4):
        login(client, "wangwu", WRONG)
    assert login(client, "wangwu", PASSWORD).status_code == 302
    client = Client()
    for _ in range(4):
        login(client, "wangwu", WRONG)
    response = login(client, "wangwu", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_failures_of_another_account_do_not_count(account):
    f.UserFactory(username="zhaoliu")
    client = Client()
    for _ in range(5):
        login(client, "zhaoliu", WRONG)
    assert login(client, "wangwu", PASSWORD).status_code == 302


def test_unknown_usernames_lock_too_so_accounts_cannot_be_told_apart(db):
    client = Client()
    for _ in range(5):
        login(client, "nobody", WRONG)
    response = login(client, "nobody", WRONG)
    assert response.context["form"].non_field_errors() == [locked_message()]


def test_the_backend_itself_refuses_a_locked_account(account):
    """A login path that skips the form (e.g. a future API login) still meets the lock."""
    for _ in range(5):
        assert authenticate(None, username="wangwu", password=WRONG) is None
    assert authenticate(None, username="wangwu", password=PASSWORD) is None
    assert LoginAttempt.objects.filter(username="wangwu").count() == 5


def test_a_lock_reached_by_attempts_sent_at_once_is_explained_and_no_password_is_tried(account, monkeypatch):
    client = Client()
    for _ in range(5):
        login(client, "wangwu", WRONG)
    # The form's own check ran before the other attempts were counted; the backend's, under the lock, did not.
    monkeypatch.setattr("qiangji.accounts.forms.login_locked_until", lambda **kwargs: None)
    tried = []
    monkeypatch.setattr("django.contrib.auth.backends.ModelBackend.authenticate", lambda *a, **k: tried.append(1))

    response = login(client, "wangwu", PASSWORD)

    assert response.context["form"].non_field_errors() == [locked_message()]
    assert (logged_in(client), tried) == (False, [])
    assert LoginAttempt.objects.filter(username="wangwu").count() == 5
