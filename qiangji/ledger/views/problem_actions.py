"""The steps on one problem, one URL each, and its measures; each calls its one service.

A refused step (DomainError) shows its message on the detail page with the input kept; a step
the user has no right to (PermissionDenied) answers 403, and a problem they cannot see 404.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from qiangji.core.concurrency import StaleEdit, VersionedForm
from qiangji.core.errors import DomainError
from qiangji.ledger.forms.problems import ACTION_FORMS, MeasureCheckForm, MeasureForm, MeasureProgressForm, action_form
from qiangji.ledger.models import Problem
from qiangji.ledger.selectors import get_problem_for_user
from qiangji.ledger.services import ACTIONS, measure_add, measure_check, measure_progress, problem_analyse, problem_update
from qiangji.ledger.views.problems import render_detail

DONE_MESSAGES = {
    "start": "已开始整改。",
    "analyse": "已保存原因分析。",
    "reassign": "已改派责任人，并通知新责任人。",
    "dispute": "已提出异议，等待上级处理。",
    "uphold": "已维持交办，并通知责任人继续整改。",
    "submit": "已提交验收。",
    "send_back": "已退回责任人继续整改。",
    "close": "已验收销号。",
    "close_immediate": "已即知即改销号。",
    "merge": "已合并到目标问题。",
    "withdraw": "已撤销该问题。",
    "reopen": "已重新打开，并通知责任人。",
    "postpone": "已调整整改期限。",
    "update": "已保存修改。",
}


def _call(action: str, problem: Problem, by: Any, data: dict[str, Any]) -> Problem:
    if action == "analyse":
        return problem_analyse(
            problem=problem, by=by, root_cause=data["root_cause"], fix_kind=data["fix_kind"], expected_version=data["version"]
        )
    if action == "update":
        reason = data.pop("reason", "")
        return problem_update(problem=problem, by=by, data=data, reason=reason, expected_version=data.pop("version"))
    return ACTIONS[action](problem=problem, by=by, **data)


def _refused(request: HttpRequest, problem: Problem, key: str, form: Any, error: DomainError) -> HttpResponse:
    if isinstance(error, StaleEdit) and isinstance(form, VersionedForm):
        form.show_stale(error)
    else:
        form.add_error(error.field if error.field in form.fields else None, error.message)
    messages.error(request, error.message)
    return render_detail(request, problem, bound={key: form}, status=400)


@login_required
@require_POST
def problem_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step on a problem (start, submit, close, merge…), as the detail page offers it."""
    if action not in ACTION_FORMS:
        raise Http404
    problem = get_problem_for_user(request.user, pk)
    form = action_form(action, problem, request.user, request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "填写的内容有误，请按提示修改后再提交。")
        return render_detail(request, problem, bound={action: form}, status=400)
    try:
        _call(action, problem, request.user, dict(form.cleaned_data))
    except DomainError as error:
        return _refused(request, problem, action, form, error)
    messages.success(request, DONE_MESSAGES[action])
    return redirect("ledger:problem_detail", problem.pk)


@login_required
@require_POST
def problem_measure_add(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_problem_for_user(request.user, pk)
    form = MeasureForm(request.POST, problem=problem, prefix="measure")
    if not form.is_valid():
        messages.error(request, "填写的内容有误，请按提示修改后再提交。")
        return render_detail(request, problem, bound={"measure": form}, status=400)
    try:
        measure_add(by=request.user, problem=problem, data=form.cleaned_data)
    except DomainError as error:
        return _refused(request, problem, "measure", form, error)
    messages.success(request, "已新增整改措施。")
    return redirect("ledger:problem_detail", problem.pk)


@login_required
@require_POST
def problem_measure_progress(request: HttpRequest, pk: int, measure_pk: int) -> HttpResponse:
    """The measure's owner (or the organization's secretary) reports its progress; 100% is done."""
    problem = get_problem_for_user(request.user, pk)
    measure = get_object_or_404(problem.measures, pk=measure_pk)
    form = MeasureProgressForm(request.POST, prefix=f"m{measure.pk}")
    key = f"progress-{measure.pk}"
    if not form.is_valid():
        messages.error(request, "填写的内容有误，请按提示修改后再提交。")
        return render_detail(request, problem, bound={key: form}, status=400)
    try:
        measure_progress(
            measure=measure, by=request.user, progress=form.cleaned_data["progress"], note=form.cleaned_data["progress_note"]
        )
    except DomainError as error:
        return _refused(request, problem, key, form, error)
    messages.success(request, "已填报措施进展。")
    return redirect("ledger:problem_detail", problem.pk)


@login_required
@require_POST
def problem_measure_check(request: HttpRequest, pk: int, measure_pk: int) -> HttpResponse:
    """Someone above, never the measure's owner, checks a done measure."""
    problem = get_problem_for_user(request.user, pk)
    measure = get_object_or_404(problem.measures, pk=measure_pk)
    form = MeasureCheckForm(request.POST, prefix=f"c{measure.pk}")
    key = f"check-{measure.pk}"
    if not form.is_valid():
        messages.error(request, "填写的内容有误，请按提示修改后再提交。")
        return render_detail(request, problem, bound={key: form}, status=400)
    try:
        measure_check(measure=measure, by=request.user, passed=form.cleaned_data["passed"], note=form.cleaned_data["check_note"])
    except DomainError as error:
        return _refused(request, problem, key, form, error)
    messages.success(request, "已验收该措施。" if form.cleaned_data["passed"] else "验收未通过，措施已退回。")
    return redirect("ledger:problem_detail", problem.pk)
