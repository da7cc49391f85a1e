"""Member pages: the list (htmx fragment or full page), one member, its forms and the export."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from qiangji.core.access import LIAISON, SECRETARY, TOWN_ADMIN, get_scope
from qiangji.core.audit import audit
from qiangji.core.concurrency import StaleEdit
from qiangji.core.crypto import mask_id_number
from qiangji.core.errors import DomainError
from qiangji.core.exports import xlsx_response
from qiangji.core.history import history_for
from qiangji.core.models import AuditEvent
from qiangji.core.pagination import paginate
from qiangji.core.text import clean_text
from qiangji.core.validators import normalize_id_number
from qiangji.members.forms import MemberForm, TransferForm
from qiangji.members.models import Member
from qiangji.members.selectors import (
    FLAGS,
    SORTS,
    can_reveal,
    get_member_for_user,
    member_home_study_visits,
    member_meetings_attended,
    member_transfers,
    members_list,
)
from qiangji.members.services import member_create, member_transfer, member_update
from qiangji.orgs.selectors import get_organization_for_user, organization_choices

STAFF = (TOWN_ADMIN, LIAISON, SECRETARY)
DEFAULT_SORT = "org"
# A larger export would tie up a worker and is better narrowed down by filters first.
EXPORT_MAX_ROWS = 50_000


def _require_role(request: HttpRequest, *roles: str) -> None:
    """Pages a role has no use for answer 404, like a missing page."""
    if not get_scope(request.user).has_role(*roles):
        raise Http404


def _is_fragment(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def _filters(request: HttpRequest, params: QueryDict) -> dict[str, Any]:
    """Filters from the query string; an organization outside the user's scope is a 404."""
    organization = None
    if params.get("org"):
        try:
            organization = get_organization_for_user(request.user, int(params["org"]))
        except ValueError:
            raise Http404
    status, flag, sort = params.get("status", ""), params.get("flag", ""), params.get("sort", DEFAULT_SORT)
    return {
        "q": clean_text(params.get("q", ""))[:50],
        "organization": organization,
        "status": status if status in Member.Status.values else "",
        "flag": flag if flag in FLAGS else "",
        "sort": sort if sort in SORTS else DEFAULT_SORT,
    }


def _filters_for_log(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters as the audit log keeps them: a searched ID number is itself personal data."""
    q = filters["q"]
    try:
        q = mask_id_number(normalize_id_number(q)) if q else q
    except ValidationError:
        pass
    org = filters["organization"]
    return {**filters, "q": q, "organization": org.name if org else ""}


def _org_choices(request: HttpRequest, selected: Any) -> list[tuple[int, str]]:
    """Organizations for the filter select, indented by level; a deeper selected one is kept."""
    rows = organization_choices(user=request.user, levels=3)
    top = min((depth for _, _, depth in rows), default=0)
    choices = [(pk, "\u3000" * (depth - top) + name) for pk, name, depth in rows]
    if selected is not None and all(pk != selected.pk for pk, _ in choices):
        choices.insert(0, (selected.pk, selected.name))
    return choices


@login_required
@vary_on_headers("HX-Request")
def member_list(request: HttpRequest) -> HttpResponse:
    _require_role(request, *STAFF)
    filters = _filters(request, request.GET)
    scope = get_scope(request.user)
    page = paginate(request, members_list(user=request.user, today=timezone.localdate(), **filters))
    context = {
        "page": page,
        "filters": filters,
        "default_sort": DEFAULT_SORT,
        "filtering": any(filters[k] for k in ("q", "organization", "status", "flag")),
    }
    if _is_fragment(request):
        return render(request, "members/_table.html", context)
    context.update(
        {
            "org_choices": _org_choices(request, filters["organization"]),
            "statuses": Member.Status.choices,
            "flags": FLAGS.items(),
            "can_create": bool(scope.manage_paths) or scope.superuser,
            "can_export_full": scope.has_role(TOWN_ADMIN, SECRETARY),
        }
    )
    return render(request, "members/list.html", context)


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """The filtered list as Excel: masked, or in full (POST) for a town admin or secretary.

    The full export lists only the members the user may reveal, and the audit log keeps who
    exported what and how many rows, whichever way.
    """
    _require_role(request, *STAFF)
    params = request.POST if request.method == "POST" else request.GET
    filters = _filters(request, params)
    unmasked = request.method == "POST" and params.get("full") == "1"
    if unmasked and not get_scope(request.user).has_role(TOWN_ADMIN, SECRETARY):
        raise Http404
    today = timezone.localdate()
    qs = members_list(user=request.user, today=today, action="reveal" if unmasked else "view", **filters)
    count = qs.count()
    if count > EXPORT_MAX_ROWS:
        messages.error(
            request, f"符合条件的党员有{count}名，超过单次导出上限{EXPORT_MAX_ROWS}名，请先按组织等条件筛选后分批导出。"
        )
        kept = QueryDict(mutable=True)
        for key in ("q", "org", "status", "flag", "sort"):
            if params.get(key):
                kept[key] = params[key]
        return redirect(reverse("members:list") + "?" + kept.urlencode())
    headers = [
        "姓名",
        "性别",
        "公民身份号码",
        "民族",
        "出生日期",
        "学历",
        "入党日期",
        "转正日期",
        "人员类别",
        "所在党组织",
        "党内职务",
        "联系电话",
        "家庭住址",
        "年老体弱",
        "流动党员",
    ]

    def rows():
        for m in qs.iterator(chunk_size=2000):
            yield [
                m.name,
                m.get_gender_display(),
                m.id_number if unmasked else m.id_number_masked,
                m.ethnicity,
                m.birth_date,
                m.get_education_display() if m.education else "",
                m.joined_on,
                m.full_member_on,
                m.get_status_display(),
                m.organization.name,
                m.get_party_post_display() if m.party_post else "",
                m.phone if unmasked else m.phone_masked,
                m.address if unmasked else m.address_masked,
                m.is_frail,
                m.is_mobile,
            ]

    return xlsx_response(
        request=request,
        filename=f"党员名册{'（完整信息）' if unmasked else ''}_{today:%Y%m%d}.xlsx",
        title="党员名册",
        headers=headers,
        rows=rows(),
        object_type="members.Member",
        personal_fields=Member.SENSITIVE_FIELDS,
        unmasked=unmasked,
        filters=_filters_for_log(filters),
    )


def _detail_context(request: HttpRequest, member: Member, *, revealed: bool) -> dict[str, Any]:
    scope = get_scope(request.user)
    return {
        "member": member,
        "revealed": revealed,
        "can_reveal": can_reveal(request.user, member),
        "can_manage": scope.covers(member.organization.path, "manage"),
        "is_staff": scope.has_role(*STAFF),
        "age": member.age_on(timezone.localdate()),
        "transfers": member_transfers(member),
        "history": history_for(member)[:30],
        "meetings_attended": member_meetings_attended(member),
        "home_study_visits": member_home_study_visits(member),
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_member_for_user(request.user, pk)
    return render(request, "members/detail.html", _detail_context(request, member, revealed=False))


@login_required
@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The unmasked ID number, phone and address, each read written to the audit log."""
    member = get_member_for_user(request.user, pk, "reveal")
    audit(user=request.user, action=AuditEvent.Action.REVEAL, obj=member, fields=Member.SENSITIVE_FIELDS, request=request)
    if _is_fragment(request):
        return render(request, "members/_personal.html", {"member": member, "revealed": True})
    return render(request, "members/detail.html", _detail_context(request, member, revealed=True))


@login_required
def create(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request.user)
    if not (scope.manage_paths or scope.superuser):
        raise Http404
    organization = None
    if request.GET.get("org"):
        try:
            organization = get_organization_for_user(request.user, int(request.GET["org"]), "manage")
        except ValueError:
            raise Http404
    initial = {"organization": organization.pk} if organization else {}
    form = MemberForm(request.POST or None, user=request.user, initial=initial)
    form.fields["organization"].empty_label = "请选择所在党组织"
    if request.method == "POST" and form.is_valid():
        try:
            member = member_create(by=request.user, data=form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"已登记党员“{member.name}”。")
            return redirect("members:detail", member.pk)
    return render(request, "members/form.html", {"form": form, "member": None, "organization": organization})


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_member_for_user(request.user, pk, "manage")
    form = MemberForm(request.POST or None, user=request.user, instance=member)
    if request.method == "POST":
        if form.is_valid():
            try:
                member_update(
                    member=member, by=request.user, data=form.cleaned_data, expected_version=form.cleaned_data["version"]
                )
            except StaleEdit as stale:
                form.show_stale(stale)
            except DomainError as error:
                form.add_error(error.field, error.message)
            else:
                messages.success(request, f"已保存“{member.name}”的信息。")
                return redirect("members:detail", member.pk)
    else:
        # The form shows the stored ID number, phone and address in full: that is a read.
        audit(
            user=request.user,
            action=AuditEvent.Action.REVEAL,
            obj=member,
            fields=Member.SENSITIVE_FIELDS,
            detail={"context": "edit"},
            request=request,
        )
    return render(request, "members/form.html", {"form": form, "member": member, "organization": member.organization})


@login_required
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_member_for_user(request.user, pk, "manage")
    form = TransferForm(request.POST or None, user=request.user, member=member)
    form.fields["to_organization"].empty_label = "请选择转入组织"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = member_transfer(
                member=member, to=data["to_organization"], by=request.user, on=data["transferred_on"], reason=data["reason"]
            )
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"已将“{member.name}”的组织关系转入{done.to_organization.name}。")
            return redirect("members:detail", member.pk)
    return render(request, "members/transfer.html", {"form": form, "member": member, "transfers": member_transfers(member)})
