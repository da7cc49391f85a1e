"""Writes on a town admin's authenticator: enrol, the login's second step, reset by another admin."""

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from qiangji.accounts import totp
from qiangji.accounts.models import TotpDevice, User
from qiangji.accounts.services.events import account_event
from qiangji.accounts.services.login import LoginLocked, login_attempt_begin, login_attempt_end, login_attempt_record
from qiangji.core.clientip import client_ip
from qiangji.core.errors import DomainError

WRONG_CODE = "验证码不正确，请核对手机时间后重新输入"


@transaction.atomic
def totp_device_begin(*, user: User) -> TotpDevice:
    """The account's not-yet-confirmed device, made with a new secret the first time.

    Reloading the enrolment page keeps the same secret, so a code scanned a moment ago still works.
    """
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.confirmed:
        raise DomainError("该账号已启用身份验证器")
    if device is None:
        device = TotpDevice.objects.create(user=user, secret=totp.new_secret())
    return device


@transaction.atomic
def totp_device_confirm(*, user: User, code: str, request: HttpRequest | None = None) -> TotpDevice:
    """Enable the device once one code from it is right; that code also completes this login.

    Wrong codes here do not count towards the lockout: the person enrolling has just been shown
    the secret, so guessing codes would gain nothing.
    """
    device = TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        raise DomainError("请先打开绑定页面获取密钥")
    step = totp.matching_step(device.secret, code, after=device.last_step)
    if step is None:
        raise DomainError(WRONG_CODE, field="code")
    device.confirmed_at, device.last_step = timezone.now(), step
    device.save(update_fields=["confirmed_at", "last_step"])
    account_event(by=user, account=user, op="2fa_enrol", request=request)
    login_attempt_record(
        username=user.get_username(), ip=client_ip(request), succeeded=True, user=user, request=request, factor="totp"
    )
    return device


def totp_verify(*, user: User, code: str, request: HttpRequest | None = None) -> TotpDevice | None:
    """The login's second step: the device when the code is right, None (and a counted failure)
    when it is not, or when the account has no tries left. Not one transaction: a failure must
    stay recorded. The try is counted before the code is checked, as a password's is."""
    try:
        attempt = login_attempt_begin(username=user.get_username(), ip=client_ip(request))
    except LoginLocked:
        return None
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
        step = totp.matching_step(device.secret, code, after=device.last_step) if device else None
        if step is not None:
            device.last_step = step
            device.save(update_fields=["last_step"])
            login_attempt_end(attempt=attempt, succeeded=True, user=user, request=request, factor="totp")
            return device
    login_attempt_end(attempt=attempt, succeeded=False, request=request, factor="totp")
    return None


@transaction.atomic
def totp_device_reset(*, account: User, by: Any, request: HttpRequest | None = None) -> None:
    """Remove an admin's authenticator (a lost phone): they enrol a new one at their next page.

    Done by another admin, never by oneself: whoever holds a stolen session must not be able to
    swap in their own phone.
    """
    if account.pk == getattr(by, "pk", None):
        raise DomainError("不能重置本人的双因素认证，请联系其他镇党委管理员")
    deleted, _ = TotpDevice.objects.filter(user=account).delete()
    if not deleted:
        raise DomainError("该账号尚未绑定身份验证器，无需重置")
    account_event(by=by, account=account, op="2fa_reset", request=request)
