"""The ledger's statistics page: the seed's figures for any date range, and two charts."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from qiangji.core.access import LIAISON, SECRETARY, TOWN_ADMIN, get_scope
from qiangji.core.converters import parse_id
from qiangji.ledger.selectors import ledger_by_month, ledger_by_source, ledger_counts
from qiangji.orgs.selectors import get_organization_for_user, organization_choices

STAFF = (TOWN_ADMIN, LIAISON, SECRETARY)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def stats(request: HttpRequest) -> HttpResponse:
    """Counts in the seed's own words, closed and open, days to close, by source and by month."""
    if not get_scope(request.user).has_role(*STAFF):
        raise Http404
    today = timezone.localdate()
    start = _date(request.GET.get("from", "")) or dt.date(today.year, 1, 1)
    end = _date(request.GET.get("to", "")) or dt.date(today.year, 12, 31)
    errors = []
    if end < start:
        errors.append("结束日期早于开始日期，已按本年度统计。")
        start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    organization = None
    if (org_pk := parse_id(request.GET.get("org"))) is not None:
        organization = get_organization_for_user(request.user, org_pk)
    counts = ledger_counts(user=request.user, start=start, end=end, organization=organization)
    by_source = ledger_by_source(user=request.user, start=start, end=end, organization=organization)
    by_month = ledger_by_month(user=request.user, start=start, end=end, organization=organization)
    chart = {
        "sources": [row["label"] for row in by_source],
        "source_counts": [row["count"] for row in by_source],
        "months": [row["month"] for row in by_month],
        "registered": [row["registered"] for row in by_month],
        "closed": [row["closed"] for row in by_month],
    }
    context = {
        "start": start,
        "end": end,
        "organization": organization,
        "org_choices": organization_choices(user=request.user, levels=3),
        "counts": counts,
        "by_source": by_source,
        "by_month": by_month,
        "chart": chart,
        "errors": errors,
        "is_town": get_scope(request.user).has_role(TOWN_ADMIN),
    }
    return render(request, "ledger/stats.html", context)
