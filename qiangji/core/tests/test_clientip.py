"""The client address behind a reverse proxy: X-Forwarded-For counts only from a trusted proxy,
read from the right (docs/security.md "Sessions, tokens, proxies"); the public rate limits and
the login records count the real client, and count atomically."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from qiangji.accounts.models import LoginAttempt
from qiangji.core.clientip import client_ip
from qiangji.core.models import AuditEvent
from qiangji.ledger.models import PublicReport

PROXY = "10.0.0.2"
REPORT = "/ledger/report/"
TEXT = "村口路灯坏了一个多月，晚上行走很不方便。"


def ip_of(remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **headers))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.QIANGJI_TRUSTED_PROXIES = []
    assert ip_of(PROXY, "1.2.3.4") == PROXY


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        (PROXY, "1.2.3.4", "1.2.3.4"),
        # A client's own X-Forwarded-For is left of what our proxy appended: ignored.
        (PROXY, "6.6.6.6, 1.2.3.4", "1.2.3.4"),
        # Two proxies of ours (a network), the client before them.
        (PROXY, "6.6.6.6, 1.2.3.4, 10.0.0.7", "1.2.3.4"),
        # An address that is not a trusted proxy speaks for itself, header or not.
        ("8.8.8.8", "1.2.3.4", "8.8.8.8"),
        # The proxy without a header, or with garbage: the proxy is all we know.
        (PROXY, None, PROXY),
        (PROXY, "not-an-address", PROXY),
        (PROXY, "1.2.3.4, not-an-address", PROXY),
        (PROXY, "1.2.3.4, not-an-address, 10.0.0.7", "10.0.0.7"),
        # Every hop ours: the leftmost is the client.
        (PROXY, "10.0.0.9, 10.0.0.7", "10.0.0.9"),
        (PROXY, "2001:db8::1", "2001:db8::1"),
        ("::ffff:10.0.0.2", "1.2.3.4", "1.2.3.4"),
    ],
)
def test_rightmost_untrusted_hop_from_a_trusted_proxy(settings, remote, forwarded, expected):
    settings.QIANGJI_TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert ip_of(remote, forwarded) == expected


def test_a_bad_trusted_proxy_setting_is_refused(settings):
    settings.QIANGJI_TRUSTED_PROXIES = ["10.0.0.300"]
    with pytest.raises(ImproperlyConfigured, match=r"10\.0\.0\.300"):
        ip_of(PROXY, "1.2.3.4")


def post_report(real_client, spoofed=None):
    forwarded = f"{spoofed}, {real_client}" if spoofed else real_client
    data = {"description": TEXT, "village": "", "name": "", "phone": "", "website": ""}
    return Client().post(REPORT, data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def test_public_rate_limit_counts_each_real_client_behind_the_proxy(db, settings):
    settings.QIANGJI_TRUSTED_PROXIES = [PROXY]
    for i in range(6):
        assert post_report(f"1.2.3.{i}").status_code == 302
    assert PublicReport.objects.count() == 6


def test_a_client_cannot_escape_the_limit_by_forging_the_header(db, settings):
    settings.QIANGJI_TRUSTED_PROXIES = [PROXY]
    for i in range(5):
        assert post_report("1.2.3.4", spoofed=f"9.9.9.{i}").status_code == 302
    response = post_report("1.2.3.4", spoofed="9.9.9.99")
    assert response.status_code == 429
    assert PublicReport.objects.count() == 5


def test_login_attempts_and_audit_record_the_real_client(db, settings, users):
    settings.QIANGJI_TRUSTED_PROXIES = [PROXY]
    Client().post(
        "/accounts/login/", {"username": "sec_a", "password": "wrong"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4"
    )
    assert list(LoginAttempt.objects.values_list("username", "ip", "succeeded")) == [("sec_a", "1.2.3.4", False)]
    assert list(AuditEvent.objects.values_list("action", "ip")) == [(AuditEvent.Action.LOGIN_FAILED, "1.2.3.4")]
