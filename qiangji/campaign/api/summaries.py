"""API: the daily summaries and weekly analyses (/api/v1/campaign-summaries).

GET "" lists them newest first (`kind=daily|weekly`, paginated), GET /{id} gives one with its
figures (the JSON the service stores, described in services/summaries.py) and its sentences,
POST /generate {kind, date} writes (or writes again) the summary of the period holding `date`.
Only the town admin runs the summaries: other roles get 403 on the list and on generating, 404
on one summary; anonymous callers 401.
"""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from qiangji.campaign.access import runs_campaign
from qiangji.campaign.models import Summary
from qiangji.campaign.services.summaries import summary_generate, summary_is_final
from qiangji.campaign.summary_report import paragraphs, summary_title
from qiangji.core.api import ErrorOut, FormInvalid, ValidationErrorOut, choice_or_422, paginate
from qiangji.core.errors import DomainError

router = Router(tags=["新连心攻坚"])

READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 409: ErrorOut}
TOWN_ONLY = "只有镇党委管理员可以查看和生成汇总分析。"


class SummaryOut(Schema):
    id: int
    kind: str
    kind_label: str
    start: dt.date
    end: dt.date
    title: str
    generated_at: dt.datetime
    final: bool

    @staticmethod
    def fields_of(summary: Summary) -> dict[str, Any]:
        return {
            "id": summary.pk,
            "kind": summary.kind,
            "kind_label": summary.get_kind_display(),
            "start": summary.start,
            "end": summary.end,
            "title": summary_title(summary),
            "generated_at": summary.generated_at,
            "final": summary_is_final(summary),
        }


class SummaryPageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[SummaryOut]


class SummaryDetailOut(SummaryOut):
    paragraphs: list[str]
    figures: dict[str, Any]

    @staticmethod
    def of(summary: Summary) -> dict[str, Any]:
        return {**SummaryOut.fields_of(summary), "paragraphs": [p for p in paragraphs(summary) if p], "figures": summary.figures}


class SummaryGenerateIn(Schema):
    kind: str
    date: dt.date


def _town_only(user: Any) -> None:
    if not runs_campaign(user):
        raise HttpError(403, TOWN_ONLY)


@router.get("", response={200: SummaryPageOut, **READ_ERRORS}, operation_id="campaign_summary_list", summary="汇总分析列表")
def summary_list(
    request: HttpRequest,
    kind: str = "",
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
) -> Any:
    """Newest first; `kind=daily` (一日一汇总) or `kind=weekly` (一周一分析)."""
    _town_only(request.auth)
    choice_or_422("kind", kind, Summary.Kind.choices)
    summaries = Summary.objects.order_by("-start", "kind").defer("figures")
    if kind:
        summaries = summaries.filter(kind=kind)
    result = paginate(summaries, page=page, page_size=page_size)
    result["items"] = [SummaryOut.fields_of(s) for s in result["items"]]
    return result


@router.get(
    "/{id:summary_id}",
    response={200: SummaryDetailOut, **READ_ERRORS},
    operation_id="campaign_summary_get",
    summary="汇总分析详情",
)
def summary_get(request: HttpRequest, summary_id: int) -> Any:
    if not runs_campaign(request.auth):
        raise Http404
    summary = Summary.objects.filter(pk=summary_id).first()
    if summary is None:
        raise Http404
    return SummaryDetailOut.of(summary)


@router.post(
    "/generate",
    response={200: SummaryDetailOut, **WRITE_ERRORS},
    operation_id="campaign_summary_generate",
    summary="生成汇总分析",
)
def summary_generate_view(request: HttpRequest, payload: SummaryGenerateIn) -> Any:
    """Write the summary of the day (daily) or the Monday–Sunday week (weekly) holding `date`;
    the same period again replaces its figures."""
    _town_only(request.auth)
    choice_or_422("kind", payload.kind, Summary.Kind.choices)
    if not payload.kind:
        raise FormInvalid({"kind": ["汇总类别未填写"]})
    try:
        summary = summary_generate(kind=payload.kind, day=payload.date)
    except DomainError as error:
        raise FormInvalid({error.field or "__all__": [error.message]})
    return SummaryDetailOut.of(summary)
