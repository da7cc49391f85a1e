"""TOTP itself (RFC 6238) and enrolling a town admin's authenticator."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from qiangji import factories as f
from qiangji.accounts import totp
from qiangji.accounts.checks import admin_second_factor
from qiangji.accounts.models import LoginAttempt, RoleGrant, TotpDevice
from qiangji.core.models import AuditEvent

PASSWORD = "Qiangji-Test-2026"
STEP = 60_000_000  # a fixed moment (2027-01-15): the codes do not depend on the wall clock


@pytest.fixture(autouse=True)
def _second_factor_on(settings):
    settings.QIANGJI_ADMIN_2FA = True


@pytest.fixture
def clock(monkeypatch):
    """The TOTP time step, held still; `clock.step` may be moved by a test."""

    class Clock:
        step = STEP

    monkeypatch.setattr(totp, "step_at", lambda when=None: Clock.step)
    return Clock


# --- RFC 6238 ------------------------------------------------------------------------------

RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # "12345678901234567890", the RFC's SHA-1 key


@pytest.mark.parametrize(
    ("unix_time", "code"),
    [(59, "287082"), (1111111109, "081804"), (1111111111, "050471"), (1234567890, "005924"), (2000000000, "279037")],
)
def test_codes_match_the_rfc_6238_test_vectors(unix_time, code):
    """The RFC lists 8-digit codes; six digits are the same number modulo 10^6."""
    assert totp.code_at_step(RFC_SECRET, unix_time // 30) == code


def test_a_code_is_accepted_one_step_either_side_and_not_further():
    code = totp.code_at_step(RFC_SECRET, 100)
    assert [totp.matching_step(RFC_SECRET, code, when=s * 30) for s in (98, 99, 100, 101, 102)] == [None, 100, 100, 100, None]


def test_a_used_step_is_refused():
    code = totp.code_at_step(RFC_SECRET, 100)
    assert totp.matching_step(RFC_SECRET, code, after=99, when=3000) == 100
    assert totp.matching_step(RFC_SECRET, code, after=100, when=3000) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "28708２"])
def test_malformed_codes_never_match(code):
    assert totp.matching_step(RFC_SECRET, code, when=59) is None


def test_the_provisioning_address_names_the_platform_and_the_account():
    assert totp.provisioning_uri("ABCD", "admin") == (
        "otpauth://totp/%E5%BC%BA%E5%9F%BA%E5%B9%B3%E5%8F%B0%3Aadmin"
        "?secret=ABCD&issuer=%E5%BC%BA%E5%9F%BA%E5%B9%B3%E5%8F%B0&digits=6&period=30&algorithm=SHA1"
    )


def test_new_secrets_are_160_bits_of_base32():
    secret = totp.new_secret()
    assert len(secret) == 32 and set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert totp.new_secret() != secret


# --- enrolment -----------------------------------------------------------------------------


@pytest.fixture
def admin(town):
    user = f.UserFactory(username="admin", display_name="镇管理员")
    f.grant(user, RoleGrant.Role.TOWN_ADMIN, town["town"])
    return user


def password_step(client: Client, username: str = "admin"):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD})


def test_first_login_of_an_admin_goes_to_enrolment(admin):
    client = Client()
    assert password_step(client)["Location"] == "/accounts/2fa/?next=%2F"
    assert client.get("/accounts/2fa/?next=%2F")["Location"] == "/accounts/2fa/enrol/?next=%2F"
    page = client.get("/accounts/2fa/enrol/?next=%2F")
    device = TotpDevice.objects.get(user=admin)
    assert device.confirmed_at is None
    assert page.context["secret"] == totp.grouped(device.secret)
    html = page.content.decode()
    assert totp.grouped(device.secret) in html
    assert f'src="{reverse("accounts:second_factor_qr")}"' in html
    assert "no-store" in page["Cache-Control"]
    # Reloading keeps the secret that may already be in the app.
    assert client.get("/accounts/2fa/enrol/").context["secret"] == totp.grouped(device.secret)


def test_the_secret_is_encrypted_at_rest(admin):
    client = Client()
    password_step(client)
    client.get("/accounts/2fa/enrol/")
    secret = TotpDevice.objects.get(user=admin).secret
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_totpdevice")
        stored = cursor.fetchone()[0]
    assert stored.startswith("g1:") and secret not in stored


def test_the_qr_code_is_an_svg_image_of_the_address(admin):
    client = Client()
    password_step(client)
    client.get("/accounts/2fa/enrol/")
    response = client.get(reverse("accounts:second_factor_qr"))
    assert (response.status_code, response["Content-Type"]) == (200, "image/svg+xml")
    body = response.content.decode()
    assert body.startswith("<?xml") and "<svg" in body and "<script" not in body
    assert "no-store" in response["Cache-Control"]


def test_a_right_code_confirms_the_device_and_completes_the_login(admin, clock):
    client = Client()
    password_step(client)
    client.get("/accounts/2fa/enrol/")
    device = TotpDevice.objects.get(user=admin)
    response = client.post("/accounts/2fa/enrol/", {"code": totp.code_at_step(device.secret, STEP), "next": "/orgs/"})
    assert response["Location"] == "/orgs/"
    device.refresh_from_db()
    assert device.confirmed_at is not None and device.last_step == STEP
    assert client.get("/orgs/").status_code == 200
    # The QR code is gone once the device is confirmed: the secret is never shown again.
    assert client.get(reverse("accounts:second_factor_qr")).status_code == 404
    assert client.get("/accounts/2fa/enrol/")["Location"] == "/accounts/2fa/?next=%2F"
    events = list(AuditEvent.objects.order_by("id").values_list("action", "detail"))
    assert events == [("account", {"op": "2fa_enrol"}), ("login", {"factor": "totp"})]


def test_a_wrong_code_at_enrolment_is_refused_without_counting_towards_the_lockout(admin, clock):
    client = Client()
    password_step(client)
    client.get("/accounts/2fa/enrol/")
    device = TotpDevice.objects.get(user=admin)
    wrong = totp.code_at_step(device.secret, STEP + 5)
    response = client.post("/accounts/2fa/enrol/", {"code": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors == {"code": ["验证码不正确，请核对手机时间后重新输入"]}
    device.refresh_from_db()
    assert device.confirmed_at is None
    assert LoginAttempt.objects.filter(succeeded=False).count() == 0
    assert client.get("/")["Location"] == "/accounts/2fa/?next=%2F"


@pytest.mark.parametrize("code", ["12345", "abcdef"])
def test_a_malformed_code_is_a_form_error(admin, code):
    client = Client()
    password_step(client)
    client.get("/accounts/2fa/enrol/")
    response = client.post("/accounts/2fa/enrol/", {"code": code})
    assert response.context["form"].errors == {"code": ["请输入6位数字验证码"]}


def test_people_who_need_no_second_factor_have_no_enrolment(users, client_as):
    client = client_as(users["secretary_a"])
    assert client.get("/accounts/2fa/enrol/").status_code == 404
    assert client.get(reverse("accounts:second_factor_qr")).status_code == 404
    assert TotpDevice.objects.count() == 0


def test_enrolment_pages_need_a_login(db):
    assert Client().get("/accounts/2fa/enrol/")["Location"] == "/accounts/login/?next=/accounts/2fa/enrol/"
    assert Client().get(reverse("accounts:second_factor_qr")).status_code == 302


def test_check_deploy_warns_when_production_runs_without_the_second_factor(settings):
    settings.DEBUG = False
    settings.QIANGJI_ADMIN_2FA = False
    assert [w.id for w in admin_second_factor(None)] == ["qiangji.W001"]
    settings.QIANGJI_ADMIN_2FA = True
    assert admin_second_factor(None) == []
