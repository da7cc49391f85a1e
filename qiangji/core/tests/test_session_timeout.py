"""Sessions end after QIANGJI_SESSION_IDLE_MINUTES without a request (30 by default) and at the
latest SESSION_COOKIE_AGE after login (8 hours), however busy (docs/security.md)."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from qiangji.core.middleware import EXPIRED_MESSAGE, IDLE_MESSAGE

START = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def test_defaults():
    assert settings.SESSION_IDLE_MINUTES == 30
    assert settings.SESSION_COOKIE_AGE == 8 * 3600


@pytest.fixture
def signed_in(users, client_as):
    with time_machine.travel(START, tick=False) as traveller:
        client = client_as(users["secretary_a"])
        yield client, traveller


def is_signed_in(response):
    return response.status_code == 200


def test_active_session_stays_open(signed_in):
    client, traveller = signed_in
    home = reverse("home:index")
    for _ in range(5):
        traveller.shift(dt.timedelta(minutes=29))
        assert client.get(home).status_code == 200
    assert "_auth_user_id" in client.session


def test_idle_session_is_logged_out(signed_in):
    client, traveller = signed_in
    home = reverse("home:index")
    traveller.shift(dt.timedelta(minutes=10))
    assert client.get(home).status_code == 200
    traveller.shift(dt.timedelta(minutes=31))
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert IDLE_MESSAGE in page.content.decode()


def test_idle_limit_is_a_setting(signed_in, settings):
    settings.SESSION_IDLE_MINUTES = 5
    client, traveller = signed_in
    traveller.shift(dt.timedelta(minutes=6))
    assert client.get(reverse("home:index")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_idle_session_cannot_use_the_api(signed_in):
    client, traveller = signed_in
    traveller.shift(dt.timedelta(minutes=31))
    response = client.get("/api/v1/organizations")
    assert response.status_code == 401


def test_busy_session_ends_at_the_absolute_limit(signed_in):
    client, traveller = signed_in
    home = reverse("home:index")
    for _ in range(15):  # 7.5 hours of steady work
        traveller.shift(dt.timedelta(minutes=30))
        assert client.get(home).status_code == 200
    traveller.shift(dt.timedelta(minutes=29))
    assert client.get(home).status_code == 200  # 7h59
    traveller.shift(dt.timedelta(minutes=2))
    response = client.get(home)
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert EXPIRED_MESSAGE in client.get(response["Location"]).content.decode()


def test_requests_within_a_minute_do_not_write_the_session(signed_in, django_assert_num_queries):
    client, traveller = signed_in
    home = reverse("home:index")
    client.get(home)
    stamp = client.session["qj_session_last_seen"]
    traveller.shift(dt.timedelta(seconds=30))
    client.get(home)
    assert client.session["qj_session_last_seen"] == stamp
    traveller.shift(dt.timedelta(seconds=31))
    client.get(home)
    assert client.session["qj_session_last_seen"] == timezone.now().timestamp()
