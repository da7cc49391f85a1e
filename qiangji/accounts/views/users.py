"""The account pages of a town admin: the list, a new account, one account, its name and status.

Only town admins (and superusers) see them; everyone else gets 404, as for a missing page, and
an account outside the admin's reach answers 404 the same way.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.vary import vary_on_headers

from qiangji.accounts.forms import RoleGrantForm, UserCreateForm, UserUpdateForm
from qiangji.accounts.models import RoleGrant, User
from qiangji.accounts.selectors import (
    ROLE_FILTERS,
    STATUS_FILTERS,
    account_events,
    get_user_for_admin,
    grant_organization_choices,
    is_user_admin,
    users_list,
)
from qiangji.accounts.services import user_create, user_update
from qiangji.core.concurrency import StaleEdit
from qiangji.core.errors import DomainError
from qiangji.core.models import AuditEvent
from qiangji.core.pagination import paginate
from qiangji.core.text import clean_text

# What each audit "op" of an account reads as on its page.
OP_LABELS = {
    "create": "新建账号",
    "update": "修改账号信息",
    "password_reset": "重置密码",
    "grant": "授予角色",
    "revoke": "撤销角色",
    "member_link": "关联党员信息",
    "member_unlink": "解除党员信息关联",
    "2fa_enrol": "绑定身份验证器",
    "2fa_reset": "重置双因素认证",
}


def event_summary(event: AuditEvent) -> str:
    """One line of the account's record, e.g. "授予角色：东村党总支（书记/党务工作者，书记）"."""
    detail = event.detail
    if event.action != AuditEvent.Action.ACCOUNT:
        return event.get_action_display() + ("（验证码）" if detail.get("factor") == "totp" else "")
    text = OP_LABELS.get(detail.get("op", ""), event.get_action_display())
    if detail.get("member"):
        text += f"：{detail['member']}（{detail.get('organization', '')}）"
    elif detail.get("organization"):
        role = dict(RoleGrant.Role.choices).get(detail.get("role", ""), "")
        text += f"：{detail['organization']}（{'，'.join(x for x in (role, detail.get('title', '')) if x)}）"
    elif detail.get("changes"):
        names = {"display_name": "姓名", "is_active": "状态"}
        text += "：" + "、".join(names.get(k, k) for k in detail["changes"])
    return text


def require_admin(request: HttpRequest) -> None:
    if not is_user_admin(request.user):
        raise Http404


def add_domain_error(form: forms.Form, error: DomainError, *, aliases: dict[str, str] | None = None) -> None:
    """A service's refusal shown on its field when the form has it, above the form otherwise."""
    field = (aliases or {}).get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)


def is_fragment(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


@login_required
@vary_on_headers("HX-Request")
def user_list(request: HttpRequest) -> HttpResponse:
    require_admin(request)
    role, status = request.GET.get("role", ""), request.GET.get("status", "")
    filters = {
        "q": clean_text(request.GET.get("q", ""))[:50],
        "role": role if role in ROLE_FILTERS else "",
        "status": status if status in STATUS_FILTERS else "",
    }
    page = paginate(request, users_list(user=request.user, **filters))
    context = {"page": page, "filters": filters, "filtering": any(filters.values())}
    if is_fragment(request):
        return render(request, "accounts/users/_table.html", context)
    context.update({"roles": ROLE_FILTERS.items(), "statuses": STATUS_FILTERS.items()})
    return render(request, "accounts/users/list.html", context)


@login_required
def user_new(request: HttpRequest) -> HttpResponse:
    require_admin(request)
    form = UserCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = user_create(
                by=request.user,
                username=data["username"],
                display_name=data["display_name"],
                password=data["password1"],
                request=request,
            )
        except DomainError as error:
            add_domain_error(form, error, aliases={"password": "password1"})
        else:
            messages.success(
                request, f"已新建账号“{account.username}”。请为其授予角色或关联党员信息；初始密码须由本人首次登录时修改。"
            )
            return redirect("accounts:user_detail", account.pk)
    return render(request, "accounts/users/form.html", {"form": form})


def detail_context(request: HttpRequest, account: User, **extra: Any) -> dict[str, Any]:
    """Everything the account page shows; the action views re-render it with their form's errors."""
    # A missing reverse one-to-one raises an AttributeError subclass: getattr's default covers it.
    device = getattr(account, "totp_device", None)
    events = list(account_events(account))
    for event in events:
        event.summary = event_summary(event)
    grants = list(account.grants.all())
    return {
        "account": account,
        "grants": grants,
        "liaison_groups": list(account.liaison_groups.all()),
        "member": getattr(account, "member", None),
        "device": device,
        "is_self": account.pk == request.user.pk,
        "needs_second_factor": account.is_superuser or any(g.role == "town_admin" for g in grants),
        "grant_form": extra.pop("grant_form", None) or RoleGrantForm(organizations=grant_organization_choices(user=request.user)),
        "events": events,
        **extra,
    }


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_admin(request)
    account = get_user_for_admin(request.user, pk)
    return render(request, "accounts/users/detail.html", detail_context(request, account))


@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_admin(request)
    account = get_user_for_admin(request.user, pk)
    initial = {"display_name": account.display_name, "is_active": account.is_active}
    form = UserUpdateForm(request.POST if request.method == "POST" else None, initial=initial, instance=account)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            user_update(by=request.user, account=account, request=request, expected_version=data.pop("version"), **data)
        except StaleEdit as stale:
            form.show_stale(stale)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"已保存账号“{account.username}”的修改。")
            return redirect("accounts:user_detail", account.pk)
    return render(request, "accounts/users/form.html", {"form": form, "account": account})
