"""A town admin's login in two steps: password, then a code from the enrolled authenticator.

Wrong codes count towards the same lockout as wrong passwords; another admin can reset a lost
device; the gate leaves the login pages, static files, /healthz and token calls to /api/ alone.
"""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qiangji import factories as f
from qiangji.accounts import totp
from qiangji.accounts.models import LoginAttempt, RoleGrant, TotpDevice
from qiangji.accounts.services import api_token_issue, totp_device_begin, totp_device_confirm
from qiangji.core.models import AuditEvent

PASSWORD = "Qiangji-Test-2026"
STEP = 60_000_000


@pytest.fixture(autouse=True)
def _second_factor_on(settings):
    settings.QIANGJI_ADMIN_2FA = True


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    class Clock:
        step = STEP

    monkeypatch.setattr(totp, "step_at", lambda when=None: Clock.step)
    return Clock


def enrol(user, step=STEP - 1):
    device = totp_device_begin(user=user)
    return totp_device_confirm(user=user, code=totp.code_at_step(device.secret, step))


@pytest.fixture
def admin(users):
    """The conftest town admin, with an authenticator enrolled earlier."""
    admin = users["town_admin"]
    enrol(admin)
    # Enrolment logged a login; these tests count from a clean slate.
    LoginAttempt.objects.all().delete()
    return admin


def code(user, step=STEP):
    return totp.code_at_step(TotpDevice.objects.get(user=user).secret, step)


def wrong_code(user):
    right = {code(user, s) for s in (STEP - 1, STEP, STEP + 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def password_step(client, username="admin", password=PASSWORD, next_url=""):
    return client.post(
        "/accounts/login/" + (f"?next={next_url}" if next_url else ""), {"username": username, "password": password}
    )


def logged_in(client):
    return "_auth_user_id" in client.session


def test_the_password_leads_to_the_second_step_and_a_code_completes_the_login(admin):
    client = Client()
    response = password_step(client, next_url="/members/")
    assert response["Location"] == "/accounts/2fa/?next=%2Fmembers%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "当前显示的6位验证码" in page.content.decode()
    # Until the code, every page sends back to the second step.
    assert client.get("/orgs/")["Location"] == "/accounts/2fa/?next=%2Forgs%2F"
    done = client.post("/accounts/2fa/", {"code": code(admin), "next": "/members/"})
    assert done["Location"] == "/members/"
    assert client.get("/orgs/").status_code == 200
    assert client.get("/accounts/2fa/")["Location"] == "/"
    attempts = list(LoginAttempt.objects.values_list("username", "succeeded"))
    assert attempts == [("admin", True)]  # the password step alone is not counted as a success


def test_a_code_cannot_be_used_twice(admin):
    first = Client()
    password_step(first)
    used = code(admin)
    assert first.post("/accounts/2fa/", {"code": used})["Location"] == "/"
    second = Client()
    password_step(second)
    response = second.post("/accounts/2fa/", {"code": used})
    assert response.context["form"].errors == {"code": ["验证码不正确，请重新输入。连续输错多次后账号将被临时锁定。"]}
    assert second.get("/")["Location"] == "/accounts/2fa/?next=%2F"


def test_an_outside_next_address_is_ignored(admin):
    client = Client()
    password_step(client)
    response = client.post("/accounts/2fa/", {"code": code(admin), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_wrong_code_is_refused_counted_and_audited(admin):
    client = Client()
    password_step(client)
    response = client.post("/accounts/2fa/", {"code": wrong_code(admin)})
    assert response.status_code == 200
    assert response.context["form"].errors == {"code": ["验证码不正确，请重新输入。连续输错多次后账号将被临时锁定。"]}
    assert list(LoginAttempt.objects.values_list("username", "succeeded")) == [("admin", False)]
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert (event.username, event.detail, event.ip) == ("admin", {"factor": "totp"}, "127.0.0.1")
    assert client.get("/")["Location"] == "/accounts/2fa/?next=%2F"


def locked_message():
    until = LoginAttempt.objects.filter(succeeded=False).latest("at").at + dt.timedelta(minutes=15)
    return f"{timezone.localtime(until):%H:%M}"


def test_five_wrong_codes_lock_the_account_and_end_the_half_login(admin):
    client = Client()
    password_step(client)
    bad = wrong_code(admin)
    for _ in range(4):
        assert client.post("/accounts/2fa/", {"code": bad}).status_code == 200
    response = client.post("/accounts/2fa/", {"code": bad})
    assert response["Location"] == "/accounts/login/"
    assert not logged_in(client)
    page = client.get("/accounts/login/").content.decode()
    assert f"验证码或密码连续错误次数过多，账号已临时锁定，请于 {locked_message()} 后再试。" in page
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOCKED, username="admin").count() == 1
    # Even the right password (and the right code) now wait for the lock to end.
    again = password_step(client)
    assert again.status_code == 200
    assert again.context["form"].non_field_errors() == [f"密码连续错误次数过多，账号已临时锁定，请于 {locked_message()} 后再试。"]


def test_the_password_step_does_not_reset_the_count_of_wrong_codes(admin):
    bad = wrong_code(admin)
    client = Client()
    password_step(client)
    for _ in range(3):
        client.post("/accounts/2fa/", {"code": bad})
    client = Client()
    password_step(client)  # right password, wrong password: both still part of the run
    password_step(Client(), password="Wrong-Password-1")
    response = client.post("/accounts/2fa/", {"code": bad})
    assert response["Location"] == "/accounts/login/"
    assert not logged_in(client)


def test_a_locked_account_meets_the_lock_at_the_second_step_too(admin):
    client = Client()
    password_step(client)
    for _ in range(5):
        LoginAttempt.objects.create(username="admin", succeeded=False)
    response = client.get("/accounts/2fa/")
    assert response["Location"] == "/accounts/login/"
    assert not logged_in(client)


def test_another_admin_resets_a_lost_device_and_the_owner_enrols_again(admin, town, client_as):
    owner = Client()
    password_step(owner)
    owner.post("/accounts/2fa/", {"code": code(admin)})
    assert owner.get("/orgs/").status_code == 200

    colleague = f.UserFactory(username="admin2", display_name="另一管理员")
    f.grant(colleague, RoleGrant.Role.TOWN_ADMIN, town["town"])
    enrol(colleague)
    other = Client()
    password_step(other, "admin2")
    other.post("/accounts/2fa/", {"code": code(colleague, STEP)})
    response = other.post(reverse("accounts:user_second_factor_reset", args=[admin.pk]))
    assert response["Location"] == reverse("accounts:user_detail", args=[admin.pk])
    assert not TotpDevice.objects.filter(user=admin).exists()
    event = AuditEvent.objects.filter(action="account").latest("id")
    assert (event.username, event.object_repr, event.detail) == ("admin2", "镇管理员", {"op": "2fa_reset"})

    # The owner's session that passed with the old device must pass again, with a new one.
    assert owner.get("/orgs/")["Location"] == "/accounts/2fa/?next=%2Forgs%2F"
    assert owner.get("/accounts/2fa/?next=%2Forgs%2F")["Location"] == "/accounts/2fa/enrol/?next=%2Forgs%2F"


def test_nobody_resets_their_own_second_factor(admin):
    client = Client()
    password_step(client)
    client.post("/accounts/2fa/", {"code": code(admin)})
    response = client.post(reverse("accounts:user_second_factor_reset", args=[admin.pk]), follow=True)
    assert "不能重置本人的双因素认证，请联系其他镇党委管理员" in response.content.decode()
    assert TotpDevice.objects.filter(user=admin).exists()


def test_the_gate_leaves_logout_health_static_and_token_calls_alone(admin):
    _, key = api_token_issue(user=admin, name="同步脚本")
    client = Client()
    password_step(client)
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/css/qiangji.css").status_code == 200
    token_call = client.get("/api/v1/organizations", headers={"Authorization": f"Bearer {key}"})
    assert token_call.status_code == 200
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"


def test_the_api_refuses_a_session_without_the_second_factor(admin):
    client = Client()
    password_step(client)
    assert client.get("/api/v1/organizations").status_code == 401
    client.post("/accounts/2fa/", {"code": code(admin)})
    assert client.get("/api/v1/organizations").status_code == 200


def test_htmx_requests_are_redirected_by_header(admin):
    client = Client()
    password_step(client)
    response = client.get("/members/?q=li", headers={"HX-Request": "true"})
    assert (response.status_code, response["HX-Redirect"]) == (204, "/accounts/2fa/?next=%2Fmembers%2F%3Fq%3Dli")


def test_other_roles_log_in_with_the_password_alone(users):
    client = Client()
    assert password_step(client, "sec_a")["Location"] == "/"
    assert client.get("/orgs/").status_code == 200
    assert TotpDevice.objects.count() == 0


def test_a_superuser_needs_the_second_factor_too(db):
    f.UserFactory(username="root", is_superuser=True, is_staff=True)
    client = Client()
    assert password_step(client, "root")["Location"] == "/accounts/2fa/?next=%2F"
    assert client.get("/ops/")["Location"] == "/accounts/2fa/?next=%2Fops%2F"


def test_a_force_logged_in_admin_is_gated_as_well(users, client_as):
    """Sessions made any other way than the login page (e.g. /ops/ login) meet the same gate."""
    assert client_as(users["town_admin"]).get("/")["Location"] == "/accounts/2fa/?next=%2F"


def test_a_newly_granted_admin_must_enrol_at_the_next_page(users, town, client_as):
    client = client_as(users["secretary_a"])
    assert client.get("/").status_code == 200
    f.grant(users["secretary_a"], RoleGrant.Role.TOWN_ADMIN, town["town"])
    assert client.get("/")["Location"] == "/accounts/2fa/?next=%2F"


def test_the_setting_turns_the_second_factor_off(admin, settings):
    settings.QIANGJI_ADMIN_2FA = False
    client = Client()
    assert password_step(client)["Location"] == "/"
    assert client.get("/orgs/").status_code == 200
    assert client.get("/accounts/2fa/enrol/").status_code == 404
    assert list(LoginAttempt.objects.values_list("succeeded", flat=True)) == [True]
