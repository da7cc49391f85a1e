"""What the ledger's routers share: error responses, today, the year and organization checks."""

import datetime as dt
from typing import Any

from django.http import Http404
from django.utils import timezone
from ninja.errors import HttpError

from qiangji.core.access import LIAISON, SECRETARY, TOWN_ADMIN, get_scope
from qiangji.core.api import ErrorOut, FormInvalid, ValidationErrorOut
from qiangji.orgs.models import Organization

READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}
STAFF = (TOWN_ADMIN, LIAISON, SECRETARY)


def today_local() -> dt.date:
    return timezone.localdate()


def staff_only(user: Any, message: str) -> None:
    if not get_scope(user).has_role(*STAFF):
        raise HttpError(403, message)


def checked_year(year: int | None) -> int:
    this_year = today_local().year
    year = year or this_year
    if not 2000 <= year <= this_year + 1:
        raise FormInvalid({"year": [f"年份应在 2000 至 {this_year + 1} 之间。"]})
    return year


def visible_organization(user: Any, pk: int) -> Organization:
    organization = Organization.objects.for_user(user).filter(pk=pk).first()
    if organization is None:
        raise Http404
    return organization
