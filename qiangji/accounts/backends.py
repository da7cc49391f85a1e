from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from qiangji.accounts import second_factor
from qiangji.accounts.services import login_attempt_record, login_locked_until
from qiangji.core.clientip import client_ip


class AccountLocked(PermissionDenied):
    pass


class LockoutModelBackend(ModelBackend):
    """Username/password login that refuses a locked account and records every attempt."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any):
        if not username:
            return None
        if login_locked_until(username=username):
            # PermissionDenied stops Django from trying other backends; the form explains it.
            raise AccountLocked()
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and second_factor.required(user):
            # Half a login: only the code ends a run of failures, or someone who knows the
            # password could reset the count between guesses at the code.
            return user
        login_attempt_record(username=username, ip=client_ip(request), succeeded=user is not None, user=user, request=request)
        return user
