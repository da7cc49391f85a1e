"""Import pages: upload, preview with per-row reasons, column mapping, commit, error file.

Town admins import any kind, secretaries members into the organizations they manage; anyone
else gets 404, as for any page not theirs.
"""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from qiangji.core.audit import audit
from qiangji.core.errors import DomainError
from qiangji.core.exports import XLSX, workbook_bytes
from qiangji.core.models import AuditEvent, ImportBatch
from qiangji.core.pagination import paginate, querystring_without
from qiangji.core.spreadsheets import services
from qiangji.core.spreadsheets.errorfile import error_workbook
from qiangji.core.spreadsheets.forms import ColumnMapForm, UploadForm
from qiangji.core.spreadsheets.registry import get_importer, importers_for
from qiangji.core.spreadsheets.safety import SpreadsheetError
from qiangji.core.spreadsheets.selectors import get_import_batch_for_user, import_batches_for_user, import_rows

RUNNING = services.RUNNING


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    importers = importers_for(request.user)
    if not importers:
        raise Http404
    # ?kind=… preselects an import (the campaign's batch page links here with its kind).
    form = UploadForm(
        request.POST or None, request.FILES or None, importers=importers, initial={"kind": request.GET.get("kind", "")}
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.import_batch_upload(
                user=request.user,
                kind=form.cleaned_data["kind"],
                file_name=upload.name,
                data=upload.read(),
                options=form.options(),
            )
        except (SpreadsheetError, DomainError) as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("imports:detail", pk=batch.pk)
    labels = {i.kind: i.label for i in importers}
    page = paginate(request, import_batches_for_user(user=request.user))
    for batch in page:
        importer = get_importer(batch.kind)
        batch.kind_label = labels.get(batch.kind) or getattr(importer, "label", batch.kind)
        outcomes = importer.outcomes if importer is not None else ()
        batch.count_labels = [(value, label, (batch.counts or {}).get(value, 0)) for value, label in outcomes]
    return render(
        request,
        "imports/list.html",
        {"form": form, "page": page, "importers": importers, "qs_nopage": querystring_without(request, "page")},
    )


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_import_batch_for_user(request.user, pk)
    importer = get_importer(batch.kind)
    if importer is None:
        raise Http404
    own_page = importer.committed_page(batch) if batch.status == ImportBatch.Status.DONE else None
    if own_page:
        return redirect(own_page)
    outcome = request.GET.get("outcome", "")
    page = paginate(request, import_rows(batch=batch, outcome=outcome), per_page=50)
    can_act = batch.user_id == request.user.pk and importer.may_import(request.user)
    mapping = None
    if can_act and batch.status in (ImportBatch.Status.MAPPING, ImportBatch.Status.PREVIEW):
        mapping = ColumnMapForm(batch=batch, importer=importer)
    summary_labels = [importer.column(k).label for k in importer.summary_columns if importer.column(k)]
    for row in page:
        # jsonb does not keep key order: read the summary in the importer's column order.
        row.summary_values = [row.summary.get(label, "") for label in summary_labels]
        row.outcome_label = importer.outcome_label(row.outcome)
    counts = batch.counts or {}
    # An importer with outcomes of its own ("疑似重复", "疑似注销") shows them as tabs and cards;
    # "全部" lists them all, the file's rows and those that are no row of it alike.
    outcome_tabs = [(value, label, counts.get(value, 0)) for value, label in importer.outcomes]
    tabs = [("", "全部", sum(count for _, _, count in outcome_tabs)), *outcome_tabs]
    confirmation = None
    if can_act and batch.status == ImportBatch.Status.PREVIEW:
        confirmation = importer.confirmation(counts, services.batch_context(batch))
    return render(
        request,
        "imports/batch.html",
        {
            "batch": batch,
            "importer": importer,
            "summary_labels": summary_labels,
            "page": page,
            "outcome": outcome,
            "tabs": tabs,
            "notice": importer.notice(batch),
            "writes_any": any(counts.get(value) for value in importer.writes),
            "can_act": can_act,
            "can_discard": can_act and batch.status in services.DISCARDABLE,
            "running": batch.status in RUNNING,
            **_liveness(request, batch, importer),
            "mapping": mapping,
            "required_labels": [c.label for c in importer.columns if c.required],
            "option_labels": importer.option_labels(batch.options or {}),
            "confirmation": confirmation,
            "qs_nopage": querystring_without(request, "page"),
        },
    )


def _liveness(request: HttpRequest, batch: ImportBatch, importer) -> dict:
    """Whether a running batch went silent, and whether this user may take it up again."""
    stalled = services.import_batch_stalled(batch)
    return {
        "stalled": stalled,
        "stalled_minutes": int(services.stalled_after().total_seconds() // 60),
        "can_retry": stalled and importer is not None and batch.user_id == request.user.pk and importer.may_import(request.user),
    }


@login_required
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The polled fragment; once the work is done the page reloads to show the preview."""
    batch = get_import_batch_for_user(request.user, pk)
    if batch.status not in RUNNING:
        if request.htmx:
            return HttpResponseClientRefresh()
        return redirect("imports:detail", pk=batch.pk)
    return render(request, "imports/_progress.html", {"batch": batch, **_liveness(request, batch, get_importer(batch.kind))})


@require_POST
@login_required
def batch_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """重新处理: a batch whose worker went silent gets a new job."""
    batch = get_import_batch_for_user(request.user, pk, "manage")
    try:
        batch = services.import_batch_retry(batch=batch, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, "已重新开始处理")
    return redirect("imports:detail", pk=batch.pk)


@require_POST
@login_required
def batch_columns(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_import_batch_for_user(request.user, pk, "manage")
    form = ColumnMapForm(request.POST, batch=batch, importer=get_importer(batch.kind))
    if not form.is_valid():
        messages.error(request, "列对应有误，请刷新页面后重试")
        return redirect("imports:detail", pk=batch.pk)
    try:
        batch = services.import_batch_map_columns(batch=batch, by=request.user, column_map=form.column_map())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已按新的列对应重新分析")
    return redirect("imports:detail", pk=batch.pk)


@require_POST
@login_required
def batch_commit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_import_batch_for_user(request.user, pk, "manage")
    # The confirmation box carries the number it confirms: a page older than the preview it
    # acts on confirms another number, and is refused.
    confirmed = request.POST.get("confirmed", "")
    try:
        batch = services.import_batch_commit(
            batch=batch, by=request.user, confirmed=int(confirmed) if confirmed.isdigit() else None
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("imports:detail", pk=batch.pk)
    if batch.status == ImportBatch.Status.DONE:
        importer = get_importer(batch.kind)
        messages.success(request, importer.done_message(batch.counts) if importer else "导入完成")
    elif batch.status == ImportBatch.Status.COMMITTING:
        messages.info(request, "文件较大，已转入后台导入，请稍候")
    else:
        messages.error(request, batch.message)
    return redirect("imports:detail", pk=batch.pk)


@require_POST
@login_required
def batch_discard(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_import_batch_for_user(request.user, pk, "manage")
    try:
        services.import_batch_discard(batch=batch, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("imports:detail", pk=batch.pk)
    messages.success(request, f"已放弃导入“{batch.file_name}”，上传的文件已删除")
    return redirect("imports:list")


@login_required
def batch_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The invalid rows with their reasons; it carries personal data, so it is audit-logged."""
    batch = get_import_batch_for_user(request.user, pk)
    importer = get_importer(batch.kind)
    if importer is None or batch.status == ImportBatch.Status.DISCARDED or not batch.counts.get("invalid"):
        raise Http404
    content, count = error_workbook(batch)
    if importer.personal_fields:
        audit(
            user=request.user,
            action=AuditEvent.Action.EXPORT,
            obj=batch,
            fields=importer.personal_fields,
            row_count=count,
            detail={"kind": batch.kind, "file": batch.file_name, "what": "error_rows"},
            request=request,
        )
    stem = batch.file_name.rsplit(".", 1)[0]
    return _xlsx(content, f"{stem}-有误的行.xlsx")


@login_required
def template_download(request: HttpRequest, kind: str) -> HttpResponse:
    """An empty workbook with the columns an import understands."""
    importer = get_importer(kind)
    if importer is None or not importer.may_import(request.user):
        raise Http404
    content, _ = workbook_bytes(title=f"{importer.label}导入", headers=[c.label for c in importer.columns], rows=[])
    return _xlsx(content, f"{importer.label}导入模板.xlsx")
