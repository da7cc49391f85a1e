"""Wrong passwords sent at the same moment: each try is counted under a lock per account before
the password is checked, so no more than LOGIN_MAX_FAILURES passwords are ever tried.

PostgreSQL only (each thread its own connection; SQLite serialises the whole file anyway)."""

import threading

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test import RequestFactory

from qiangji import factories as f
from qiangji.accounts.models import LoginAttempt
from qiangji.core.models import AuditEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="the advisory lock is PostgreSQL's; run with DATABASE_URL=postgres://…",
    ),
]

THREADS = 9


def test_concurrent_wrong_passwords_cannot_exceed_the_limit(monkeypatch):
    f.UserFactory(username="wangwu", display_name="王五")
    checked = []
    real = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        checked.append(username)
        return real(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    barrier = threading.Barrier(THREADS)
    requests = [RequestFactory().post("/accounts/login/") for _ in range(THREADS)]
    results = [None] * THREADS

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = authenticate(requests[i], username="wangwu", password="Wrong-Password-1")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert results == [None] * THREADS
    assert len(checked) == settings.LOGIN_MAX_FAILURES == 5
    assert LoginAttempt.objects.filter(username="wangwu", succeeded=False).count() == 5
    refused = [r.login_locked for r in requests if hasattr(r, "login_locked")]
    assert len(refused) == THREADS - 5
    assert refused[0].args[0].startswith("密码连续错误次数过多，账号已临时锁定，请于 ")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).count() == 5
