"""Campaign pages: the daily summaries (一日一汇总) and weekly analyses (一周一分析) — their history,
one report as the town reads it (with charts for a week), its Word document, and generating one
on demand for any date. The town admin runs the summaries; every other role gets a 404."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from qiangji.campaign.access import runs_campaign
from qiangji.campaign.docx_summary import summary_docx
from qiangji.campaign.models import Summary, Visit
from qiangji.campaign.services.summaries import summary_generate, summary_is_final
from qiangji.campaign.summary_report import (
    behind_rule,
    carrier_rows,
    change_short,
    grid_rows,
    paragraphs,
    period_label,
    summary_title,
)
from qiangji.core.errors import DomainError
from qiangji.core.pagination import paginate

NAV_SECTION = "campaign"


class SummaryGenerateForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=Summary.Kind.choices, error_messages={"required": "请选择汇总类别。"})
    day = forms.DateField(
        label="日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "请选择日期。", "invalid": "请输入有效的日期。"},
        help_text="一周一分析按该日期所在的周（周一至周日）生成。",
    )


def require_town(request: HttpRequest) -> None:
    """Only the town admin runs the summaries; to anyone else the pages do not exist."""
    if not runs_campaign(request.user):
        raise Http404


def _kind(request: HttpRequest) -> str:
    kind = request.GET.get("kind", "")
    return kind if kind in Summary.Kind.values else ""


def _render_list(request: HttpRequest, form: SummaryGenerateForm, *, status: int = 200) -> HttpResponse:
    kind = _kind(request)
    summaries = Summary.objects.order_by("-start", "kind").defer("figures")
    if kind:
        summaries = summaries.filter(kind=kind)
    page = paginate(request, summaries)
    context = {"page": page, "kind": kind, "kinds": Summary.Kind.choices, "form": form, "nav_section": NAV_SECTION}
    return render(request, "campaign/summary_list.html", context, status=status)


@login_required
def summary_list(request: HttpRequest) -> HttpResponse:
    """The history of summaries, newest first, and the form that generates one for any date."""
    require_town(request)
    form = SummaryGenerateForm(initial={"kind": Summary.Kind.DAILY, "day": timezone.localdate()})
    return _render_list(request, form)


@login_required
@require_POST
def summary_generate_view(request: HttpRequest) -> HttpResponse:
    """Generate (or generate again) the summary of the chosen day or week, then show it."""
    require_town(request)
    form = SummaryGenerateForm(request.POST)
    if form.is_valid():
        try:
            summary = summary_generate(kind=form.cleaned_data["kind"], day=form.cleaned_data["day"])
        except DomainError as error:
            form.add_error("day" if error.field == "date" else "kind" if error.field == "kind" else None, error.message)
        else:
            messages.success(request, f"已生成{summary_title(summary)}。")
            return redirect("campaign:summary_detail", summary.pk)
    return _render_list(request, form, status=400)


def _url(name: str, pk: int) -> str:
    """A page of another area of the campaign, or "" while that page does not exist."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _problems(summary: Summary) -> list[dict[str, Any]]:
    """The problems found, with their ledger registration as it is now (it may follow the report)."""
    items = summary.figures["problems"]["items"]
    now = {
        pk: (state, problem_id, number)
        for pk, state, problem_id, number in Visit.objects.filter(pk__in=[i["visit"] for i in items]).values_list(
            "pk", "state", "problem_id", "problem__number"
        )
    }
    rows = []
    for item in items:
        state, problem_id, number = now.get(item["visit"], (None, None, ""))
        visit_url = _url("campaign:visit_detail", item["visit"]) if state else ""
        row = {**item, "problem": problem_id, "problem_number": number or "", "visit_url": visit_url, "register_url": ""}
        # The ledger form sits on the visit's page, for approved visits (the service refuses others).
        if state == Visit.State.APPROVED and not problem_id and visit_url and _url("campaign:visit_problem", item["visit"]):
            row["register_url"] = visit_url + "#h-problem"
        row["pending"] = state in (Visit.State.SUBMITTED, Visit.State.HAS_ISSUES)
        rows.append(row)
    return rows


def _chart(summary: Summary) -> dict[str, Any]:
    f = summary.figures
    return {
        "days": [f"{d['date'][5:7].lstrip('0')}月{d['date'][8:].lstrip('0')}日" for d in f["daily"]],
        "day_visits": [d["visits"] for d in f["daily"]],
        "day_verified": [d["verified"] for d in f["daily"]],
        "weeks": [f"{w['start'][5:7].lstrip('0')}/{w['start'][8:].lstrip('0')}" for w in f["trend"]],
        "week_visits": [w["visits"] for w in f["trend"]],
        "week_verified": [w["verified"] for w in f["trend"]],
        "week_rate": [w["covered_rate"] for w in f["trend"]],
    }


@login_required
def summary_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One summary as a report: the sentences, tables by team and grid, the "5+2+7" coverage, the
    problems found; a weekly analysis adds its charts and who is falling behind."""
    require_town(request)
    summary = get_object_or_404(Summary, pk=pk)
    weekly = summary.kind == Summary.Kind.WEEKLY
    change = summary.figures["coverage"].get("change") or {}
    context = {
        "summary": summary,
        "title": summary_title(summary),
        "period": period_label(summary, year=True),
        "paragraphs": paragraphs(summary),
        "figures": summary.figures,
        "final": summary_is_final(summary),
        "teams": summary.figures["teams"],
        "grids": grid_rows(summary),
        "carriers": carrier_rows(summary),
        "problems": _problems(summary),
        "covered_change": change_short(change.get("covered_rate")),
        "weekly": weekly,
        "chart": _chart(summary) if weekly else None,
        "behind": summary.figures.get("behind"),
        "behind_rule": behind_rule(summary),
        "nav_section": NAV_SECTION,
    }
    return render(request, "campaign/summary_detail.html", context)


@login_required
def summary_word(request: HttpRequest, pk: int) -> HttpResponse:
    """The same report as a Word document, to print or pass on."""
    require_town(request)
    summary = get_object_or_404(Summary, pk=pk)
    name = f"新连心{summary.get_kind_display()}_{summary.start:%Y%m%d}.docx"
    return FileResponse(
        summary_docx(summary, _problems(summary)),
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


urlpatterns = [
    path("summaries/", summary_list, name="summary_list"),
    path("summaries/generate/", summary_generate_view, name="summary_generate"),
    path("summaries/<id:pk>/", summary_detail, name="summary_detail"),
    path("summaries/<id:pk>/word/", summary_word, name="summary_word"),
]
