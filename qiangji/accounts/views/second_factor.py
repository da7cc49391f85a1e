"""The second step of a town admin's login, and enrolling an authenticator app the first time."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache

from qiangji.accounts import second_factor, totp
from qiangji.accounts.forms import CodeForm
from qiangji.accounts.models import TotpDevice
from qiangji.accounts.services import login_locked_until, totp_device_begin, totp_device_confirm, totp_verify
from qiangji.core.errors import DomainError


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path on this site: a bare word would be taken by redirect() for a view name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, request: HttpRequest) -> str:
    return reverse(name) + "?" + urlencode({"next": _next(request)})


def _locked_out(request: HttpRequest) -> HttpResponse | None:
    """End the half-done login of a locked account and say until when, as the login page does."""
    until = login_locked_until(username=request.user.get_username())
    if until is None:
        return None
    logout(request)
    messages.error(request, f"验证码或密码连续错误次数过多，账号已临时锁定，请于 {timezone.localtime(until):%H:%M} 后再试。")
    return redirect("accounts:login")


@never_cache
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Six digits from the admin's authenticator after the password; wrong ones count towards
    the same lockout as wrong passwords."""
    user = request.user
    if not second_factor.required(user) or second_factor.passed(request):
        return redirect(_next(request))
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return redirect(_with_next("accounts:second_factor_enrol", request))
    locked = _locked_out(request)
    if locked:
        return locked
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device = totp_verify(user=user, code=form.cleaned_data["code"], request=request)
        if device is not None:
            second_factor.mark_passed(request, device)
            return redirect(_next(request))
        locked = _locked_out(request)
        if locked:
            return locked
        form.add_error("code", "验证码不正确，请重新输入。连续输错多次后账号将被临时锁定。")
    return render(request, "accounts/second_factor/verify.html", {"form": form, "next": _next(request)})


@never_cache
@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Bind an authenticator app: scan the QR code (or type the secret), then type one code."""
    user = request.user
    if not second_factor.required(user):
        raise Http404
    if TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists():
        return redirect(_with_next("accounts:second_factor", request))
    device = totp_device_begin(user=user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            device = totp_device_confirm(user=user, code=form.cleaned_data["code"], request=request)
        except DomainError as error:
            form.add_error("code", error.message)
        else:
            second_factor.mark_passed(request, device)
            messages.success(request, "身份验证器已绑定。今后登录时，输入密码后还需输入验证器显示的验证码。")
            return redirect(_next(request))
    context = {"form": form, "secret": totp.grouped(device.secret), "next": _next(request), "issuer": totp.ISSUER}
    return render(request, "accounts/second_factor/enrol.html", context)


@never_cache
@login_required
def qr_code(request: HttpRequest) -> HttpResponse:
    """The QR code of the secret being enrolled, as an SVG image; gone once the device is confirmed."""
    device = TotpDevice.objects.filter(user=request.user, confirmed_at__isnull=True).first()
    if device is None or not second_factor.required(request.user):
        raise Http404
    svg = totp.qr_svg(totp.provisioning_uri(device.secret, request.user.get_username()))
    return HttpResponse(svg, content_type="image/svg+xml")
