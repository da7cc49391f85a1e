"""Who must give a second factor, and the session flag that says they did (RULES.md: "second
factor for town admins").

The flag holds the id of the device the code came from: when another admin resets the device,
every session that passed with it has to pass again with the new one.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from qiangji.accounts.models import TotpDevice
from qiangji.core.access import TOWN_ADMIN, get_scope

SESSION_KEY = "qiangji_second_factor"


def enabled() -> bool:
    return getattr(settings, "QIANGJI_ADMIN_2FA", True)


def required(user: Any) -> bool:
    """Town admins and superusers, when the setting is on (it is, unless a demo turns it off)."""
    if not enabled() or not getattr(user, "is_authenticated", False):
        return False
    scope = get_scope(user)
    return scope.superuser or TOWN_ADMIN in scope.roles


def passed(request: HttpRequest) -> bool:
    device_id = request.session.get(SESSION_KEY)
    if device_id is None:
        return False
    return TotpDevice.objects.filter(pk=device_id, user=request.user, confirmed_at__isnull=False).exists()


def mark_passed(request: HttpRequest, device: TotpDevice) -> None:
    # A new session key at the moment the session gains the admin's full rights (no fixation).
    request.session.cycle_key()
    request.session[SESSION_KEY] = device.pk


def forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
