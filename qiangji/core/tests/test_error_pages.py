"""Error pages and API errors (docs/security.md "Fail closed"): Chinese, plain, nothing of the
inside, with DEBUG off as in production."""

import pytest
from django.test import Client

from qiangji.core.error_views import FORBIDDEN_MESSAGE, NOT_FOUND_MESSAGE, SERVER_ERROR_MESSAGE
from qiangji.core.tests.urls_errors import SECRET

pytestmark = pytest.mark.urls("qiangji.core.tests.urls_errors")


@pytest.fixture
def production(settings):
    settings.DEBUG = False


def test_unhandled_exception_in_a_page_is_a_plain_chinese_500(db, production):
    response = Client(raise_request_exception=False).get("/test-errors/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "系统出现错误" in body
    assert SECRET not in body
    assert "Traceback" not in body and "RuntimeError" not in body
    assert "Server Error" not in body


def test_500_page_renders_without_database_or_context(production, django_db_blocker):
    # No db fixture: any query would fail the test; the 500 page must not need one.
    with django_db_blocker.block():
        response = Client(raise_request_exception=False).get("/test-errors/boom/")
    assert response.status_code == 500
    assert "系统出现错误" in response.content.decode()


def test_unhandled_exception_in_an_endpoint_is_chinese_json(db, production):
    response = Client(raise_request_exception=False).get("/api/test-errors/boom")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": SERVER_ERROR_MESSAGE}
    assert SECRET not in response.content.decode()


def test_unhandled_exception_in_an_endpoint_is_chinese_json_under_debug_too(db, settings):
    settings.DEBUG = True
    response = Client(raise_request_exception=False).get("/api/test-errors/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": SERVER_ERROR_MESSAGE}


def test_english_permission_denied_is_not_shown(db, production):
    response = Client().get("/api/test-errors/denied")
    assert response.status_code == 403
    assert response.json() == {"detail": FORBIDDEN_MESSAGE}


def test_403_page_is_chinese_and_shows_no_internals(db, production, users, client_as):
    response = client_as(users["secretary_a"]).get("/test-errors/denied/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "您没有执行此操作的权限" in body
    assert "Internal rule 42" not in body
    assert "403 Forbidden" not in body


def test_unknown_page_is_the_chinese_404(db, production, users, client_as):
    response = client_as(users["secretary_a"]).get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在，或您无权查看" in body
    assert "Not Found" not in body and "no-such-page" not in body


def test_unknown_api_address_is_chinese_json_404(db, production):
    response = Client().get("/api/v1/no-such-resource/")
    assert response.status_code == 404
    assert response.json() == {"detail": NOT_FOUND_MESSAGE}


def test_bad_host_is_a_plain_chinese_400(db, production):
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    body = response.content.decode()
    assert "请求无法处理" in body
    assert "evil.example.com" not in body and "ALLOWED_HOSTS" not in body


def test_csrf_failure_is_chinese(db, production, users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["secretary_a"])
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "页面已过期，请刷新后重试" in body
    assert "CSRF verification failed" not in body and "CSRF cookie" not in body


def test_unauthenticated_api_call_is_chinese_401(db, production):
    response = Client().get("/api/v1/organizations")
    assert response.status_code == 401
    assert "请先登录" in response.json()["detail"]
