"""Problem pages: the ledger list and its export, register with duplicate suggestions, one problem.

The steps on a problem (start, submit, close, measures…) are in problem_actions.py; both render
the detail page through `render_detail`, so a refused step shows its message in place.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from qiangji.core.access import LIAISON, SECRETARY, TOWN_ADMIN, get_scope
from qiangji.core.converters import parse_id
from qiangji.core.errors import DomainError
from qiangji.core.exports import xlsx_response
from qiangji.core.pagination import paginate
from qiangji.core.text import clean_text
from qiangji.ledger.forms.problems import (
    MeasureCheckForm,
    MeasureForm,
    MeasureProgressForm,
    ProblemRegisterForm,
    action_form,
)
from qiangji.ledger.models import Measure, Problem
from qiangji.ledger.permissions import can_check_measure, can_work_measure, problem_actions_for
from qiangji.ledger.selectors import get_problem_for_user, problems_for_list, problems_similar
from qiangji.ledger.services import problem_register
from qiangji.ledger.services.problems import close_blocker
from qiangji.orgs.models import Organization, Village
from qiangji.orgs.selectors import get_organization_for_user, organization_choices

STAFF = (TOWN_ADMIN, LIAISON, SECRETARY)
STATUS_CHOICES = [("open", "未销号"), ("overdue", "已超期"), *Problem.State.choices]
# The order the steps are offered on the detail page: the usual path first, corrections after.
ACTION_ORDER = (
    "start",
    "analyse",
    "submit",
    "close",
    "close_immediate",
    "send_back",
    "dispute",
    "uphold",
    "reassign",
    "postpone",
    "update",
    "merge",
    "withdraw",
    "reopen",
)
ACTION_STYLES = {"close": "success", "close_immediate": "success", "withdraw": "danger", "send_back": "warning"}


def require_staff(request: HttpRequest) -> None:
    """Pages a role has no use for answer 404, like a missing page."""
    if not get_scope(request.user).has_role(*STAFF):
        raise Http404


def _is_fragment(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def org_choices(request: HttpRequest) -> list[tuple[int, str]]:
    """Organizations for a filter select, indented by level."""
    return [(pk, "\u3000" * max(depth - 1, 0) + name) for pk, name, depth in organization_choices(user=request.user, levels=3)]


def _filters(request: HttpRequest, params: QueryDict) -> dict[str, Any]:
    """Filters from the query string; an organization outside the user's scope is a 404."""
    organization = None
    if params.get("org"):
        try:
            organization = get_organization_for_user(request.user, int(params["org"]))
        except ValueError:
            raise Http404
    status, source = params.get("status", ""), params.get("source", "")
    return {
        "q": clean_text(params.get("q", ""))[:50],
        "organization": organization,
        "status": status if status in dict(STATUS_CHOICES) else "",
        "source": source if source in Problem.Source.values else "",
        "mine": params.get("mine") == "1",
    }


def _problems(request: HttpRequest, filters: dict[str, Any]) -> Any:
    status = filters["status"]
    return problems_for_list(
        user=request.user,
        state="" if status == "overdue" else status,
        source=filters["source"],
        organization=filters["organization"],
        owner=request.user if filters["mine"] else None,
        overdue_on=timezone.localdate() if status == "overdue" else None,
        q=filters["q"],
    )


@login_required
@vary_on_headers("HX-Request")
def problem_list(request: HttpRequest) -> HttpResponse:
    """The ledger: every problem the user may see, overdue ones marked with their days overdue."""
    require_staff(request)
    filters = _filters(request, request.GET)
    page = paginate(request, _problems(request, filters))
    today = timezone.localdate()
    page.object_list = list(page.object_list)
    for problem in page.object_list:
        problem.late = problem.days_overdue(today)
    context = {
        "page": page,
        "filters": filters,
        "filtering": any(filters.values()),
    }
    if _is_fragment(request):
        return render(request, "ledger/_problem_table.html", context)
    context.update(
        {
            "org_choices": [
                (pk, "\u3000" * max(depth - 1, 0) + name) for pk, name, depth in organization_choices(user=request.user, levels=3)
            ],
            "statuses": STATUS_CHOICES,
            "sources": Problem.Source.choices,
            "export_query": request.GET.urlencode(),
        }
    )
    return render(request, "ledger/problem_list.html", context)


@login_required
def problem_export(request: HttpRequest) -> HttpResponse:
    """The filtered ledger as a spreadsheet: user names only, no personal data."""
    require_staff(request)
    today = timezone.localdate()
    problems = _problems(request, _filters(request, request.GET))

    def rows():
        for p in problems.iterator(chunk_size=2000):
            yield [
                p.number,
                p.get_source_display(),
                p.external_ref,
                p.organization.name,
                p.category,
                p.description,
                str(p.owner),
                p.registered_on,
                p.deadline,
                p.get_state_display(),
                p.get_fix_kind_display() if p.fix_kind else "",
                p.closed_on,
                p.days_overdue(today) or "",
            ]

    return xlsx_response(
        request=request,
        filename=f"问题清单_{today:%Y%m%d}.xlsx",
        title="问题清单",
        headers=[
            "挂号编号",
            "问题来源",
            "外部编号",
            "党组织",
            "问题类别",
            "问题描述",
            "整改责任人",
            "挂号日期",
            "整改期限",
            "状态",
            "整改类型",
            "销号日期",
            "超期天数",
        ],
        rows=rows(),
        object_type="ledger.Problem",
    )


def _similar_for(request: HttpRequest, description: str, org_pk: Any, village_pk: Any) -> list[tuple[Problem, float]]:
    organization = village = None
    if (org_id := parse_id(org_pk)) is not None:
        organization = Organization.objects.for_user(request.user).filter(pk=org_id).first()
    if (village_id := parse_id(village_pk)) is not None:
        village = Village.objects.filter(pk=village_id).first()
    return problems_similar(
        user=request.user,
        description=(description or "").strip(),
        organization=organization,
        village=village,
        today=timezone.localdate(),
    )


@login_required
def problem_similar(request: HttpRequest) -> HttpResponse:
    """Possible duplicates while the description is typed (htmx)."""
    require_staff(request)
    similar = _similar_for(
        request, request.GET.get("description", ""), request.GET.get("organization"), request.GET.get("village")
    )
    return render(request, "ledger/_problem_similar.html", {"similar": similar, "at_submit": False})


@login_required
def problem_register_page(request: HttpRequest) -> HttpResponse:
    """Register (挂号) a problem; possible duplicates must be looked at before a new one is made."""
    require_staff(request)
    initial: dict[str, Any] = {}
    if (org_pk := parse_id(request.GET.get("org"))) is not None:
        initial["organization"] = get_organization_for_user(request.user, org_pk).pk
    form = ProblemRegisterForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    similar: list[tuple[Problem, float]] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not data["confirm"]:
            similar = _similar_for(request, data["description"], data["organization"].pk, getattr(data["village"], "pk", None))
        if not similar:
            try:
                problem = problem_register(by=request.user, data=data, files=data["files"])
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            except PermissionDenied as error:
                form.add_error("organization", str(error))
            else:
                messages.success(request, f"已挂号，编号{problem.number}，已通知整改责任人。")
                return redirect("ledger:problem_detail", problem.pk)
    return render(request, "ledger/problem_form.html", {"form": form, "similar": similar})


def _measure_rows(request: HttpRequest, problem: Problem, bound: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for measure in problem.measures.select_related("owner", "checked_by"):
        measure.problem = problem
        row: dict[str, Any] = {"measure": measure, "behind": problem.is_open and measure.is_behind(timezone.localdate())}
        if not problem.is_open:
            # A closed, merged or withdrawn problem's measures are its record, no longer worked on.
            rows.append(row)
            continue
        if measure.state != Measure.State.CHECKED and can_work_measure(request.user, measure):
            row["progress_form"] = bound.get(f"progress-{measure.pk}") or MeasureProgressForm(
                prefix=f"m{measure.pk}", initial={"progress": measure.progress, "progress_note": measure.progress_note}
            )
        if measure.state == Measure.State.DONE and can_check_measure(request.user, measure):
            row["check_form"] = bound.get(f"check-{measure.pk}") or MeasureCheckForm(prefix=f"c{measure.pk}")
        rows.append(row)
    return rows


def render_detail(
    request: HttpRequest, problem: Problem, *, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """The detail page; `bound` holds a refused form (by action or measure key) to show its errors."""
    bound = bound or {}
    today = timezone.localdate()
    allowed = problem_actions_for(request.user, problem)
    actions = [
        {
            "name": name,
            "label": Problem.ACTION_LABELS[name],
            "form": bound.get(name) or action_form(name, problem, request.user),
            "style": ACTION_STYLES.get(name, "primary"),
            "open": name in bound,
        }
        for name in ACTION_ORDER
        if name in allowed
    ]
    merge_candidates = []
    if "merge" in allowed:
        merge_candidates = problems_similar(
            user=request.user,
            description=problem.description,
            organization=problem.organization,
            village=problem.village,
            today=today,
            exclude_pk=problem.pk,
        )
    scope = get_scope(request.user)
    context = {
        "problem": problem,
        "today": today,
        "days_overdue": problem.days_overdue(today),
        "actions": actions,
        "merge_candidates": merge_candidates,
        "events": problem.events.select_related("by"),
        "measures": _measure_rows(request, problem, bound),
        "measure_form": (bound.get("measure") or MeasureForm(problem=problem, prefix="measure"))
        if "measure" in allowed
        else None,
        "attachments": problem.attachments.all(),
        "mechanisms": problem.mechanisms.select_related("organization"),
        "merged_problems": problem.merged_problems.all(),
        "can_link_mechanism": problem.fix_kind == Problem.FixKind.LONG_TERM
        and scope.has_role(*STAFF)
        and scope.covers(problem.organization.path),
        "is_staff": scope.has_role(*STAFF),
        "close_blocker": close_blocker(problem) if "close" in allowed else "",
    }
    return render(request, "ledger/problem_detail.html", context, status=status)


@login_required
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One problem: what it is, who owns it, its measures, files and whole story, and the steps
    the user may take now."""
    return render_detail(request, get_problem_for_user(request.user, pk))


@login_required
def problem_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A problem's file, served only to those who may see the problem (never a public media URL)."""
    problem = get_problem_for_user(request.user, pk)
    item = get_object_or_404(problem.attachments, pk=attachment_pk)
    is_image = item.name.lower().rsplit(".", 1)[-1] in ("jpg", "jpeg", "png", "gif", "webp")
    return FileResponse(item.file.open("rb"), as_attachment=not is_image, filename=item.name)
