"""Pages of the work brief: the live figures and text, drill-downs, drafts, editing, issuing, exports."""

from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from qiangji.briefs import permissions
from qiangji.briefs.exports import DOCX, brief_docx, brief_xlsx
from qiangji.briefs.forms import BriefActionForm, BriefCreateForm, BriefEditForm, RangeForm
from qiangji.briefs.models import WorkBrief
from qiangji.briefs.selectors import (
    FIGURE_BY_KEY,
    brief_part,
    briefs_for_list,
    describe,
    figure_records,
    figures_payload,
    get_brief_for_user,
    sees_briefs,
)
from qiangji.briefs.services import brief_create, brief_edit, brief_issue, brief_refresh
from qiangji.briefs.writing import PUBLICITY_NOTE, paragraphs
from qiangji.core.access import TOWN_ADMIN, get_scope
from qiangji.core.concurrency import StaleEdit
from qiangji.core.errors import DomainError
from qiangji.core.history import history_for
from qiangji.core.pagination import paginate
from qiangji.orgs.models import LiaisonGroup, Organization
from qiangji.orgs.selectors import organization_choices

NAV_SECTION = "briefs"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def require_briefs(request: HttpRequest) -> None:
    """Pages a role has no use for answer 404, like a missing page."""
    if not sees_briefs(request.user):
        raise Http404


def _part_from(request: HttpRequest, data: dict[str, Any]) -> Any:
    organization = group = None
    if data.get("organization"):
        organization = get_object_or_404(Organization.objects.for_user(request.user), pk=data["organization"])
    if data.get("group"):
        group = get_object_or_404(LiaisonGroup, pk=data["group"])
    return brief_part(user=request.user, organization=organization, group=group)


def _query(start: Any, end: Any, part: Any) -> str:
    return urlencode({"from": start.isoformat(), "to": end.isoformat(), **part.query()})


def _table(figures: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": key, **figure} for key, figure in figures.items()]


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    """The brief as the records say it now, for any range and part: the text with each figure a
    link to its records, and the table; a writer can draft a brief from here."""
    require_briefs(request)
    form = RangeForm.of(request.GET, today=timezone.localdate())
    style = request.GET.get("style") if request.GET.get("style") in WorkBrief.Style.values else WorkBrief.Style.EXACT
    context: dict[str, Any] = {"form": form, "style": style, "nav_section": NAV_SECTION, "styles": WorkBrief.Style.choices}
    context["org_choices"] = organization_choices(user=request.user)
    context["groups"] = LiaisonGroup.objects.filter(pk__in=_visible_groups(request)).order_by("name")
    if not form.is_valid():
        return render(request, "briefs/figures.html", context, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    part = _part_from(request, form.cleaned_data)
    payload = figures_payload(start=start, end=end, part=part, user=request.user)
    context |= {
        "start": start,
        "end": end,
        "part": part,
        "query": _query(start, end, part),
        "paragraphs": paragraphs(payload, style=style),
        "publicity_note": PUBLICITY_NOTE if style == WorkBrief.Style.PUBLICITY else "",
        "table": _table(payload),
        "may_draft": permissions.may_write_part(request.user, organization=part.organization, group=part.group),
    }
    return render(request, "briefs/figures.html", context)


def _visible_groups(request: HttpRequest) -> list[int]:
    scope = get_scope(request.user)
    if scope.has_role(TOWN_ADMIN):
        return list(LiaisonGroup.objects.values_list("pk", flat=True))
    return list(scope.liaison_group_ids)


@login_required
def records(request: HttpRequest, key: str) -> HttpResponse:
    """The records behind one figure, with the same range, part and filters the count used."""
    require_briefs(request)
    figure = FIGURE_BY_KEY.get(key)
    if figure is None:
        raise Http404
    form = RangeForm.of(request.GET, today=timezone.localdate())
    if not form.is_valid():
        return render(request, "briefs/records.html", {"form": form, "figure": figure, "nav_section": NAV_SECTION}, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    part = _part_from(request, form.cleaned_data)
    qs = figure_records(key=key, start=start, end=end, part=part, user=request.user)
    page = paginate(request, qs, per_page=50)
    base = figure.base(request.user, start, end, part).count() if figure.is_rate else None
    context = {
        "figure": figure,
        "page": page,
        "rows": [describe(obj) for obj in page],
        "count": page.paginator.count,
        "base": base,
        "start": start,
        "end": end,
        "part": part,
        "query": _query(start, end, part),
        "nav_section": NAV_SECTION,
    }
    return render(request, "briefs/records.html", context)


@login_required
def brief_list(request: HttpRequest) -> HttpResponse:
    require_briefs(request)
    scope = get_scope(request.user)
    context = {
        "page": paginate(request, briefs_for_list(user=request.user)),
        "may_draft": scope.superuser or bool(scope.manage_paths),
        "nav_section": NAV_SECTION,
    }
    return render(request, "briefs/list.html", context)


@login_required
def create(request: HttpRequest) -> HttpResponse:
    require_briefs(request)
    today = timezone.localdate()
    initial = {"start": today.replace(month=1, day=1), "end": today, "style": request.GET.get("style", "exact")}
    form = BriefCreateForm(request.POST or None, user=request.user, initial=initial)
    if not form.fields["organization"].queryset.exists():
        raise PermissionDenied("只有管理党组织的镇党委或书记可以起草工作简报。")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                brief = brief_create(
                    by=request.user,
                    start=data["start"],
                    end=data["end"],
                    style=data["style"],
                    organization=data.get("organization"),
                    group=data.get("group"),
                    title=data.get("title", ""),
                )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "已按当前数据生成简报草稿，可修改正文后签发。")
                return redirect("briefs:detail", brief.pk)
    return render(request, "briefs/form.html", {"form": form, "nav_section": NAV_SECTION}, status=status)


def _detail_context(request: HttpRequest, brief: WorkBrief, **forms: Any) -> dict[str, Any]:
    actions = permissions.actions_for(request.user, brief)
    query = urlencode(
        {"from": brief.start.isoformat(), "to": brief.end.isoformat()}
        | ({"group": brief.group_id} if brief.group_id else {"organization": brief.organization_id})
    )
    return {
        "brief": brief,
        "actions": actions,
        "edit_form": forms.get("edit_form") or (BriefEditForm(instance=brief) if "edit" in actions else None),
        "action_form": BriefActionForm(instance=brief),
        "paragraphs": paragraphs(brief.figures, style=brief.style),
        "table": _table(brief.figures),
        "query": query,
        "history": history_for(brief),
        "nav_section": NAV_SECTION,
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The brief; a draft's writers edit its text here (POST)."""
    require_briefs(request)
    brief = get_brief_for_user(request.user, pk)
    if request.method != "POST":
        return render(request, "briefs/detail.html", _detail_context(request, brief))
    if "edit" not in permissions.actions_for(request.user, brief):
        raise PermissionDenied("该简报不能修改。" if brief.issued else "只有管理该党组织的镇党委或书记可以修改其工作简报。")
    form = BriefEditForm(request.POST, instance=brief)
    if form.is_valid():
        try:
            brief_edit(
                by=request.user,
                brief=brief,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit as stale:
            form.show_stale(stale)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "已保存正文。")
            return redirect("briefs:detail", brief.pk)
    brief.refresh_from_db()
    return render(request, "briefs/detail.html", _detail_context(request, brief, edit_form=form), status=400)


def _act(request: HttpRequest, pk: int, service: Any, done: str) -> HttpResponse:
    require_briefs(request)
    brief = get_brief_for_user(request.user, pk)
    if not permissions.may_write(request.user, brief):
        raise PermissionDenied("只有管理该党组织的镇党委或书记可以修改或签发其工作简报。")
    form = BriefActionForm(request.POST, instance=brief)
    if form.is_valid():
        try:
            service(by=request.user, brief=brief, expected_version=form.cleaned_data["version"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done)
    else:
        messages.error(request, "页面已过期，请刷新后重试。")
    return redirect("briefs:detail", brief.pk)


@login_required
@require_POST
def refresh(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, brief_refresh, "已按最新数据重新统计。")


@login_required
@require_POST
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, brief_issue, "已签发：正文和数据已定稿。")


@login_required
def word(request: HttpRequest, pk: int) -> HttpResponse:
    require_briefs(request)
    brief = get_brief_for_user(request.user, pk)
    return FileResponse(brief_docx(brief), as_attachment=True, filename=f"{brief.title}.docx", content_type=DOCX)


@login_required
def excel(request: HttpRequest, pk: int) -> HttpResponse:
    require_briefs(request)
    brief = get_brief_for_user(request.user, pk)
    response = HttpResponse(brief_xlsx(brief), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(brief.title + '_数据.xlsx')}"
    return response
