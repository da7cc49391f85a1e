"""How the API knows who is calling: a bearer token (scripts, apps) or the page session (htmx).

Both resolve to the same User, so the API sees exactly what that user sees on the pages.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from qiangji.accounts import second_factor
from qiangji.accounts.services import api_token_authenticate

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class TokenAuth(HttpBearer):
    """`Authorization: Bearer qj_…`, checked against the stored hash of an unrevoked token."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header)
        if not header:
            return None
        scheme, _, key = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            # An Authorization header we cannot read is a failed login, not "try the session".
            raise AuthenticationError()
        return self.authenticate(request, key.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(key=token)
        if user is None:
            # A bad or revoked token must not fall back to a browser session sent alongside it.
            raise AuthenticationError()
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The logged-in page session; writes need the CSRF token like any form on the pages."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # ninja would check CSRF before knowing whether anyone is logged in, turning an
        # anonymous call into 403; the check is made in `authenticate` once the user is known.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if second_factor.required(user) and not second_factor.passed(request):
            # The pages send such a session to the second step; the API, which they may call
            # without passing through a page, must not be the way around it.
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, "CSRF 校验失败，请刷新页面后重试（脚本请使用接口令牌）。")
        return user


def api_auth() -> list[Any]:
    return [TokenAuth(), SessionAuth(csrf=True)]
