"""Campaign pages: the district batches (底数批次) and their analysis, for the town admin.

A batch is made by the import pages (/imports/, kind "entities") or `import_entities`; these pages
show what the analysis found, class by class, with each record's task, and export the records.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse

from qiangji.campaign.access import runs_campaign
from qiangji.campaign.models import BaseRecord
from qiangji.campaign.selectors_batches import (
    batch_records,
    entity_batches_for_user,
    get_entity_batch_for_user,
    place_names,
    record_row,
)
from qiangji.core.exports import xlsx_response
from qiangji.core.pagination import paginate, querystring_without
from qiangji.core.spreadsheets.registry import get_importer

KINDS = "entities"


def _require_town(request: HttpRequest) -> None:
    if not runs_campaign(request.user):
        raise Http404


def _klass(request: HttpRequest) -> str:
    klass = request.GET.get("klass", "")
    return klass if klass in BaseRecord.Klass.values else ""


def _import_url() -> str:
    return reverse("imports:list") + f"?kind={KINDS}"


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    _require_town(request)
    page = paginate(request, entity_batches_for_user(request.user))
    return render(
        request,
        "campaign/batch_list.html",
        {"page": page, "import_url": _import_url(), "classes": get_importer(KINDS).outcomes},
    )


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_entity_batch_for_user(request.user, pk)
    klass = _klass(request)
    page = paginate(request, batch_records(batch=batch, klass=klass), per_page=50)
    names = place_names()
    rows = [record_row(record, names) for record in page]
    counts = batch.counts or {}
    tabs = [("", "全部", sum(counts.get(k, 0) for k in BaseRecord.Klass.values))] + [
        (value, label, counts.get(value, 0)) for value, label in BaseRecord.Klass.choices
    ]
    return render(
        request,
        "campaign/batch_detail.html",
        {
            "batch": batch,
            "page": page,
            "rows": rows,
            "klass": klass,
            "tabs": tabs,
            "classes": get_importer(KINDS).outcomes,
            "import_url": _import_url(),
            "qs_nopage": querystring_without(request, "page"),
        },
    )


EXPORT_HEADERS = ("行号", "分析结果", "状态", "主体名称", "统一社会信用代码", "所在村居", "经营地址", "负责人", "联系电话",
                  "变更内容", "分析说明", "走访任务", "任务状态")  # fmt: skip


@login_required
def batch_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The batch's records (of one class, or all) as a workbook; phones masked, export logged."""
    batch = get_entity_batch_for_user(request.user, pk)
    klass = _klass(request)
    names = place_names()

    def rows():
        for record in batch_records(batch=batch, klass=klass).iterator(2000):
            row = record_row(record, names)
            task = row["task"]
            yield (
                record.row_number or "",
                record.get_klass_display(),
                record.get_state_display(),
                row["name"],
                row["credit_code"],
                row["village"],
                row["address"],
                row["person_in_charge"],
                row["phone"],
                "；".join(f"{c['label']}：{c['old'] or '（空）'} → {c['new'] or '（空）'}" for c in row["changes"]),
                record.note,
                task.title if task else "",
                task.get_status_display() if task else "",
            )

    stem = batch.file_name.rsplit(".", 1)[0]
    return xlsx_response(
        request=request,
        filename=f"{stem}-分析结果.xlsx",
        title=f"底数批次第{batch.pk}号分析结果（{batch.file_name}）",
        headers=EXPORT_HEADERS,
        rows=rows(),
        object_type="campaign.BaseRecord",
        personal_fields=("phone",),
        filters={"batch": batch.pk, "klass": klass},
    )


urlpatterns = [
    path("batches/", batch_list, name="batch_list"),
    path("batches/<id:pk>/", batch_detail, name="batch_detail"),
    path("batches/<id:pk>/export/", batch_export, name="batch_export"),
]
