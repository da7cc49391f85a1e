"""What a town admin does to one account from its page: reset its password or second factor,
grant and revoke roles, link it to a member record. Each is a POST that goes back to the page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from qiangji.accounts.forms import RoleGrantForm
from qiangji.accounts.selectors import (
    get_grant_for_admin,
    get_member_for_admin,
    get_user_for_admin,
    grant_organization_choices,
    members_linkable,
)
from qiangji.accounts.services import (
    role_grant_create,
    role_grant_revoke,
    totp_device_reset,
    user_member_link,
    user_member_unlink,
    user_password_reset,
)
from qiangji.accounts.views.users import add_domain_error, detail_context, is_fragment, require_admin
from qiangji.core.converters import parse_id
from qiangji.core.errors import DomainError
from qiangji.core.text import clean_text
from qiangji.orgs.models import Organization


@never_cache
@login_required
@require_POST
def password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """A new temporary password, shown in this one response only (never cached, never stored)."""
    require_admin(request)
    account = get_user_for_admin(request.user, pk)
    try:
        password = user_password_reset(by=request.user, account=account, request=request)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("accounts:user_detail", account.pk)
    return render(request, "accounts/users/password_reset.html", {"account": account, "password": password})


@login_required
@require_POST
def grant_create(request: HttpRequest, pk: int) -> HttpResponse:
    require_admin(request)
    account = get_user_for_admin(request.user, pk)
    form = RoleGrantForm(request.POST, organizations=grant_organization_choices(user=request.user))
    if form.is_valid():
        data = form.cleaned_data
        organization = Organization.objects.get(pk=data["organization"])
        try:
            grant = role_grant_create(
                user=account,
                role=data["role"],
                organization=organization,
                title=data["title"],
                by=request.user,
                request=request,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"已授予“{grant.get_role_display()}”角色（{organization.name}）。")
            return redirect("accounts:user_detail", account.pk)
    context = detail_context(request, account, grant_form=form)
    return render(request, "accounts/users/detail.html", context, status=200)


@login_required
@require_POST
def grant_revoke(request: HttpRequest, pk: int, grant_pk: int) -> HttpResponse:
    require_admin(request)
    account = get_user_for_admin(request.user, pk)
    grant = get_grant_for_admin(request.user, account, grant_pk)
    label = f"“{grant.get_role_display()}”角色（{grant.organization.name}）"
    try:
        role_grant_revoke(grant=grant, by=request.user, request=request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已撤销{label}。")
    return redirect("accounts:user_detail", account.pk)


@login_required
@vary_on_headers("HX-Request")
def member_link(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: find a member by name within the admin's organizations; POST: link the chosen one."""
    require_admin(request)
    account = get_user_for_admin(request.user, pk)
    if request.method == "POST":
        raw = request.POST.get("member", "")
        member = get_member_for_admin(request.user, parse_id(raw) or 0)
        try:
            user_member_link(account=account, member=member, by=request.user, request=request)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"已关联党员信息：{member.name}（{member.organization.name}）。")
        return redirect("accounts:user_detail", account.pk)
    q = clean_text(request.GET.get("q", ""))[:50]
    context = {"account": account, "q": q, "results": members_linkable(user=request.user, q=q)}
    if is_fragment(request):
        return render(request, "accounts/users/_member_results.html", context)
    return render(request, "accounts/users/member_link.html", context)


@login_required
@require_POST
def member_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    require_admin(request)
    account = get_user_for_admin(request.user, pk)
    try:
        user_member_unlink(account=account, by=request.user, request=request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已解除党员信息关联。")
    return redirect("accounts:user_detail", account.pk)


@login_required
@require_POST
def second_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    require_admin(request)
    account = get_user_for_admin(request.user, pk)
    try:
        totp_device_reset(account=account, by=request.user, request=request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已重置“{account}”的双因素认证，其下次访问时须重新绑定身份验证器。")
    return redirect("accounts:user_detail", account.pk)
