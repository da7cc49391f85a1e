"""API: coverage rates per carrier (/api/v1/coverage).

`?carrier=grid:3` (or chain:1 / street:2) answers one carrier; without it, every carrier grouped
by kind plus the town. Figures count active entities (docs/campaign_coverage.md). The town,
secretaries and liaison groups may read them (counts only, no personal data); team members and
plain members get 403, anonymous callers 401.
"""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router
from ninja.errors import HttpError

from qiangji.campaign.models import CarrierKind
from qiangji.campaign.schemas import CoverageAllOut, CoverageOut
from qiangji.campaign.selectors import coverage_by_carrier, coverage_town, parse_carrier
from qiangji.campaign.selectors_register import reads_coverage
from qiangji.core.api import ErrorOut, FormInvalid, ValidationErrorOut

router = Router(tags=["新连心攻坚"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


@router.get("", response={200: CoverageOut | CoverageAllOut, **ERRORS}, operation_id="coverage_get", summary="“5+2+7”覆盖率")
def coverage_get(request: HttpRequest, carrier: str = "") -> Any:
    """One carrier's coverage (`carrier=grid:3`), or all carriers by kind and the town."""
    if not reads_coverage(request.auth):
        raise HttpError(403, "只有镇党委、党组织书记和指导联络组可以查看覆盖率。")
    if carrier:
        try:
            kind, pk = parse_carrier(carrier.strip())
        except ValueError as error:
            raise FormInvalid({"carrier": [str(error)]})
        rows = coverage_by_carrier(kind, pk=pk)
        if not rows:
            raise Http404
        return CoverageOut.of(rows[0])
    return {
        "town": CoverageOut.of(coverage_town()),
        "chains": [CoverageOut.of(r) for r in coverage_by_carrier(CarrierKind.CHAIN)],
        "streets": [CoverageOut.of(r) for r in coverage_by_carrier(CarrierKind.STREET)],
        "grids": [CoverageOut.of(r) for r in coverage_by_carrier(CarrierKind.GRID)],
    }
