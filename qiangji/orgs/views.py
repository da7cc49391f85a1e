"""Pages of the organization tree and the liaison groups. Thin: parse, call, render."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from qiangji.core.access import LIAISON, SECRETARY, TOWN_ADMIN, get_scope
from qiangji.core.concurrency import StaleEdit
from qiangji.core.errors import DomainError
from qiangji.core.exports import xlsx_response
from qiangji.core.history import history_for
from qiangji.core.pagination import paginate
from qiangji.core.text import clean_text
from qiangji.orgs.forms import LiaisonGroupForm, OrganizationForm
from qiangji.orgs.models import LiaisonGroup, Organization
from qiangji.orgs.selectors import (
    ISSUE_LABELS,
    get_organization_for_user,
    liaison_candidates,
    liaison_groups_visible,
    organization_children,
    organization_issues,
    organization_leaders,
    organization_tree,
    organizations_annotated,
)
from qiangji.orgs.services import liaison_group_create, liaison_group_update, organization_create, organization_update

STAFF = (TOWN_ADMIN, LIAISON, SECRETARY)
# What a new organization under a parent usually is.
CHILD_KIND = {
    Organization.Kind.COMMITTEE: Organization.Kind.BRANCH,
    Organization.Kind.GENERAL_BRANCH: Organization.Kind.BRANCH,
    Organization.Kind.BRANCH: Organization.Kind.GROUP,
}


def _empty_labels(form: OrganizationForm, *, allow_root: bool) -> OrganizationForm:
    form.fields["parent"].empty_label = "（无上级：新建顶层党组织）" if allow_root else "请选择上级组织"
    form.fields["unit"].empty_label = "未填写"
    form.fields["village"].empty_label = "未填写"
    return form


def _require_role(request: HttpRequest, *roles: str) -> None:
    """Pages a role has no use for answer 404, like a missing page."""
    if not get_scope(request.user).has_role(*roles):
        raise Http404


def _tree_filters(request: HttpRequest) -> dict[str, Any]:
    kind = request.GET.get("kind", "")
    issue = request.GET.get("issue", "")
    return {
        "q": clean_text(request.GET.get("q", ""))[:50],
        "kind": kind if kind in Organization.Kind.values else "",
        "issue": issue if issue in ISSUE_LABELS else "",
        "include_dissolved": request.GET.get("dissolved") == "1",
    }


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    _require_role(request, *STAFF)
    filters = _tree_filters(request)
    data = organization_tree(user=request.user, today=timezone.localdate(), **filters)
    scope = get_scope(request.user)
    return render(
        request,
        "orgs/tree.html",
        {
            **data,
            "filters": filters,
            "filtering": bool(filters["q"] or filters["kind"] or filters["issue"]),
            "kinds": Organization.Kind.choices,
            "issues": ISSUE_LABELS.items(),
            "can_create": bool(scope.manage_paths) or scope.superuser,
        },
    )


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """The organization list as the tree page filters it; no personal data in it."""
    _require_role(request, *STAFF)
    filters = _tree_filters(request)
    today = timezone.localdate()
    data = organization_tree(user=request.user, today=today, **filters)
    headers = [
        "组织名称",
        "组织类别",
        "上级组织",
        "所在单位",
        "所在村居",
        "成立日期",
        "本届任期开始",
        "届满日期",
        "届期状态",
        "设支部委员会",
        "党员数",
        "正式党员",
        "预备党员",
        "需关注事项",
    ]
    rows = (
        [
            o.name,
            o.get_kind_display(),
            o.parent.name if o.parent else "",
            o.unit.name if o.unit else "",
            o.village.name if o.village else "",
            o.founded_on,
            o.term_start,
            o.term_end,
            Organization.TERM_STATUS_LABELS[o.term_state],
            o.has_committee,
            o.member_count,
            o.full_count,
            o.probationary_count,
            "、".join(ISSUE_LABELS[i] for i in o.issues),
        ]
        for o in data["matched"]
    )
    return xlsx_response(
        request=request,
        filename=f"党组织名册_{today:%Y%m%d}.xlsx",
        title="党组织名册",
        headers=headers,
        rows=rows,
        object_type="orgs.Organization",
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_organization_for_user(request.user, pk)
    scope = get_scope(request.user)
    today = timezone.localdate()
    # Only direct members here: the member list filtered by this organization shows the subtree.
    members = organization.members.for_user(request.user).order_by("name_initials", "pk")
    term_state = organization.term_status(today)
    parent = organization.parent
    structure_issues = []
    if organization.kind == Organization.Kind.BRANCH and scope.has_role(*STAFF):
        # The term has its own badge; the warning is about members and committee (RULES.md).
        counted = organizations_annotated(user=request.user).get(pk=organization.pk)
        structure_issues = [ISSUE_LABELS[i] for i in organization_issues(counted, today=today) if not i.startswith("term_")]
    return render(
        request,
        "orgs/detail.html",
        {
            "organization": organization,
            "term_state": term_state,
            "term_label": Organization.TERM_STATUS_LABELS[term_state],
            "structure_issues": structure_issues,
            "parent_visible": parent is not None and scope.covers(parent.path),
            "leaders": organization_leaders(organization),
            "children": organization_children(user=request.user, organization=organization, today=today),
            "page": paginate(request, members),
            "liaison_groups": organization.liaison_groups.all(),
            "history": history_for(organization)[:30],
            "can_manage": scope.covers(organization.path, "manage"),
            "is_staff": scope.has_role(*STAFF),
            "can_add_child": scope.covers(organization.path, "manage") and organization.kind != Organization.Kind.GROUP,
        },
    )


@login_required
def create(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request.user)
    if not (scope.manage_paths or scope.superuser):
        raise Http404
    parent = None
    if request.GET.get("parent"):
        try:
            parent = get_organization_for_user(request.user, int(request.GET["parent"]), "manage")
        except ValueError:
            raise Http404
    initial = {"parent": parent.pk, "kind": CHILD_KIND.get(parent.kind)} if parent else {}
    allow_root = scope.has_role(TOWN_ADMIN)
    form = OrganizationForm(request.POST or None, user=request.user, allow_root=allow_root, initial=initial)
    _empty_labels(form, allow_root=allow_root)
    if request.method == "POST" and form.is_valid():
        try:
            organization = organization_create(by=request.user, data=form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"已新建党组织“{organization.name}”。")
            if organization.parent_id is None and not scope.superuser:
                # A new root lies outside every existing grant until someone is granted on it.
                messages.info(request, "新建的是顶层党组织，请在运维后台为其授予管理员后再维护。")
                return redirect("orgs:tree")
            return redirect("orgs:detail", organization.pk)
    return render(request, "orgs/form.html", {"form": form, "parent": parent, "organization": None})


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_organization_for_user(request.user, pk, "manage")
    form = OrganizationForm(request.POST or None, user=request.user, instance=organization)
    _empty_labels(form, allow_root=organization.parent_id is None)
    if request.method == "POST" and form.is_valid():
        try:
            organization_update(
                organization=organization,
                by=request.user,
                data=form.cleaned_data,
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit as stale:
            form.show_stale(stale)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"已保存“{organization.name}”的修改。")
            return redirect("orgs:detail", organization.pk)
    return render(request, "orgs/form.html", {"form": form, "organization": organization, "parent": organization.parent})


# --- Liaison groups ------------------------------------------------------------------------


@login_required
def liaison_groups(request: HttpRequest) -> HttpResponse:
    _require_role(request, TOWN_ADMIN, LIAISON)
    today = timezone.localdate()
    groups = list(liaison_groups_visible(user=request.user))
    for group in groups:
        for org in group.organizations.all():
            org.term_state = org.term_status(today)
    return render(
        request,
        "orgs/liaison_groups.html",
        {"groups": groups, "can_edit": get_scope(request.user).has_role(TOWN_ADMIN)},
    )


def _liaison_form(request: HttpRequest, group: LiaisonGroup | None) -> HttpResponse:
    organizations = Organization.objects.active().exclude(kind=Organization.Kind.GROUP).order_by("path")
    form = LiaisonGroupForm(request.POST or None, users=liaison_candidates(), organizations=organizations, instance=group)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "by": request.user,
            "name": data["name"],
            "leader": data["leader"],
            "members": data["members"],
            "organizations": data["organizations"],
        }
        try:
            if group is None:
                group = liaison_group_create(**fields)
            else:
                group = liaison_group_update(group=group, expected_version=data["version"], **fields)
        except StaleEdit as stale:
            form.show_stale(stale)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"已保存“{group.name}”。")
            return redirect("liaison:groups")
    selected = {str(v) for v in (form["organizations"].value() or [])}
    org_rows = [(o, str(o.pk) in selected) for o in organizations.only("pk", "name", "kind", "depth", "path")]
    history = history_for(group)[:20] if group is not None else []
    return render(
        request,
        "orgs/liaison_form.html",
        {"form": form, "group": group, "org_rows": org_rows, "history": history},
    )


@login_required
def liaison_group_new(request: HttpRequest) -> HttpResponse:
    _require_role(request, TOWN_ADMIN)
    return _liaison_form(request, None)


@login_required
def liaison_group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_role(request, TOWN_ADMIN)
    return _liaison_form(request, get_object_or_404(LiaisonGroup, pk=pk))
