"""Writes on accounts, one module per concern; everything is importable from here."""

from qiangji.accounts.services.login import login_attempt_record, login_locked_until
from qiangji.accounts.services.tokens import api_token_authenticate, api_token_issue, api_token_revoke
from qiangji.accounts.services.totp import totp_device_begin, totp_device_confirm, totp_device_reset, totp_verify
from qiangji.accounts.services.users import (
    role_grant_create,
    role_grant_revoke,
    user_create,
    user_member_link,
    user_member_unlink,
    user_password_reset,
    user_update,
)

__all__ = [
    "api_token_authenticate",
    "api_token_issue",
    "api_token_revoke",
    "login_attempt_record",
    "login_locked_until",
    "role_grant_create",
    "role_grant_revoke",
    "totp_device_begin",
    "totp_device_confirm",
    "totp_device_reset",
    "totp_verify",
    "user_create",
    "user_member_link",
    "user_member_unlink",
    "user_password_reset",
    "user_update",
]
