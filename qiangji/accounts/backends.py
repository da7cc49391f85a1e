from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from qiangji.accounts import second_factor
from qiangji.accounts.services.login import LoginLocked, login_attempt_begin, login_attempt_end
from qiangji.core.clientip import client_ip

AccountLocked = LoginLocked


class LockoutModelBackend(ModelBackend):
    """Username/password login that refuses a locked account and records every attempt."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any):
        if not username:
            return None
        # The try is counted before the password is checked (LoginLocked when none is left: a
        # PermissionDenied stops Django from trying other backends; the form explains it).
        try:
            attempt = login_attempt_begin(username=username, ip=client_ip(request))
        except LoginLocked as locked:
            if request is not None:
                request.login_locked = locked  # the login form says why, not "wrong password"
            raise
        user = None
        try:
            user = super().authenticate(request, username=username, password=password, **kwargs)
        finally:
            if user is not None and second_factor.required(user):
                # Half a login: only the code ends a run of failures, or someone who knows the
                # password could reset the count between guesses at the code.
                login_attempt_end(attempt=attempt, succeeded=None)
            else:
                login_attempt_end(attempt=attempt, succeeded=user is not None, user=user, request=request)
        return user
